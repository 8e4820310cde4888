"""What is kept about readers, and for how long: requests never confirmed, the
record of what was sent and undeliverable addresses go after their days; an
address with no list left goes at once."""

import datetime

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from alerts.housekeeping import tidy
from alerts.models import (
    Alert,
    Confirmation,
    Delivery,
    Outgoing,
    Subscriber,
    Subscription,
)
from tests.helpers.alerts import make_live_mali, make_reader

DAY = datetime.timedelta(days=1)


@override_settings(ALERTS_CONFIRM_DAYS=7, ALERTS_RECORDS_DAYS=30)
class TidyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_live_mali()

    def test_a_request_never_confirmed_goes_after_its_days_with_its_address(self):
        make_reader("old@example.org", confirmed=False)
        make_reader("new@example.org", confirmed=False)
        Subscription.objects.filter(subscriber__email="old@example.org").update(
            created_at=timezone.now() - 8 * DAY
        )
        tidy()
        self.assertEqual(
            list(Subscriber.objects.values_list("email", flat=True)),
            ["new@example.org"],
        )

    def test_the_record_of_what_was_sent_goes_after_its_days(self):
        reader = make_reader("reader@example.org", country=self.sheet.country)
        alert = Alert.objects.create(
            key="k",
            kind=Alert.Kind.PUBLISHED,
            factsheet=self.sheet,
            country=self.sheet.country,
            bureau=self.sheet.bureau,
        )
        subscription = reader.subscriptions.get()
        for age, state in [
            (31, Outgoing.State.SENT),
            (29, Outgoing.State.SENT),
            (31, Outgoing.State.PENDING),
        ]:
            Delivery.objects.create(
                alert=alert,
                subscriber=make_reader(f"r{age}{state}@example.org"),
                subscription=subscription,
                frequency="immediate",
                state=state,
                created_at=timezone.now() - age * DAY,
            )
        Confirmation.objects.create(
            key="old",
            subscriber=reader,
            state=Outgoing.State.SENT,
            created_at=timezone.now() - 31 * DAY,
        )
        tidy()
        # What is still to send stays, however old.
        self.assertEqual(
            sorted(Delivery.objects.values_list("state", flat=True)),
            [Outgoing.State.PENDING, Outgoing.State.SENT],
        )
        self.assertFalse(Confirmation.objects.exists())
        self.assertTrue(Subscriber.objects.filter(email="reader@example.org").exists())

    def test_an_undeliverable_address_goes_after_its_days(self):
        make_reader("gone@example.org")
        make_reader("recent@example.org")
        Subscriber.objects.filter(email="gone@example.org").update(
            undeliverable_at=timezone.now() - 31 * DAY
        )
        Subscriber.objects.filter(email="recent@example.org").update(
            undeliverable_at=timezone.now() - 2 * DAY
        )
        tidy()
        self.assertEqual(
            list(Subscriber.objects.values_list("email", flat=True)),
            ["recent@example.org"],
        )


class SettingsCheckTests(TestCase):
    @override_settings(ALERTS_DIGEST_HOUR=24, ALERTS_SEND_RATE=-1, ALERTS_CONNECTIONS=0)
    def test_settings_that_would_fail_in_the_worker_are_refused_at_start(self):
        from django.core.management.base import SystemCheckError

        with self.assertRaises(SystemCheckError) as raised:
            call_command("check")
        said = str(raised.exception)
        self.assertIn("ALERTS_DIGEST_HOUR must be an hour from 0 to 23, not 24.", said)
        self.assertIn("ALERTS_SEND_RATE must be 0 (no limit) or more.", said)
        self.assertIn("ALERTS_CONNECTIONS must be at least 1.", said)
