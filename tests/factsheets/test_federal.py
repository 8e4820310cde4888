"""Federal site conventions: the .gov banner at the top, the site identifier at the foot."""

from pathlib import Path

from django.conf import settings
from django.test import TestCase, override_settings
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.helpers.browser import WIDTHS, BrowserTestCase

PRINT_CSS = Path(settings.BASE_DIR, "static", "css", "print.css")

IDENTIFIER = {
    "parent": "Ministry of Tests",
    "parent_url": "https://tests.example.gov/",
    "links": [
        ("About", "https://tests.example.gov/about/"),
        ("Privacy policy", "https://tests.example.gov/privacy/"),
    ],
    "usagov": "https://www.usa.gov/",
}


class GovBannerTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_every_page_opens_with_the_gov_banner_after_the_skip_link(self):
        for path in ["/", "/fact-sheets/mali/", "/fact-sheets/atlantis/"]:
            with self.subTest(path=path):
                html = self.client.get(path).content.decode()
                self.assertLess(html.index("skip-link"), html.index("gov-banner"))
                self.assertLess(html.index("gov-banner"), html.index("site-header"))

    def test_the_banner_explains_how_to_know_in_a_details_element(self):
        response = self.client.get("/")
        self.assertContains(
            response,
            "</svg> An official website of the United States government</span>",
        )
        self.assertContains(response, "<summary", count=1)
        self.assertContains(response, "Here’s how you know")
        self.assertContains(response, "Official websites use .gov")
        self.assertContains(response, "belongs to an official government organization")
        self.assertContains(response, "Secure .gov websites use HTTPS")
        self.assertContains(response, "Share sensitive information only on official")
        self.assertNotContains(response, "<details open")

    def test_the_banner_icons_are_decorative(self):
        html = self.client.get("/").content.decode()
        banner = html[html.index('<section class="gov-banner"') :]
        banner = banner[: banner.index("</section>")]
        self.assertEqual(banner.count("<svg"), banner.count('aria-hidden="true"'))

    def test_the_banner_is_not_printed(self):
        self.assertIn(
            ".gov-banner {\n  display: none !important;", PRINT_CSS.read_text()
        )


class SiteIdentifierTests(TestCase):
    @override_settings(SITE_URL="https://factsheets.example.gov")
    def test_the_footer_names_the_site_and_its_parent_agency(self):
        # The site's own name, whatever host the request named.
        response = self.client.get("/", HTTP_HOST="localhost")
        self.assertContains(
            response,
            '<p class="identifier__identity"><span class="identifier__domain">'
            "factsheets.example.gov</span> is an official website of the "
            f'<a href="{settings.FEDERAL_IDENTIFIER["parent_url"]}">'
            f"{settings.FEDERAL_IDENTIFIER['parent']}</a></p>",
            html=True,
        )

    def test_the_required_links_come_from_settings(self):
        response = self.client.get("/")
        for label, url in settings.FEDERAL_IDENTIFIER["links"]:
            with self.subTest(label=label):
                self.assertContains(response, f'<a href="{url}">{label}</a>', html=True)
        self.assertContains(
            response, '<nav class="identifier__nav" aria-label="Important links">'
        )

    @override_settings(FEDERAL_IDENTIFIER=IDENTIFIER)
    def test_another_ministry_sets_its_own(self):
        response = self.client.get("/")
        self.assertContains(
            response,
            '<a href="https://tests.example.gov/">Ministry of Tests</a>',
            html=True,
        )
        self.assertContains(
            response,
            '<a href="https://tests.example.gov/privacy/">Privacy policy</a>',
            html=True,
        )
        self.assertNotContains(response, "FOIA")

    def test_the_footer_points_to_usa_gov_and_keeps_its_own_links(self):
        response = self.client.get("/fact-sheets/atlantis/")
        self.assertContains(
            response,
            "Looking for U.S. government information and services?",
            status_code=404,
        )
        self.assertContains(
            response,
            '<a href="https://www.usa.gov/">Visit USA.gov</a>',
            html=True,
            status_code=404,
        )
        self.assertContains(response, "All fact sheets", status_code=404)
        self.assertContains(response, "Editors’ sign-in", status_code=404)


# The banner's state and what can be seen of it.
BANNER = """
const details = document.querySelector(".gov-banner__details");
const content = document.querySelector(".gov-banner__content");
return {
  open: details.open,
  shown: content.checkVisibility(),
  text: content.innerText,
  focused: document.activeElement.className,
  overflow: document.documentElement.scrollWidth - window.innerWidth,
};
"""


class GovBannerBrowserTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def key(self, key):
        ActionChains(self.browser).send_keys(key).perform()
        return self.js(BANNER)

    def test_the_banner_opens_by_keyboard_without_javascript(self):
        self.browser.execute_cdp_cmd(
            "Emulation.setScriptExecutionDisabled", {"value": True}
        )
        for device, width in WIDTHS.items():
            with self.subTest(width=device):
                self.set_viewport(width)
                self.open("/")
                self.key(Keys.TAB)  # the skip link
                closed = self.key(Keys.TAB)
                self.assertEqual(closed["focused"], "gov-banner__summary")
                self.assertFalse(closed["open"])
                self.assertFalse(closed["shown"])
                opened = self.key(Keys.ENTER)
                self.assertTrue(opened["open"])
                self.assertTrue(opened["shown"])
                self.assertIn("Official websites use .gov", opened["text"])
                self.assertIn("Secure .gov websites use HTTPS", opened["text"])
                self.assertLessEqual(opened["overflow"], 0)
                self.assertFalse(self.key(Keys.SPACE)["open"])
                self.assertTrue(self.key(Keys.SPACE)["open"])
        # The check above ran with scripts off; the JS calls are the driver's own.
        self.browser.execute_cdp_cmd(
            "Emulation.setScriptExecutionDisabled", {"value": False}
        )

    def test_the_open_banner_and_the_footer_have_no_wcag_violations(self):
        for path in ["/", "/fact-sheets/mali/"]:
            self.open(path)
            self.js("document.querySelector('.gov-banner__details').open = true;")
            for device, width in WIDTHS.items():
                with self.subTest(path=path, width=device):
                    self.set_viewport(width)
                    self.assertNoAxeViolations()
                    self.assertLessEqual(self.js(BANNER)["overflow"], 0)
