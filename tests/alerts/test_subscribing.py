"""The public forms: asking for alerts (double opt-in, the same answer whatever the
address, limits against floods), confirming by POST from a signed, expiring link,
and the manage page reached from any email."""

import datetime
import re
import time
from unittest import mock

from django.core.cache import cache
from django.test import TestCase, override_settings
from django.utils import timezone

from alerts import tokens
from alerts.models import Confirmation, Frequency, Subscriber, Subscription
from tests.helpers.alerts import follow, make_live_mali, make_reader


class AskingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_live_mali()
        cls.mali = cls.sheet.country

    def setUp(self):
        cache.clear()

    def ask(
        self, email="reader@example.org", frequency="immediate", client=None, **fields
    ):
        data = {"email": email, "frequency": frequency, **fields}
        return (client or self.client).post("/alerts/", data)

    def test_the_sheet_bureau_and_home_pages_carry_the_form(self):
        for url, hidden in [
            ("/fact-sheets/mali/", 'name="country" value="mali"'),
            (
                f"/bureaus/{self.sheet.bureau.slug}/",
                f'name="bureau" value="{self.sheet.bureau.slug}"',
            ),
            ("/", None),
        ]:
            with self.subTest(url=url):
                page = self.client.get(url).content.decode()
                form = re.search(
                    r'<form class="alerts-form".*?</form>', page, re.S
                ).group(0)
                self.assertIn('action="/alerts/" method="post"', form)
                self.assertNotIn("csrfmiddlewaretoken", form)
                if hidden:
                    self.assertIn(hidden, form)
                else:
                    self.assertNotIn('name="country"', form)
                    self.assertNotIn('name="bureau"', form)

    def test_asking_records_a_request_and_one_confirmation_nothing_more(self):
        answer = self.ask(country="mali", frequency="daily")
        self.assertRedirects(answer, "/alerts/check-your-email/")
        subscription = Subscription.objects.get()
        self.assertEqual(
            (
                subscription.subscriber.email,
                subscription.country,
                subscription.frequency,
                subscription.confirmed_at,
            ),
            ("reader@example.org", self.mali, "daily", None),
        )
        self.assertEqual(Confirmation.objects.count(), 1)

    def test_the_answer_is_the_same_for_an_address_known_or_not(self):
        make_reader("known@example.org", country=self.mali)
        known = self.ask("known@example.org", country="mali")
        unknown = self.ask("unknown@example.org", country="mali")
        self.assertEqual(
            (known.status_code, known["Location"]),
            (unknown.status_code, unknown["Location"]),
        )
        self.assertEqual(known.content, unknown.content)

    def test_at_most_one_confirmation_a_day_to_an_address(self):
        self.ask(country="mali")
        self.ask(bureau=self.sheet.bureau.slug)
        self.ask("READER@example.org ")
        self.assertEqual(Confirmation.objects.count(), 1)
        # Each request is kept, for the one confirmation to list.
        self.assertEqual(
            Subscription.objects.filter(subscriber__email="reader@example.org").count(),
            3,
        )

    def test_the_honeypot_gets_the_same_answer_and_changes_nothing(self):
        answer = self.ask(country="mali", website="http://spam.example/")
        self.assertRedirects(answer, "/alerts/check-your-email/")
        self.assertFalse(Subscriber.objects.exists())

    @override_settings(ALERTS_REQUESTS_PER_HOUR=2)
    def test_a_client_asking_too_often_is_refused_and_changes_nothing(self):
        self.ask("a@example.org")
        self.ask("b@example.org")
        refused = self.ask("c@example.org")
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(refused["Retry-After"], "3600")
        self.assertContains(refused, "try again in an hour", status_code=429)
        self.assertFalse(Subscriber.objects.filter(email="c@example.org").exists())
        other = self.client_class(REMOTE_ADDR="192.0.2.9")
        self.assertEqual(self.ask("c@example.org", client=other).status_code, 302)

    def test_bad_input_gets_a_clear_message_and_changes_nothing(self):
        for fields, message in [
            (
                {"email": "not an address"},
                "Enter an email address like name@example.com.",
            ),
            ({"email": ""}, "Enter your email address."),
            ({"country": "atlantis"}, "There is no fact sheet by that name to follow."),
            (
                {"country": "mali", "bureau": self.sheet.bureau.slug},
                "Choose a country or a bureau, not both.",
            ),
            ({"frequency": "hourly"}, "Select a valid choice."),
        ]:
            with self.subTest(fields=fields):
                answer = self.ask(**fields)
                self.assertContains(answer, message, status_code=400)
                self.assertFalse(Subscriber.objects.exists())

    def test_the_address_is_in_no_url_or_token(self):
        self.ask(country="mali")
        subscriber = Subscriber.objects.get()
        for token in (tokens.manage(subscriber), tokens.confirm(subscriber)):
            self.assertNotIn("reader", token)
            self.assertNotIn(str(subscriber.pk) + ":", token)


class ConfirmingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_live_mali()
        cls.reader = make_reader(
            "reader@example.org", country=cls.sheet.country, confirmed=False
        )

    def test_opening_the_link_confirms_nothing_its_button_does(self):
        url = f"/alerts/confirm/{tokens.confirm(self.reader)}/"
        page = self.client.get(url)
        self.assertContains(page, "Mali fact sheet, as it happens")
        self.assertContains(page, "Confirm my email alerts")
        self.assertFalse(Subscription.objects.confirmed().exists())
        done = self.client.post(url)
        self.assertContains(done, "You’re subscribed")
        self.assertTrue(Subscription.objects.confirmed().exists())
        self.assertEqual(page["Cache-Control"].count("no-store"), 1)

    def test_a_request_made_after_the_email_waits_for_its_own(self):
        url = f"/alerts/confirm/{tokens.confirm(self.reader, at=time.time() - 60)}/"
        Subscription.objects.update(created_at=self.reader.created_at)
        later = follow(self.reader, confirmed=False)  # everything, asked just now
        Subscription.objects.filter(pk=later.pk).update(created_at=timezone.now())
        self.client.post(url)
        later.refresh_from_db()
        self.assertIsNone(later.confirmed_at)
        self.assertTrue(
            self.reader.subscriptions.filter(
                country__isnull=False, confirmed_at__isnull=False
            ).exists()
        )

    def test_a_link_tampered_with_or_expired_confirms_nothing(self):
        expired = tokens.confirm(self.reader, at=time.time() - 8 * 86400)
        tampered = tokens.confirm(self.reader)[:-2] + "xx"
        for token in (expired, tampered, "nonsense"):
            with self.subTest(token=token):
                answer = self.client.post(f"/alerts/confirm/{token}/")
                self.assertContains(answer, "This link does not work", status_code=404)
        self.assertFalse(Subscription.objects.confirmed().exists())

    def test_confirming_forgets_earlier_bounces(self):
        Subscriber.objects.filter(pk=self.reader.pk).update(
            bounces=3,
            undeliverable_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
        self.client.post(f"/alerts/confirm/{tokens.confirm(self.reader)}/")
        self.reader.refresh_from_db()
        self.assertEqual((self.reader.bounces, self.reader.undeliverable_at), (0, None))


class ManagingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_live_mali()
        cls.reader = make_reader("reader@example.org", country=cls.sheet.country)
        cls.everything = follow(cls.reader, frequency=Frequency.WEEKLY)

    def url(self):
        return f"/alerts/manage/{tokens.manage(self.reader)}/"

    def test_the_page_lists_each_list_with_its_frequency(self):
        page = self.client.get(self.url())
        self.assertContains(page, "Mali fact sheet")
        self.assertContains(page, "All fact sheets")
        self.assertNotContains(page, "reader@example.org")

    def test_a_frequency_is_changed(self):
        answer = self.client.post(
            self.url(),
            {
                "action": "frequency",
                "subscription": self.everything.pk,
                "frequency": "daily",
            },
        )
        self.assertContains(
            answer, "You now get alerts for All fact sheets once a day."
        )
        self.everything.refresh_from_db()
        self.assertEqual(self.everything.frequency, "daily")

    def test_bad_input_changes_nothing(self):
        for data in [
            {
                "action": "frequency",
                "subscription": self.everything.pk,
                "frequency": "hourly",
            },
            {"action": "leave", "subscription": 99999},
            {"action": "frequency", "subscription": "x"},
            {"action": "dance"},
        ]:
            with self.subTest(data=data):
                answer = self.client.post(self.url(), data)
                self.assertContains(answer, "Nothing was changed.")
        self.assertEqual(self.reader.subscriptions.count(), 2)

    def test_leaving_one_list_then_all_deletes_the_address(self):
        self.client.post(
            self.url(), {"action": "leave", "subscription": self.everything.pk}
        )
        self.assertEqual(self.reader.subscriptions.count(), 1)
        url = self.url()
        answer = self.client.post(url, {"action": "leave_all"})
        self.assertContains(answer, "your address has been deleted")
        self.assertFalse(Subscriber.objects.exists())
        self.assertContains(
            self.client.get(url), "This link does not work", status_code=404
        )

    def test_a_leave_link_opened_asks_first(self):
        url = (
            f"/alerts/leave/{tokens.leave(self.reader, subscription=self.everything)}/"
        )
        self.assertContains(self.client.get(url), "Stop these emails")
        self.assertEqual(self.reader.subscriptions.count(), 2)
        self.assertContains(self.client.post(url), "no more alerts for All fact sheets")
        self.assertEqual(self.reader.subscriptions.count(), 1)


class NoAddressInErrorReportsTests(TestCase):
    def test_an_error_report_of_a_request_hides_the_address(self):
        from django.test import RequestFactory
        from django.views.debug import SafeExceptionReporterFilter

        from alerts import views

        make_live_mali()
        request = RequestFactory().post(
            "/alerts/", {"email": "secret@example.org", "frequency": "immediate"}
        )
        with mock.patch("alerts.subscriptions.ask", side_effect=RuntimeError("boom")):
            with self.assertRaises(RuntimeError):
                views.subscribe(request)
        shown = SafeExceptionReporterFilter().get_post_parameters(request)
        self.assertNotIn("secret@example.org", str(dict(shown)))
        self.assertEqual(shown["frequency"], "immediate")
