from datetime import timedelta

from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from reversion.models import Revision

from factsheets import sheet_operations
from factsheets.models import FactSheet, ReviewStep
from factsheets.signals import review_step
from notices.models import Email, Kind, Notice, Preference
from tests.helpers.factories import make_user
from tests.helpers.notices import make_draft


def told(step):
    return sorted(
        (notice.kind, notice.recipient.username)
        for notice in Notice.objects.filter(step=step).select_related("recipient")
    )


class WhoIsToldTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("ed", "Editors", email="ed@example.org")
        cls.other_editor = make_user("olu", "Editors", email="olu@example.org")
        cls.publisher = make_user("pia", "Publishers", email="pia@example.org")
        cls.second_publisher = make_user("pat", "Publishers", email="pat@example.org")
        make_user("nomail", "Publishers")
        make_user("gone", "Publishers", email="gone@example.org", is_active=False)
        cls.sheet = make_draft()

    def fresh(self):
        return FactSheet.objects.get(pk=self.sheet.pk)

    def submit(self, by=None, message="Ready"):
        return sheet_operations.submit_for_review(
            self.fresh(), by=by or self.editor, message=message
        )

    def test_a_submission_tells_every_active_publisher_with_an_address(self):
        step = self.submit()
        self.assertEqual(
            told(step),
            [(Kind.REVIEW_WAITING, "pat"), (Kind.REVIEW_WAITING, "pia")],
        )

    def test_publishers_by_their_own_permission_and_superusers_are_told_too(self):
        direct = make_user("dee", email="dee@example.org")
        direct.user_permissions.add(
            Permission.objects.get(codename="publish_factsheet")
        )
        make_user("root", email="root@example.org", is_superuser=True)
        step = self.submit()
        self.assertEqual(
            [name for _, name in told(step)], ["dee", "pat", "pia", "root"]
        )

    def test_a_publisher_who_submits_is_not_told_of_their_own_submission(self):
        step = self.submit(by=self.publisher)
        self.assertEqual(told(step), [(Kind.REVIEW_WAITING, "pat")])

    def test_the_submitter_is_told_when_it_is_published(self):
        self.submit()
        step = sheet_operations.publish(self.fresh(), by=self.publisher)
        self.assertEqual(step.action, ReviewStep.Action.PUBLISHED)
        self.assertEqual(told(step), [(Kind.APPROVED, "ed")])

    def test_the_submitter_is_told_when_it_is_scheduled(self):
        self.submit()
        step = sheet_operations.publish(
            self.fresh(), by=self.publisher, at=timezone.now() + timedelta(days=1)
        )
        self.assertEqual(step.action, ReviewStep.Action.SCHEDULED)
        self.assertEqual(told(step), [(Kind.APPROVED, "ed")])

    def test_the_submitter_is_told_when_changes_are_requested(self):
        self.submit()
        step = sheet_operations.request_changes(
            self.fresh(), by=self.publisher, comment="Check the figures"
        )
        self.assertEqual(told(step), [(Kind.CHANGES_REQUESTED, "ed")])

    def test_publishing_or_unpublishing_what_nobody_submitted_tells_nobody(self):
        published = sheet_operations.publish(self.fresh(), by=self.publisher)
        unpublished = sheet_operations.unpublish(self.fresh(), by=self.publisher)
        self.assertEqual((told(published), told(unpublished)), ([], []))

    def test_going_live_or_expiring_tells_the_recent_editors(self):
        sheet_operations.save(self.fresh(), by=self.editor)
        sheet_operations.save(self.fresh(), by=self.other_editor)
        # A save from long ago does not make a recent editor.
        old = make_user("old", "Editors", email="old@example.org")
        sheet_operations.save(self.fresh(), by=old)
        Revision.objects.filter(user=old).update(
            date_created=timezone.now() - timedelta(days=91)
        )
        live_at = timezone.now() + timedelta(hours=1)
        sheet_operations.publish(self.fresh(), by=self.publisher, at=live_at)
        [went_live] = sheet_operations.record_scheduled_changes(
            now=live_at + timedelta(minutes=1)
        )
        self.assertEqual(
            told(went_live),
            [(Kind.WENT_LIVE, "ed"), (Kind.WENT_LIVE, "olu"), (Kind.WENT_LIVE, "pia")],
        )
        FactSheet.objects.filter(pk=self.sheet.pk).update(
            expires_at=live_at + timedelta(hours=1)
        )
        [expired] = sheet_operations.record_scheduled_changes(
            now=live_at + timedelta(hours=2)
        )
        self.assertEqual(expired.action, ReviewStep.Action.EXPIRED)
        self.assertEqual(
            told(expired),
            [(Kind.EXPIRED, "ed"), (Kind.EXPIRED, "olu"), (Kind.EXPIRED, "pia")],
        )

    def test_each_notice_is_one_email_to_go_at_once_by_default(self):
        step = self.submit()
        emails = Email.objects.filter(notices__step=step).order_by(
            "recipient__username"
        )
        self.assertEqual(
            [(email.key, email.state) for email in emails],
            [
                (
                    f"notice:review_waiting:{step.pk}:{self.second_publisher.pk}",
                    "pending",
                ),
                (f"notice:review_waiting:{step.pk}:{self.publisher.pk}", "pending"),
            ],
        )

    def test_the_same_step_signalled_twice_makes_each_notice_and_email_once(self):
        step = self.submit()
        review_step.send(sender=ReviewStep, step=step)
        self.assertEqual(Notice.objects.filter(step=step).count(), 2)
        self.assertEqual(Email.objects.count(), 2)

    def test_a_kind_turned_off_is_not_written_and_a_daily_one_waits_for_the_digest(
        self,
    ):
        Preference.objects.create(user=self.publisher, kinds_off=[Kind.REVIEW_WAITING])
        Preference.objects.create(
            user=self.second_publisher, delivery=Preference.Delivery.DAILY
        )
        step = self.submit()
        notice = Notice.objects.get(step=step)
        self.assertEqual(notice.recipient, self.second_publisher)
        self.assertIsNone(notice.email)
        self.assertFalse(Email.objects.exists())

    def test_a_step_rolled_back_leaves_no_notice(self):
        with self.assertRaises(RuntimeError), transaction.atomic():
            self.submit()
            raise RuntimeError("the step's transaction fails")
        self.assertFalse(Notice.objects.exists())
        self.assertFalse(Email.objects.exists())

    def test_writing_the_notices_of_a_step_takes_a_fixed_number_of_queries(self):
        """Whatever the number of publishers: them, their preferences, the emails,
        their ids and the notices."""
        step = ReviewStep.objects.create(
            factsheet=self.sheet, action=ReviewStep.Action.SUBMITTED, by=self.editor
        )
        for n in range(5):
            make_user(f"more{n}", "Publishers", email=f"more{n}@example.org")
        with self.assertNumQueries(5):
            review_step.send(sender=ReviewStep, step=step)
        self.assertEqual(Email.objects.count(), 7)
