"""Layout in a real browser: reflow, the phone layout, and the pages without JavaScript."""

import itertools

from selenium.webdriver.common.by import By

from tests.helpers.browser import DESCRIBE, PAGES, BrowserTestCase

# Content that is off screen or clipped, or that widens the page. Content inside the
# assistance table's own scroll box may be scrolled out of view; the box itself may not.
# Print-only and [hidden] elements are not shown on screen by design, and the skip link
# waits off screen until it is focused (tests/factsheets/test_accessibility.py shows it
# then). A sticky or fixed box taller than the screen hides its own end.
HIDDEN_CONTENT = (
    DESCRIBE
    + """
const vw = document.documentElement.clientWidth;
const problems = [];
if (document.documentElement.scrollWidth > vw) {
  problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);
}
for (const el of document.querySelectorAll("body *")) {
  const position = getComputedStyle(el).position;
  const height = el.getBoundingClientRect().height;
  if ((position === "sticky" || position === "fixed") && height > innerHeight) {
    problems.push(`${describe(el)} is ${position} but taller than the screen`);
  }
}
const content = document.querySelectorAll(
  "h1, h2, h3, h4, h5, h6, p, li, dt, dd, a, button, caption, .table-scroll"
);
for (const el of content) {
  // A closed disclosure (the .gov banner's explanation) hides its content by design.
  if (el.closest(".print-only, [hidden], .skip-link, .visually-hidden, details:not([open]) > :not(summary)")) continue;
  if (el.parentElement.closest(".table-scroll")) continue;
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || !el.checkVisibility({
    visibilityProperty: true, opacityProperty: true,
  })) {
    problems.push(`${describe(el)} is not shown`);
    continue;
  }
  // A block's text may overflow the block itself (say, a word too long to wrap),
  // except in the table's box, which scrolls.
  const spills = el.clientWidth && !el.matches(".table-scroll");
  const spillX = spills ? Math.max(el.scrollWidth - el.clientWidth, 0) : 0;
  const spillY = spills ? Math.max(el.scrollHeight - el.clientHeight, 0) : 0;
  const right = r.right + (spillX > 1 ? spillX : 0);
  const bottom = r.bottom + (spillY > 1 ? spillY : 0);
  if (r.left < -0.5 || right > vw + 0.5) {
    problems.push(`${describe(el)} runs out of the viewport: ${r.left}-${right}`);
  }
  for (let box = el; box && box !== document.body; box = box.parentElement) {
    const s = getComputedStyle(box);
    if (s.overflowX === "visible" && s.overflowY === "visible") continue;
    if (box.matches(".table-scroll")) continue;
    const b = box.getBoundingClientRect();
    const cut = box === el
      ? spillX > 1 || spillY > 1
      : r.left < b.left - 0.5 || right > b.right + 0.5
        || r.top < b.top - 0.5 || bottom > b.bottom + 0.5;
    if (cut) problems.push(`${describe(el)} is clipped by ${describe(box)}`);
  }
}
return problems;
"""
)

# The text a reader sees, in order, each piece marked if it belongs to a Print button.
VISIBLE_TEXT = """
const pieces = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const text = walker.currentNode.textContent.trim().replace(/\\s+/g, " ");
  const el = walker.currentNode.parentElement;
  if (!text || el.closest("script, style")) continue;
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height || !el.checkVisibility({
    visibilityProperty: true, opacityProperty: true,
  })) continue;
  pieces.push([text, !!el.closest("[data-print]")]);
}
return pieces;
"""

RECT = (
    "const r = arguments[0].getBoundingClientRect();"
    "return {left: r.left, right: r.right, top: r.top + scrollY,"
    " bottom: r.bottom + scrollY, width: r.width, height: r.height};"
)


class ReflowTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_320px_screen_and_200_percent_text_neither_scroll_sideways_nor_hide_content(
        self,
    ):
        for page, path in PAGES.items():
            self.open(path)
            with self.subTest(page=page, screen="320px"):
                self.set_viewport(320)
                problems = self.js(HIDDEN_CONTENT)
                self.assertEqual(problems, [], "\n".join(problems))
            with self.subTest(page=page, screen="1280px, text 200%"):
                self.set_viewport(1280)
                self.js("document.documentElement.style.fontSize = '200%'")
                problems = self.js(HIDDEN_CONTENT)
                self.assertEqual(problems, [], "\n".join(problems))


class PhoneLayoutTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def setUp(self):
        super().setUp()
        self.set_viewport(375)

    def rect(self, element):
        return self.js(RECT, element)

    def test_sheet_reads_as_one_column_with_the_related_links_after_the_text(self):
        self.open(PAGES["sheet"])
        css = {
            "lead": ".factsheet__lead",
            "contents": ".factsheet__contents",
            "sections": ".factsheet__section",
            "related links": ".factsheet__related",
        }
        blocks = {}
        for name, selector in css.items():
            found = self.browser.find_elements(By.CSS_SELECTOR, selector)
            self.assertTrue(found, f"no {name} ({selector})")
            for i, element in enumerate(found, start=1):
                blocks[f"{name} {i}"] = self.rect(element)
        lefts = {name: round(r["left"]) for name, r in blocks.items()}
        self.assertEqual(len(set(lefts.values())), 1, f"left edges differ: {lefts}")
        ordered = sorted(blocks.items(), key=lambda block: block[1]["top"])
        for (above, a), (below, b) in itertools.pairwise(ordered):
            self.assertLessEqual(
                a["bottom"], b["top"] + 0.5, f"{below} is beside {above}"
            )
        sections = [r for name, r in blocks.items() if name.startswith("sections")]
        related = blocks["related links 1"]
        self.assertGreaterEqual(related["top"], sections[-1]["bottom"])
        # The table and the officials sit inside their sections, in the same column.
        for selector in (".table-scroll", ".officials"):
            inner = self.rect(self.browser.find_element(By.CSS_SELECTOR, selector))
            self.assertTrue(
                any(
                    s["top"] <= inner["top"] and inner["bottom"] <= s["bottom"]
                    for s in sections
                ),
                f"{selector} is outside every section",
            )

    def test_assistance_table_scrolls_inside_its_own_box(self):
        self.open(PAGES["sheet"])
        box = self.browser.find_element(By.CSS_SELECTOR, ".table-scroll")
        table = box.find_element(By.TAG_NAME, "table")
        page = self.js(
            "const d = document.documentElement; return [d.scrollWidth, d.clientWidth];"
        )
        self.assertLessEqual(page[0], page[1], "the page scrolls sideways")
        box_rect, table_rect = self.rect(box), self.rect(table)
        self.assertLessEqual(box_rect["right"], 375)
        self.assertGreater(table_rect["width"], box_rect["width"])
        scrolled = self.js(
            "arguments[0].scrollLeft = 80; return arguments[0].scrollLeft;", box
        )
        self.assertGreater(scrolled, 0, "the box does not scroll")
        self.assertEqual(self.js("return scrollX"), 0)

    def test_links_and_buttons_outside_running_text_are_at_least_24px_square(self):
        # Links inside an editor's rich text are inline in sentences: WCAG 2.5.8 exempts them.
        small = (
            DESCRIBE
            + """
return [...document.querySelectorAll("a[href], button, input, select, summary")]
  .filter((el) => !el.closest(".rich-text") && el.checkVisibility())
  .map((el) => [describe(el), el.getBoundingClientRect()])
  .filter(([, r]) => r.width < 24 || r.height < 24)
  .map(([name, r]) => `${name}: ${r.width.toFixed(1)}x${r.height.toFixed(1)}`);
"""
        )
        for page, path in PAGES.items():
            with self.subTest(page=page):
                self.open(path)
                found = self.js(small)
                self.assertEqual(found, [], "\n".join(found))


class NoScriptTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def scripts(self, enabled):
        self.browser.execute_cdp_cmd(
            "Emulation.setScriptExecutionDisabled", {"value": not enabled}
        )

    def test_pages_show_the_same_content_without_javascript_but_no_print_button(self):
        for page, path in PAGES.items():
            with self.subTest(page=page):
                self.scripts(enabled=True)
                self.open(path)
                with_js = self.js(VISIBLE_TEXT)
                self.scripts(enabled=False)
                self.open(path)
                without_js = self.js(VISIBLE_TEXT)
                self.assertEqual(
                    [text for text, printing in with_js if not printing],
                    [text for text, _ in without_js],
                )
                self.assertEqual(
                    [text for text, printing in with_js if printing],
                    ["Print this fact sheet"] if page == "sheet" else [],
                )
                self.assertEqual(
                    [text for text, printing in without_js if printing], []
                )

    def test_links_work_without_javascript(self):
        self.scripts(enabled=False)
        self.open(PAGES["home"])
        self.browser.find_element(By.LINK_TEXT, "Mali").click()
        self.assertEqual(
            self.browser.current_url, self.live_server_url + PAGES["sheet"]
        )
        self.assertEqual(
            self.browser.find_element(By.TAG_NAME, "h1").text,
            "U.S. Relations With Mali",
        )
        self.browser.find_element(By.LINK_TEXT, "Bilateral Representation").click()
        self.assertTrue(self.browser.current_url.endswith("#bilateral-representation"))
        self.browser.find_element(By.LINK_TEXT, "Bureau of African Affairs").click()
        self.assertEqual(
            self.browser.current_url, self.live_server_url + PAGES["bureau"]
        )
