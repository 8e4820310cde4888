"""The admin's first page in a real browser: its panels read, with the keyboard and
a screen reader, at a desktop's width and a phone's."""

from factsheets import sheet_operations
from factsheets.models import FactSheet
from tests.helpers.browser import WIDTHS, BrowserTestCase
from tests.helpers.factories import make_full_factsheet, make_user


class DashboardInBrowserTests(BrowserTestCase):
    def setUp(self):
        editor = make_user("editor", "Editors")
        make_user("publisher", "Publishers")
        for n in range(7):
            sheet = make_full_factsheet(
                status=FactSheet.Status.DRAFT, title=f"Waiting <b>{n}</b>"
            )
            sheet_operations.submit_for_review(sheet, by=editor)

    def test_the_panels_break_no_rule_at_any_width(self):
        self.sign_in("publisher")
        self.open("/admin/")
        panel = self.wait_for("#panel-waiting-for-review")
        heading = self.find("h2", panel)
        self.assertEqual(" ".join(heading.text.split()), "Waiting for my review 7")
        self.assertIn("Waiting <b>0</b>", panel.text)
        self.assertEqual(self.find("a", panel).text, "Waiting <b>0</b> (2015-10-15)")
        for name, width in WIDTHS.items():
            with self.subTest(width=name):
                self.set_viewport(width)
                self.assertNoAxeViolations()
                # Nothing wider than the window: no sideways scrolling on a phone.
                self.assertLessEqual(
                    self.js("return document.documentElement.scrollWidth"), width
                )
