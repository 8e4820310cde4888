"""Each sheet operation driven as the shell drives it, without the admin, on the real
database: what it writes, what it refuses, and what it leaves as it was."""

import datetime
from unittest import mock

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone
from reversion.models import Revision, Version

from factsheets import sheet_operations
from factsheets.models import ChangeNote, EditConflict, FactSheet, Incomplete
from factsheets.revisions import sheet_versions
from factsheets.sheet_operations import MINOR, Change, VersionRefused
from tests.helpers.factories import (
    make_country,
    make_factsheet,
    make_full_factsheet,
    make_related_link,
    make_user,
)

NOW = timezone.now().replace(microsecond=0)
ROWS = ("sections", "assistance_lines", "officials", "related_links")


def at(moment):
    """Runs the code under it as if the clock said `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def stored(sheet):
    """The sheet as saved, its rows, its change notes and how many revisions there
    are: everything an operation could write."""
    saved = FactSheet.objects.get(pk=sheet.pk)
    return (
        {f.attname: getattr(saved, f.attname) for f in FactSheet._meta.concrete_fields},
        [list(getattr(saved, name).values()) for name in ROWS],
        list(ChangeNote.objects.values()),
        Revision.objects.count(),
    )


def latest_revision(sheet):
    # By number: a revision made under at() is dated earlier than those before it.
    return Version.objects.get_for_object(sheet).order_by("-pk").first().revision


class SaveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")

    def test_a_save_on_an_old_version_is_refused_and_writes_nothing(self):
        sheet = make_full_factsheet()
        mine = FactSheet.objects.get(pk=sheet.pk)
        theirs = FactSheet.objects.get(pk=sheet.pk)
        theirs.title = "Theirs"
        sheet_operations.save(theirs, by=self.publisher, change=MINOR)
        before = stored(sheet)
        mine.title = "Mine"
        # The note, the status read for the publication rule, the compare-and-set
        # that finds the version moved: in two savepoints, both rolled back.
        with self.assertNumQueries(9), self.assertRaises(EditConflict):
            sheet_operations.save(
                mine, by=self.publisher, change=Change("Retitled the sheet.")
            )
        self.assertEqual(stored(sheet), before)

    def test_a_major_change_to_a_live_sheet_dates_it_and_adds_its_note(self):
        sheet = make_full_factsheet()
        sheet.title = "Renamed"
        with at(NOW):
            sheet_operations.save(
                sheet, by=self.publisher, change=Change("Named the new ambassador.")
            )
        saved = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual((saved.title, saved.revised_at), ("Renamed", NOW))
        self.assertEqual(saved.updated_by, self.publisher)
        self.assertEqual(
            list(saved.change_notes.values_list("note", flat=True)),
            ["Named the new ambassador."],
        )
        revision = latest_revision(sheet)
        self.assertEqual(
            (revision.comment, revision.user),
            ("Named the new ambassador.", self.publisher),
        )

    def test_a_minor_change_to_a_live_sheet_dates_it_without_a_note(self):
        sheet = make_full_factsheet()
        with at(NOW):
            sheet_operations.save(sheet, by=self.publisher, change=MINOR)
        self.assertEqual(FactSheet.objects.get(pk=sheet.pk).revised_at, NOW)
        self.assertFalse(ChangeNote.objects.exists())
        self.assertEqual(latest_revision(sheet).comment, "Minor change.")

    def test_a_change_to_a_draft_neither_dates_it_nor_adds_a_note(self):
        draft = make_full_factsheet(status=FactSheet.Status.DRAFT)
        draft.title = "Edited"
        sheet_operations.save(draft, by=self.publisher, change=Change("Not shown."))
        saved = FactSheet.objects.get(pk=draft.pk)
        self.assertEqual((saved.title, saved.revised_at), ("Edited", None))
        self.assertFalse(ChangeNote.objects.exists())

    def test_a_change_to_a_scheduled_sheet_is_not_yet_public(self):
        sheet = make_full_factsheet(publish_at=NOW + datetime.timedelta(days=1))
        sheet_operations.save(sheet, by=self.publisher)
        self.assertIsNone(FactSheet.objects.get(pk=sheet.pk).revised_at)
        # Nor is it released unseen: it goes back to review (tests/factsheets/
        # test_review.py has the rule).
        self.assertRegex(
            latest_revision(sheet).comment,
            r"^Saved\. Changed while scheduled for .*: back in review\.$",
        )

    def test_each_save_counts_the_version_up_by_one(self):
        sheet = make_full_factsheet(status=FactSheet.Status.DRAFT)
        version = sheet.version
        sheet_operations.save(sheet, by=self.publisher)
        sheet_operations.save(sheet, by=self.publisher)
        self.assertEqual(FactSheet.objects.get(pk=sheet.pk).version, version + 2)


class VersionCheckTests(TestCase):
    """What a form says of the copy it edits decides whether its save may go in."""

    def setUp(self):
        self.sheet = make_full_factsheet(status=FactSheet.Status.DRAFT)
        sheet_operations.save(self.sheet, by=None)
        self.opened = FactSheet.objects.get(pk=self.sheet.pk)

    def check(self, started_from, **data):
        with self.assertRaises(VersionRefused) as refused:
            sheet_operations.check_version(self.opened, started_from, **data)
        return refused.exception

    def test_a_save_on_the_version_saved_goes_in_with_the_row_locked(self):
        version = self.sheet.version
        with self.assertNumQueries(1):  # SELECT … FOR UPDATE where supported
            saved = sheet_operations.check_version(self.opened, version)
        self.assertEqual((saved.version, self.opened.version), (version, version))

    def test_a_save_that_does_not_say_its_version_is_refused(self):
        with self.assertNumQueries(0):
            refusal = self.check(None)
        self.assertEqual((refusal.reason, refusal.saved), ("no_version", None))

    def test_a_save_on_an_older_version_is_refused_with_the_saved_sheet(self):
        user = make_user("ana", "Editors")
        sheet_operations.save(self.sheet, by=user)
        refusal = self.check(self.sheet.version - 1)
        self.assertEqual(refusal.reason, "stale")
        self.assertEqual(
            (refusal.saved.version, refusal.saved.updated_by),
            (self.sheet.version, user),
        )

    def test_a_form_refused_once_replaces_the_newer_save_only_when_confirmed(self):
        version = self.sheet.version
        refusal = self.check(version, refused_over=version)
        self.assertEqual(refusal.reason, "unconfirmed")
        sheet_operations.check_version(
            self.opened, version, refused_over=version, replace_saved=True
        )
        # Refused over another version, since saved over again: a plain stale save.
        self.assertEqual(self.check(version - 1, refused_over=version).reason, "stale")
        sheet_operations.check_version(self.opened, version, refused_over=version - 1)


class PublishTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")

    def test_an_incomplete_sheet_is_refused_and_nothing_changes(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT, issued_on=None)
        make_related_link(sheet, title="Country page", url="")
        before = stored(sheet)
        # What is missing, asked twice, in a savepoint rolled back.
        with (
            self.assertNumQueries(5),
            self.assertRaisesMessage(
                Incomplete,
                "This sheet cannot be published yet. It needs an issue date; at "
                "least one section; an address for the related link “Country page”.",
            ),
        ):
            sheet_operations.publish(sheet, by=self.publisher)
        self.assertEqual(stored(sheet), before)
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)

    def test_publishing_now_makes_the_sheet_live_at_once(self):
        sheet = make_full_factsheet(status=FactSheet.Status.DRAFT)
        with at(NOW):
            sheet_operations.publish(sheet, by=self.publisher)
            self.assertTrue(FactSheet.objects.live().filter(pk=sheet.pk).exists())
        saved = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual((saved.status, saved.publish_at), ("published", NOW))
        self.assertEqual(saved.updated_by, self.publisher)
        revision = latest_revision(sheet)
        self.assertEqual(
            (revision.comment, revision.user), ("Published.", self.publisher)
        )

    def test_publishing_at_a_later_time_schedules_the_sheet(self):
        sheet = make_full_factsheet(status=FactSheet.Status.DRAFT)
        later = NOW + datetime.timedelta(days=2)
        with at(NOW):
            sheet_operations.publish(sheet, at=later, by=self.publisher)
        saved = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual((saved.status, saved.publish_at), ("published", later))
        with at(later - datetime.timedelta(seconds=1)):
            self.assertTrue(saved.state_label.startswith("Scheduled for "))
            self.assertFalse(FactSheet.objects.live().filter(pk=sheet.pk).exists())
        with at(later):
            self.assertTrue(FactSheet.objects.live().filter(pk=sheet.pk).exists())
        self.assertTrue(latest_revision(sheet).comment.startswith("Scheduled for "))

    def test_unpublishing_makes_a_draft_of_it_again(self):
        sheet = make_full_factsheet()
        sheet_operations.unpublish(sheet, by=self.publisher)
        saved = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual((saved.status, saved.publish_at), ("draft", None))
        self.assertFalse(FactSheet.objects.live().filter(pk=sheet.pk).exists())
        self.assertEqual(latest_revision(sheet).comment, "Unpublished.")


class NewEditionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")
        cls.old = make_full_factsheet(children=2)

    def test_the_new_edition_is_a_draft_copy_of_every_row(self):
        day = datetime.date(2016, 3, 1)
        new = sheet_operations.new_edition(self.old, day, by=self.publisher)
        new = FactSheet.objects.get(pk=new.pk)
        self.assertEqual((new.issued_on, new.status, new.version), (day, "draft", 1))
        self.assertEqual((new.publish_at, new.revised_at), (None, None))
        self.assertEqual(new.title, self.old.title)
        for name in ROWS:
            fields = [f.attname for f in getattr(new, name).model._meta.concrete_fields]
            fields = [f for f in fields if f not in ("id", "factsheet_id")]
            with self.subTest(name):
                self.assertEqual(len(getattr(new, name).all()), 2)
                self.assertEqual(
                    list(getattr(new, name).values_list(*fields)),
                    list(getattr(self.old, name).values_list(*fields)),
                )
        revision = latest_revision(new)
        self.assertEqual(
            (revision.comment, revision.user),
            (f"New edition, copied from {self.old}.", self.publisher),
        )
        # The edition it was copied from is as it was.
        self.assertEqual(FactSheet.objects.get(pk=self.old.pk).version, 1)

    def test_a_default_title_follows_the_countrys_new_name_a_written_one_stays(self):
        country = make_country(name="Swaziland", slug="swaziland")
        default = make_full_factsheet(
            country=country, title="U.S. Relations With Swaziland"
        )
        written = make_full_factsheet(
            country=country,
            title="U.S. Relations With the Kingdom of Swaziland",
            issued_on=datetime.date(2016, 1, 1),
        )
        country.name, country.slug = "Eswatini", "eswatini"
        country.other_names = "Swaziland"
        country.save()
        for old, day, title in (
            (default, datetime.date(2019, 5, 1), "U.S. Relations With Eswatini"),
            (written, datetime.date(2019, 6, 1), written.title),
        ):
            with self.subTest(old.title):
                new = sheet_operations.new_edition(old, day, by=self.publisher)
                self.assertEqual(FactSheet.objects.get(pk=new.pk).title, title)
                # The edition it was copied from keeps the title it was issued with.
                self.assertEqual(FactSheet.objects.get(pk=old.pk).title, old.title)

    def test_a_taken_date_is_refused_and_nothing_is_written(self):
        before = FactSheet.objects.count(), Revision.objects.count()
        # The sheet's country, and whether it has a sheet of that date.
        with self.assertNumQueries(2), self.assertRaises(ValidationError) as refused:
            sheet_operations.new_edition(
                self.old, self.old.issued_on, by=self.publisher
            )
        self.assertEqual(refused.exception.code, "taken")
        self.assertEqual((FactSheet.objects.count(), Revision.objects.count()), before)


class RestoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")

    def setUp(self):
        self.sheet = make_full_factsheet(children=2, title="First title")
        # The sheet with its rows, as a revision to come back to.
        sheet_operations.save(self.sheet, by=self.publisher, change=MINOR)
        self.first = sheet_versions(self.sheet).first()
        self.sheet.title = "Second title"
        self.sheet.expires_at = NOW + datetime.timedelta(days=30)
        self.sheet.sections.first().delete()
        sheet_operations.save(self.sheet, by=self.publisher, change=MINOR)

    def test_a_restore_brings_back_the_content_and_keeps_the_workflow_fields(self):
        sheet_operations.unpublish(self.sheet, by=self.publisher)
        before = FactSheet.objects.get(pk=self.sheet.pk)
        restored = sheet_operations.restore(before, self.first, by=self.publisher)
        saved = FactSheet.objects.get(pk=self.sheet.pk)
        self.assertEqual(restored, saved)
        self.assertEqual(saved.title, "First title")
        self.assertEqual(saved.sections.count(), 2)
        self.assertEqual(
            {name: getattr(saved, name) for name in ("status", "publish_at")},
            {"status": "draft", "publish_at": None},
        )
        # Its expiry and its last public change stay; its version counts on.
        self.assertEqual(saved.expires_at, before.expires_at)
        self.assertEqual(saved.revised_at, before.revised_at)
        self.assertEqual(saved.version, before.version + 1)
        self.assertFalse(ChangeNote.objects.exists())
        revision = latest_revision(self.sheet)
        self.assertTrue(revision.comment.startswith("Restored the revision of "))
        self.assertEqual(revision.user, self.publisher)

    def test_restoring_a_live_sheet_is_a_change_readers_see(self):
        with at(NOW):
            sheet_operations.restore(
                FactSheet.objects.get(pk=self.sheet.pk),
                self.first,
                by=self.publisher,
                note="Back to the first title.",
            )
        saved = FactSheet.objects.get(pk=self.sheet.pk)
        self.assertEqual((saved.title, saved.revised_at), ("First title", NOW))
        self.assertEqual(
            list(saved.change_notes.values_list("note", flat=True)),
            ["Back to the first title."],
        )
        self.assertTrue(
            latest_revision(self.sheet).comment.endswith(": Back to the first title.")
        )

    def test_a_restore_over_a_newer_save_is_refused_and_writes_nothing(self):
        opened = FactSheet.objects.get(pk=self.sheet.pk)
        sheet_operations.save(self.sheet, by=self.publisher, change=MINOR)
        before = stored(self.sheet)
        with self.assertRaises(EditConflict):
            sheet_operations.restore(opened, self.first, by=self.publisher)
        self.assertEqual(stored(self.sheet), before)
