"""Addresses the sheets had before, which must keep leading to them."""

from django.db import models

from factsheets.models.reference import Country


class LegacyAddress(models.Model):
    """An old address of a page (say /r/pa/ei/bgn/2828.htm) and where it is now."""

    old_path = models.CharField(
        "old address",
        max_length=300,
        unique=True,
        help_text="The path only, starting with /, e.g. /r/pa/ei/bgn/2828.htm.",
    )
    new_path = models.CharField(
        "new address",
        max_length=300,
        help_text="Where it leads now: a path on this site, e.g. /fact-sheets/mali/.",
    )

    class Meta:
        ordering = ["old_path"]
        verbose_name_plural = "legacy addresses"

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"


class FormerSlug(models.Model):
    """A slug a country had before: its old addresses lead to the country's new ones."""

    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="former_slugs"
    )
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return f"{self.slug} (now {self.country.slug})"
