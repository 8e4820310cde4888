"""Bar charts of assistance figures, drawn on the server as SVG.

The geometry is worked out here, in user units of a fixed-width viewBox; the template
(factsheets/includes/_assistance_chart.html) only writes it out, so the chart scales to
its container and needs no JavaScript.

One horizontal bar a figure: the period and the amount as written above the bar, the
bar below, its length in proportion to the largest figure. Single years come first,
oldest first; then ranges (“FY 2016-2020”) and then amounts with no period (“Total to
date”), each as a bar of its own after a gap, since neither is one year's figure. The
kinds are told apart by pattern (actual solid, requested hatched, planned dotted with
a dashed outline), by the legend's words and by each bar's label, never by colour
alone; everything is drawn in currentColor, so print.css makes it black on white.
"""

from dataclasses import dataclass
from decimal import Decimal

from factsheets.models import AssistanceLine

WIDTH = 400
FONT_SIZE = 14
LEGEND_HEIGHT = 26
ROW_HEIGHT = 36
LABEL_BASELINE = 13  # from the top of a row
BAR_TOP = 18
BAR_HEIGHT = 12
GROUP_GAP = 8  # between years, ranges and amounts with no period
SWATCH_WIDTH = 24
LEGEND_STEP = 130

Kind = AssistanceLine.Kind
KIND_ORDER = [Kind.ACTUAL, Kind.REQUESTED, Kind.PLANNED]
KIND_LABELS = dict(Kind.choices)
# Outlines: solid for actual and requested, dashed for planned.
DASHES = {Kind.ACTUAL: "", Kind.REQUESTED: "", Kind.PLANNED: "4 2"}


def period_key(period, year, year_end):
    """Where a period goes along the chart: single years, then ranges, then none."""
    if period == AssistanceLine.Period.NONE or year is None:
        return (2, 0, 0, 0)
    last = year_end or year
    return (0 if last == year else 1, year, last, 0 if period == "fiscal" else 1)


@dataclass(frozen=True)
class Figure:
    """One bar's figure: a line of a sheet, or a total of several."""

    period_key: tuple
    period_label: str
    kind: str
    amount: Decimal
    amount_text: str

    @classmethod
    def of_line(cls, line):
        return cls(
            period_key=period_key(line.period, line.year, line.year_end),
            period_label=line.period_label,
            kind=line.kind,
            amount=line.amount_usd,
            amount_text=line.amount_text,
        )

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def text(self):
        """The bar's label: “FY 2014: more than $135.4 million (actual)”."""
        return f"{self.period_label}: {self.amount_text} ({self.kind_label.lower()})"


@dataclass(frozen=True)
class Bar:
    figure: Figure
    y: float
    label_y: float
    width: float
    pattern_id: str
    dash: str


@dataclass(frozen=True)
class LegendEntry:
    kind: str
    label: str
    x: float
    text_x: float
    pattern_id: str
    dash: str


@dataclass(frozen=True)
class Chart:
    id: str
    caption: str
    title: str
    description: str
    width: int
    height: int
    bars: list
    legend: list
    font_size: int = FONT_SIZE
    bar_height: int = BAR_HEIGHT
    swatch_width: int = SWATCH_WIDTH

    def pattern_id(self, kind):
        return f"{self.id}-{kind}"

    @property
    def actual_pattern(self):
        return self.pattern_id(Kind.ACTUAL)

    @property
    def requested_pattern(self):
        return self.pattern_id(Kind.REQUESTED)

    @property
    def planned_pattern(self):
        return self.pattern_id(Kind.PLANNED)


def _scale(amount, largest):
    """A bar's length: in proportion to the largest, and never invisible unless zero."""
    if not largest or not amount:
        return 0.0
    return max(round(float(Decimal(WIDTH - 2) * amount / largest), 1), 2.0)


def bar_chart(figures, chart_id, caption, min_bars=2):
    """A Chart of `figures` in period order, or None when there are fewer than
    `min_bars` of them: one bar says nothing the table does not."""
    figures = sorted(
        figures,
        key=lambda f: (f.period_key, KIND_ORDER.index(f.kind)),
    )
    if len(figures) < min_bars:
        return None
    kinds = [kind for kind in KIND_ORDER if any(f.kind == kind for f in figures)]
    legend = [
        LegendEntry(
            kind=kind,
            label=KIND_LABELS[kind],
            x=1 + n * LEGEND_STEP,
            text_x=1 + n * LEGEND_STEP + SWATCH_WIDTH + 6,
            pattern_id=f"{chart_id}-{kind}",
            dash=DASHES[kind],
        )
        for n, kind in enumerate(kinds)
    ]
    largest = max(f.amount for f in figures)
    bars = []
    y = LEGEND_HEIGHT
    for n, figure in enumerate(figures):
        if n and figure.period_key[0] != figures[n - 1].period_key[0]:
            y += GROUP_GAP
        bars.append(
            Bar(
                figure=figure,
                y=y + BAR_TOP,
                label_y=y + LABEL_BASELINE,
                width=_scale(figure.amount, largest),
                pattern_id=f"{chart_id}-{figure.kind}",
                dash=DASHES[figure.kind],
            )
        )
        y += ROW_HEIGHT
    description = (
        "Bar chart, one bar a figure, longer for larger amounts; the table gives the "
        "same figures. " + " ".join(f"{f.text}." for f in figures)
    )
    return Chart(
        id=chart_id,
        caption=caption,
        title=f"Bar chart: {caption}",
        description=description,
        width=WIDTH,
        height=y - (ROW_HEIGHT - BAR_TOP - BAR_HEIGHT) + 2,
        bars=bars,
        legend=legend,
    )


def sheet_chart(lines, caption):
    """The chart of one sheet's assistance lines, one bar a line."""
    return bar_chart(
        [Figure.of_line(line) for line in lines],
        chart_id="assistance-chart",
        caption=f"{caption}, by year",
    )
