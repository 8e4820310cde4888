"""The pages of email alerts in a real browser, by axe-core's WCAG 2.2 A and AA
rules, at desktop and phone widths: the form on the sheet's page and on its own,
the answer, the pages the emails' links open, a link that does not work, and the
form sent back with its error."""

from selenium.webdriver.support import expected_conditions as EC

from alerts import tokens
from factsheets.models import Bureau, Country
from tests.helpers.alerts import follow, make_reader
from tests.helpers.browser import WIDTHS, BrowserTestCase


class AlertPagesAxeTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def setUp(self):
        self.reader = make_reader("reader@example.org", country=self.mali())
        self.mali_list = self.reader.subscriptions.get()
        # A list still to be confirmed: the confirm page has a button, and the
        # manage page says it waits.
        follow(
            self.reader,
            bureau=Bureau.objects.get(slug="african-affairs"),
            confirmed=False,
        )

    def mali(self):
        return Country.objects.get(slug="mali")

    def text(self):
        return self.find("main").text

    def press(self, css):
        page = self.find("html")
        self.find(css).click()
        self.wait(EC.staleness_of(page))

    def assertNoViolationsAtEachWidth(self, page):
        for device, width in WIDTHS.items():
            with self.subTest(page=page, width=device):
                self.set_viewport(width)
                self.assertNoAxeViolations()
        self.set_viewport(WIDTHS["desktop"])

    def test_pages_have_no_wcag_a_or_aa_violations(self):
        # Each page, and words that show it is in the state it is checked for.
        pages = {
            "sheet with the form": ("/fact-sheets/mali/", "Get email alerts"),
            "alerts": ("/alerts/", "Get an email when any fact sheet"),
            "check your email": ("/alerts/check-your-email/", "Check your email"),
            "confirm": (
                f"/alerts/confirm/{tokens.confirm(self.reader)}/",
                "Confirm my email alerts",
            ),
            "manage": (
                f"/alerts/manage/{tokens.manage(self.reader)}/",
                "Waiting for you to confirm it",
            ),
            "leave": (
                f"/alerts/leave/{tokens.leave(self.reader, subscription=self.mali_list)}/",
                "Stop these emails",
            ),
            "bad link": ("/alerts/confirm/not-a-token/", "This link does not work"),
        }
        for page, (path, shown) in pages.items():
            self.open(path)
            self.assertIn(shown, self.text(), page)
            self.assertNoViolationsAtEachWidth(page)

    def test_the_form_sent_back_with_its_error_has_no_violations(self):
        self.open("/alerts/?country=mali")
        self.find("#alerts-email").send_keys("not an address")
        self.press(".alerts-form button[type=submit]")
        self.assertIn("Enter an email address like name@example.com.", self.text())
        self.assertEqual(
            self.find("#alerts-email").get_attribute("aria-invalid"), "true"
        )
        self.assertNoViolationsAtEachWidth("form error")

    def test_the_pages_the_buttons_lead_to_have_no_violations(self):
        self.open(f"/alerts/confirm/{tokens.confirm(self.reader)}/")
        self.press("main form button[type=submit]")
        self.assertIn("You’re subscribed", self.text())
        self.assertNoViolationsAtEachWidth("confirmed")

        self.open(
            f"/alerts/leave/{tokens.leave(self.reader, subscription=self.mali_list)}/"
        )
        self.press("main form button[type=submit]")
        self.assertIn("You will get no more alerts for Mali fact sheet.", self.text())
        self.assertNoViolationsAtEachWidth("left")
