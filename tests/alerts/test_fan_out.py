"""Who an alert goes to: one delivery per reader of the sheet's country, its bureau
or everything, whichever of their lists it comes by; never to a request not
confirmed, an address marked undeliverable, or a reader who confirmed after the
change."""

import datetime

from django.test import TestCase
from django.utils import timezone

from alerts.fanout import fan_out
from alerts.models import Alert, Delivery, Frequency
from tests.helpers.alerts import follow, make_live_mali, make_reader
from tests.helpers.factories import make_country


class FanOutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_live_mali()
        cls.mali = cls.sheet.country
        cls.africa = cls.sheet.bureau
        cls.alert = Alert.objects.create(
            key="major_change:1",
            kind=Alert.Kind.MAJOR_CHANGE,
            factsheet=cls.sheet,
            country=cls.mali,
            bureau=cls.africa,
            note="New figures.",
        )

    def delivered(self):
        return {
            (d.subscriber.email, d.frequency, d.subscription.list_name)
            for d in Delivery.objects.select_related(
                "subscriber", "subscription__country", "subscription__bureau"
            )
        }

    def test_readers_of_the_country_the_bureau_and_everything(self):
        make_reader("country@example.org", country=self.mali)
        make_reader("bureau@example.org", bureau=self.africa, frequency=Frequency.DAILY)
        make_reader("all@example.org", frequency=Frequency.WEEKLY)
        make_reader(
            "other@example.org", country=make_country(name="Niger", slug="niger")
        )
        self.assertEqual(fan_out(self.alert), 3)
        self.assertEqual(
            self.delivered(),
            {
                ("country@example.org", "immediate", "Mali fact sheet"),
                ("bureau@example.org", "daily", f"{self.africa.name} fact sheets"),
                ("all@example.org", "weekly", "All fact sheets"),
            },
        )

    def test_a_reader_of_several_lists_is_told_once_at_the_quickest_pace(self):
        reader = make_reader("many@example.org", frequency=Frequency.IMMEDIATE)
        follow(reader, country=self.mali, frequency=Frequency.WEEKLY)
        follow(reader, bureau=self.africa, frequency=Frequency.IMMEDIATE)
        fan_out(self.alert)
        # Immediate, by the narrowest list at that pace: the one its unsubscribe leaves.
        self.assertEqual(
            self.delivered(),
            {("many@example.org", "immediate", f"{self.africa.name} fact sheets")},
        )

    def test_not_to_requests_unconfirmed_undeliverable_or_confirmed_since(self):
        make_reader("waiting@example.org", country=self.mali, confirmed=False)
        bounced = make_reader("bounced@example.org", country=self.mali)
        bounced.undeliverable_at = timezone.now()
        bounced.save()
        late = make_reader("late@example.org", country=self.mali)
        late.subscriptions.update(
            confirmed_at=self.alert.created_at + datetime.timedelta(seconds=1)
        )
        self.assertEqual(fan_out(self.alert), 0)
        self.assertFalse(Delivery.objects.exists())

    def test_run_again_after_a_crash_it_makes_nothing_twice(self):
        for n in range(5):
            make_reader(f"r{n}@example.org", country=self.mali)
        fan_out(self.alert)
        Delivery.objects.filter(
            subscriber__email__in=["r3@example.org", "r4@example.org"]
        ).delete()
        Alert.objects.filter(pk=self.alert.pk).update(fanned_out_at=None)
        self.alert.refresh_from_db()
        fan_out(self.alert)
        self.assertEqual(Delivery.objects.count(), 5)
        self.assertIsNotNone(Alert.objects.get(pk=self.alert.pk).fanned_out_at)

    def test_its_queries_do_not_grow_with_the_readers(self):
        def queries_for(count, start):
            for n in range(start, start + count):
                make_reader(f"q{n}@example.org", country=self.mali)
            Delivery.objects.all().delete()
            Alert.objects.filter(pk=self.alert.pk).update(fanned_out_at=None)
            self.alert.refresh_from_db()
            with self.captureQueries() as queries:
                fan_out(self.alert)
            return len(queries)

        # Read in one pass, written in one insert a batch (SQLite's savepoints and
        # PostgreSQL's server-side cursor add the same few on either side).
        self.assertEqual(queries_for(3, 0), queries_for(30, 3))

    def captureQueries(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        return CaptureQueriesContext(connection)
