"""What the browser tests share: a live server, one Chromium, and ways to look at pages."""

import base64
import json
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import override_settings
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.helpers.tools import missing

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Violations axe finds in Django's own admin, not in our templates or widgets, for
# the admin's pages to be checked without them. Keyed by rule and a piece of the
# failing element.
DJANGO_ADMIN_VIOLATIONS = {
    # The changelist filter links are small text links in Django's sidebar.
    ("target-size", "status__exact"),
    ("target-size", 'href="?"'),
    ("target-size", "bureau__id__exact"),
    # Django's breadcrumbs are links told apart from their text by colour only.
    ("link-in-text-block", ".breadcrumbs"),
    # The select2 combobox of Django's autocomplete widget has no name while empty.
    ("aria-input-field-name", "select2-id_"),
}

# Every public page (the staff-only preview is left out); the 404 is a made-up address.
PAGES = {
    "home": "/",
    "sheet": "/fact-sheets/mali/",
    "bureau": "/bureaus/african-affairs/",
    "index": "/fact-sheets/",
    "index by bureau": "/fact-sheets/?by=bureau",
    "search": "/search/?q=embassy",
    "assistance": "/assistance/",
    "key officers": "/key-officers/",
    "404": "/fact-sheets/atlantis/",
}
WIDTHS = {"desktop": 1280, "phone": 375}

# Defines describe(el): a short name for an element, for failure messages.
DESCRIBE = """
window.describe = (el) => {
  const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "");
  const text = (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " ");
  return text ? `${name} "${text.slice(0, 40)}"` : name;
};
"""

# Paper sizes in inches, as Chromium's printToPDF takes them.
PAPER = {"letter": (8.5, 11), "a4": (8.27, 11.69)}


class BrowserTestCase(StaticLiveServerTestCase):
    # `pytest -m "not browser"` leaves these out for a quick run.
    pytestmark = pytest.mark.browser
    host = "127.0.0.1"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The live server is the site: the addresses its pages print name it.
        cls.enterClassContext(override_settings(SITE_URL=cls.live_server_url))

    @pytest.fixture(autouse=True)
    def _browser(self, chromium):
        self.browser = chromium
        self.set_viewport(1280, 900)
        self.browser.execute_cdp_cmd(
            "Emulation.setScriptExecutionDisabled", {"value": False}
        )
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        self.browser.delete_all_cookies()
        yield
        # Leave the live server idle before it shuts down: no request may be in flight.
        self.browser.get("about:blank")
        self.browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def open(self, path):
        self.browser.get(self.live_server_url + path)

    def find(self, css, root=None):
        return (root or self.browser).find_element(By.CSS_SELECTOR, css)

    def find_all(self, css, root=None):
        return (root or self.browser).find_elements(By.CSS_SELECTOR, css)

    def focused(self):
        return self.browser.switch_to.active_element

    def wait(self, condition, timeout=10):
        return WebDriverWait(self.browser, timeout).until(condition)

    def wait_for(self, css, timeout=10):
        """The element `css` names, once the page has it."""
        return self.wait(
            EC.presence_of_element_located((By.CSS_SELECTOR, css)), timeout
        )

    def sign_in(self, username, password="pw"):
        """Sign in through the admin's own page, as a person does, from no session."""
        self.browser.delete_all_cookies()
        self.open("/admin/login/")
        self.find("#id_username").send_keys(username)
        self.find("#id_password").send_keys(password, Keys.ENTER)
        self.wait_for("#user-tools")

    def set_viewport(self, width, height=900):
        self.browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": width,
                "height": height,
                "deviceScaleFactor": 1,
                "mobile": width < 600,
            },
        )

    def js(self, script, *args):
        return self.browser.execute_script(script, *args)

    def print_pdf(self, paper="letter"):
        """The open page printed to PDF, as Chromium's print dialog would (no header or footer)."""
        width, height = PAPER[paper]
        data = self.browser.execute_cdp_cmd(
            "Page.printToPDF",
            {
                "paperWidth": width,
                "paperHeight": height,
                "displayHeaderFooter": False,
                "printBackground": False,
            },
        )
        return base64.b64decode(data["data"])

    def pdf_pages(self, pdf, pdftotext, *args):
        """The text of each page of `pdf`, by pdftotext."""
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            text = subprocess.run(
                [pdftotext, *args, f.name, "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        pages = text.split("\f")
        return pages[:-1] if pages and not pages[-1].strip() else pages

    def assertNoAxeViolations(self):
        """The open page, at its current width, breaks no WCAG A or AA rule axe checks."""
        violations = self.axe()
        self.assertEqual(
            violations,
            [],
            "\n".join(
                f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}"
                for v in violations
            ),
        )

    def axe(self, context="document"):
        """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the open page."""
        if not AXE.exists():
            missing("axe-core is not installed: npm install (package.json)")
        if not self.js("return !!window.axe"):
            self.js(AXE.read_text(encoding="utf-8"))
        result = self.browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"axe.run({context}, {{runOnly: {json.dumps(AXE_TAGS)}}}).then(r => done(r.violations));"
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]],
            }
            for v in result
        ]
