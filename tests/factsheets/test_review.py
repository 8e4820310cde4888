"""Review before publishing, driven as the shell and the worker drive it: each step
of sheet_operations, the second pair of eyes, who is recorded as the content's
author, the moments recorded by the worker, and the lists the dashboard asks for."""

import datetime
from unittest import mock

from django.contrib.auth.models import Permission, User
from django.db import IntegrityError
from django.db.models import BooleanField, Value
from django.test import TestCase, override_settings
from django.utils import timezone
from reversion.models import Revision, Version

from background.schedule import SCHEDULE
from factsheets import roles, sheet_operations, signals, tasks
from factsheets.models import (
    ChangeNote,
    FactSheet,
    Incomplete,
    ReviewStep,
)
from factsheets.revisions import sheet_versions
from factsheets.sheet_operations import MINOR, ReviewRefused
from tests.helpers.factories import (
    make_country,
    make_factsheet,
    make_full_factsheet,
    make_related_link,
    make_user,
)

NOW = timezone.now().replace(microsecond=0)
HOUR = datetime.timedelta(hours=1)
ROWS = ("sections", "assistance_lines", "officials", "related_links")
Action = ReviewStep.Action


def at(moment):
    """Runs the code under it as if the clock said `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def stored(sheet):
    """Everything an operation could write about the sheet."""
    saved = FactSheet.objects.get(pk=sheet.pk)
    return (
        {f.attname: getattr(saved, f.attname) for f in FactSheet._meta.concrete_fields},
        [list(getattr(saved, name).values()) for name in ROWS],
        list(ChangeNote.objects.values()),
        list(ReviewStep.objects.values()),
        Revision.objects.count(),
    )


def latest_revision(sheet):
    return Version.objects.get_for_object(sheet).order_by("-pk").first().revision


class Heard:
    """The review_step signals sent while it is connected."""

    def __init__(self):
        self.steps = []

    def __call__(self, sender, step, **kwargs):
        self.steps.append(step)

    def __enter__(self):
        signals.review_step.connect(self)
        return self.steps

    def __exit__(self, *exc):
        signals.review_step.disconnect(self)


class ReviewTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", "Editors", first_name="Ann", last_name="Lee")
        cls.publisher = make_user("publisher", "Publishers")
        cls.other_publisher = make_user("other", "Publishers")
        cls.admin = User.objects.create_superuser("admin", "a@example.gov", "pw")

    def written_by(self, user, **kwargs):
        """A complete draft whose content `user` wrote, through the operations."""
        kwargs.setdefault("status", FactSheet.Status.DRAFT)
        sheet = make_full_factsheet(**kwargs)
        sheet.lead = "Written."
        sheet_operations.save(sheet, by=user)
        return sheet

    def submitted(self, by=None, message=""):
        sheet = self.written_by(by or self.editor)
        sheet_operations.submit_for_review(sheet, by=by or self.editor, message=message)
        return sheet


class SubmitTests(ReviewTestCase):
    def test_a_complete_draft_goes_into_review_with_its_message(self):
        sheet = self.written_by(self.editor)
        with at(NOW), Heard() as heard:
            step = sheet_operations.submit_for_review(
                sheet, by=self.editor, message="  New figures from USAID.  "
            )
        sheet.refresh_from_db()
        self.assertEqual(sheet.status, FactSheet.Status.IN_REVIEW)
        self.assertEqual(sheet.state_label, "In review")
        self.assertEqual(
            (step.action, step.by, step.at, step.message, step.answers),
            (Action.SUBMITTED, self.editor, NOW, "New figures from USAID.", None),
        )
        self.assertEqual(heard, [step])
        revision = latest_revision(sheet)
        self.assertEqual(
            (revision.user, revision.comment, revision.date_created),
            (self.editor, "Submitted for review: New figures from USAID.", NOW),
        )

    def test_a_sheet_in_review_is_not_public(self):
        sheet = self.submitted()
        self.assertFalse(FactSheet.objects.live().filter(pk=sheet.pk).exists())
        self.assertFalse(FactSheet.objects.published().filter(pk=sheet.pk).exists())
        self.assertFalse(sheet.is_live)
        self.assertEqual(sheet.public_state(), FactSheet.PublicState.IN_REVIEW)

    def test_an_incomplete_draft_is_refused_as_publishing_would_be(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT, issued_on=None)
        make_related_link(sheet, title="Country page", url="")
        before = stored(sheet)
        with (
            Heard() as heard,
            self.assertRaisesMessage(
                Incomplete,
                "This sheet cannot be published yet. It needs an issue date; at least "
                "one section; an address for the related link “Country page”.",
            ),
        ):
            sheet_operations.submit_for_review(sheet, by=self.editor)
        self.assertEqual(stored(sheet), before)
        self.assertEqual(heard, [])

    def test_only_a_draft_can_be_submitted(self):
        for status in (FactSheet.Status.IN_REVIEW, FactSheet.Status.PUBLISHED):
            with self.subTest(status):
                sheet = make_full_factsheet(status=status)
                before = stored(sheet)
                with self.assertRaises(ReviewRefused) as refused:
                    sheet_operations.submit_for_review(sheet, by=self.editor)
                self.assertEqual(refused.exception.code, "not_draft")
                self.assertIn("only a draft can be submitted", str(refused.exception))
                self.assertEqual(stored(sheet), before)

    def test_a_receiver_that_fails_undoes_the_step_it_was_told_of(self):
        """The signal is sent inside the step's transaction: what a receiver
        writes commits or rolls back with the step."""
        sheet = self.written_by(self.editor)
        before = stored(sheet)

        def fails(sender, step, **kwargs):
            self.assertTrue(ReviewStep.objects.filter(pk=step.pk).exists())
            raise RuntimeError("outbox unavailable")

        signals.review_step.connect(fails)
        self.addCleanup(signals.review_step.disconnect, fails)
        with self.assertRaisesMessage(RuntimeError, "outbox unavailable"):
            sheet_operations.submit_for_review(sheet, by=self.editor)
        self.assertEqual(stored(sheet), before)


class RequestChangesTests(ReviewTestCase):
    def test_the_sheet_goes_back_to_draft_with_the_comment(self):
        sheet = self.submitted(message="Please check.")
        submission = ReviewStep.objects.get(action=Action.SUBMITTED)
        with at(NOW), Heard() as heard:
            step = sheet_operations.request_changes(
                sheet, by=self.publisher, comment="The 2016 figure is wrong."
            )
        sheet.refresh_from_db()
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)
        self.assertEqual(
            (step.action, step.by, step.message, step.answers),
            (
                Action.CHANGES_REQUESTED,
                self.publisher,
                "The 2016 figure is wrong.",
                submission,
            ),
        )
        self.assertEqual(heard, [step])
        self.assertEqual(
            latest_revision(sheet).comment,
            "Changes requested: The 2016 figure is wrong.",
        )

    def test_a_request_without_a_comment_is_refused(self):
        sheet = self.submitted()
        before = stored(sheet)
        for comment in ("", "   ", None):
            with self.subTest(comment=comment):
                with self.assertRaises(ReviewRefused) as refused:
                    sheet_operations.request_changes(
                        sheet, by=self.publisher, comment=comment
                    )
                self.assertEqual(refused.exception.code, "comment_required")
                self.assertIn("Say what needs changing", str(refused.exception))
                self.assertEqual(stored(sheet), before)

    def test_only_a_sheet_in_review_can_be_sent_back(self):
        sheet = self.written_by(self.editor)
        before = stored(sheet)
        with self.assertRaises(ReviewRefused) as refused:
            sheet_operations.request_changes(sheet, by=self.publisher, comment="No.")
        self.assertEqual(refused.exception.code, "not_in_review")
        self.assertEqual(stored(sheet), before)

    def test_sent_back_and_submitted_again_each_step_answers_its_own_submission(self):
        sheet = self.submitted()
        sheet_operations.request_changes(sheet, by=self.publisher, comment="Fix it.")
        sheet.lead = "Fixed."
        sheet_operations.save(sheet, by=self.editor)
        second = sheet_operations.submit_for_review(sheet, by=self.editor)
        published = sheet_operations.publish(sheet, by=self.publisher)
        self.assertEqual(published.answers, second)
        self.assertEqual(
            list(sheet.review_steps.values_list("action", flat=True)),
            [
                Action.PUBLISHED,
                Action.SUBMITTED,
                Action.CHANGES_REQUESTED,
                Action.SUBMITTED,
            ],
        )


class PublishTests(ReviewTestCase):
    def test_a_publisher_publishes_what_an_editor_submitted(self):
        sheet = self.submitted()
        submission = sheet_operations.open_submission(sheet)
        with at(NOW), Heard() as heard:
            step = sheet_operations.publish(sheet, by=self.publisher)
        sheet.refresh_from_db()
        self.assertTrue(sheet.is_live)
        self.assertEqual(
            (step.action, step.by, step.at, step.answers, step.overridden),
            (Action.PUBLISHED, self.publisher, NOW, submission, False),
        )
        self.assertEqual(heard, [step])
        self.assertEqual(latest_revision(sheet).comment, "Published.")
        self.assertIsNone(sheet_operations.open_submission(sheet))

    def test_scheduling_records_a_scheduled_step(self):
        sheet = self.submitted()
        step = sheet_operations.publish(sheet, by=self.publisher, at=NOW + HOUR)
        sheet.refresh_from_db()
        self.assertEqual(sheet.public_state(), FactSheet.PublicState.SCHEDULED)
        self.assertEqual(step.action, Action.SCHEDULED)
        self.assertTrue(latest_revision(sheet).comment.startswith("Scheduled for "))

    def test_a_draft_never_submitted_may_be_published_by_someone_else(self):
        sheet = self.written_by(self.editor)
        step = sheet_operations.publish(sheet, by=self.publisher)
        self.assertEqual((step.action, step.answers), (Action.PUBLISHED, None))

    def test_the_last_author_of_the_content_may_not_publish_it(self):
        sheet = self.submitted()
        with at(NOW):
            sheet.lead = "The publisher's own sentence."
            sheet_operations.save(sheet, by=self.publisher)
        before = stored(sheet)
        with Heard() as heard, self.assertRaises(ReviewRefused) as refused:
            sheet_operations.publish(sheet, by=self.publisher)
        self.assertEqual(refused.exception.code, "second_pair_of_eyes")
        message = refused.exception.messages[0]
        self.assertIn("You (publisher) made the last change to the content", message)
        self.assertIn("a second pair of eyes must publish it", message)
        self.assertIn("Ask another publisher to review and publish it.", message)
        self.assertEqual(stored(sheet), before)
        self.assertEqual(heard, [])
        # Another publisher is that second pair of eyes.
        sheet = FactSheet.objects.get(pk=sheet.pk)
        sheet_operations.publish(sheet, by=self.other_publisher)
        self.assertTrue(FactSheet.objects.get(pk=sheet.pk).is_live)

    def test_a_publisher_who_wrote_a_draft_is_told_to_submit_it(self):
        sheet = self.written_by(self.publisher)
        with self.assertRaises(ReviewRefused) as refused:
            sheet_operations.publish(sheet, by=self.publisher)
        self.assertIn("or submit it for review.", refused.exception.messages[0])

    @override_settings(REVIEW_SECOND_PAIR_OF_EYES=False)
    def test_with_the_rule_off_the_author_may_publish(self):
        sheet = self.written_by(self.publisher)
        step = sheet_operations.publish(sheet, by=self.publisher)
        self.assertEqual((step.action, step.overridden), (Action.PUBLISHED, False))
        self.assertEqual(FactSheet.objects.in_review().count(), 0)

    def test_a_superuser_may_override_and_it_is_recorded(self):
        sheet = self.written_by(self.admin)
        with self.assertRaises(ReviewRefused):
            sheet_operations.publish(sheet, by=self.admin)
        step = sheet_operations.publish(sheet, by=self.admin, override=True)
        self.assertTrue(step.overridden)
        self.assertEqual(
            latest_revision(sheet).comment,
            "Published. admin published past the second-pair-of-eyes rule, as the "
            "last person who changed the content.",
        )

    def test_only_a_superuser_may_override(self):
        sheet = self.written_by(self.publisher)
        before = stored(sheet)
        with self.assertRaises(ReviewRefused) as refused:
            sheet_operations.publish(sheet, by=self.publisher, override=True)
        self.assertEqual(refused.exception.code, "override_refused")
        self.assertEqual(stored(sheet), before)

    def test_an_override_nobody_needed_is_not_recorded_as_one(self):
        sheet = self.written_by(self.editor)
        step = sheet_operations.publish(sheet, by=self.admin, override=True)
        self.assertFalse(step.overridden)
        self.assertEqual(latest_revision(sheet).comment, "Published.")

    def test_a_sheet_with_no_known_author_may_be_published(self):
        # Written before authors were recorded, or by a fixture.
        sheet = make_full_factsheet(status=FactSheet.Status.DRAFT)
        self.assertIsNone(sheet.content_changed_by)
        sheet_operations.publish(sheet, by=self.publisher)
        self.assertTrue(FactSheet.objects.get(pk=sheet.pk).is_live)

    def test_a_change_in_place_to_a_live_sheet_is_outside_the_rule(self):
        sheet = self.submitted()
        sheet_operations.publish(sheet, by=self.publisher)
        sheet.lead = "Corrected."
        sheet_operations.save(sheet, by=self.publisher, change=MINOR)
        stored_sheet = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual(stored_sheet.content_changed_by, self.publisher)
        self.assertTrue(stored_sheet.is_live)

    def test_rescheduling_without_a_change_is_outside_the_rule(self):
        sheet = self.submitted()
        sheet_operations.publish(sheet, by=self.publisher, at=NOW + HOUR)
        step = sheet_operations.publish(sheet, by=self.publisher, at=NOW + 2 * HOUR)
        self.assertEqual((step.action, step.overridden), (Action.SCHEDULED, False))

    def test_a_scheduled_sheet_changed_before_it_goes_live_goes_back_to_review(self):
        sheet = self.submitted()
        sheet_operations.publish(sheet, by=self.publisher, at=NOW + HOUR)
        sheet.lead = "Changed after approval."
        with Heard() as heard:
            sheet_operations.save(sheet, by=self.publisher, change=MINOR)
        stored_sheet = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual(
            (stored_sheet.status, stored_sheet.publish_at),
            (FactSheet.Status.IN_REVIEW, None),
        )
        [step] = heard
        self.assertEqual((step.action, step.by), (Action.SUBMITTED, self.publisher))
        self.assertIn("Changed while scheduled for", step.message)
        self.assertIn("back in review", latest_revision(sheet).comment)
        # What goes out must be seen by someone else: not by who changed it.
        with self.assertRaises(sheet_operations.ReviewRefused) as refused:
            sheet_operations.publish(stored_sheet, by=self.publisher, at=NOW + HOUR)
        self.assertEqual(refused.exception.code, "second_pair_of_eyes")
        sheet_operations.publish(stored_sheet, by=self.other_publisher, at=NOW + HOUR)

    def test_an_expired_sheet_made_live_by_its_last_changer_is_refused(self):
        sheet = self.submitted()
        sheet_operations.publish(sheet, by=self.publisher)
        FactSheet.objects.filter(pk=sheet.pk).update(
            publish_at=NOW - 3 * HOUR, expires_at=NOW - HOUR
        )
        sheet = FactSheet.objects.get(pk=sheet.pk)
        sheet.lead = "Brought up to date."
        sheet_operations.save(sheet, by=self.publisher)
        before = stored(sheet)
        # Moving the expiry away releases it again: not by whoever changed it last.
        sheet = FactSheet.objects.get(pk=sheet.pk)
        sheet.expires_at = None
        with self.assertRaises(sheet_operations.ReviewRefused) as refused:
            sheet_operations.save(sheet, by=self.publisher, content_changed=False)
        self.assertEqual(refused.exception.code, "second_pair_of_eyes")
        self.assertEqual(stored(sheet), before)
        sheet = FactSheet.objects.get(pk=sheet.pk)
        sheet.expires_at = None
        sheet_operations.save(sheet, by=self.other_publisher, content_changed=False)
        self.assertTrue(FactSheet.objects.get(pk=sheet.pk).is_live)

    def test_a_scheduled_sheet_stays_scheduled_when_the_rule_is_off(self):
        sheet = self.submitted()
        sheet_operations.publish(sheet, by=self.publisher, at=NOW + HOUR)
        sheet.lead = "Changed after approval."
        with self.settings(REVIEW_SECOND_PAIR_OF_EYES=False):
            sheet_operations.save(sheet, by=self.publisher, change=MINOR)
        stored_sheet = FactSheet.objects.get(pk=sheet.pk)
        self.assertEqual(stored_sheet.publish_at, NOW + HOUR)
        self.assertEqual(stored_sheet.public_state(), FactSheet.PublicState.SCHEDULED)


class UnpublishTests(ReviewTestCase):
    def test_unpublishing_records_its_step(self):
        sheet = self.submitted()
        sheet_operations.publish(sheet, by=self.publisher)
        with Heard() as heard:
            step = sheet_operations.unpublish(sheet, by=self.publisher)
        self.assertEqual(FactSheet.objects.get(pk=sheet.pk).status, "draft")
        self.assertEqual((step.action, step.by), (Action.UNPUBLISHED, self.publisher))
        self.assertEqual(heard, [step])
        self.assertEqual(latest_revision(sheet).comment, "Unpublished.")

    def test_a_sheet_not_published_is_refused(self):
        sheet = self.submitted()
        before = stored(sheet)
        with self.assertRaises(ReviewRefused) as refused:
            sheet_operations.unpublish(sheet, by=self.publisher)
        self.assertEqual(refused.exception.code, "not_published")
        self.assertEqual(stored(sheet), before)


class ContentAuthorTests(ReviewTestCase):
    """Who last changed the content is recorded by what changes it, and only that."""

    def test_a_new_sheet_records_who_made_it(self):
        with at(NOW):
            sheet = FactSheet(
                country=make_country(), issued_on=datetime.date(2020, 1, 1)
            )
            sheet_operations.save(sheet, by=self.editor)
        sheet.refresh_from_db()
        self.assertEqual(
            (sheet.created_by, sheet.content_changed_by, sheet.content_changed_at),
            (self.editor, self.editor, NOW),
        )

    def test_a_save_that_changed_no_content_keeps_the_author(self):
        sheet = self.written_by(self.editor)
        sheet_operations.save(sheet, by=self.publisher, content_changed=False)
        sheet.refresh_from_db()
        self.assertEqual(
            (sheet.content_changed_by, sheet.updated_by), (self.editor, self.publisher)
        )

    def test_review_and_publication_steps_keep_the_author(self):
        sheet = self.submitted()
        sheet_operations.request_changes(sheet, by=self.publisher, comment="Fix.")
        sheet_operations.submit_for_review(sheet, by=self.editor)
        sheet_operations.publish(sheet, by=self.publisher)
        sheet_operations.unpublish(sheet, by=self.publisher)
        sheet.refresh_from_db()
        self.assertEqual(
            (sheet.content_changed_by, sheet.updated_by), (self.editor, self.publisher)
        )

    def test_a_new_edition_is_written_by_who_made_it(self):
        old = self.written_by(self.editor, status=FactSheet.Status.PUBLISHED)
        copy = sheet_operations.new_edition(
            old, datetime.date(2030, 1, 1), by=self.publisher
        )
        self.assertEqual(
            (copy.created_by, copy.content_changed_by), (self.publisher, self.publisher)
        )

    def test_a_restore_is_a_change_of_content_by_who_restored(self):
        sheet = self.written_by(self.editor)
        first = sheet_versions(sheet).first()
        sheet.lead = "Second."
        sheet_operations.save(sheet, by=self.editor)
        restored = sheet_operations.restore(sheet, first, by=self.other_publisher)
        self.assertEqual(restored.content_changed_by, self.other_publisher)
        self.assertEqual(restored.created_by, sheet.created_by)

    def test_an_edit_in_review_stays_in_review_and_is_recorded(self):
        sheet = self.submitted()
        sheet.lead = "Clearer."
        with at(NOW + HOUR):
            sheet_operations.save(sheet, by=self.other_publisher)
        sheet.refresh_from_db()
        self.assertEqual(sheet.status, FactSheet.Status.IN_REVIEW)
        self.assertEqual(
            (sheet.content_changed_by, sheet.content_changed_at),
            (self.other_publisher, NOW + HOUR),
        )
        self.assertEqual(
            latest_revision(sheet).comment, "Saved. Changed while in review."
        )
        # Who changed it last may not publish it; whoever else may.
        with self.assertRaises(ReviewRefused):
            sheet_operations.publish(sheet, by=self.other_publisher)
        sheet_operations.publish(sheet, by=self.publisher)

    def test_an_edit_in_review_may_leave_it_incomplete_until_publication(self):
        sheet = self.submitted()
        sheet.issued_on = None
        sheet_operations.save(sheet, by=self.editor)
        self.assertEqual(sheet.status, FactSheet.Status.IN_REVIEW)
        with self.assertRaisesMessage(Incomplete, "It needs an issue date."):
            sheet_operations.publish(sheet, by=self.publisher)

    def test_the_database_still_refuses_a_published_sheet_without_a_date(self):
        sheet = make_full_factsheet()
        with self.assertRaises(IntegrityError):
            FactSheet.objects.filter(pk=sheet.pk).update(issued_on=None)


class RecordScheduledChangesTests(ReviewTestCase):
    def setUp(self):
        self.sheet = self.submitted()
        sheet_operations.publish(self.sheet, by=self.publisher, at=NOW + HOUR)
        self.sheet.expires_at = NOW + 2 * HOUR
        sheet_operations.save(self.sheet, by=self.publisher, content_changed=False)

    def test_a_scheduled_sheet_is_recorded_as_live_once_its_time_has_come(self):
        self.assertEqual(sheet_operations.record_scheduled_changes(NOW), [])
        with Heard() as heard:
            recorded = sheet_operations.record_scheduled_changes(NOW + HOUR)
        [step] = recorded
        self.assertEqual(
            (step.factsheet, step.action, step.by, step.at),
            (self.sheet, Action.WENT_LIVE, None, NOW + HOUR),
        )
        self.assertEqual(heard, [step])
        revision = latest_revision(self.sheet)
        self.assertIsNone(revision.user)
        self.assertTrue(revision.comment.startswith("Went live at its scheduled time"))
        # Later runs, and a run that sees the moment again, record nothing more.
        self.assertEqual(sheet_operations.record_scheduled_changes(NOW + HOUR), [])
        self.assertEqual(
            sheet_operations.record_scheduled_changes(NOW + HOUR + HOUR / 2), []
        )

    def test_an_expired_sheet_is_recorded_once(self):
        sheet_operations.record_scheduled_changes(NOW + HOUR)
        with Heard() as heard:
            [step] = sheet_operations.record_scheduled_changes(NOW + 3 * HOUR)
        self.assertEqual(
            (step.action, step.by, step.at), (Action.EXPIRED, None, NOW + 2 * HOUR)
        )
        self.assertEqual(heard, [step])
        self.assertEqual(sheet_operations.record_scheduled_changes(NOW + 4 * HOUR), [])
        self.assertEqual(
            list(self.sheet.review_steps.values_list("action", flat=True)),
            [Action.EXPIRED, Action.WENT_LIVE, Action.SCHEDULED, Action.SUBMITTED],
        )

    def test_both_moments_passed_while_no_worker_ran_are_both_recorded(self):
        recorded = sheet_operations.record_scheduled_changes(NOW + 3 * HOUR)
        self.assertEqual(
            [(s.action, s.at) for s in recorded],
            [(Action.WENT_LIVE, NOW + HOUR), (Action.EXPIRED, NOW + 2 * HOUR)],
        )

    def test_a_sheet_published_at_once_does_not_go_live_again(self):
        sheet = self.submitted(by=make_user("another", "Editors"))
        sheet_operations.publish(sheet, by=self.publisher)
        self.assertEqual(
            [
                s.factsheet
                for s in sheet_operations.record_scheduled_changes(NOW + HOUR)
            ],
            [self.sheet],
        )

    def test_a_rescheduled_sheet_goes_live_at_its_new_time(self):
        sheet = FactSheet.objects.get(pk=self.sheet.pk)
        sheet.expires_at = None
        sheet_operations.save(sheet, by=self.publisher, content_changed=False)
        sheet_operations.publish(sheet, by=self.publisher, at=NOW + 3 * HOUR)
        self.assertEqual(sheet_operations.record_scheduled_changes(NOW + 2 * HOUR), [])
        [step] = sheet_operations.record_scheduled_changes(NOW + 3 * HOUR)
        self.assertEqual(step.at, NOW + 3 * HOUR)

    def test_an_unpublished_sheet_is_not_recorded(self):
        sheet_operations.unpublish(self.sheet, by=self.publisher)
        self.assertEqual(sheet_operations.record_scheduled_changes(NOW + 3 * HOUR), [])

    def test_a_moment_recorded_meanwhile_by_another_worker_is_skipped(self):
        """Two workers at once: the database refuses the second record of one
        moment, and the loser records nothing and tells nobody."""
        ReviewStep.objects.create(
            factsheet=self.sheet, action=Action.WENT_LIVE, at=NOW + HOUR
        )
        # The other worker's row was not there yet when this one looked for it.
        nothing_recorded = Value(False, output_field=BooleanField())
        with (
            mock.patch.object(sheet_operations, "Exists", lambda _: nothing_recorded),
            Heard() as heard,
        ):
            self.assertEqual(sheet_operations.record_scheduled_changes(NOW + HOUR), [])
        self.assertEqual(heard, [])
        self.assertEqual(
            self.sheet.review_steps.filter(action=Action.WENT_LIVE).count(), 1
        )

    def test_the_database_refuses_a_timed_moment_twice_and_nothing_else(self):
        for _ in range(2):
            ReviewStep.objects.create(
                factsheet=self.sheet, action=Action.SUBMITTED, at=NOW
            )
        ReviewStep.objects.create(factsheet=self.sheet, action=Action.EXPIRED, at=NOW)
        with self.assertRaises(IntegrityError):
            ReviewStep.objects.create(
                factsheet=self.sheet, action=Action.EXPIRED, at=NOW
            )

    def test_the_worker_runs_it_every_minute(self):
        task, interval = SCHEDULE[tasks.record_scheduled_changes.module_path]
        self.assertIs(task, tasks.record_scheduled_changes)
        self.assertEqual(interval, datetime.timedelta(minutes=1))
        with at(NOW + 3 * HOUR):
            self.assertEqual(tasks.record_scheduled_changes.call(), 2)
            self.assertEqual(tasks.record_scheduled_changes.call(), 0)


class DashboardListTests(ReviewTestCase):
    """The lists the dashboard shows, each one query with exactly its sheets."""

    def test_in_review_is_longest_waiting_first_with_when_submitted(self):
        later = self.written_by(self.editor)
        earlier = self.written_by(self.editor)
        with at(NOW + HOUR):
            sheet_operations.submit_for_review(later, by=self.editor)
        with at(NOW):
            sheet_operations.submit_for_review(earlier, by=self.editor)
        self.written_by(self.editor)  # a draft
        with self.assertNumQueries(1):
            rows = [(s, s.submitted_at) for s in FactSheet.objects.in_review()]
        self.assertEqual(rows, [(earlier, NOW), (later, NOW + HOUR)])

    def test_awaiting_review_by_leaves_out_what_the_reviewer_changed_last(self):
        theirs = self.submitted()
        mine = self.submitted()
        mine.lead = "Mine now."
        sheet_operations.save(mine, by=self.publisher)
        with self.assertNumQueries(1):
            self.assertEqual(
                list(FactSheet.objects.awaiting_review_by(self.publisher)), [theirs]
            )
        with override_settings(REVIEW_SECOND_PAIR_OF_EYES=False):
            self.assertEqual(
                set(FactSheet.objects.awaiting_review_by(self.publisher)),
                {theirs, mine},
            )

    def test_drafts_by_are_drafts_a_user_changed_last_or_created(self):
        with at(NOW):
            created = FactSheet(country=make_country())
            sheet_operations.save(created, by=self.editor)
            created.lead = "Taken over."
            sheet_operations.save(created, by=self.publisher)
        with at(NOW + HOUR):
            changed = make_full_factsheet(status=FactSheet.Status.DRAFT)
            changed.lead = "Edited."
            sheet_operations.save(changed, by=self.editor)
        self.submitted()  # in review: not a draft
        self.written_by(self.publisher)  # someone else's
        with self.assertNumQueries(1):
            self.assertEqual(
                list(FactSheet.objects.drafts_by(self.editor)), [changed, created]
            )

    def test_sent_back_to_is_drafts_whose_last_step_answers_the_users_submission(self):
        sent_back = self.submitted()
        sheet_operations.request_changes(sent_back, by=self.publisher, comment="A.")
        resubmitted = self.submitted()
        sheet_operations.request_changes(resubmitted, by=self.publisher, comment="B.")
        sheet_operations.submit_for_review(resubmitted, by=self.editor)
        someone_elses = self.submitted(by=make_user("someone", "Editors"))
        sheet_operations.request_changes(someone_elses, by=self.publisher, comment="C.")
        published_then_unpublished = self.submitted()
        sheet_operations.request_changes(
            published_then_unpublished, by=self.publisher, comment="D."
        )
        sheet_operations.publish(published_then_unpublished, by=self.publisher)
        sheet_operations.unpublish(published_then_unpublished, by=self.publisher)
        with self.assertNumQueries(1):
            self.assertEqual(
                list(FactSheet.objects.sent_back_to(self.editor)), [sent_back]
            )

    def test_scheduled_and_recently_published(self):
        scheduled_later = self.submitted()
        sheet_operations.publish(scheduled_later, by=self.publisher, at=NOW + 2 * HOUR)
        scheduled_sooner = self.submitted()
        sheet_operations.publish(scheduled_sooner, by=self.publisher, at=NOW + HOUR)
        with at(NOW - datetime.timedelta(days=2)):
            two_days_ago = self.submitted()
            sheet_operations.publish(two_days_ago, by=self.publisher)
        with at(NOW - datetime.timedelta(days=9)):
            long_ago = self.submitted()
            sheet_operations.publish(long_ago, by=self.publisher)
        with at(NOW):
            today = self.submitted()
            sheet_operations.publish(today, by=self.publisher)
        self.submitted()
        with at(NOW), self.assertNumQueries(2):
            self.assertEqual(
                list(FactSheet.objects.scheduled()), [scheduled_sooner, scheduled_later]
            )
            self.assertEqual(
                list(FactSheet.objects.recently_published(days=7)),
                [today, two_days_ago],
            )
        self.assertEqual(
            list(FactSheet.objects.recently_published(days=10, at=NOW)),
            [today, two_days_ago, long_ago],
        )


class PublishersTests(TestCase):
    def test_who_publishes_is_everyone_with_the_permission(self):
        make_user("editor", "Editors")
        in_group = make_user("pub", "Publishers", first_name="Bea")
        make_user("gone", "Publishers", is_active=False)
        given = make_user("given")
        given.user_permissions.add(Permission.objects.get(codename="publish_factsheet"))
        admin = User.objects.create_superuser("root", "r@example.gov", "pw")
        with self.assertNumQueries(1):
            self.assertEqual(list(roles.publishers()), [given, admin, in_group])
