"""U.S. assistance across the current sheets, added up by bureau and year.

The figures are the sheets' own assistance lines, added up as written: a sheet's
lines are not checked against each other, and obligations and disbursements are
not told apart (the sheets do not say which they give).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from factsheets.amounts import format_amount
from factsheets.charts import KIND_ORDER, Figure, period_key
from factsheets.models import AssistanceLine, FactSheet

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


def by_bureau(sheets):
    """The Summary of all `sheets` (with their lines), and each bureau's that has rows."""
    everywhere = Summary("All bureaus")
    bureaus = {}
    for sheet in sheets:
        bureau = bureaus.setdefault(sheet.bureau_id, Summary(sheet.bureau.name))
        for line in sheet.assistance_lines.all():
            everywhere.add(line, sheet.country_id)
            bureau.add(line, sheet.country_id)
    return everywhere, [summary for summary in bureaus.values() if summary.rows]
