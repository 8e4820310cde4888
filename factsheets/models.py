from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.functional import cached_property

from factsheets import wording
from factsheets.amounts import AmountField, format_amount
from factsheets.layout import SheetLayout
from factsheets.links import LinkField
from factsheets.richtext import RichTextField


class NaturalKeyManager(models.Manager):
    """Lets fixtures name reference rows by slug, e.g. ``"country": ["mali"]``."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Bureau(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    short_name = models.CharField(
        max_length=10, unique=True, help_text="The office symbol, e.g. “AF”."
    )

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("factsheets:bureau", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class Country(models.Model):
    name = models.CharField(
        max_length=100,
        unique=True,
        help_text="As in titles, e.g. “Democratic Republic of the Congo”, “The Gambia”.",
    )
    sentence_name = models.CharField(
        "name in a sentence",
        max_length=100,
        blank=True,
        help_text="Only where a sentence says more than the name, e.g. “the Gambia”, "
        "“the Philippines”, “the United Kingdom”.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Used in the sheet’s address, e.g. “mali” in /fact-sheets/mali/. Changing it breaks links.",
    )
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        related_name="countries",
        help_text="The bureau that covers the country now; new sheets start with it.",
    )
    other_names = models.TextField(
        blank=True,
        help_text="Other names old sheets use for the country, one a line, e.g. "
        "“Swaziland” or “Republic of Korea”. The importer recognises them.",
    )

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("factsheets:detail", kwargs={"country_slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def in_sentence(self):
        """The name as a sentence says it: “the Gambia”, “Mali”."""
        return self.sentence_name or self.name

    @property
    def all_names(self):
        """Every name the country goes by: its name, sentence form and other names."""
        names = [self.name, self.sentence_name, *self.other_names.splitlines()]
        return [name.strip() for name in names if name.strip()]


class FactSheetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FactSheet.Status.PUBLISHED)

    def current(self):
        """The current editions: each country's newest published sheet.

        Every public list and page starts here, so “current” is defined once.
        """
        newer = FactSheet.objects.published().filter(
            Q(issued_on__gt=OuterRef("issued_on"))
            | Q(issued_on=OuterRef("issued_on"), pk__gt=OuterRef("pk")),
            country=OuterRef("country"),
        )
        return self.published().exclude(Exists(newer))

    def for_display(self):
        """Everything the sheet page renders, in a fixed number of queries."""
        return self.select_related("country", "bureau").prefetch_related(
            "sections", "assistance_lines", "officials", "related_links"
        )


class FactSheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="factsheets"
    )
    # The bureau printed on the sheet is the sheet's own: bureau pages and counts
    # group current sheets by it, whatever the country's bureau is now (issue #6).
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        related_name="factsheets",
        blank=True,
        help_text="The bureau printed on the sheet; the sheet is listed on its page. "
        "Leave empty for the country’s bureau.",
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="As printed. Leave empty for “U.S. Relations With” and the country’s name.",
    )
    kind = models.CharField(max_length=50, default="Fact Sheet")
    issued_on = models.DateField(
        "issue date",
        null=True,
        blank=True,
        help_text="The date printed under the title; a sheet needs one to be "
        "published. A country’s newest published sheet is its current one.",
    )
    notice = RichTextField(
        blank=True,
        help_text="A note to readers, printed above the lead: say, that this series is "
        "no longer updated, or where the newest version is published.",
    )
    lead = models.TextField(
        "lead line",
        blank=True,
        help_text="The opening line, e.g. “More information about Mali is available on the Mali page…”.",
    )
    related_links_intro = models.TextField(
        blank=True,
        help_text="The line above the related links. Leave empty for the standard "
        "wording, “More information about Mali is available from the Department of "
        "State and other sources, some of which are listed here:”.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published sheets are shown to the public.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("last updated", auto_now=True)

    objects = FactSheetQuerySet.as_manager()

    class Meta:
        ordering = ["country__name", "-issued_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "issued_on"],
                name="factsheet_unique_country_issued_on",
                violation_error_message="This country already has a sheet with this issue date.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(issued_on__isnull=False),
                name="factsheet_published_has_issued_on",
                violation_error_message="A sheet needs its issue date to be published.",
            ),
        ]

    def __str__(self):
        date = f"{self.issued_on:%Y-%m-%d}" if self.issued_on else "no issue date"
        return f"{self.title or self.default_title()} ({date})"

    def save(self, *args, **kwargs):
        # Defaults that depend on the chosen country are derived when saving.
        if not self.bureau_id and self.country_id:
            self.bureau_id = self.country.bureau_id
        if not self.title and self.country_id:
            self.title = self.default_title()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("factsheets:detail", kwargs={"country_slug": self.country.slug})

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.issued_on:
            raise ValidationError(
                {"issued_on": "A sheet needs its issue date to be published."}
            )

    def default_title(self):
        return wording.title(self.country) if self.country_id else ""

    def get_preview_url(self):
        return reverse("factsheets:preview", kwargs={"pk": self.pk})

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def links_intro(self):
        """The line above the related links: as entered, or in the standard words."""
        return self.related_links_intro or wording.related_links_intro(self.country)

    @cached_property
    def layout(self):
        """Where each part of the sheet goes on the page, and the sections' anchors."""
        return SheetLayout(self)


class OrderedChild(models.Model):
    """A row that belongs to one sheet and is shown in editor-chosen order."""

    position = models.PositiveSmallIntegerField(
        default=0, help_text="Rows are shown from the lowest number up."
    )

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Section(OrderedChild):
    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="sections"
    )
    # Headings have no unique rule in the database: rows are saved one at a time, so
    # swapping two headings would break it halfway through (issue #6). Forms refuse
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
        OVER = "over", "over"
        AT_LEAST = "at least", "at least"
        APPROXIMATELY = "approximately", "approximately"
        ABOUT = "about", "about"
        ROUGHLY = "roughly", "roughly"
        SOME = "some", "some"
        NEARLY = "nearly", "nearly"
        ALMOST = "almost", "almost"
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


class ImportRecord(models.Model):
    """One import of an old page into a draft: where it came from and what was found."""

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="imports"
    )
    source = models.CharField(
        max_length=500,
        help_text="The page's own address when it names one, else the file's name, "
        "else a fingerprint of the pasted text. A new import of the same source updates "
        "the same draft.",
    )
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the text read.")
    report = models.JSONField(default=dict)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-imported_at", "-pk"]
        get_latest_by = ["imported_at", "pk"]

    def __str__(self):
        return f"{self.source} ({self.imported_at:%Y-%m-%d %H:%M})"
