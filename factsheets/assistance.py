"""U.S. assistance across the current sheets, by bureau and year (issue #8).

The figures are the sheets' own assistance lines, added up as written: a sheet's
lines are not checked against each other, and obligations and disbursements are
not told apart (the sheets do not say which they give).
"""

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render

from factsheets.amounts import format_amount
from factsheets.charts import KIND_ORDER, Figure, bar_chart, period_key
from factsheets.models import AssistanceLine, FactSheet
from factsheets.site_url import absolute

Qualifier = AssistanceLine.Qualifier
# Qualifiers that make an amount a lower bound, and those that make it an upper one;
# the rest (“about”, “an estimated”...) make it approximate.
LOWER_BOUNDS = {
    Qualifier.MORE_THAN,
    Qualifier.IN_EXCESS_OF,
    Qualifier.WELL_OVER,
    Qualifier.OVER,
    Qualifier.AT_LEAST,
}
UPPER_BOUNDS = {
    Qualifier.UP_TO,
    Qualifier.LESS_THAN,
    Qualifier.NEARLY,
    Qualifier.ALMOST,
    Qualifier.JUST_UNDER,
}

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


def total_qualifier(qualifiers):
    """The words before a total of amounts with these qualifiers.

    One amount keeps its own words. A total of several is “at least” when every
    qualified part is a lower bound (“more than”), “up to” when every one is an upper
    bound (“nearly”), and “about” otherwise; with none qualified it is exact.
    """
    qualifiers = list(qualifiers)
    if len(qualifiers) == 1:
        return qualifiers[0]
    words = {q for q in qualifiers if q}
    if not words:
        return ""
    if words <= LOWER_BOUNDS:
        return "at least"
    if words <= UPPER_BOUNDS:
        return "up to"
    return "about"


@dataclass
class Total:
    """The sum of some assistance lines of one period and kind."""

    amount: Decimal = Decimal(0)
    qualifiers: list = field(default_factory=list)
    countries: set = field(default_factory=set)

    def add(self, line, country):
        self.amount += line.amount_usd
        self.qualifiers.append(line.qualifier)
        self.countries.add(country)

    @property
    def qualifier(self):
        return total_qualifier(self.qualifiers)

    @property
    def text(self):
        return f"{self.qualifier} {format_amount(self.amount)}".strip()


@dataclass
class PeriodRow:
    """One period's totals in one bureau (or in all), by kind."""

    key: tuple
    label: str
    totals: dict = field(default_factory=lambda: defaultdict(Total))
    countries: set = field(default_factory=set)

    @property
    def cells(self):
        """The totals in the table's column order, None where there is none."""
        return [self.totals.get(kind) for kind in KIND_ORDER]


class Summary:
    """The period rows of a group of sheets, in period order."""

    def __init__(self, name=""):
        self.name = name
        self._rows = {}
        self.countries = set()

    def add(self, line, country):
        key = period_key(line.period, line.year, line.year_end)
        # “Total to date” and “Total” are one period: amounts with none.
        label = "No year given" if key[0] == 2 else line.period_label
        row = self._rows.setdefault(key, PeriodRow(key=key, label=label))
        row.totals[line.kind].add(line, country)
        row.countries.add(country)
        self.countries.add(country)

    @property
    def rows(self):
        return [self._rows[key] for key in sorted(self._rows)]

    def figures(self):
        return [
            Figure(
                period_key=row.key,
                period_label=row.label,
                kind=kind,
                amount=total.amount,
                amount_text=total.text,
            )
            for row in self.rows
            for kind, total in row.totals.items()
        ]


def current_sheets_with_lines():
    """The current sheets, their country, bureau and assistance lines: two queries."""
    return (
        FactSheet.objects.current()
        .select_related("country", "bureau")
        .prefetch_related("assistance_lines")
    )


def overview(request):
    sheets = list(current_sheets_with_lines().order_by("bureau__name", "country__name"))
    everywhere = Summary("All bureaus")
    by_bureau = {}
    for sheet in sheets:
        bureau = by_bureau.setdefault(sheet.bureau_id, Summary(sheet.bureau.name))
        for line in sheet.assistance_lines.all():
            everywhere.add(line, sheet.country_id)
            bureau.add(line, sheet.country_id)
    bureaus = [summary for summary in by_bureau.values() if summary.rows]
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
# with a leading apostrophe, which spreadsheets show as text (issue #10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


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
