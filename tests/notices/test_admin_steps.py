"""Notices of steps taken through the admin's change form, as editors take them:
written with the step, sent by the worker afterwards, never in the request."""

from factsheets.models import FactSheet
from notices import sending
from notices.models import Email
from tests.helpers.admin_forms import change_data, change_url
from tests.helpers.notices import SendingTestCase
from tests.helpers.smtp import html_part, text_part


class AdminStepTests(SendingTestCase):
    def test_a_submission_in_the_admin_is_written_and_the_worker_sends_it(self):
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=False) as enqueued:
            response = self.client.post(
                change_url(self.sheet),
                change_data(
                    self.sheet,
                    _submit_for_review="Submit for review",
                    review_message="New ambassador's name in Bilateral Representation.",
                ),
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            FactSheet.objects.get(pk=self.sheet.pk).status, FactSheet.Status.IN_REVIEW
        )
        # The request wrote the email and asked the worker to send it; sent nothing.
        email = Email.objects.get()
        self.assertEqual((email.state, email.to), (Email.State.PENDING, ""))
        self.assertTrue(enqueued)
        self.assertEqual(self.smtp.messages, [])

        sending.send_due()
        [message] = self.smtp.wait_for(1)
        self.assertEqual(message["To"], "pia@example.org")
        self.assertIn(
            "New ambassador's name in Bilateral Representation.", text_part(message)
        )

    def test_changes_requested_in_the_admin_reach_the_author_escaped(self):
        self.submit()
        self.client.force_login(self.publisher)
        response = self.client.post(
            change_url(self.sheet),
            change_data(
                self.sheet,
                _request_changes="Request changes",
                review_comment="Fix <script>alert(1)</script> the\nfigures & dates",
            ),
        )
        self.assertEqual(response.status_code, 302)
        sending.send_due()
        message = next(m for m in self.smtp.wait_for(2) if m["To"] == "ed@example.org")
        self.assertEqual(
            message["Subject"],
            "Changes requested: U.S. Relations With Mali (2015-10-15)",
        )
        html = html_part(message)
        self.assertIn("Fix &lt;script&gt;alert(1)&lt;/script&gt; the", html)
        self.assertIn("figures &amp; dates", html)
        self.assertNotIn("<script>", html)
