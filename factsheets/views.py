from collections import Counter

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from factsheets.models import Bureau, FactSheet


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
        factsheets, key=lambda factsheet: factsheet.updated_at, reverse=True
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


def bureau_detail(request, slug):
    bureau = get_object_or_404(Bureau, slug=slug)
    return render(
        request,
        "factsheets/bureau_detail.html",
        {"bureau": bureau, "factsheets": current_sheets().filter(bureau=bureau)},
    )


def factsheet_detail(request, country_slug):
    """The country's current sheet: its newest published edition."""
    factsheet = (
        FactSheet.objects.current()
        .for_display()
        .filter(country__slug=country_slug)
        .first()
    )
    if factsheet is None:
        raise Http404("No published fact sheet for this country.")
    return render(request, "factsheets/factsheet_detail.html", {"factsheet": factsheet})


@never_cache
@staff_member_required
def factsheet_preview(request, pk):
    """Any edition, draft or not, as it will look; for editors only."""
    factsheet = get_object_or_404(FactSheet.objects.for_display(), pk=pk)
    return render(
        request,
        "factsheets/factsheet_detail.html",
        {"factsheet": factsheet, "is_preview": True},
    )


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
