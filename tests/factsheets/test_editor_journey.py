"""An editor's whole journey through the real admin in a real browser, and the admin's accessibility."""

import pytest
from django.contrib.auth.models import User
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from factsheets import revisions
from factsheets.models import FactSheet
from tests.helpers.browser import DJANGO_ADMIN_VIOLATIONS, BrowserTestCase


class EditorJourneyTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    @pytest.fixture(autouse=True)
    def _pdftotext(self, pdftotext):
        self.pdftotext = pdftotext

    def setUp(self):
        User.objects.create_superuser(
            "editor", "editor@example.gov", "a-long-passphrase"
        )

    def add_row(self, group):
        """Click the inline's “Add another” link; return the new row's number."""
        before = len(
            self.browser.find_elements(
                By.CSS_SELECTOR, f"#{group}-group .dynamic-{group}"
            )
        )
        self.find(f"#{group}-group .add-row a").click()
        self.wait(
            lambda d: (
                len(
                    d.find_elements(By.CSS_SELECTOR, f"#{group}-group .dynamic-{group}")
                )
                > before
            )
        )
        return before

    def fill(self, field_id, value):
        element = self.find(f"#id_{field_id}")
        element.clear()
        element.send_keys(value)

    def editor(self, row):
        return self.find(f"#sections-{row} .ProseMirror")

    def menu_button(self, row, name):
        return self.find(f'#sections-{row} .prose-menubar__button[data-name="{name}"]')

    def choose_country(self, name):
        self.find("#id_country + .select2 .select2-selection").click()
        search = self.wait(
            EC.visibility_of_element_located(
                (By.CSS_SELECTOR, ".select2-search__field")
            )
        )
        search.send_keys(name)
        self.wait(
            EC.text_to_be_present_in_element(
                (By.CSS_SELECTOR, ".select2-results__option--highlighted"), name
            )
        )
        search.send_keys(Keys.ENTER)

    def type_paragraph_with_link(self, row, text, link_text, url):
        area = self.editor(row)
        area.click()
        area.send_keys(text, link_text)
        for _ in link_text:
            area.send_keys(Keys.SHIFT, Keys.ARROW_LEFT)
        self.menu_button(row, "link").click()
        dialog = self.wait(
            EC.visibility_of_element_located((By.CSS_SELECTOR, "dialog[open]"))
        )
        self.find('input[name="href"]', dialog).send_keys(url)
        self.find('button[type="submit"]', dialog).click()
        self.wait(EC.invisibility_of_element_located((By.CSS_SELECTOR, "dialog[open]")))

    def type_numbered_list(self, row, items):
        area = self.editor(row)
        area.click()
        self.menu_button(row, "orderedList").click()
        area.send_keys(Keys.ENTER.join(items))

    def save(self, button="_continue"):
        page = self.find("html")
        self.find(f'input[name="{button}"]').click()
        self.wait(EC.staleness_of(page))

    def field_errors(self, row_selector, field):
        return (
            self.find(f"{row_selector} td.field-{field}")
            .find_element(By.CSS_SELECTOR, "ul.errorlist")
            .text
        )

    def test_create_preview_publish_and_print_a_sheet(self):
        self.sign_in("editor", "a-long-passphrase")
        self.open("/admin/factsheets/factsheet/add/")
        self.choose_country("Niger")
        self.fill("issued_on", "2026-11-01")
        self.fill(
            "lead", "More information about Niger is available on the Niger page."
        )

        self.add_row("sections")
        self.add_row("sections")
        self.fill("sections-0-position", "1")
        self.type_paragraph_with_link(
            0,
            "Niger and the United States work together. ",
            "Read the strategy",
            "https://www.usaid.gov/niger",
        )
        self.fill("sections-1-position", "2")
        self.fill("sections-1-heading", "U.S. Assistance to Niger")
        self.type_numbered_list(
            1, ["Strengthen governance", "Improve health", "Expand trade"]
        )

        self.add_row("assistance_lines")
        self.fill("assistance_lines-0-year", "2026")
        self.fill("assistance_lines-0-amount_usd", "-5")
        self.fill("assistance_lines-0-agency", "USAID")

        self.add_row("officials")
        self.fill("officials-0-role", "U.S. Ambassador to Niger")
        self.fill("officials-0-name", "A. Diplomat")

        self.add_row("related_links")
        self.add_row("related_links")
        self.fill("related_links-0-title", "Department of State Niger Page")
        self.fill("related_links-0-url", "javascript:alert(1)")
        self.fill("related_links-1-title", "Niger travel information")
        self.fill("related_links-1-url", "https://travel.state.gov/")
        self.save()

        # Refused, with each message next to its field, and nothing saved or lost.
        self.assertFalse(FactSheet.objects.filter(country__slug="niger").exists())
        self.assertIn(
            "An amount cannot be negative.",
            self.field_errors("#assistance_lines-0", "amount_usd"),
        )
        self.assertIn(
            "Enter an address starting with https://",
            self.field_errors("#related_links-0", "url"),
        )
        self.assertEqual(
            self.find("#id_sections-1-heading").get_attribute("value"),
            "U.S. Assistance to Niger",
        )
        self.assertEqual(
            self.find("#id_officials-0-name").get_attribute("value"), "A. Diplomat"
        )
        self.assertEqual(
            self.find("#id_related_links-1-url").get_attribute("value"),
            "https://travel.state.gov/",
        )
        self.assertEqual(
            self.find("#id_issued_on").get_attribute("value"), "2026-11-01"
        )
        self.assertIn("Niger", self.find("#id_country + .select2").text)
        self.assertEqual(
            [li.text for li in self.editor(1).find_elements(By.CSS_SELECTOR, "ol li")],
            ["Strengthen governance", "Improve health", "Expand trade"],
        )
        link = self.editor(0).find_element(By.CSS_SELECTOR, "a")
        self.assertEqual(
            (link.text, link.get_attribute("href")),
            ("Read the strategy", "https://www.usaid.gov/niger"),
        )

        # Corrected, it saves as a draft, which the public cannot see.
        self.fill("assistance_lines-0-amount_usd", "$250 million")
        self.fill("related_links-0-url", "https://www.state.gov/countries-areas/niger/")
        self.save()
        self.assertIn("was added successfully", self.find(".messagelist").text)
        sheet = FactSheet.objects.get(country__slug="niger")
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)
        self.open("/fact-sheets/niger/")
        self.assertIn("Page not found", self.find("h1").text)

        # Published, it is on the home page and at its address, list and link intact.
        # The administrator who wrote it publishes it past the second pair of eyes,
        # saying so on the page.
        self.open(f"/admin/factsheets/factsheet/{sheet.pk}/change/")
        self.find("#id_override_review").click()
        self.save("_publish")
        self.assertIn("is published", self.find(".messagelist").text)
        self.open("/")
        self.find("a[href='/fact-sheets/niger/']").click()
        self.wait(EC.title_contains("U.S. Relations With Niger"))
        self.assertEqual(
            [
                li.text
                for li in self.browser.find_elements(
                    By.CSS_SELECTOR, ".factsheet__section ol li"
                )
            ],
            ["Strengthen governance", "Improve health", "Expand trade"],
        )
        link = self.find(".factsheet__section a[href='https://www.usaid.gov/niger']")
        self.assertEqual(link.text, "Read the strategy")
        self.assertIn(
            "Niger and the United States work together.",
            self.find(".factsheet__section--opening").text,
        )
        self.assertIn("$250 million", self.find(".assistance-table").text)

        printed = " ".join(self.pdf_pages(self.print_pdf("letter"), self.pdftotext))
        for text in [
            "U.S. Relations With Niger",
            "Strengthen governance",
            "Read the strategy",
            "https://www.usaid.gov/niger",
            "https://travel.state.gov/",
        ]:
            with self.subTest(printed=text):
                self.assertIn(text, printed)


class AdminAccessibilityTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_our_admin_templates_and_widgets_add_no_violations(self):
        User.objects.create_superuser(
            "editor", "editor@example.gov", "a-long-passphrase"
        )
        self.open("/admin/login/")
        found = {"login": self.axe()}
        self.browser.find_element(By.ID, "id_username").send_keys("editor")
        self.browser.find_element(By.ID, "id_password").send_keys(
            "a-long-passphrase", Keys.ENTER
        )
        WebDriverWait(self.browser, 5).until(
            EC.presence_of_element_located((By.ID, "user-tools"))
        )
        # Two saves, so that the workflow pages have revisions to show.
        sheet = FactSheet.objects.get(pk=1)
        for title in ("Second title", "U.S. Relations With Mali"):
            sheet.title = title
            sheet.save()
        new, old = revisions.sheet_versions(sheet)[:2]
        sheet_admin = "/admin/factsheets/factsheet/1"
        pages = {
            "sheet list": "/admin/factsheets/factsheet/",
            "sheet change form": f"{sheet_admin}/change/",
            "sheet add form": "/admin/factsheets/factsheet/add/",
            "import form": "/admin/factsheets/factsheet/import/",
            "revisions": f"{sheet_admin}/history/",
            "revision comparison": f"{sheet_admin}/revisions/compare/?from={old.pk}&to={new.pk}",
            "restore": f"{sheet_admin}/revisions/{old.pk}/restore/",
            "new edition": f"{sheet_admin}/new-edition/",
            "preview link": f"{sheet_admin}/preview-links/new/",
        }
        for name, path in pages.items():
            self.open(path)
            if path.endswith("/1/change/"):
                # Every rich-text editor is running, and a newly added row's too.
                WebDriverWait(self.browser, 5).until(
                    lambda d: (
                        len(
                            d.find_elements(
                                By.CSS_SELECTOR,
                                "#sections-group .dynamic-sections .ProseMirror",
                            )
                        )
                        == 5
                    )
                )
                self.browser.find_element(
                    By.CSS_SELECTOR, "#sections-group .add-row a"
                ).click()
                self.browser.find_element(
                    By.CSS_SELECTOR, "#related_links-group .add-row a"
                ).click()
            found[name] = self.axe()
        for name, violations in found.items():
            for violation in violations:
                for target in violation["targets"]:
                    with self.subTest(page=name, rule=violation["id"], target=target):
                        known = any(
                            rule == violation["id"] and part in str(target)
                            for rule, part in DJANGO_ADMIN_VIOLATIONS
                        )
                        self.assertTrue(
                            known, f"{violation['id']}: {violation['help']} at {target}"
                        )
