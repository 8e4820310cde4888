"""The import page's report, through the real admin: what was found in an old sheet
(title, bureau, date, the country and how it was matched, the rows, what is left to
check), shown before the editor opens the draft, for every kind of old sheet."""

import html
import json
import re
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from factsheets.models import FactSheet, ImportRecord
from tests.helpers.browser import BrowserTestCase
from tests.helpers.factories import make_user
from tests.helpers.seed import SEED

DATA = Path(__file__).parent.parent / "data" / "import"
URL = "/admin/factsheets/factsheet/import/"


def report_text(response):
    """The report's visible text, one space between words."""
    page = response.content.decode()
    main = page[page.index('<div id="content-main">') :]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main))).strip()


class ImportReportTestCase(TestCase):
    fixtures = ["bureaus", "countries"]

    def setUp(self):
        self.editor = User.objects.create_superuser("editor", "e@x.gov", "pw")
        self.client.force_login(self.editor)

    def upload(self, data, name="sheet.txt"):
        return self.client.post(URL, {"file": SimpleUploadedFile(name, data)})

    def report_of(self, data, name="sheet.txt"):
        """The report page an import leads to, and the draft it made."""
        response = self.upload(data, name)
        record = ImportRecord.objects.latest()
        report_url = f"{URL}{record.pk}/"
        self.assertRedirects(response, report_url, fetch_redirect_response=False)
        return self.client.get(report_url), record.factsheet


class ReportTests(ImportReportTestCase):
    def test_the_seed_is_reported_before_the_draft_is_opened(self):
        page, sheet = self.report_of(SEED.read_bytes(), "mali.txt")
        self.assertContains(page, "Created the draft “U.S. Relations With Mali")
        text = report_text(page)
        for expected in [
            "From mali.txt, imported",
            "by editor. The draft is not published",
            "Title U.S. Relations With Mali",
            "Bureau Bureau of African Affairs",
            "Kind Fact Sheet",
            "Issue date October 15, 2015",
            "Country Mali Matched by its name, in the title.",
            "Rows 5 sections, 3 assistance lines, 1 official, 16 related links "
            "16 of the related links have no address.",
            "Still to check 16 of 16 related links have no address in the source",
        ]:
            self.assertIn(expected, text)
        self.assertContains(
            page,
            f'<a class="button default" href="/admin/factsheets/factsheet/{sheet.pk}'
            '/change/">Open the draft</a>',
            html=True,
        )
        self.assertContains(
            page, f'<a class="button" href="{URL}">Import another</a>', html=True
        )
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)

    def test_swaziland_is_matched_to_eswatini_by_its_former_name(self):
        data = SEED.read_bytes().replace(b"Mali", b"Swaziland")
        page, sheet = self.report_of(data, "swaziland.txt")
        self.assertEqual(sheet.country.name, "Eswatini")
        text = report_text(page)
        self.assertIn("Title U.S. Relations With Swaziland", text)
        self.assertIn(
            "Country Swaziland Matched to Eswatini by its former or other name "
            "“Swaziland”, which the title uses.",
            text,
        )

    def test_a_sheet_without_header_lines_says_what_the_draft_takes_instead(self):
        text = (DATA / "lebanon-2019-gov-banner.txt").read_bytes()
        page, sheet = self.report_of(text, "lebanon.txt")
        report = report_text(page)
        self.assertIn(f"Title {sheet.title} No title line", report)
        self.assertIn(
            "Bureau Bureau of Near Eastern Affairs No bureau line: the country’s "
            "bureau is used.",
            report,
        )
        self.assertIn(
            "Issue date None found The draft needs one before it is published.", report
        )

    def test_importing_again_reports_the_update(self):
        self.upload(SEED.read_bytes(), "mali.txt")
        page, _ = self.report_of(SEED.read_bytes(), "mali.txt")
        self.assertContains(page, "Updated the draft “U.S. Relations With Mali")
        self.assertEqual(ImportRecord.objects.count(), 2)

    def test_reloading_the_report_imports_nothing_again(self):
        page, _ = self.report_of(SEED.read_bytes(), "mali.txt")
        self.client.get(page.wsgi_request.path)
        self.assertEqual(ImportRecord.objects.count(), 1)

    def test_the_report_escapes_what_the_source_says(self):
        data = SEED.read_bytes().replace(
            b"U.S. Relations With Mali", b"U.S. Relations With Mali <b>Bold</b>", 1
        )
        page, sheet = self.report_of(data, "mali.txt")
        self.assertEqual(sheet.country.name, "Mali")
        self.assertNotContains(page, "<b>Bold</b>")
        self.assertContains(page, "Mali &lt;b&gt;Bold&lt;/b&gt;")

    def test_only_those_who_may_import_see_reports(self):
        page, _ = self.report_of(SEED.read_bytes(), "mali.txt")
        url = page.wsgi_request.path
        self.client.force_login(make_user("clerk"))
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(make_user("ed", "Editors"))
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(f"{URL}999999/").status_code, 404)

    def test_an_import_recorded_before_the_report_shows_its_warnings(self):
        page, _ = self.report_of(SEED.read_bytes(), "mali.txt")
        record = ImportRecord.objects.get()
        record.report = {"recognised": [], "warnings": ["An old warning."]}
        record.save()
        page = self.client.get(page.wsgi_request.path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Still to check An old warning.", report_text(page))
        self.assertContains(page, "Open the draft")


class EveryOldSheetTests(ImportReportTestCase):
    """Each of the written variants of old sheets (tests/data/import/README.md), as
    the editor reads its report."""

    def test_every_variant_is_reported_with_its_title_bureau_date_and_country(self):
        checked = 0
        for path in sorted(DATA.glob("*.expected.json")):
            expected = json.loads(path.read_text(encoding="utf-8"))
            if expected["country"] is None:
                continue  # refused with its own message (test_importer.py)
            source = DATA / expected["source"]
            with self.subTest(variant=source.name):
                FactSheet.objects.all().delete()
                page, sheet = self.report_of(source.read_bytes(), source.name)
                text = report_text(page)
                self.assertEqual(sheet.country.name, expected["country"])
                self.assertIn(expected["country"], text)
                self.assertRegex(text, r"Country .* Matched (to|by)")
                if expected.get("title"):
                    self.assertIn(f"Title {expected['title']}", text)
                if expected.get("bureau"):
                    self.assertIn(f"Bureau {expected['bureau']}", text)
                if expected.get("issued_on"):
                    self.assertIn(
                        f"Issue date {sheet.issued_on:%B} {sheet.issued_on.day}, "
                        f"{sheet.issued_on.year}",
                        text,
                    )
                else:
                    self.assertIn("Issue date None found", text)
                sections = len(expected.get("section_headings", []))
                if sections:
                    self.assertRegex(text, rf"Rows {sections:,} sections?,")
                checked += 1
        self.assertGreaterEqual(checked, 45)


class ImportReportBrowserTests(BrowserTestCase):
    fixtures = ["bureaus", "countries"]

    def test_the_report_has_no_violations_and_leads_to_the_draft(self):
        make_user("editor", "Editors")
        # Signed in before the next page is asked for, or it asks to sign in.
        self.sign_in("editor")
        self.open(URL)
        self.browser.find_element(By.ID, "id_file").send_keys(str(SEED))
        self.browser.find_element(By.CSS_SELECTOR, "input[type=submit].default").click()
        WebDriverWait(self.browser, 5).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, "table.import-report"))
        )
        self.assertNoAxeViolations()
        self.browser.find_element(By.LINK_TEXT, "Open the draft").click()
        sheet = FactSheet.objects.get()
        WebDriverWait(self.browser, 5).until(
            EC.url_contains(f"/admin/factsheets/factsheet/{sheet.pk}/change/")
        )
