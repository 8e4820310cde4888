import contextlib
import io
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from factsheets import sheet_operations
from factsheets.models import FactSheet
from notices import digests, sending
from notices.models import Email
from tests.helpers.factories import make_user
from tests.helpers.notices import SendingTestCase
from tests.helpers.smtp import html_part, text_part


class ImmediateNoticeTests(SendingTestCase):
    def test_a_submission_reaches_the_publisher_with_a_clear_subject_and_link(self):
        self.submit("Updated the assistance figures for FY 2015.")
        self.assertEqual(sending.send_due(), 1)
        [message] = self.smtp.wait_for(1)
        self.assertEqual(
            message["Subject"],
            "Waiting for your review: U.S. Relations With Mali (2015-10-15)",
        )
        self.assertEqual(message["To"], "pia@example.org")
        self.assertEqual(message["From"], "Fact sheets <factsheets@example.gov>")
        self.assertEqual(message["Auto-Submitted"], "auto-generated")
        email = Email.objects.get()
        self.assertEqual(message["Message-ID"], email.message_id)
        self.assertTrue(email.message_id.endswith("@factsheets.example.gov>"))
        link = "https://factsheets.example.gov" + reverse(
            "admin:factsheets_factsheet_change", args=[self.sheet.pk]
        )
        text = text_part(message)
        self.assertIn("Edna Ito submitted U.S. Relations With Mali (2015-10-15)", text)
        self.assertIn("Updated the assistance figures for FY 2015.", text)
        self.assertIn(link, text)
        self.assertIn(
            "https://factsheets.example.gov" + reverse("admin:notices_preferences"),
            text,
        )
        html = html_part(message)
        self.assertIn(f'<a href="{link}">', html)
        self.assertIn("Updated the assistance figures for FY 2015.", html)
        self.assertEqual(email.state, Email.State.SENT)
        self.assertIsNotNone(email.sent_at)

    def test_the_submitter_gets_the_reviewers_comment_when_sent_back(self):
        self.submit()
        self.request_changes("The ambassador's name is out of date.")
        sending.send_due()
        messages = {m["To"]: m for m in self.smtp.wait_for(2)}
        message = messages["ed@example.org"]
        self.assertEqual(
            message["Subject"],
            "Changes requested: U.S. Relations With Mali (2015-10-15)",
        )
        self.assertIn("The ambassador's name is out of date.", text_part(message))
        self.assertIn("Pia Ode sent U.S. Relations With Mali", text_part(message))

    @override_settings(TIME_ZONE="America/New_York")
    def test_the_submitter_learns_when_the_approved_sheet_goes_live(self):
        self.submit()
        goes_live = datetime(2030, 1, 8, 14, 0, tzinfo=UTC)
        sheet_operations.publish(
            FactSheet.objects.get(pk=self.sheet.pk), by=self.publisher, at=goes_live
        )
        sending.send_due()
        message = next(m for m in self.smtp.wait_for(2) if m["To"] == "ed@example.org")
        self.assertEqual(
            message["Subject"], "Scheduled: U.S. Relations With Mali (2015-10-15)"
        )
        self.assertIn(
            "It goes live on January 8, 2030, 9:00 AM EST.", text_part(message)
        )

    def test_make_runs_console_backend_prints_the_notice(self):
        self.submit()
        printed = io.StringIO()
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
            ),
            contextlib.redirect_stdout(printed),
        ):
            self.assertEqual(sending.send_due(), 1)
        self.assertIn(
            "Subject: Waiting for your review: U.S. Relations With Mali (2015-10-15)",
            printed.getvalue(),
        )
        self.assertEqual(Email.objects.get().state, Email.State.SENT)

    def test_the_html_part_escapes_hostile_text(self):
        self.submit()
        self.request_changes('<script>alert("x")</script><img src=x onerror=alert(1)>')
        User.objects.filter(pk=self.publisher.pk).update(first_name="<b>Pia</b>")
        sending.send_due()
        message = next(m for m in self.smtp.wait_for(2) if m["To"] == "ed@example.org")
        html = html_part(message)
        self.assertNotIn("<script>", html)
        self.assertNotIn("<img", html)
        self.assertNotIn("<b>", html)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;", html)
        # The plain text says what was written, as written.
        self.assertIn('<script>alert("x")</script>', text_part(message))

    def test_a_title_with_a_line_break_makes_a_one_line_subject(self):
        self.submit()
        FactSheet.objects.filter(pk=self.sheet.pk).update(
            title="U.S. Relations\r\nBcc: someone@example.org With Mali"
        )
        self.assertEqual(sending.send_due(), 1)
        [message] = self.smtp.wait_for(1)
        self.assertEqual(
            message["Subject"],
            "Waiting for your review: U.S. Relations Bcc: someone@example.org With "
            "Mali (2015-10-15)",
        )
        self.assertIsNone(message["Bcc"])

    def test_an_email_is_sent_once_however_often_the_send_runs(self):
        self.submit()
        self.assertEqual(sending.send_due(), 1)
        self.assertEqual(sending.send_due(), 0)
        self.assertEqual(len(self.smtp.wait_for(1)), 1)

    def test_an_email_another_worker_holds_waits_for_its_lease_to_run_out(self):
        self.submit()
        Email.objects.update(
            claimed_by="elsewhere", claimed_until=timezone.now() + timedelta(minutes=5)
        )
        self.assertEqual(sending.send_due(), 0)
        # That worker died: its lease runs out, and the email goes, as the same one.
        Email.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
        self.assertEqual(sending.send_due(), 1)
        [message] = self.smtp.wait_for(1)
        self.assertEqual(message["Message-ID"], Email.objects.get().message_id)

    @override_settings(NOTICES_LEASE_SECONDS=1)
    def test_a_slow_server_never_outlasts_a_lease_the_rest_is_taken_anew(self):
        for n in range(3):
            make_user(f"pub{n}", "Publishers", email=f"pub{n}@example.org")
        self.submit()
        self.smtp.stall_next(4, seconds=0.6)  # past half the lease each
        self.assertEqual(sending.send_due(), 4)
        self.assertEqual(len(self.smtp.wait_for(4)), 4)
        # Each was taken again before it was tried, never while another held it.
        self.assertEqual(
            list(Email.objects.values_list("state", "attempts")),
            [(Email.State.SENT, 1)] * 4,
        )

    def test_the_outbox_keeps_every_email_so_no_digest_carries_its_notice_again(self):
        self.submit()
        sending.send_due()
        email = Email.objects.get()
        self.client.force_login(make_user("root", is_superuser=True))
        self.client.post(
            reverse("admin:notices_email_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [email.pk],
                "post": "yes",
            },
        )
        self.assertTrue(Email.objects.filter(pk=email.pk).exists())
        response = self.client.post(
            reverse("admin:notices_email_delete", args=[email.pk]), {"post": "yes"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Email.objects.filter(pk=email.pk).exists())
        tomorrow = timezone.now() + timedelta(days=1)
        with override_settings(NOTICES_DIGEST_HOUR=0):
            self.assertEqual(digests.make_due(now=tomorrow), 0)

    def test_an_email_whose_sheet_is_gone_is_cancelled(self):
        self.submit()
        FactSheet.objects.filter(pk=self.sheet.pk).delete()
        self.assertEqual(sending.send_due(), 0)
        self.assertEqual(Email.objects.get().state, Email.State.CANCELLED)
        self.assertEqual(self.smtp.messages, [])


@override_settings(NOTICES_RETRY_SECONDS=60, NOTICES_MAX_ATTEMPTS=3)
class FailureTests(SendingTestCase):
    def test_a_temporary_refusal_is_tried_again_later_with_a_longer_wait(self):
        self.submit()
        self.smtp.reply_next("451 4.3.0 Mailbox busy", "452 4.2.2 Over quota")
        before = timezone.now()
        self.assertEqual(sending.send_due(), 0)
        email = Email.objects.get()
        self.assertEqual(
            (email.state, email.attempts, email.claimed_until),
            (Email.State.PENDING, 1, None),
        )
        self.assertIn("451", email.last_error)
        self.assertGreaterEqual(email.next_attempt_at, before + timedelta(seconds=60))
        self.assertEqual(sending.send_due(), 0)  # not due yet

        Email.objects.update(next_attempt_at=timezone.now())
        sending.send_due()
        email.refresh_from_db()
        self.assertEqual((email.state, email.attempts), (Email.State.PENDING, 2))
        self.assertGreaterEqual(
            email.next_attempt_at, timezone.now() + timedelta(seconds=110)
        )

        Email.objects.update(next_attempt_at=timezone.now())
        self.assertEqual(sending.send_due(), 1)
        self.assertEqual(len(self.smtp.wait_for(1)), 1)

    def test_temporary_refusals_fail_for_good_after_the_last_try(self):
        self.submit()
        self.smtp.reply_next(*["421 4.4.2 Try later"] * 3)
        for _ in range(3):
            Email.objects.update(next_attempt_at=timezone.now())
            sending.send_due()
        email = Email.objects.get()
        self.assertEqual((email.state, email.attempts), (Email.State.FAILED, 3))
        self.assertEqual(self.smtp.messages, [])

    def test_a_permanent_refusal_fails_at_once_and_shows_in_the_outbox(self):
        self.submit()
        self.smtp.reply_next("550 5.1.1 No such mailbox")
        sending.send_due()
        email = Email.objects.get()
        self.assertEqual((email.state, email.attempts), (Email.State.FAILED, 1))
        self.assertIn("550", email.last_error)

        # The person is told on their preferences page; the outbox shows it.
        self.client.force_login(self.publisher)
        response = self.client.get(reverse("admin:notices_preferences"))
        self.assertContains(response, "Notices that could not be delivered to you")
        self.assertContains(
            response,
            "Waiting for your review: U.S. Relations With Mali (2015-10-15): "
            "<q>550 5.1.1 No such mailbox</q>",
            html=True,
        )
        admin = make_user("root", is_superuser=True)
        self.client.force_login(admin)
        url = reverse("admin:notices_email_changelist")
        response = self.client.get(url, {"state": "failed"})
        self.assertContains(response, "No such mailbox")
        response = self.client.post(
            url,
            {"action": "try_again", "_selected_action": [email.pk]},
            follow=True,
        )
        self.assertContains(response, "1 failed email(s) will be sent again")
        self.assertEqual(sending.send_due(), 1)
        self.assertEqual(self.smtp.wait_for(1)[0]["Message-ID"], email.message_id)

    def test_trying_again_sends_to_the_address_corrected_since(self):
        self.submit()
        self.smtp.reply_next("550 5.1.1 No such mailbox")
        sending.send_due()
        email = Email.objects.get()
        self.assertEqual(
            (email.state, email.to), (Email.State.FAILED, "pia@example.org")
        )
        User.objects.filter(pk=self.publisher.pk).update(email="pia.ode@example.org")
        self.client.force_login(make_user("root", is_superuser=True))
        self.client.post(
            reverse("admin:notices_email_changelist"),
            {"action": "try_again", "_selected_action": [email.pk]},
        )
        self.assertEqual(sending.send_due(), 1)
        [message] = self.smtp.wait_for(1)
        self.assertEqual(message["To"], "pia.ode@example.org")
        self.assertEqual(message["Message-ID"], email.message_id)

    def test_trying_again_leaves_failed_an_email_whose_recipient_has_no_address(self):
        self.submit()
        self.smtp.reply_next("550 5.1.1 No such mailbox")
        sending.send_due()
        User.objects.filter(pk=self.publisher.pk).update(email="")
        self.client.force_login(make_user("root", is_superuser=True))
        response = self.client.post(
            reverse("admin:notices_email_changelist"),
            {"action": "try_again", "_selected_action": [Email.objects.get().pk]},
            follow=True,
        )
        self.assertContains(response, "0 failed email(s) will be sent again")
        self.assertEqual(Email.objects.get().state, Email.State.FAILED)

    def test_an_address_that_cannot_be_written_fails_and_the_rest_still_go(self):
        broken = make_user("bo", "Publishers", email="bo@example.org@elsewhere")
        self.submit()
        Email.objects.filter(recipient=broken).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        self.assertEqual(sending.send_due(), 1)
        self.assertEqual([m["To"] for m in self.smtp.wait_for(1)], ["pia@example.org"])
        email = Email.objects.get(recipient=broken)
        self.assertEqual(email.state, Email.State.FAILED)
        self.assertIn("Invalid address", email.last_error)

    def test_an_unreachable_server_uses_up_no_tries(self):
        self.submit()
        with override_settings(
            EMAIL_PORT=self.smtp.port + 1 if self.smtp.port < 65535 else 1
        ):
            self.assertEqual(sending.send_due(), 0)
        email = Email.objects.get()
        self.assertEqual(
            (email.state, email.attempts, email.claimed_until, email.last_error),
            (Email.State.PENDING, 0, None, ""),
        )
