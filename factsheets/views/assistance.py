"""U.S. assistance at a glance: the totals of the current sheets as a page, and
every line behind them as CSV (the totals are factsheets/assistance.py)."""

import csv

from django.http import HttpResponse
from django.shortcuts import render

import pagecache
from factsheets import page_tags
from factsheets.assistance import by_bureau, current_sheets_with_lines
from factsheets.charts import KIND_ORDER, bar_chart
from factsheets.models import AssistanceLine
from factsheets.site_url import absolute

CSV_COLUMNS = [
    "country",
    "bureau",
    "period",
    "year",
    "year_end",
    "kind",
    "qualifier",
    "amount_usd",
    "agency",
    "note",
    "sheet_issued_on",
    "sheet_url",
]


@pagecache.shows(page_tags.CATALOGUE, page_tags.ASSISTANCE)
def overview(request):
    sheets = list(current_sheets_with_lines().order_by("bureau__name", "country__name"))
    everywhere, bureaus = by_bureau(sheets)
    chart = bar_chart(
        everywhere.figures(),
        chart_id="overview-chart",
        caption="U.S. assistance in the current fact sheets, by year",
        min_bars=1,
    )
    return render(
        request,
        "factsheets/assistance.html",
        {
            "sheet_count": len(sheets),
            "everywhere": everywhere,
            # Each bureau, then all of them when there are several.
            "groups": bureaus + [everywhere] if len(bureaus) > 1 else bureaus,
            "chart": chart,
            "kinds": [AssistanceLine.Kind(kind).label for kind in KIND_ORDER],
            "breadcrumbs": [("U.S. assistance at a glance", None)],
        },
    )


# A text cell a spreadsheet would read as a formula (“=HYPERLINK(…)”) is written
# with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@pagecache.shows(page_tags.CATALOGUE, page_tags.ASSISTANCE)
def overview_csv(request):
    """Every assistance line of the current sheets, one a row, amounts exact."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="assistance.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for sheet in current_sheets_with_lines().order_by("country__name"):
        address = absolute(sheet.country.get_absolute_url())
        for line in sheet.assistance_lines.all():
            writer.writerow(
                [
                    as_text(sheet.country.name),
                    as_text(sheet.bureau.name),
                    as_text(line.period),
                    "" if line.year is None else line.year,
                    "" if line.year_end is None else line.year_end,
                    line.kind,
                    as_text(line.qualifier),
                    f"{line.amount_usd:f}",
                    as_text(line.agency),
                    as_text(line.note),
                    sheet.issued_on.isoformat(),
                    address,
                ]
            )
    return response
