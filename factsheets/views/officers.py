"""The officials of all current sheets, by bureau and country."""

from itertools import groupby

from django.shortcuts import render

import pagecache
from factsheets import page_tags
from factsheets.models import FactSheet


@pagecache.shows(page_tags.CATALOGUE, page_tags.OFFICERS)
def key_officers(request):
    """Every current sheet's officials, under the bureau printed on the sheet; each
    country's entry has the country's slug as its id, for links from the sheets."""
    sheets = list(
        FactSheet.objects.current()
        .select_related("country", "bureau")
        .prefetch_related("officials")
        .order_by("bureau__name", "country__name")
    )
    bureaus = [
        (bureau, list(bureau_sheets))
        for bureau, bureau_sheets in groupby(sheets, key=lambda sheet: sheet.bureau)
    ]
    return render(
        request,
        "factsheets/key_officers.html",
        {
            "bureaus": bureaus,
            "sheet_count": len(sheets),
            "breadcrumbs": [("Key officers", None)],
        },
    )
