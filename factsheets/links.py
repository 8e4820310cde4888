"""The one rule for every address a reader can click, in section text and related links."""

import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models

INVALID = (
    "Enter an address starting with https://, http://, mailto: or / (a page on this "
    "site)."
)
DISGUISED = (
    "An address cannot contain backslashes, spaces or control characters: browsers "
    "read some of them as a way to another site."
)


def clean_link(url):
    """The address to store for `url`, or ValidationError if it is not safe to click.

    Accepted: http and https addresses with a host, mailto: addresses, paths on this
    site (“/fact-sheets/mali/”) and fragments (“#bilateral-representation”).
    Protocol-relative addresses (“//host/path”) become https. Backslashes, spaces and
    control characters are refused anywhere: browsers turn “/\\evil.example/” and
    “/<TAB>/evil.example/” into addresses on another site.
    """
    value = (url or "").strip()
    if not value:
        raise ValidationError(INVALID, code="invalid_url")
    if "\\" in value or any(
        c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in value
    ):
        raise ValidationError(DISGUISED, code="disguised_url")
    if value.startswith("//"):
        value = "https:" + value
    if value.startswith(("/", "#")):
        return value
    try:
        parts = urlsplit(value)
    except ValueError:  # “http://host]”, an unbalanced IPv6 bracket
        raise ValidationError(INVALID, code="invalid_url") from None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.hostname:
        return value
    if scheme == "mailto" and "@" in parts.path:
        return value
    raise ValidationError(INVALID, code="invalid_url")


def validate_link(value):
    clean_link(value)


def safe_href(value):
    """`value` cleaned for an href in rich text, or None to drop the link's address."""
    try:
        return clean_link(value)
    except ValidationError:
        return None


class LinkField(models.CharField):
    """An address checked and normalised by `clean_link` on every save, by any path."""

    default_validators = [validate_link]

    def to_python(self, value):
        value = super().to_python(value)
        # Normalised where it can be; the validator reports what cannot.
        return safe_href(value) or value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value or not self.blank:
            value = clean_link(value)
        setattr(model_instance, self.attname, value)
        return value
