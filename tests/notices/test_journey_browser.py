"""The editorial journey in a real browser, with the notices a real worker sends to
a real SMTP server: submitted, commented on one section and sent back, the comment
read and resolved by the author, submitted again, approved with a schedule; then
the author follows the email's link back to the sheet."""

from datetime import timedelta

from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from factsheets.models import FactSheet
from tests.helpers.browser import BrowserTestCase
from tests.helpers.factories import make_user
from tests.helpers.notices import make_mali_draft
from tests.helpers.smtp import SMTPServer, html_part, text_part
from tests.helpers.worker import start_workers

MALI = "U.S. Relations With Mali (2015-10-15)"


class JourneyWithNoticesTests(BrowserTestCase):
    def setUp(self):
        self.smtp = SMTPServer().start()
        self.addCleanup(self.smtp.stop)
        make_user("editor", "Editors", email="editor@example.org", first_name="Edna")
        make_user("publisher", "Publishers", email="publisher@example.org")
        self.sheet = make_mali_draft()
        self.workers = start_workers(
            self,
            EMAIL_URL=self.smtp.email_url,
            SITE_URL=self.live_server_url,
            NOTICES_SWEEP_SECONDS="1",
        )

    def open_sheet(self):
        self.open(f"/admin/factsheets/factsheet/{self.sheet.pk}/change/")
        self.wait(EC.presence_of_element_located((By.ID, "factsheet_form")))

    def press(self, name):
        page = self.find("html")
        self.find(f"input[type=submit][name='{name}']").click()
        self.wait(EC.staleness_of(page))
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".messagelist")))

    def mail_to(self, address, count):
        return self.smtp.mail_to(address, count, explain=self.workers.output)

    def test_each_step_tells_the_other_by_email_once(self):
        self.sign_in("editor")
        self.open_sheet()
        self.find("#id_review_message").send_keys("New figures for FY 2015.")
        self.press("_submit_for_review")
        [waiting] = self.mail_to("publisher@example.org", 1)
        self.assertEqual(waiting["Subject"], f"Waiting for your review: {MALI}")
        self.assertIn("New figures for FY 2015.", text_part(waiting))

        self.sign_in("publisher")
        self.open_sheet()
        # A comment on one section, from the thread the change form links to.
        self.find(".sheet-comments a").click()
        self.wait(EC.presence_of_element_located((By.ID, "id_body")))
        section = self.sheet.sections.first()
        self.find("#id_body").send_keys("The 2014 line <b>needs</b> its source.")
        Select(self.find("#id_section")).select_by_visible_text(section.heading)
        self.find("input[type=submit][value='Add the comment']").click()
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".comment-thread")))
        self.open_sheet()
        self.find("#id_review_comment").send_keys("Say which agency <USAID?> gave it.")
        self.press("_request_changes")
        [sent_back] = self.mail_to("editor@example.org", 1)
        self.assertEqual(sent_back["Subject"], f"Changes requested: {MALI}")
        self.assertIn("Say which agency &lt;USAID?&gt; gave it.", html_part(sent_back))

        # The author reads the comment on the sheet's page, and resolves it.
        self.sign_in("editor")
        self.open_sheet()
        comments = self.find(".sheet-comments").text
        self.assertIn("1 open, 0 resolved.", comments)
        self.assertIn(f"On “{section.heading}”, by publisher", comments)
        self.assertIn("The 2014 line <b>needs</b> its source.", comments)
        self.find(".sheet-comments a").click()
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".comment-thread")))
        self.find("button[name=resolve]").click()
        self.wait(
            EC.text_to_be_present_in_element(
                (By.ID, "content-main"), "0 open, 1 resolved."
            )
        )
        self.open_sheet()
        self.find("#id_review_message").send_keys("Agency named.")
        self.press("_submit_for_review")
        self.mail_to("publisher@example.org", 2)

        self.sign_in("publisher")
        self.open_sheet()
        goes_live = timezone.localtime(timezone.now() + timedelta(days=2)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        self.find("#id_publish_time_0").send_keys(goes_live.date().isoformat())
        self.find("#id_publish_time_1").send_keys("09:00:00")
        self.press("_publish")
        self.assertEqual(FactSheet.objects.get(pk=self.sheet.pk).publish_at, goes_live)
        [_, scheduled] = self.mail_to("editor@example.org", 2)
        self.assertEqual(scheduled["Subject"], f"Scheduled: {MALI}")
        self.assertIn(
            f"It goes live on {goes_live:%B} {goes_live.day}, {goes_live.year}, 9:00 AM",
            text_part(scheduled),
        )

        # Four steps, four emails, each once.
        self.assertEqual(len(self.smtp.messages), 4)
        self.assertEqual(len({m["Message-ID"] for m in self.smtp.messages}), 4)

        # The author follows the link in the email to the sheet's admin page.
        link = html_part(scheduled).split('<a href="')[1].split('"')[0]
        self.assertEqual(
            link,
            f"{self.live_server_url}/admin/factsheets/factsheet/{self.sheet.pk}/change/",
        )
        self.sign_in("editor")
        self.browser.get(link)
        self.wait(EC.presence_of_element_located((By.ID, "factsheet_form")))
        self.assertIn("U.S. Relations With Mali", self.browser.title)
