from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify

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


class CountryQuerySet(models.QuerySet):
    def with_current_sheet(self):
        """Countries with a published sheet, each with the date of its current one."""
        return (
            self.filter(factsheets__in=FactSheet.objects.published())
            .annotate(current_issued_on=models.Max("factsheets__issued_on"))
            .select_related("bureau")
            .order_by("name")
        )


class CountryManager(NaturalKeyManager.from_queryset(CountryQuerySet)):
    pass


class Country(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Used in the sheet’s address, e.g. “mali” in /fact-sheets/mali/. Changing it breaks links.",
    )
    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, related_name="countries"
    )

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("factsheets:detail", kwargs={"country_slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class FactSheetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FactSheet.Status.PUBLISHED)

    def for_display(self):
        """Everything the sheet page renders, in a fixed number of queries."""
        return self.select_related("country", "bureau").prefetch_related(
            "sections", "assistance_lines", "officials", "related_links"
        )

    def current(self, country_slug):
        """The country's current sheet: its newest published edition, or None."""
        return (
            self.published()
            .filter(country__slug=country_slug)
            .order_by("-issued_on", "-pk")
            .first()
        )


class FactSheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="factsheets"
    )
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        related_name="factsheets",
        blank=True,
        help_text="Leave empty to use the country’s bureau.",
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="As printed. Leave empty for “U.S. Relations With” and the country’s name.",
    )
    kind = models.CharField(max_length=50, default="Fact Sheet")
    issued_on = models.DateField(
        "issue date",
        help_text="The date printed under the title. A country’s newest published sheet is its current one.",
    )
    lead = models.TextField(
        "lead line",
        blank=True,
        help_text="The opening line, e.g. “More information about Mali is available on the Mali page…”.",
    )
    related_links_intro = models.TextField(
        blank=True,
        help_text="The line above the related links. Leave empty for the standard wording.",
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
            )
        ]

    def __str__(self):
        return f"{self.title or self.default_title()} ({self.issued_on:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        # Defaults that depend on the chosen country are derived when saving.
        if not self.bureau_id and self.country_id:
            self.bureau_id = self.country.bureau_id
        if not self.title and self.country_id:
            self.title = self.default_title()
        if not self.related_links_intro and self.country_id:
            self.related_links_intro = (
                f"More information about {self.country.name} is available from the "
                "Department of State and other sources, some of which are listed here:"
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("factsheets:detail", kwargs={"country_slug": self.country.slug})

    def default_title(self):
        return f"U.S. Relations With {self.country.name}" if self.country_id else ""

    def get_preview_url(self):
        return reverse("factsheets:preview", kwargs={"pk": self.pk})

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


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
    heading = models.CharField(
        max_length=200,
        blank=True,
        help_text="Leave empty for the opening section, which is printed without a heading.",
    )
    body = RichTextField(blank=True)

    class Meta(OrderedChild.Meta):
        constraints = [
            # Headings give the sections their anchors, so they must differ.
            models.UniqueConstraint(
                fields=["factsheet", "heading"],
                condition=~Q(heading=""),
                name="section_unique_heading_per_factsheet",
                violation_error_message="Another section of this sheet has this heading.",
            )
        ]

    def __str__(self):
        return self.heading or "Opening section"

    @property
    def anchor(self):
        """The id of the section on the page; stable while the heading stays."""
        return slugify(self.heading)


class AssistanceLine(OrderedChild):
    class Kind(models.TextChoices):
        ACTUAL = "actual", "Actual"
        REQUESTED = "requested", "Requested"
        PLANNED = "planned", "Planned"

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="assistance_lines"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
        help_text="The fiscal year, or the first year of a range.",
    )
    fiscal_year_end = models.PositiveSmallIntegerField(
        "last fiscal year",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2200)],
        help_text="Only for a range such as FY 2016-2020: its last year.",
    )
    amount_usd = models.DecimalField(
        "amount (USD)",
        max_digits=15,
        decimal_places=2,
        validators=[MinValueValidator(0, message="An amount cannot be negative.")],
        help_text="In U.S. dollars, e.g. 135400000 for $135.4 million.",
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
                condition=Q(fiscal_year_end__isnull=True)
                | Q(fiscal_year_end__gte=F("fiscal_year")),
                name="assistanceline_fiscal_year_end_gte_start",
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year_label}: {self.amount_label} ({self.get_kind_display().lower()})"

    def clean(self):
        if self.fiscal_year_end is not None and self.fiscal_year is not None:
            if self.fiscal_year_end < self.fiscal_year:
                raise ValidationError(
                    {
                        "fiscal_year_end": "The last fiscal year cannot come before the first."
                    }
                )

    @property
    def fiscal_year_label(self):
        if self.fiscal_year_end and self.fiscal_year_end != self.fiscal_year:
            return f"FY {self.fiscal_year}-{self.fiscal_year_end}"
        return f"FY {self.fiscal_year}"

    @property
    def amount_label(self):
        """The amount as a reader says it: “$135.4 million”, “$2.5 billion”, “$80,000”."""
        amount = self.amount_usd
        for size, word in ((10**9, "billion"), (10**6, "million")):
            if amount >= size:
                return f"${amount / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
        return f"${amount:,.2f}".removesuffix(".00")


def validate_link_url(value):
    """Accept http(s) addresses and site-relative paths; nothing else can be clicked safely."""
    if value.startswith("/") and not value.startswith("//"):
        return
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return
    raise ValidationError(
        "Enter an address starting with https://, http:// or / (a page on this site).",
        code="invalid_url",
    )


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
    url = models.CharField(
        "address",
        max_length=500,
        validators=[validate_link_url],
        help_text="https://… for another site, or /… for a page on this site.",
    )

    class Meta(OrderedChild.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(url__istartswith="http://")
                | Q(url__istartswith="https://")
                | (Q(url__startswith="/") & ~Q(url__startswith="//")),
                name="relatedlink_url_http_or_relative",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_external(self):
        return not self.url.startswith("/")
