"""The link checks on the sheet's change form, in Chromium: the table of failed
links keeps to a 1280 px window however long an address is, and breaks no WCAG
rule axe checks."""

from django.contrib.auth.models import User

from factsheets.models import FactSheet
from linkchecks import checking, runs
from tests.helpers.browser import DESCRIBE, BrowserTestCase
from tests.helpers.factories import make_full_factsheet, make_related_link

LONG = "https://example.org/" + "a-very-long-path-segment-" * 12 + "?q=" + "x" * 80

# Cells of the table that end past the window's right edge, and whether the page
# scrolls sideways.
PAST_THE_EDGE = (
    DESCRIBE
    + """
const width = window.innerWidth;
const problems = [];
if (document.documentElement.scrollWidth > width) {
  problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
}
const cells = document.querySelectorAll("#link-checks th, #link-checks td");
for (const el of cells) {
  const right = el.getBoundingClientRect().right;
  if (right > width + 0.5) problems.push(`${describe(el)} ends at ${Math.round(right)} px`);
}
return {count: cells.length, problems};
"""
)


class ChangeFormLinkChecksBrowserTests(BrowserTestCase):
    def setUp(self):
        User.objects.create_superuser(
            "editor", "editor@example.gov", "a-long-passphrase"
        )
        self.sheet = make_full_factsheet(children=2)
        make_related_link(self.sheet, title="A page with a long address", url=LONG)
        sheet = FactSheet.objects.get(pk=self.sheet.pk)
        for link in runs.record_uses(sheet):
            redirected = [{"status": 301, "url": LONG + "/moved"}]
            link.record(checking.Outcome("broken", 404, redirected, LONG + "/moved"))

    def test_failed_links_fit_a_1280_px_window_and_pass_axe(self):
        self.set_viewport(1280, 900)
        self.sign_in("editor", "a-long-passphrase")
        self.open(f"/admin/factsheets/factsheet/{self.sheet.pk}/change/")
        found = self.js(PAST_THE_EDGE)
        self.assertEqual(found["problems"], [])
        self.assertEqual(found["count"], 4 + 3 * 4)  # headings, three failed links
        violations = self.axe("document.querySelector('#link-checks')")
        self.assertEqual(violations, [], violations)
