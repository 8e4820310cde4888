"""Alerts, digests and confirmations sent to a real SMTP server: what each email
says and carries (RFC 8058 one-click unsubscribe, a plain-text part, an HTML part
without images, Date and Message-ID), retries with backoff, addresses that bounce,
and what the logs never hold."""

import datetime
import email.utils
import re

from django.test import override_settings
from django.utils import timezone

from alerts import digests, sending
from alerts.fanout import fan_out
from alerts.models import (
    Alert,
    Confirmation,
    Delivery,
    Digest,
    Frequency,
    Outgoing,
    Subscriber,
)
from factsheets import sheet_operations
from factsheets.models import FactSheet
from tests.helpers.alerts import (
    SITE,
    MailTestCase,
    follow,
    make_live_mali,
    make_publisher,
    make_reader,
)
from tests.helpers.smtp import html_part, text_part

State = Outgoing.State


class AlertEmailTests(MailTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_publisher()
        cls.older = make_live_mali(issued_on=datetime.date(2013, 5, 1))
        cls.sheet = make_live_mali(
            issued_on=datetime.date(2015, 10, 15), country=cls.older.country
        )
        cls.reader = make_reader("reader@example.org", country=cls.sheet.country)

    def major_change(self, note="New figures for FY 2015."):
        sheet = FactSheet.objects.get(pk=self.sheet.pk)
        sheet_operations.save(
            sheet, by=self.publisher, change=sheet_operations.Change(note)
        )
        for alert in Alert.objects.filter(fanned_out_at__isnull=True):
            fan_out(alert)

    def test_an_alert_names_the_change_and_links_to_the_sheet_and_the_comparison(self):
        self.major_change()
        self.assertEqual(sending.send_due(), 1)
        [message] = self.smtp.wait_for(1)
        self.assertEqual(message["To"], "reader@example.org")
        self.assertEqual(message["From"], "Fact sheets <alerts@example.gov>")
        self.assertEqual(message["Subject"], "Updated: U.S. Relations With Mali")
        text, html = text_part(message), html_part(message)
        compare = f"{SITE}/fact-sheets/mali/changes/?from=2013-05-01&to=2015-10-15"
        for part in (text, html):
            self.assertIn("New figures for FY 2015.", part)
            self.assertIn(f"{SITE}/fact-sheets/mali/", part)
            self.assertIn(
                compare.replace("&", "&amp;") if part is html else compare, part
            )
            self.assertIn("Mali fact sheet", part)
        self.assertNotIn("<img", html)
        self.assertNotIn("@@", text + html)

    def test_every_alert_carries_one_click_unsubscribe_date_and_message_id(self):
        self.major_change()
        sending.send_due()
        [message] = self.smtp.wait_for(1)
        leave = re.fullmatch(
            r"<(https://factsheets\.example\.gov/alerts/leave/[^>]+/)>",
            message["List-Unsubscribe"].strip(),
        )
        self.assertIsNotNone(leave, message["List-Unsubscribe"])
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        sent = email.utils.parsedate_to_datetime(message["Date"])
        # "-0000": UTC, the sender's own zone unsaid (RFC 5322, 3.3).
        sent = sent if sent.tzinfo else sent.replace(tzinfo=datetime.UTC)
        self.assertLess(abs((timezone.now() - sent).total_seconds()), 60)
        delivery = Delivery.objects.get()
        self.assertEqual(message["Message-ID"], delivery.message_id)
        self.assertEqual(delivery.state, State.SENT)
        self.assertIsNotNone(delivery.sent_at)
        # The link names no address.
        self.assertNotIn("reader", leave.group(1))

    def test_the_one_click_post_leaves_the_list_at_once_and_deletes_the_address(self):
        self.major_change()
        sending.send_due()
        [message] = self.smtp.wait_for(1)
        path = message["List-Unsubscribe"].strip().strip("<>").removeprefix(SITE)
        from django.test import Client

        mail_program = Client(enforce_csrf_checks=True)
        answer = mail_program.post(
            path,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(answer.status_code, 200)
        self.assertFalse(Subscriber.objects.exists())
        self.major_change("A second change.")
        self.assertEqual(sending.send_due(), 0)
        self.assertEqual(len(self.smtp.messages), 1)

    def test_a_server_that_says_later_is_tried_again_after_a_while(self):
        self.major_change()
        self.smtp.reply_next("451 4.3.0 Try again later")
        self.assertEqual(sending.send_due(), 0)
        delivery = Delivery.objects.get()
        self.assertEqual((delivery.state, delivery.attempts), (State.PENDING, 1))
        self.assertEqual(delivery.last_error, "451 4.3.0 Try again later")
        self.assertGreater(
            delivery.next_attempt_at, timezone.now() + datetime.timedelta(seconds=30)
        )
        self.assertEqual(sending.send_due(), 0)  # not before its time
        Delivery.objects.update(next_attempt_at=timezone.now())
        self.assertEqual(sending.send_due(), 1)
        self.assertEqual(len(self.smtp.wait_for(1)), 1)
        self.assertEqual(Delivery.objects.get().state, State.SENT)

    def test_a_recipient_refused_for_now_is_tried_again(self):
        self.major_change()
        self.smtp.refuse_recipients("450 4.2.1 Mailbox busy")
        self.assertEqual(sending.send_due(), 0)
        self.assertEqual(Delivery.objects.get().state, State.PENDING)
        Delivery.objects.update(next_attempt_at=timezone.now())
        self.assertEqual(sending.send_due(), 1)

    @override_settings(ALERTS_BOUNCE_LIMIT=2)
    def test_an_address_refused_for_good_is_marked_undeliverable_and_gets_nothing_more(
        self,
    ):
        other = make_reader("other@example.org", country=self.sheet.country)
        refusal = "550 5.1.1 <reader@example.org>: no such mailbox"
        with self.assertLogs("alerts", "WARNING") as logs:
            for note in ("First.", "Second."):
                self.major_change(note)
                self.smtp.refuse_recipients(refusal)
                sending.send_due()
        failed = Delivery.objects.filter(subscriber=self.reader)
        self.assertEqual(set(failed.values_list("state", flat=True)), {State.FAILED})
        self.assertEqual(
            failed.first().last_error, "550 5.1.1 <<address>>: no such mailbox"
        )
        self.reader.refresh_from_db()
        self.assertIsNotNone(self.reader.undeliverable_at)
        self.major_change("Third.")
        sending.send_due()
        self.assertFalse(
            Delivery.objects.filter(
                subscriber=self.reader, alert__note="Third."
            ).exists()
        )
        self.assertEqual(
            Delivery.objects.filter(subscriber=other, state=State.SENT).count(), 3
        )
        # No address reaches a log.
        self.assertNotIn("reader@example.org", "\n".join(logs.output))
        self.assertIn("failed for good", "\n".join(logs.output))

    def test_an_unreachable_server_uses_up_no_tries(self):
        from tests.helpers.servers import free_port

        self.major_change()
        with override_settings(EMAIL_PORT=free_port()):
            with self.assertLogs("alerts", "WARNING"):
                self.assertEqual(sending.send_due(), 0)
        delivery = Delivery.objects.get()
        self.assertEqual(
            (delivery.state, delivery.attempts, delivery.claimed_until),
            (State.PENDING, 0, None),
        )
        self.assertEqual(sending.send_due(), 1)

    def test_a_list_left_after_its_email_was_taken_is_not_sent(self):
        self.major_change()
        source = sending.Alerts()
        rows = sending.claim(source, 10)
        self.reader.subscriptions.all().delete()
        postbox = sending.Postbox()
        try:
            postbox.send(source, rows)
        finally:
            postbox.close()
        self.assertEqual(postbox.sent, 0)
        self.assertEqual(self.smtp.messages, [])

    def test_an_alert_that_no_longer_holds_is_not_sent(self):
        self.major_change()
        sheet_operations.unpublish(
            FactSheet.objects.get(pk=self.sheet.pk), by=self.publisher
        )
        self.assertEqual(sending.send_due(), 0)
        self.assertEqual(Delivery.objects.get().state, State.CANCELLED)


class DigestTests(MailTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_publisher()
        cls.sheet = make_live_mali()

    def alert(self, note):
        sheet = FactSheet.objects.get(pk=self.sheet.pk)
        sheet_operations.save(
            sheet, by=self.publisher, change=sheet_operations.Change(note)
        )
        alert = Alert.objects.get(note=note)
        fan_out(alert)
        return alert

    def after_digest_hour(self):
        return digests.last_cutoff(Frequency.DAILY) + datetime.timedelta(
            days=1, minutes=1
        )

    def test_a_days_alerts_go_in_one_email_per_reader(self):
        daily = make_reader(
            "daily@example.org", country=self.sheet.country, frequency=Frequency.DAILY
        )
        make_reader("now@example.org", country=self.sheet.country)
        self.alert("First change.")
        self.alert("Second change.")
        self.assertEqual(sending.send_due(), 2)  # the immediate reader's two
        self.smtp.wait_for(2)
        self.assertEqual(digests.make_due(self.after_digest_hour()), 1)
        self.assertEqual(digests.make_due(self.after_digest_hour()), 0)  # once a day
        Digest.objects.update(next_attempt_at=timezone.now())
        self.assertEqual(sending.send_due(), 1)
        message = self.smtp.wait_for(3)[-1]
        self.assertEqual(message["To"], "daily@example.org")
        self.assertRegex(message["Subject"], r"^Fact sheets: 2 updates, ")
        for part in (text_part(message), html_part(message)):
            self.assertIn("First change.", part)
            self.assertIn("Second change.", part)
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        digest = Digest.objects.get()
        self.assertEqual(message["Message-ID"], digest.message_id)
        self.assertEqual(
            set(
                Delivery.objects.filter(subscriber=daily).values_list("state", "digest")
            ),
            {(State.SENT, digest.pk)},
        )

    def test_a_digest_refused_for_now_keeps_its_alerts_for_the_next_try(self):
        make_reader(
            "daily@example.org", country=self.sheet.country, frequency=Frequency.DAILY
        )
        self.alert("A change.")
        digests.make_due(self.after_digest_hour())
        self.smtp.reply_next("451 4.3.0 Try again later")
        self.assertEqual(sending.send_due(), 0)
        self.assertEqual(Delivery.objects.get().state, State.PENDING)
        Digest.objects.update(next_attempt_at=timezone.now())
        self.assertEqual(sending.send_due(), 1)
        self.assertEqual(Delivery.objects.get().state, State.SENT)

    def test_digests_are_made_in_one_pass_whatever_the_readers(self):
        def queries_for(count, start):
            for n in range(start, start + count):
                make_reader(
                    f"d{n}@example.org",
                    country=self.sheet.country,
                    frequency=Frequency.DAILY,
                )
            Digest.objects.all().delete()
            Delivery.objects.all().delete()
            Alert.objects.update(fanned_out_at=None)
            for alert in Alert.objects.all():
                fan_out(alert)
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                made = digests.make_due(self.after_digest_hour())
            self.assertEqual(
                made, Delivery.objects.values("subscriber").distinct().count()
            )
            return len(queries)

        self.alert("A change.")
        self.assertEqual(queries_for(3, 0), queries_for(40, 3))

    def test_the_one_click_post_of_a_digest_leaves_every_list_at_its_pace(self):
        reader = make_reader(
            "daily@example.org", country=self.sheet.country, frequency=Frequency.DAILY
        )
        follow(reader, bureau=self.sheet.bureau, frequency=Frequency.DAILY)
        follow(reader, frequency=Frequency.IMMEDIATE)
        self.alert("A change.")
        Delivery.objects.update(frequency=Frequency.DAILY)
        digests.make_due(self.after_digest_hour())
        Digest.objects.update(next_attempt_at=timezone.now())
        sending.send_due()
        message = self.smtp.wait_for(1)[-1]
        path = message["List-Unsubscribe"].strip().strip("<>").removeprefix(SITE)
        from django.test import Client

        Client(enforce_csrf_checks=True).post(
            path,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(
            list(reader.subscriptions.values_list("frequency", flat=True)),
            ["immediate"],
        )


class ConfirmationEmailTests(MailTestCase):
    def test_it_lists_what_was_asked_and_links_to_a_page_that_confirms(self):
        make_live_mali()
        reader = make_reader("new@example.org", bureau=None, confirmed=False)
        Confirmation.objects.create(key="x", subscriber=reader)
        self.assertEqual(sending.send_due(), 1)
        [message] = self.smtp.wait_for(1)
        self.assertEqual(
            message["Subject"],
            "Confirm your email alerts from U.S. Department of State",
        )
        self.assertIsNone(message["List-Unsubscribe"])
        text = text_part(message)
        self.assertIn("All fact sheets, as it happens", text)
        self.assertRegex(text, r"https://factsheets\.example\.gov/alerts/confirm/\S+/")
        self.assertIn("nothing more will be sent", text)

    def test_an_address_following_already_is_told_so_not_asked_again(self):
        reader = make_reader("old@example.org")
        Confirmation.objects.create(key="x", subscriber=reader)
        sending.send_due()
        [message] = self.smtp.wait_for(1)
        self.assertEqual(
            message["Subject"],
            "You already get these email alerts from U.S. Department of State",
        )
        self.assertIn("/alerts/manage/", text_part(message))
