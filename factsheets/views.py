from collections import Counter
from datetime import date

from django.conf import settings
from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static

from factsheets.changes import Snapshot, compare
from factsheets.models import Bureau, Country, FactSheet


def current_sheets():
    """The current editions for a list, A to Z by country."""
    return (
        FactSheet.objects.current()
        .select_related("country", "bureau")
        .order_by("country__name")
    )


def home(request):
    factsheets = list(current_sheets())
    # A sheet counts for the bureau printed on it (see FactSheet.bureau).
    sheets_per_bureau = Counter(factsheet.bureau_id for factsheet in factsheets)
    bureaus = list(Bureau.objects.all())
    for bureau in bureaus:
        bureau.sheet_count = sheets_per_bureau[bureau.pk]
    recent = sorted(
        factsheets, key=lambda factsheet: factsheet.public_updated_at, reverse=True
    )
    return render(
        request,
        "factsheets/home.html",
        {
            "bureaus": bureaus,
            "factsheets": factsheets,
            "recent_factsheets": recent[:5],
        },
    )


def sheet_index(request):
    """Every current sheet A to Z, with letter jumps, and by bureau."""
    return home(request)


def bureau_detail(request, slug):
    bureau = get_object_or_404(Bureau, slug=slug)
    return render(
        request,
        "factsheets/bureau_detail.html",
        {"bureau": bureau, "factsheets": current_sheets().filter(bureau=bureau)},
    )


def render_sheet(request, factsheet, **context):
    """A sheet's page, with its record: changes since publication, other editions."""
    editions = list(factsheet.editions().only("pk", "issued_on", "country_id"))
    return render(
        request,
        "factsheets/factsheet_detail.html",
        {"factsheet": factsheet, "editions": editions, **context},
    )


def factsheet_detail(request, country_slug):
    """The country's current sheet: its newest live edition."""
    factsheet = (
        FactSheet.objects.current()
        .for_display()
        .filter(country__slug=country_slug)
        .first()
    )
    if factsheet is None:
        raise Http404("No published fact sheet for this country.")
    return render_sheet(request, factsheet)


def edition_detail(request, country_slug, issued_on):
    """One edition at its lasting address; the current one lives at the country's."""
    edition = (
        FactSheet.objects.live()
        .for_display()
        .filter(country__slug=country_slug, issued_on=issued_on)
        .first()
    )
    if edition is None:
        raise Http404("No published edition of this sheet has this date.")
    current = FactSheet.objects.current().filter(country_id=edition.country_id).first()
    if current is None or current.pk == edition.pk:
        return redirect("factsheets:detail", country_slug=country_slug)
    return render_sheet(request, edition, superseded_by=current, noindex=True)


def edition_changes(request, country_slug):
    """What changed between two editions of a country's sheet, in words."""
    country = get_object_or_404(Country, slug=country_slug)
    editions = list(
        FactSheet.objects.live()
        .filter(country=country)
        .order_by("-issued_on", "-pk")
        .only("pk", "issued_on", "country_id")
    )
    context = {"country": country, "editions": editions}
    if len(editions) < 2:
        context["problem"] = (
            "This sheet has only one published edition: there is nothing to compare yet."
        )
        return render(request, "factsheets/changes.html", context, status=404)
    by_date = {edition.issued_on: edition for edition in editions}
    chosen = {}
    defaults = {"from": editions[1].issued_on, "to": editions[0].issued_on}
    for end, default in defaults.items():
        value = request.GET.get(end, "")
        try:
            chosen[end] = by_date[date.fromisoformat(value) if value else default]
        except (KeyError, ValueError):
            context["problem"] = (
                f"There is no published edition dated “{value[:20]}”. "
                "Choose two of the editions listed below."
            )
            return render(request, "factsheets/changes.html", context, status=404)
    old, new = sorted(chosen.values(), key=lambda edition: edition.issued_on)
    sheets = FactSheet.objects.for_display().in_bulk([old.pk, new.pk])
    old, new = sheets[old.pk], sheets[new.pk]
    context.update(
        old=old,
        new=new,
        changes=compare(Snapshot.of_sheet(old), Snapshot.of_sheet(new)),
    )
    return render(request, "factsheets/changes.html", context)


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon, such as the admin's."""
    return redirect(static(settings.DEPARTMENT_SEAL), permanent=True)


def server_error(request):
    """The styled 500 page, or a bare one if rendering fails too (say, the database is down)."""
    try:
        return render(request, "500.html", status=500)
    except Exception:
        return HttpResponseServerError(
            "<!doctype html><title>Server error</title>"
            "<h1>Server error</h1><p>Something went wrong. Please try again later.</p>"
        )
