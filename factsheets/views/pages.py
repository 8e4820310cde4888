"""The public pages: home, the A to Z index, a bureau's, a sheet's, its other editions
and what changed between them."""

import unicodedata
from datetime import date

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.formats import date_format

import pagecache
from factsheets import page_tags
from factsheets.changes import Snapshot, compare
from factsheets.listings import Neighbours, current_listing, with_their_sheets
from factsheets.models import Bureau, Country, FactSheet


@pagecache.shows(page_tags.CATALOGUE, page_tags.UPDATES)
def home(request):
    factsheets = current_listing()
    recent = sorted(
        factsheets, key=lambda factsheet: factsheet.public_updated_at, reverse=True
    )
    return render(
        request,
        "factsheets/home.html",
        {
            # Bureaus with nothing published are not content to list.
            "bureaus": with_their_sheets(factsheets),
            "factsheets": factsheets,
            "recent_factsheets": recent[:5],
        },
    )


@pagecache.shows(page_tags.CATALOGUE)
def sheet_index(request):
    """Every current sheet A to Z with its month and year, or grouped by bureau."""
    factsheets = current_listing()
    by_bureau = request.GET.get("by") == "bureau"
    letters = {}
    for factsheet in factsheets:
        letters.setdefault(filed_under(factsheet.country.name), []).append(factsheet)
    return render(
        request,
        "factsheets/index.html",
        {
            "factsheets": factsheets,
            "letters": letters,
            "bureaus": with_their_sheets(factsheets) if by_bureau else [],
            "by_bureau": by_bureau,
            "breadcrumbs": [("All fact sheets", None)],
        },
    )


def filed_under(name):
    """The letter a name is filed under: “Côte d’Ivoire” under C."""
    letter = unicodedata.normalize("NFKD", name.strip()[:1])[:1].upper()
    return letter if letter.isalpha() else "#"


@pagecache.shows(page_tags.CATALOGUE)
def bureau_detail(request, slug):
    bureau = get_object_or_404(Bureau, slug=slug)
    return render(
        request,
        "factsheets/bureau_detail.html",
        {
            "bureau": bureau,
            "factsheets": current_listing(bureau=bureau),
            "breadcrumbs": [(bureau.name, None)],
        },
    )


def render_sheet(request, factsheet, **context):
    """A sheet's page, with its record (changes since publication, other editions)
    and its neighbours (the bureau's other sheets, the previous and next A to Z)."""
    pagecache.depends_on(request, *page_tags.sheet_pages(factsheet))
    editions = list(factsheet.editions().only("pk", "issued_on", "country_id"))
    return render(
        request,
        "factsheets/factsheet_detail.html",
        {
            "factsheet": factsheet,
            "editions": editions,
            "neighbours": context.pop("neighbours", None) or Neighbours(factsheet),
            "breadcrumbs": [
                (factsheet.bureau.name, factsheet.bureau.get_absolute_url()),
                (factsheet.country.name, None),
            ],
            **context,
        },
    )


def factsheet_detail(request, country_slug):
    """The country's current sheet: its newest live edition.

    The list of current sheets the page links to also says which sheet is this
    country's, so "current" is worked out once per page.
    """
    current = current_listing()
    found = next(
        (sheet for sheet in current if sheet.country.slug == country_slug), None
    )
    factsheet = (
        FactSheet.objects.for_display().filter(pk=found.pk).first() if found else None
    )
    if factsheet is None:
        raise Http404("No published fact sheet for this country.")
    return render_sheet(request, factsheet, neighbours=Neighbours(factsheet, current))


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
    neighbours = Neighbours(edition)
    current = neighbours.current.get(edition.country_id)
    if current is None or current.pk == edition.pk:
        return redirect("factsheets:detail", country_slug=country_slug)
    return render_sheet(
        request,
        edition,
        superseded_by=current,
        neighbours=neighbours,
        noindex=True,
        breadcrumbs=[
            (edition.bureau.name, edition.bureau.get_absolute_url()),
            (edition.country.name, edition.country.get_absolute_url()),
            (f"Edition of {date_format(edition.issued_on, 'F j, Y')}", None),
        ],
    )


def edition_changes(request, country_slug):
    """What changed between two editions of a country's sheet, in words."""
    country = get_object_or_404(
        Country.objects.select_related("bureau"), slug=country_slug
    )
    editions = list(
        FactSheet.objects.live()
        .filter(country=country)
        .order_by("-issued_on", "-pk")
        .only("pk", "issued_on", "country_id")
    )
    context = {
        "country": country,
        "editions": editions,
        "breadcrumbs": [
            (country.bureau.name, country.bureau.get_absolute_url()),
            (country.name, country.get_absolute_url()),
            ("Changes", None),
        ],
    }
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
    pagecache.depends_on(
        request,
        page_tags.country(country.pk),
        page_tags.sheet(old.pk),
        page_tags.sheet(new.pk),
    )
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
