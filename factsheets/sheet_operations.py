"""What can happen to a sheet: saved (with the check that no save overwrites
another), published now or scheduled, unpublished, copied into a new edition,
brought back to an earlier revision, and changed while readers see it.

Every path goes through these functions: the admin (its forms collect the input
and show the result), the importer, and the shell::

    from factsheets import sheet_operations
    sheet_operations.publish(sheet, by=user)

Each call that writes is one transaction and one revision (django-reversion) by
`by`, with a comment saying what happened. Called inside a revision already open, as an admin
request keeps the sheet and its rows in one, it joins that revision, and the last
comment set stands. Nothing here checks permissions: roles.py says who may.

What must hold on any save, a raw one too, stays in FactSheet.save: a sheet goes
live only complete (Incomplete), and a save names the version it replaces, so a
copy saved by someone since it was loaded is refused (EditConflict).
"""

from dataclasses import dataclass

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.formats import date_format

from factsheets import wording
from factsheets.models import Bureau, ChangeNote, Country, EditConflict, FactSheet

# What a restore leaves as it is now: it brings back content, never a publication
# state, and versions only ever count up.
WORKFLOW_FIELDS = ("status", "publish_at", "expires_at", "revised_at", "version")


class VersionRefused(EditConflict):
    """A save that may not replace the sheet as saved now; nothing was written.

    `reason` says why: NO_VERSION, the save did not say which version it started
    from; STALE, someone saved since; UNCONFIRMED, the save was refused over the
    version saved now and has not said it replaces it. `saved` is the sheet as
    saved now (None for NO_VERSION).
    """

    NO_VERSION = "no_version"
    STALE = "stale"
    UNCONFIRMED = "unconfirmed"

    def __init__(self, reason, factsheet, saved=None):
        super().__init__(factsheet)
        self.reason = reason
        self.saved = saved
        if reason == self.NO_VERSION:
            self.args = (f"A save of “{factsheet}” did not say its version",)
        elif reason == self.UNCONFIRMED:
            self.args = (
                f"A save of “{factsheet}” refused over the version saved now must "
                "say it replaces it",
            )


class RestoreRefused(Exception):
    """The revision cannot come back as it was; nothing was changed."""


@dataclass(frozen=True)
class Change:
    """What the editor says of a change to a live sheet, which readers see at once:
    minor (a correction, no note), or major, told to readers in `note`."""

    note: str = ""


MINOR = Change()


def check_version(factsheet, started_from, *, refused_over=None, replace_saved=False):
    """Check that a save begun on version `started_from` may replace the sheet as
    saved, and return the sheet as saved; raise VersionRefused otherwise.

    Call it in the transaction that saves: the sheet's row stays locked until it
    ends, so no other save comes in between, and `factsheet` then saves as
    replacing `started_from`.

    A save refused once, over the version saved now (`refused_over`, as its form
    says), replaces that version only if its editor says so (`replace_saved`):
    saving again is then a deliberate choice, not a second click.
    """
    if started_from is None:
        raise VersionRefused(VersionRefused.NO_VERSION, factsheet)
    saved = (
        FactSheet.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=factsheet.pk)
    )
    if saved.version != started_from:
        raise VersionRefused(VersionRefused.STALE, factsheet, saved)
    if refused_over == started_from and not replace_saved:
        raise VersionRefused(VersionRefused.UNCONFIRMED, factsheet, saved)
    factsheet.version = started_from
    return saved


def save(factsheet, *, by, change=None, comment=None):
    """Save the sheet as changed by `by`; refused (EditConflict) if someone saved it
    after `factsheet.version`, and nothing written. A form that held the sheet
    while its editor typed says which version it began on with check_version().

    A change to a live sheet is one readers see: it dates the sheet (“Last
    updated”) and, if major, adds its note. `change` is what the editor said of it
    (MINOR, or Change(note)); `comment` replaces the revision's usual one.
    """
    note = change.note if change else ""
    with reversion.create_revision():
        factsheet.updated_by = by
        if not factsheet._state.adding and factsheet.is_live:
            _changed_in_public(factsheet, note)
        _record(by, comment or note or ("Minor change." if change else "Saved."))
        factsheet.save()


def check_rows(factsheet):
    """Once a sheet's rows are saved apart from it (as the admin's inline forms
    are): a published sheet must still be complete, or Incomplete is raised for the
    caller's transaction to undo the save."""
    if factsheet.is_published:
        factsheet.check_publishable()


def publish(factsheet, *, by, at=None):
    """Publish the sheet now, or schedule it for `at`; refused (Incomplete) unless
    it is complete, and nothing written."""
    with reversion.create_revision():
        factsheet.check_publishable()
        factsheet.status = FactSheet.Status.PUBLISHED
        factsheet.publish_at = at or timezone.now()
        factsheet.updated_by = by
        factsheet.save()
        _record(by, f"Scheduled for {_when(at)}" if at else "Published.")


def unpublish(factsheet, *, by):
    """Make the sheet a draft again: the public no longer sees it."""
    with reversion.create_revision():
        factsheet.status = FactSheet.Status.DRAFT
        factsheet.publish_at = None
        factsheet.updated_by = by
        factsheet.save()
        _record(by, "Unpublished.")


def new_edition(factsheet, issued_on, *, by):
    """A draft copy of the sheet and all its rows, dated `issued_on`; refused
    (ValidationError, code "taken") if the country has a sheet of that date.

    The title follows the country's name: a copied title that is the default title
    (wording.title) for any name the country goes by, its former names included
    (Country.all_names, e.g. “U.S. Relations With Swaziland” for Eswatini), becomes
    the default title for its name now. Any other title, one an editor wrote, is
    kept as it is.
    """
    if FactSheet.objects.filter(
        country=factsheet.country, issued_on=issued_on
    ).exists():
        raise ValidationError(
            f"{factsheet.country} already has a sheet dated {issued_on:%Y-%m-%d}.",
            code="taken",
        )
    rows = {
        name: list(getattr(factsheet, name).all())
        for name in ("sections", "assistance_lines", "officials", "related_links")
    }
    with reversion.create_revision():
        _record(by, f"New edition, copied from {factsheet}.")
        copy = FactSheet.objects.select_related("country").get(pk=factsheet.pk)
        copy.pk = None
        copy._state.adding = True
        copy.issued_on = issued_on
        names = copy.country.all_names
        if copy.title in {wording.title_for_name(name) for name in names}:
            copy.title = wording.title(copy.country)
        copy.status = FactSheet.Status.DRAFT
        copy.publish_at = copy.expires_at = copy.revised_at = None
        copy.version = 1
        copy.updated_by = by
        copy.save()
        for related_rows in rows.values():
            for row in related_rows:
                row.pk = None
                row._state.adding = True
                row.factsheet = copy
                row.save()
    return copy


def restore(factsheet, version, *, by, note=""):
    """Bring back `version`'s content (a revision of the sheet) as a new revision;
    the restore can itself be undone.

    The sheet keeps its publication state. A live sheet stays complete, or nothing
    changes (Incomplete), and the restore is a change readers see (`note` for a
    major one). A restore over a save made since `factsheet.version` is refused
    (EditConflict); one the database cannot take, with RestoreRefused.
    """
    gone = _deleted_reference(version)
    if gone:
        raise RestoreRefused(
            f"That revision names a {gone} that has been deleted since. Nothing was "
            "changed: restore a later revision, or edit the sheet."
        )
    when = _when(version.revision.date_created)
    try:
        with reversion.create_revision():
            now = check_version(factsheet, factsheet.version)
            version.revision.revert(delete=True)
            restored = FactSheet.objects.get(pk=factsheet.pk)
            for name in WORKFLOW_FIELDS:
                setattr(restored, name, getattr(now, name))
            # The revert wrote the old version number back; put today's back first.
            FactSheet.objects.filter(pk=now.pk).update(version=now.version)
            if restored.is_live:
                restored.check_publishable()
                _changed_in_public(restored, note)
            restored.updated_by = by
            restored.save()
            _record(
                by, f"Restored the revision of {when}" + (f": {note}" if note else "")
            )
    except IntegrityError as error:
        raise RestoreRefused(
            "That revision cannot come back as it was: another sheet of this country "
            "now has its issue date. Nothing was changed."
        ) from error
    return restored


def _changed_in_public(factsheet, note):
    """A change readers see at once: dated on the sheet, and told if major."""
    factsheet.revised_at = timezone.now()
    if note:
        ChangeNote.objects.create(factsheet=factsheet, note=note)


def _record(by, comment):
    """Who made the revision being saved, and why."""
    reversion.set_user(by)
    reversion.set_comment(comment)


def _when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _deleted_reference(version):
    """The country or bureau the revision's sheet names that no longer exists, if any."""
    fields = version.field_dict
    for name, model in (("country", Country), ("bureau", Bureau)):
        pk = fields.get(f"{name}_id", fields.get(name))
        if pk is not None and not model.objects.filter(pk=pk).exists():
            return name
    return None
