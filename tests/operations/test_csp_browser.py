"""The Content-Security-Policy in Chromium: nothing the site needs is blocked.

A listener installed before any page script records every `securitypolicyviolation`
event. Each page is then checked twice: nothing of its own was blocked, and an inline
script and style injected into it are blocked, so the policy is really in force there.
"""

import re

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from factsheets.models import FactSheet
from tests.helpers.browser import PAGES, BrowserTestCase

WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
}, true);
"""

# The events are queued as tasks: let the page settle before reading them.
VIOLATIONS = """
const done = arguments[arguments.length - 1];
setTimeout(() => done(window.cspViolations ?? null), 100);
"""

INJECT = """
window.injectedScriptRan = false;
const script = document.createElement("script");
script.textContent = "window.injectedScriptRan = true;";
document.body.append(script);
const style = document.createElement("style");
style.textContent = "body { outline: 3px solid red; }";
document.head.append(style);
return style.sheet === null;
"""


class ContentSecurityPolicyTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    @pytest.fixture(autouse=True)
    def _watch_violations(self, _browser, pdftotext):
        self.pdftotext = pdftotext
        watcher = self.browser.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": WATCH}
        )
        yield
        self.browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument",
            {"identifier": watcher["identifier"]},
        )

    def violations(self):
        found = self.browser.execute_async_script(VIOLATIONS)
        self.assertIsNotNone(found, "the violation listener is not installed")
        return found

    def assert_no_violations(self):
        self.assertEqual(self.violations(), [])

    def assert_inline_code_is_blocked(self):
        """The policy is in force: injected inline code is refused and reported."""
        style_blocked = self.js(INJECT)
        found = self.violations()
        self.assertTrue(style_blocked, "an inline style was applied")
        self.assertFalse(self.js("return window.injectedScriptRan"))
        directives = {violation.split()[0] for violation in found}
        self.assertEqual(directives, {"script-src-elem", "style-src-elem"}, found)

    def sign_in_with_no_violations(self):
        User.objects.create_superuser("editor", "editor@example.gov", "a-passphrase")
        self.open("/admin/login/")
        self.assert_no_violations()
        self.find("#id_username").send_keys("editor")
        self.find("#id_password").send_keys("a-passphrase", Keys.ENTER)
        self.wait(EC.presence_of_element_located((By.ID, "user-tools")))
        self.assert_no_violations()

    def test_public_pages_run_with_nothing_blocked(self):
        for page, path in PAGES.items():
            with self.subTest(page):
                self.open(path)
                self.assert_no_violations()
                self.assert_inline_code_is_blocked()

    def test_the_printed_sheet_keeps_its_margin_title(self):
        self.open("/fact-sheets/mali/")
        # The inline print style is allowed by its hash: it has a style sheet.
        self.assertTrue(
            self.js(
                "return document.querySelector('style[media=print]').sheet !== null"
            )
        )
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        pages = self.pdf_pages(self.print_pdf("letter"), self.pdftotext, "-layout")
        self.assertGreater(len(pages), 1)
        for number, text in enumerate(pages, 1):
            margin = [line for line in text.splitlines() if line.strip()][-1]
            self.assertRegex(
                margin, rf"^\s*U\.S\. Relations With Mali\s+Page {number} of"
            )
        self.assert_no_violations()
        self.assert_inline_code_is_blocked()

    def test_the_admin_and_its_rich_text_editor_work_with_nothing_blocked(self):
        self.sign_in_with_no_violations()
        sheet = FactSheet.objects.get(country__slug="mali")
        change = f"/admin/factsheets/factsheet/{sheet.pk}/change/"
        for path in [
            "/admin/",
            "/admin/factsheets/factsheet/",
            "/admin/factsheets/factsheet/add/",
            change,
        ]:
            with self.subTest(path):
                self.open(path)
                self.assert_no_violations()

        # The admin's widgets draw their pop-ups, and a new section row gets an
        # editor of its own.
        self.open("/admin/factsheets/factsheet/add/")
        self.find("#id_country + .select2 .select2-selection").click()
        self.wait(
            EC.visibility_of_element_located((By.CSS_SELECTOR, ".select2-results"))
        )
        self.find(".select2-search__field").send_keys(Keys.ESCAPE)
        self.find("#calendarlink0").click()
        self.wait(EC.visibility_of_element_located((By.ID, "calendarbox0")))
        self.find("#sections-group .add-row a").click()
        self.wait(
            EC.presence_of_element_located(
                (By.CSS_SELECTOR, "#sections-0 .ProseMirror")
            )
        )
        self.assert_no_violations()

        # The editor is built (its import map ran), takes typing, and saves.
        self.open(change)
        area = self.wait(
            EC.element_to_be_clickable((By.CSS_SELECTOR, "#sections-0 .ProseMirror"))
        )
        self.find("#sections-0 .prose-menubar")
        area.click()
        area.send_keys(Keys.CONTROL, Keys.END)
        area.send_keys(Keys.ENTER, "Typed under a strict policy.")
        self.find('input[name="change_kind"][value="minor"]').click()
        page = self.find("html")
        self.find('input[name="_continue"]').click()
        self.wait(EC.staleness_of(page))
        self.assertIn("successfully", self.find(".messagelist").text)
        self.assertIn(
            "Typed under a strict policy.",
            self.wait(
                EC.presence_of_element_located(
                    (By.CSS_SELECTOR, "#sections-0 .ProseMirror")
                )
            ).text,
        )
        section = sheet.sections.order_by("position", "pk").first()
        self.assertIn(
            "<p>Typed under a strict policy.</p>", re.sub(r"\s+", " ", section.body)
        )
        self.assert_no_violations()
        self.assert_inline_code_is_blocked()
