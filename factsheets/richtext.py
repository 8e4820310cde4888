"""The one place HTML from editors enters the site, and the allowlist it passes.

The editor's extensions and the sanitizer are derived from the same mapping, so the
editor can only produce what the sanitizer keeps.
"""

import nh3
from django.db.models.signals import pre_save
from django_prose_editor.config import allowlist_from_extensions, expand_extensions
from django_prose_editor.fields import ProseEditorField

from factsheets.links import safe_href

EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
    "HardBreak": True,
    # Editors write prose: keep the browser's spelling check on.
    "NoSpellCheck": False,
}

ALLOWLIST = allowlist_from_extensions(expand_extensions(EXTENSIONS))
# Links open in the same tab; rel is set by nh3 rather than by editors.
ALLOWLIST["attributes"]["a"] = {"href", "title"}
ALLOWLIST["link_rel"] = "noopener noreferrer"


def _filter_attribute(element, attribute, value):
    # Links in text follow the same rule as related links (factsheets/links.py).
    return safe_href(value) if attribute == "href" else value


_cleaner = nh3.Cleaner(**ALLOWLIST, attribute_filter=_filter_attribute)


def sanitize(html):
    """Return `html` with everything outside the allowlist removed."""
    cleaned = _cleaner.clean(html or "").strip()
    # The editor stores an empty document as one empty paragraph.
    return "" if cleaned in ("<p></p>", "<p><br></p>") else cleaned


class RichTextField(ProseEditorField):
    """HTML edited with the rich-text editor and sanitized on every save."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", EXTENSIONS)
        kwargs["sanitize"] = sanitize
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitize(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


def sanitize_fields(instance):
    """Put `instance`'s rich-text values through sanitize(); how many that changed."""
    changed = 0
    deferred = instance.get_deferred_fields()  # not loaded, so not saved either
    for field in instance._meta.concrete_fields:
        if isinstance(field, RichTextField) and field.attname not in deferred:
            value = getattr(instance, field.attname)
            if (clean := sanitize(value)) != value:
                setattr(instance, field.attname, clean)
                changed += 1
    return changed


def _raw_saved(sender, instance, raw, **kwargs):
    if raw:
        sanitize_fields(instance)


def connect_signals():
    """Called from FactsheetsConfig.ready().

    A raw save stores values as given and skips RichTextField.pre_save(): a restore
    from a backup, loaddata, and django-reversion bringing back a revision all save
    that way, from data that may have been altered. So raw saves of every model go
    through the same sanitizer; a clean value comes out unchanged.
    """
    pre_save.connect(_raw_saved, dispatch_uid="richtext_raw_saved")
