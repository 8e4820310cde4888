"""The admin's sheet pages fit a 1280 px window: no column of the assistance-lines rows
or of the sheet list is off screen or reached only by scrolling sideways."""

from django.contrib.auth.models import User

from tests.helpers.browser import DESCRIBE, BrowserTestCase
from tests.helpers.factories import make_full_factsheet

# What sticks out past the window's right edge or is cut by a box that scrolls, and
# whether the page scrolls sideways.
OVERFLOW = (
    DESCRIBE
    + """
const [selector] = arguments;
const width = window.innerWidth;
const problems = [];
if (document.documentElement.scrollWidth > width) {
  problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
}
const cells = document.querySelectorAll(selector);
for (const el of cells) {
  // The window, or a box that clips it (Django's list scrolls in a box of its own).
  let edge = width;
  for (let box = el.parentElement; box; box = box.parentElement) {
    if (getComputedStyle(box).overflowX !== "visible") {
      edge = Math.min(edge, box.getBoundingClientRect().right);
    }
  }
  const right = el.getBoundingClientRect().right;
  if (right > edge + 0.5) {
    problems.push(`${describe(el)} ends at ${Math.round(right)} px, past ${Math.round(edge)}`);
  }
}
return {count: cells.length, problems};
"""
)


class AdminLayoutTests(BrowserTestCase):
    def setUp(self):
        User.objects.create_superuser(
            "editor", "editor@example.gov", "a-long-passphrase"
        )
        self.sheet = make_full_factsheet(
            children=3, title="U.S. Relations With the Democratic Republic of the Congo"
        )
        # A row with every column filled, as long as editors write them.
        self.sheet.assistance_lines.update(
            year_end=2020,
            qualifier="approximately",
            agency="U.S. Agency for International Development",
            note="Includes humanitarian assistance provided through the State Department",
        )

    def overflow(self, selector):
        return self.js(OVERFLOW, selector)

    def test_assistance_rows_fit_a_1280_px_window(self):
        self.set_viewport(1280, 900)
        self.sign_in("editor", "a-long-passphrase")
        self.open(f"/admin/factsheets/factsheet/{self.sheet.pk}/change/")
        # Every heading and cell of each row, the last one's delete box included.
        found = self.overflow(
            "#assistance_lines-group thead th,"
            "#assistance_lines-group tr.has_original > td,"
            "#assistance_lines-group tr.has_original > td.delete > input[type=checkbox]"
        )
        self.assertEqual(found["problems"], [])
        # 11 headings (the hidden “original” one too), 3 rows of 11 cells, 3 boxes.
        self.assertEqual(found["count"], 11 + 3 * 11 + 3)

    def test_sheet_list_fits_a_1280_px_window(self):
        self.set_viewport(1280, 900)
        self.sign_in("editor", "a-long-passphrase")
        self.open("/admin/factsheets/factsheet/")
        found = self.overflow(
            "#result_list thead th:last-child, #result_list tbody td:last-child"
        )
        self.assertEqual(found["problems"], [])
        self.assertEqual(found["count"], 2)
