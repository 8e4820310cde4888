"""The rows a sheet is made of: sections, assistance lines, officials, links."""

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from factsheets.amounts import AmountField, format_amount
from factsheets.links import LinkField
from factsheets.models.sheets import FactSheet
from factsheets.richtext import RichTextField


class OrderedChild(models.Model):
    """A row that belongs to one sheet and is shown in editor-chosen order."""

    position = models.PositiveSmallIntegerField(
        default=0, help_text="Rows are shown from the lowest number up."
    )

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


@reversion.register()
class Section(OrderedChild):
    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="sections"
    )
    # Headings have no unique rule in the database: rows are saved one at a time, so
    # swapping two headings would break it halfway through. Forms refuse
    # duplicates, and the page gives every section an anchor of its own regardless.
    heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="Leave empty for the opening section, which is printed without a heading.",
    )
    body = RichTextField(blank=True)
    shows_assistance = models.BooleanField(
        "assistance table here",
        default=False,
        help_text="Print the assistance table at the end of this section. With no "
        "section ticked, it follows the section whose heading starts with “U.S. "
        "Assistance” or “U.S. Security Assistance”.",
    )
    shows_officials = models.BooleanField(
        "officials here",
        default=False,
        help_text="Print the officials at the end of this section. With no section "
        "ticked, they follow the section whose heading mentions “Representation”.",
    )

    class Meta(OrderedChild.Meta):
        pass

    def __str__(self):
        return self.heading or "Opening section"


YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2200)]


@reversion.register()
class AssistanceLine(OrderedChild):
    class Kind(models.TextChoices):
        ACTUAL = "actual", "Actual"
        REQUESTED = "requested", "Requested"
        PLANNED = "planned", "Planned"

    class Period(models.TextChoices):
        FISCAL = "fiscal", "Fiscal year"
        CALENDAR = "calendar", "Calendar year"
        NONE = "none", "No period"

    class Qualifier(models.TextChoices):
        # The words sheets write before an amount: “more than $135.4 million”.
        EXACT = "", "(none)"
        MORE_THAN = "more than", "more than"
        IN_EXCESS_OF = "in excess of", "in excess of"
        WELL_OVER = "well over", "well over"
        OVER = "over", "over"
        AT_LEAST = "at least", "at least"
        APPROXIMATELY = "approximately", "approximately"
        AN_ESTIMATED = "an estimated", "an estimated"
        ABOUT = "about", "about"
        ROUGHLY = "roughly", "roughly"
        SOME = "some", "some"
        NEARLY = "nearly", "nearly"
        ALMOST = "almost", "almost"
        JUST_UNDER = "just under", "just under"
        UP_TO = "up to", "up to"
        LESS_THAN = "less than", "less than"

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="assistance_lines"
    )
    period = models.CharField(
        max_length=10,
        choices=Period,
        default=Period.FISCAL,
        help_text="What the year is: a fiscal year (“FY 2014”), a calendar year "
        "(“2017”), or no period, for an amount without a year (“Total to date”).",
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text="The year, or the first of a range. Empty only with no period.",
    )
    year_end = models.PositiveSmallIntegerField(
        "last year",
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text="Only for a range such as FY 2016-2020: its last year.",
    )
    qualifier = models.CharField(
        max_length=20,
        choices=Qualifier,
        blank=True,
        help_text="The word before the amount, as in “more than $135.4 million”.",
    )
    amount_usd = AmountField(
        "amount (USD)",
        validators=[MinValueValidator(0, message="An amount cannot be negative.")],
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.ACTUAL)
    agency = models.CharField(
        "agency or program", max_length=100, blank=True, help_text="E.g. “USAID”."
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta(OrderedChild.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_usd__gte=0), name="assistanceline_amount_usd_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(year_end__isnull=True) | Q(year_end__gte=F("year")),
                name="assistanceline_year_end_gte_year",
            ),
            models.CheckConstraint(
                condition=Q(period="none", year__isnull=True, year_end__isnull=True)
                | (~Q(period="none") & Q(year__isnull=False)),
                name="assistanceline_year_matches_period",
            ),
        ]

    def __str__(self):
        kind = self.get_kind_display().lower()
        return f"{self.period_label}: {self.amount_text} ({kind})"

    def clean(self):
        if self.period == self.Period.NONE:
            if self.year is not None or self.year_end is not None:
                raise ValidationError(
                    {
                        "period": "A line with no period has no year: clear the years, "
                        "or say which kind of year they are."
                    }
                )
        elif self.year is None:
            raise ValidationError(
                {
                    "year": "Enter the year, or choose “No period” for an amount without one."
                }
            )
        elif self.year_end is not None and self.year_end < self.year:
            raise ValidationError(
                {"year_end": "The last year cannot come before the first."}
            )

    @property
    def period_label(self):
        """The table's first column: “FY 2014”, “2017”, “FY 2016-2020”, “Total to date”."""
        if self.period == self.Period.NONE or self.year is None:
            return "Total to date" if self.kind == self.Kind.ACTUAL else "Total"
        years = str(self.year)
        if self.year_end and self.year_end != self.year:
            years += f"-{self.year_end}"
        return f"FY {years}" if self.period == self.Period.FISCAL else years

    @property
    def amount_label(self):
        """The amount as the sheet writes it: “$135.4 million”, “$2.375 billion”."""
        return format_amount(self.amount_usd)

    @property
    def amount_text(self):
        """The amount with its qualifier: “more than $135.4 million”."""
        return f"{self.qualifier} {self.amount_label}".strip()


@reversion.register()
class Official(OrderedChild):
    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="officials"
    )
    role = models.CharField(max_length=200, help_text="E.g. “U.S. Ambassador to Mali”.")
    name = models.CharField(max_length=200)

    class Meta(OrderedChild.Meta):
        pass

    def __str__(self):
        return f"{self.role}: {self.name}"


@reversion.register()
class RelatedLink(OrderedChild):
    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="related_links"
    )
    title = models.CharField(max_length=200)
    url = LinkField(
        "address",
        max_length=500,
        blank=True,
        help_text="https://… for another site, or /… for a page on this site. Empty "
        "only while the address is unknown (an imported title, say): the title is then "
        "printed as plain text.",
    )

    class Meta(OrderedChild.Meta):
        constraints = [
            # What factsheets.links.clean_link lets through, as far as SQL can say.
            models.CheckConstraint(
                condition=(
                    Q(url="")
                    | Q(url__istartswith="http://")
                    | Q(url__istartswith="https://")
                    | Q(url__istartswith="mailto:")
                    | Q(url__startswith="#")
                    | (Q(url__startswith="/") & ~Q(url__startswith="//"))
                )
                & ~Q(url__contains="\\"),
                name="relatedlink_url_safe",
            )
        ]

    def __str__(self):
        return self.title
