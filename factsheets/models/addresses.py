"""Addresses the sheets had before, which must keep leading to them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.http import url_has_allowed_host_and_scheme

from factsheets.models.reference import Country


def is_local_path(value):
    """Whether `value` is a path on this site: one leading "/", no host, no scheme.

    "//evil.example", "/\\evil.example" and "https://evil.example" are other sites
    to a browser; so is anything with a control character or a space in it."""
    return (
        value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and "\\" not in value
        and not any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value)
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    )


def path_variants(path):
    """The path as given, then with or without its trailing slash."""
    if path.endswith("/") and len(path) > 1:
        return [path, path.rstrip("/")]
    return [path, f"{path}/"]


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

    def clean(self):
        errors = {}
        if not is_local_path(self.old_path) or "?" in self.old_path:
            errors["old_path"] = (
                "Give the path only: it starts with a single / and has no host and "
                "no ?query (the query of an old address is not looked at)."
            )
        if not is_local_path(self.new_path):
            errors["new_path"] = (
                "Give a path on this site, starting with a single /, e.g. "
                "/fact-sheets/mali/. Addresses on other sites are refused."
            )
        if errors:
            raise ValidationError(errors)
        # No chains, so no loops: every old address leads straight to a page.
        others = LegacyAddress.objects.exclude(pk=self.pk)
        new_path = self.new_path.partition("?")[0]
        if new_path in path_variants(self.old_path):
            errors["new_path"] = "The new address cannot be the old one."
        elif leads_on := others.filter(old_path__in=path_variants(new_path)).first():
            errors["new_path"] = (
                f"That is an old address too; it leads to {leads_on.new_path}. "
                "Give the address where the page is now."
            )
        if leads_here := others.filter(
            new_path__in=path_variants(self.old_path)
        ).first():
            errors["old_path"] = (
                f"{leads_here.old_path} leads here. Point it where this one leads "
                "instead, so that an old address never leads to another old one."
            )
        if errors:
            raise ValidationError(errors)


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
