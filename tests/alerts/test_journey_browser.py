"""A reader's email alerts in a real browser, sent by a real worker to a real SMTP
server: asked for on the Mali sheet's page, confirmed from the email's link, an
alert of a major change a publisher made through the admin, one click on the
email's unsubscribe header, and then no more."""

import re
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from alerts.models import Alert, Delivery, Subscriber, Subscription
from factsheets.models import ChangeNote, FactSheet
from tests.helpers.browser import BrowserTestCase
from tests.helpers.factories import make_user
from tests.helpers.smtp import SMTPServer, html_part, text_part
from tests.helpers.worker import start_workers, wait_until

READER = "reader@example.org"
MALI = "U.S. Relations With Mali"
NOTE = "The new ambassador is named under Bilateral Representation."


class AlertsJourneyTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def setUp(self):
        self.smtp = SMTPServer().start()
        self.addCleanup(self.smtp.stop)
        make_user("publisher", "Publishers", email="publisher@example.org")
        self.sheet = FactSheet.objects.get(country__slug="mali")
        self.workers = start_workers(
            self,
            EMAIL_URL=self.smtp.email_url,
            SITE_URL=self.live_server_url,
            ALERTS_SWEEP_SECONDS="1",
            ALERTS_SEND_RATE="0",
            # The sheet's related links are checked by the same worker: at once,
            # not a second apart, so the alerts never wait behind the checks.
            LINK_CHECK_HOST_INTERVAL="0",
        )

    def press(self, css):
        """Press the button `css` names, and wait for the page it loads."""
        page = self.find("html")
        self.find(css).click()
        self.wait(EC.staleness_of(page))

    def mail_to(self, address, count):
        return self.smtp.mail_to(address, count, explain=self.workers.output)

    def make_major_change(self, heading, note):
        """Through the change form: a section's heading changed, and the change
        marked major with `note` for readers."""
        self.open(f"/admin/factsheets/factsheet/{self.sheet.pk}/change/")
        sections = self.sheet.sections.count()
        # Every section's rich-text editor is running: the form is as it is sent.
        self.wait(
            lambda d: (
                len(d.find_elements(By.CSS_SELECTOR, "#sections-group .ProseMirror"))
                == sections
            )
        )
        [field] = [
            field
            for field in self.find_all("#sections-group input[name$='-heading']")
            if field.get_attribute("value").startswith("Bilateral Representation")
        ]
        field.clear()
        field.send_keys(heading)
        self.find("input[name='change_kind'][value='major']").click()
        self.find("#id_change_note").send_keys(note)
        self.press("input[name='_continue']")
        self.assertIn("was changed successfully", self.find(".messagelist").text)

    def test_subscribe_confirm_alert_one_click_leave_then_nothing(self):
        # 1. The form on the sheet's page; the same answer whatever the address.
        self.open("/fact-sheets/mali/")
        form = self.find("form.alerts-form")
        self.find("#alerts-email", form).send_keys(READER)
        self.find("#alerts-frequency-immediate", form).click()
        self.press("form.alerts-form button[type=submit]")
        self.assertEqual(
            self.browser.current_url, f"{self.live_server_url}/alerts/check-your-email/"
        )
        self.assertEqual(self.find("h1").text, "Check your email")

        # 2. The link in the email's text shows what it confirms; its button confirms.
        [asked] = self.mail_to(READER, 1)
        self.assertEqual(
            asked["Subject"], "Confirm your email alerts from U.S. Department of State"
        )
        link = re.search(r"https?://\S+/alerts/confirm/\S+/", text_part(asked))[0]
        self.assertTrue(link.startswith(f"{self.live_server_url}/alerts/confirm/"))
        self.browser.get(link)
        self.assertIn("Mali fact sheet, as it happens", self.find("main").text)
        self.assertIsNone(Subscription.objects.get().confirmed_at)
        self.press("main form button[type=submit]")
        self.assertEqual(self.find("h1").text, "You’re subscribed")
        self.assertIsNotNone(Subscription.objects.get().confirmed_at)

        # 3. A publisher makes a major change to the live sheet.
        self.sign_in("publisher")
        self.make_major_change("Bilateral Representation (2016)", NOTE)
        self.assertEqual(
            list(ChangeNote.objects.values_list("note", flat=True)), [NOTE]
        )

        # 4. The alert, with the note, and the headers a mail program acts on.
        [_, alert] = self.mail_to(READER, 2)
        self.assertEqual(alert["Subject"], f"Updated: {MALI}")
        self.assertIn(f"What changed: {NOTE}", text_part(alert))
        self.assertIn(NOTE, html_part(alert))
        # Folded, as a long header may be: what follows the colon is whitespace first.
        unsubscribe = re.fullmatch(r"<(\S+)>", alert["List-Unsubscribe"].strip())
        self.assertIsNotNone(unsubscribe, alert["List-Unsubscribe"])
        leave_url = unsubscribe[1]
        self.assertRegex(
            leave_url, rf"^{re.escape(self.live_server_url)}/alerts/leave/[^/]+/$"
        )
        self.assertEqual(alert["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertTrue(alert["Message-ID"])
        self.assertTrue(alert["Date"])

        # 5. One click in a mail program: a POST with no cookie and no CSRF token.
        request = urllib.request.Request(
            leave_url,
            data=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            self.assertEqual(response.status, 200)
        self.assertFalse(Subscriber.objects.exists())

        # 6. Another major change, by the publisher still signed in, reaches nobody.
        sent = len(self.smtp.messages)
        self.make_major_change("Bilateral Representation (2016, corrected)", "Again.")
        self.assertEqual(Alert.objects.count(), 2)
        wait_until(
            lambda: (
                not Alert.objects.filter(fanned_out_at__isnull=True).exists()
                and not Delivery.objects.filter(state=Delivery.State.PENDING).exists()
            ),
            30,
            f"the second alert to be told:\n{self.workers.output()}",
        )
        # A few sweeps more, for anything still on its way.
        time.sleep(3)
        # Leaving the last list deleted the address, and its record with it.
        self.assertFalse(Delivery.objects.exists())
        self.assertEqual(len(self.smtp.messages), sent)
        self.assertEqual(len(self.mail_to(READER, 2)), 2)
