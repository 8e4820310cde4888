"""The fact sheet itself: one edition of one country's sheet."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.functional import cached_property

from factsheets import wording
from factsheets.layout import SheetLayout
from factsheets.models.reference import Bureau, Country
from factsheets.richtext import RichTextField


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
