"""WCAG 2.2 A and AA in a real browser: axe-core's rules, and the keyboard."""

import itertools

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.helpers.browser import DESCRIBE, PAGES, WIDTHS, BrowserTestCase

# What the browser's Tab key should stop on, in document order.
FOCUSABLES = (
    DESCRIBE
    + """
window.focusables = [...document.querySelectorAll(
  "a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable]"
)].filter((el) => !el.disabled && el.tabIndex >= 0
  && el.checkVisibility({visibilityProperty: true})
  // A group of radio buttons is one Tab stop: its checked button, or its first.
  && (el.type !== "radio" || el === radioStop(el)));
function radioStop(el) {
  const group = [...(el.form || document).querySelectorAll("input[type=radio]")]
    .filter((r) => r.name === el.name);
  return group.find((r) => r.checked) || group[0];
}
window.restingStyles = window.focusables.map((el) => {
  const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.boxShadow].join(" ");
});
return window.focusables.map((el, i) => `${i}: ${describe(el)}`);
"""
)

# Where focus is, and whether it can be seen: an outline or box-shadow of at least
# 2px that the element does not have at rest, on screen and not covered.
FOCUSED = """
const el = document.activeElement;
const i = window.focusables.indexOf(el);
const s = getComputedStyle(el);
const style = [s.outlineStyle, s.outlineWidth, s.boxShadow].join(" ");
const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2
  && !/^rgba\\(.*, 0\\)$/.test(s.outlineColor);
const spreads = [...s.boxShadow.matchAll(/(-?[\\d.]+)px/g)].map((m) => parseFloat(m[1]));
const shadow = s.boxShadow !== "none" && spreads.length >= 4 && spreads[3] >= 2;
const r = el.getBoundingClientRect();
const line = el.getClientRects()[0] || r;  // a link that wraps: its first line
const x = Math.min(Math.max(line.left + line.width / 2, 0), innerWidth - 1);
const y = Math.min(Math.max(line.top + line.height / 2, 0), innerHeight - 1);
const top = document.elementFromPoint(x, y);
return {
  index: i,
  name: el === document.body ? "body" : `${i}: ${describe(el)}`,
  indicator: (outline || shadow) && style !== window.restingStyles[i],
  style: style,
  rect: [r.left, r.top, r.right, r.bottom, innerWidth, innerHeight],
  // Scrolling into view can leave a fraction of a pixel outside.
  onScreen: r.width > 0 && r.height > 0 && r.top > -1 && r.bottom < innerHeight + 1
    && r.left > -1 && r.right < innerWidth + 1,
  uncovered: !!top && (el.contains(top) || top.contains(el)),
};
"""


class AxeTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_public_pages_have_no_wcag_a_or_aa_violations_at_desktop_and_phone_widths(
        self,
    ):
        for page, path in PAGES.items():
            self.open(path)
            for device, width in WIDTHS.items():
                with self.subTest(page=page, width=device):
                    self.set_viewport(width)
                    self.assertNoAxeViolations()


class KeyboardTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def tab(self):
        ActionChains(self.browser).send_keys(Keys.TAB).perform()
        return self.js(FOCUSED)

    def test_first_tab_shows_the_skip_link_which_moves_focus_to_main(self):
        for device, width in WIDTHS.items():
            with self.subTest(width=device):
                self.set_viewport(width)
                self.open(PAGES["sheet"])
                self.js(FOCUSABLES)
                focused = self.tab()
                self.assertEqual(
                    focused["name"], '0: a.skip-link "Skip to main content"'
                )
                self.assertTrue(focused["onScreen"], "the skip link is off screen")
                self.assertTrue(focused["uncovered"], "the skip link is covered")
                self.assertTrue(focused["indicator"], focused["style"])
                ActionChains(self.browser).send_keys(Keys.ENTER).perform()
                self.assertEqual(
                    self.js(
                        "const el = document.activeElement;"
                        "return el.tagName.toLowerCase() + '#' + el.id;"
                    ),
                    "main#main",
                )

    def test_tab_reaches_every_link_and_control_in_order_with_a_visible_focus(self):
        for (page, path), (device, width) in itertools.product(
            PAGES.items(), WIDTHS.items()
        ):
            with self.subTest(page=page, width=device):
                self.set_viewport(width)
                self.open(path)
                expected = self.js(FOCUSABLES)
                reached, unseen = [], []
                for _ in expected:
                    focused = self.tab()
                    reached.append(focused["name"])
                    if not all(
                        focused[k] for k in ("indicator", "onScreen", "uncovered")
                    ):
                        unseen.append(focused)
                # One more Tab leaves the page or wraps round: nothing else is reached.
                after = self.tab()
                self.assertEqual(reached, expected)
                self.assertIn(after["name"], ["body", expected[0]])
                self.assertEqual(
                    unseen,
                    [],
                    "focus cannot be seen on:\n"
                    + "\n".join(
                        f"{f['name']}: {f['style']}, on screen {f['onScreen']},"
                        f" uncovered {f['uncovered']} {f['rect']}"
                        for f in unseen
                    ),
                )
