import datetime
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.utils import timezone

from notices import digests, sending
from notices.models import Email, Notice, Preference
from notices.tasks import sweep_notices
from tests.helpers.notices import SendingTestCase, make_draft
from tests.helpers.smtp import html_part, text_part

NEW_YORK = ZoneInfo("America/New_York")


def at(hour, minute=0, day=7):
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=NEW_YORK)


@override_settings(TIME_ZONE="America/New_York", NOTICES_DIGEST_HOUR=17)
class DigestTests(SendingTestCase):
    def setUp(self):
        super().setUp()
        Preference.objects.create(
            user=self.publisher, delivery=Preference.Delivery.DAILY
        )

    def submissions(self, *times):
        """A draft submitted at each of `times`."""
        for moment in times:
            sheet = make_draft(title=f"U.S. Relations With Country {moment:%H%M}")
            step = self.submit(f"Submitted at {moment:%H:%M}", sheet=sheet)
            Notice.objects.filter(step=step).update(created_at=moment)

    def test_the_days_notices_go_in_one_email_at_the_digest_hour(self):
        self.submissions(at(9), at(16, 59))
        self.assertFalse(Email.objects.exists())  # nothing goes at once
        self.assertEqual(digests.make_due(now=at(16, 59)), 0)
        self.assertEqual(digests.make_due(now=at(17, 1)), 1)
        email = Email.objects.get()
        self.assertEqual(email.key, f"digest:{self.publisher.pk}:2026-12-07")
        self.assertEqual(sending.send_due(), 1)
        [message] = self.smtp.wait_for(1)
        self.assertEqual(
            message["Subject"], "Fact sheets: 2 notices for Monday, December 7"
        )
        self.assertEqual(message["To"], "pia@example.org")
        text = text_part(message)
        self.assertIn("Hello Pia Ode,", text)
        self.assertIn("Submitted at 09:00", text)
        self.assertIn("Submitted at 16:59", text)
        html = html_part(message)
        for title in [
            "U.S. Relations With Country 0900",
            "U.S. Relations With Country 1659",
        ]:
            self.assertIn(f"Edna Ito submitted {title} (2015-10-15) for review", html)

    def test_one_digest_a_day_however_often_the_sweep_runs(self):
        self.submissions(at(9))
        digests.make_due(now=at(17))
        # Later the same day: another notice, and the sweep again.
        self.submissions(at(18))
        self.assertEqual(digests.make_due(now=at(18, 30)), 0)
        self.assertEqual(digests.make_due(now=at(23, 59)), 0)
        self.assertEqual(Email.objects.count(), 1)
        self.assertEqual(Email.objects.get().notices.count(), 1)
        # The evening's notice is in the next day's digest.
        self.assertEqual(digests.make_due(now=at(17, day=8)), 1)
        self.assertEqual(
            Email.objects.get(key__endswith=":2026-12-08").notices.count(), 1
        )

    def test_the_sweep_makes_and_sends_the_digest_once(self):
        self.submissions(timezone.now() - datetime.timedelta(days=1))
        with override_settings(NOTICES_DIGEST_HOUR=0):
            sweep_notices.call()
            sweep_notices.call()
        self.assertEqual(len(self.smtp.wait_for(1)), 1)
        self.assertEqual(Email.objects.get().state, Email.State.SENT)

    def test_someone_who_changes_to_immediate_still_gets_what_waited(self):
        self.submissions(at(9))
        Preference.objects.update(delivery=Preference.Delivery.IMMEDIATE)
        self.submissions(at(10))
        self.assertEqual(Email.objects.count(), 1)  # the second, at once
        digests.make_due(now=at(17))
        self.assertEqual(Email.objects.count(), 2)
        self.assertEqual(Notice.objects.filter(email__isnull=True).count(), 0)

    def test_kinds_turned_off_stay_off_in_the_digest(self):
        Preference.objects.update(kinds_off=["review_waiting"])
        self.submissions(at(9))
        digests.make_due(now=at(17))
        self.assertFalse(Email.objects.exists())
        self.assertFalse(Notice.objects.exists())
