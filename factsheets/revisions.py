"""A sheet's saved revisions (stored by django-reversion): reading them back as
snapshots, and restoring one as a new revision."""

import reversion
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from reversion.models import Version

from factsheets.changes import Snapshot
from factsheets.models import (
    AssistanceLine,
    Bureau,
    ChangeNote,
    Country,
    EditConflict,
    FactSheet,
    Official,
    RelatedLink,
    Section,
)

# What a restore leaves as it is now: it brings back content, never a publication
# state, and versions only ever count up.
WORKFLOW_FIELDS = ("status", "publish_at", "expires_at", "revised_at", "version")


class RestoreRefused(Exception):
    pass


def sheet_versions(factsheet):
    """The sheet's own versions, newest first, one per revision."""
    return (
        Version.objects.get_for_object(factsheet)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def version_number(version):
    return version.field_dict.get("version")


def version_for(factsheet, number):
    """The stored version of the sheet saved as `number`, if there is one."""
    for version in sheet_versions(factsheet):
        if version_number(version) == number:
            return version
    return None


def snapshot(version):
    """The sheet and its rows as they were saved in `version`'s revision."""
    rows = {Section: [], AssistanceLine: [], Official: [], RelatedLink: []}
    sheet = None
    for stored in version.revision.version_set.all():
        model = stored._model
        instance = stored._object_version.object
        if model is FactSheet and stored.object_id == version.object_id:
            sheet = instance
        elif model in rows and str(instance.factsheet_id) == version.object_id:
            rows[model].append(instance)
    return Snapshot.of(
        sheet, rows[Section], rows[AssistanceLine], rows[Official], rows[RelatedLink]
    )


def restore(factsheet, version, *, by, note=""):
    """Bring back `version`'s content as a new revision; the restore can itself be undone.

    The sheet keeps its publication state. A live sheet stays complete, or
    nothing changes (Incomplete); a restore races no one (EditConflict).
    """
    gone = _deleted_references(version)
    if gone:
        raise RestoreRefused(
            f"That revision names a {gone} that has been deleted since. Nothing was "
            "changed: restore a later revision, or edit the sheet."
        )
    when = date_format(
        timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"
    )
    try:
        with reversion.create_revision():
            now = FactSheet.objects.select_for_update().get(pk=factsheet.pk)
            if now.version != factsheet.version:
                raise EditConflict(factsheet)
            version.revision.revert(delete=True)
            restored = FactSheet.objects.get(pk=factsheet.pk)
            for name in WORKFLOW_FIELDS:
                setattr(restored, name, getattr(now, name))
            # The revert wrote the old version number back; put today's back first.
            FactSheet.objects.filter(pk=now.pk).update(version=now.version)
            if now.is_live:
                restored.check_publishable()
                restored.revised_at = timezone.now()
                if note:
                    ChangeNote.objects.create(factsheet=restored, note=note)
            restored.updated_by = by
            restored.save()
            reversion.set_user(by)
            reversion.set_comment(
                f"Restored the revision of {when}" + (f": {note}" if note else "")
            )
    except IntegrityError as error:
        raise RestoreRefused(
            "That revision cannot come back as it was: another sheet of this country "
            "now has its issue date. Nothing was changed."
        ) from error
    return restored


def _deleted_references(version):
    """The country or bureau the revision's sheet names that no longer exists, if any."""
    fields = version.field_dict
    for name, model in (("country", Country), ("bureau", Bureau)):
        pk = fields.get(f"{name}_id", fields.get(name))
        if pk is not None and not model.objects.filter(pk=pk).exists():
            return name
    return None


def compare_url(factsheet, started_from):
    """The admin's comparison of version `started_from` with the latest saved one."""
    old = version_for(factsheet, started_from)
    new = sheet_versions(factsheet).first()
    if old is None or new is None or old.pk == new.pk:
        return None
    url = reverse("admin:factsheets_factsheet_compare", args=[factsheet.pk])
    return f"{url}?{urlencode({'from': old.pk, 'to': new.pk})}"
