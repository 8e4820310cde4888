"""The charts and the assistance and key officers pages in a real browser: they pass
axe at desktop and phone widths and need no JavaScript; the chart and the printed-from
line come out on paper; and the QR code Chromium draws decodes to the sheet's address."""

import base64
import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format

from factsheets import sheet_operations
from factsheets.models import Country, FactSheet
from tests.helpers.browser import WIDTHS, BrowserTestCase
from tests.helpers.factories import make_assistance_line, make_factsheet, make_official
from tests.helpers.printing import PAPERS, PrintTestCase, squash
from tests.helpers.qr import decode_qr
from tests.helpers.tools import missing

PAGES = {
    "assistance": "/assistance/",
    "key officers": "/key-officers/",
    "sheet": "/fact-sheets/mali/",
}


def add_peru():
    """A second bureau's sheet, so /assistance/ shows several bureaus and a total."""
    peru = make_factsheet(country=Country.objects.get(slug="peru"))
    make_assistance_line(peru, year=2014, amount_usd="80000")
    make_assistance_line(peru, year=2015, amount_usd="2.375 billion", kind="planned")
    make_assistance_line(peru, period="none", year=None, qualifier="nearly")
    make_official(peru, role="U.S. Ambassador to Peru", name="P. Envoy")


class NewPagesInTheBrowserTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def setUp(self):
        super().setUp()
        add_peru()

    def test_no_wcag_a_or_aa_violations_at_desktop_and_phone_widths(self):
        for page, path in PAGES.items():
            self.open(path)
            for device, width in WIDTHS.items():
                with self.subTest(page=page, width=device):
                    self.set_viewport(width)
                    self.assertNoAxeViolations()

    def test_charts_scale_to_their_container_without_javascript(self):
        self.browser.execute_cdp_cmd(
            "Emulation.setScriptExecutionDisabled", {"value": True}
        )
        for path in ("/assistance/", "/fact-sheets/mali/"):
            for device, width in WIDTHS.items():
                with self.subTest(path=path, width=device):
                    self.set_viewport(width)
                    self.open(path)
                    box = self.js(
                        """
                        const svg = document.querySelector(".assistance-chart__svg");
                        const parent = svg.closest("figure").parentElement;
                        const r = svg.getBoundingClientRect();
                        return {width: r.width, height: r.height,
                                room: parent.getBoundingClientRect().width,
                                page: document.documentElement.scrollWidth,
                                bars: svg.querySelectorAll(".assistance-chart__bar").length};
                        """
                    )
                    self.assertGreater(box["width"], 200)
                    self.assertGreater(box["height"], 50)
                    self.assertLessEqual(box["width"], box["room"] + 0.5)
                    self.assertLessEqual(box["page"], width)
                    self.assertGreaterEqual(box["bars"], 3)

    def test_the_printed_from_line_is_not_shown_on_screen(self):
        self.open("/fact-sheets/mali/")
        self.assertEqual(
            self.js(
                "return getComputedStyle(document.querySelector('.printed-from')).display"
            ),
            "none",
        )
        self.assertTrue(
            self.js(
                "return !!document.querySelector('.officials__all a[href=\"/key-officers/#mali\"]')"
            )
        )

    def test_the_qr_code_chromium_draws_for_print_decodes_to_the_address(self):
        zbarimg = shutil.which("zbarimg") or missing("zbarimg is not installed")
        self.open("/fact-sheets/mali/")
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        # The code is 1.15 cm wide, about 2 px a module at 96 dpi; paper has far
        # more dots than that, so the screen is given more too.
        self.browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 800, "height": 600, "deviceScaleFactor": 4, "mobile": False},
        )
        size = self.js(
            """
            const qr = document.querySelector(".printed-from .qr-code");
            qr.scrollIntoView({block: "center"});
            return qr.getBoundingClientRect().width;
            """
        )
        self.assertAlmostEqual(size, 1.15 / 2.54 * 96, places=0)
        # The whole screen: zbarimg finds the one code on it.
        shot = self.browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        self.assertEqual(
            decode_qr(zbarimg, base64.b64decode(shot["data"])),
            f"{self.live_server_url}/fact-sheets/mali/",
        )


class PrintedMaliChartTests(PrintTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]
    path = "/fact-sheets/mali/"

    def test_the_chart_is_printed_with_its_legend_and_labels(self):
        for paper in PAPERS:
            with self.subTest(paper=paper):
                text = squash(self.printed(paper).text)
                caption = text.find("U.S. assistance to Mali, by year")
                self.assertGreater(caption, text.find("Fiscal year Kind Amount"))
                chart = text[caption:]
                self.assertRegex(
                    chart,
                    r"^U\.S\. assistance to Mali, by year Actual Requested Planned ",
                )
                for label in (
                    "FY 2014: more than $135.4 million (actual)",
                    "FY 2015: $130 million (requested)",
                    "FY 2016-2020: $690 million (planned)",
                ):
                    self.assertIn(label, chart)

    def test_the_printed_sheet_ends_with_the_date_and_the_current_address(self):
        today = date_format(timezone.localdate(), "F j, Y")
        address = f"{self.live_server_url}/fact-sheets/mali/"
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                body, _ = printed.split(len(printed.pages))
                self.assertTrue(
                    squash(" ".join(body[-3:])).endswith(
                        f"Printed {today}. The current version is at {address}"
                    ),
                    f"{paper}: the sheet ends with {body[-3:]}",
                )

    def test_the_printed_qr_code_decodes_to_the_current_address(self):
        zbarimg = shutil.which("zbarimg") or missing("zbarimg is not installed")
        pdftoppm = shutil.which("pdftoppm") or missing("pdftoppm is not installed")
        self.open(self.path)
        pdf = self.print_pdf("letter")
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "sheet.pdf").write_bytes(pdf)
            subprocess.run(
                [pdftoppm, "-png", "-r", "300", "sheet.pdf", "page"],
                cwd=tmp,
                check=True,
            )
            pages = sorted(Path(tmp).glob("page-*.png"))
            found = [decode_qr(zbarimg, page.read_bytes()) for page in pages]
        # One code on paper, on the last page.
        self.assertEqual(
            found,
            [""] * (len(pages) - 1) + [f"{self.live_server_url}/fact-sheets/mali/"],
        )


class SupersededEditionPrintTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_an_old_edition_sends_the_reader_to_the_current_one(self):
        new = sheet_operations.new_edition(
            FactSheet.objects.get(), datetime.date(2016, 5, 1), by=None
        )
        sheet_operations.publish(new, by=None)
        self.open("/fact-sheets/mali/2015-10-15/")
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        self.assertIn(
            f"The current version is at {self.live_server_url}/fact-sheets/mali/",
            self.js("return document.querySelector('.printed-from').innerText"),
        )
