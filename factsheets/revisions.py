"""A sheet's saved revisions (stored by django-reversion), read back: its versions,
each as a snapshot, and the admin's comparison of two. Restoring one is a sheet
operation (sheet_operations.restore)."""

from django.urls import reverse
from django.utils.http import urlencode
from reversion.models import Version

from factsheets.changes import Snapshot
from factsheets.models import (
    AssistanceLine,
    FactSheet,
    Official,
    RelatedLink,
    Section,
)


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


def compare_url(factsheet, started_from):
    """The admin's comparison of version `started_from` with the latest saved one."""
    return compared_with_latest(factsheet, version_for(factsheet, started_from))


def compare_since(factsheet, moment):
    """The admin's comparison of the sheet as saved at `moment` (the revision
    of a review step is dated at its step) with the latest saved version."""
    old = sheet_versions(factsheet).filter(revision__date_created__lte=moment).first()
    return compared_with_latest(factsheet, old)


def compared_with_latest(factsheet, old):
    """The admin's comparison of stored version `old` with the latest saved one;
    None when there is nothing to compare."""
    new = sheet_versions(factsheet).first()
    if old is None or new is None or old.pk == new.pk:
        return None
    url = reverse("admin:factsheets_factsheet_compare", args=[factsheet.pk])
    return f"{url}?{urlencode({'from': old.pk, 'to': new.pk})}"
