"""The editorial workflow in a real browser: a new edition made, edited and published
through the admin, what the public then reads (the current sheet, the superseded
edition, the comparison), and those pages' accessibility and print."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from factsheets import sheet_operations
from factsheets.models import ChangeNote, EditingSession, FactSheet
from tests.helpers.browser import WIDTHS, BrowserTestCase

OLD, NEW = "2015-10-15", "2016-03-01"
CURRENT = "/fact-sheets/mali/"
SUPERSEDED = f"/fact-sheets/mali/{OLD}/"
COMPARISON = f"/fact-sheets/mali/changes/?from={OLD}&to={NEW}"
NOTE = "Corrected the ambassador’s name."

# Selects `text` inside a rich-text editing area, as a reader's drag would; the
# editor takes the browser's selection as its own.
SELECT_TEXT = """
const [area, text] = arguments;
const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const start = node.data.indexOf(text);
  if (start >= 0) {
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, start + text.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return true;
  }
}
return false;
"""


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


class WorkflowBrowserTestCase(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def text(self):
        """The open page's visible text, as a reader (or a copy) gets it."""
        return squash(self.js("return document.body.innerText"))

    def sign_in_as_publisher(self):
        """As a publisher, through the admin's sign-in page."""
        if not User.objects.filter(username="publisher").exists():
            User.objects.create_superuser(
                "publisher", "publisher@example.gov", "a-long-passphrase"
            )
        self.sign_in("publisher", "a-long-passphrase")


class EditionJourneyTests(WorkflowBrowserTestCase):
    def as_the_public(self):
        """Signed out: what follows is what anyone reads."""
        self.browser.delete_all_cookies()

    def open_change_form(self, sheet):
        self.open(f"/admin/factsheets/factsheet/{sheet.pk}/change/")
        sections = sheet.sections.count()
        # Every section's rich-text editor is running.
        self.wait(
            lambda d: (
                len(d.find_elements(By.CSS_SELECTOR, "#sections-group .ProseMirror"))
                == sections
            )
        )

    def section_editor(self, heading):
        """The editing area of the section with this heading."""
        for row in self.find_all("#sections-group .dynamic-sections"):
            value = self.find("input[name$='-heading']", row).get_attribute("value")
            if value == heading:
                return self.find(".ProseMirror", row)
        self.fail(f"no section headed {heading!r} on the form")

    def replace_in_section(self, heading, old, new):
        """Select `old` in the section's text and type `new` over it, by keyboard."""
        area = self.section_editor(heading)
        area.click()
        # The editor takes the selection from a queued "selectionchange" event, and
        # on a busy machine its own handling of the click may come after ours and
        # put the caret back: select, let the page run its queued tasks, and select
        # again until the selection is still there before typing over it.
        for _ in range(5):
            self.assertTrue(
                self.js(SELECT_TEXT, area, old), f"{old!r} is not in the text"
            )
            self.browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done)));"
            )
            if self.js("return window.getSelection().toString();") == old:
                break
        ActionChains(self.browser).send_keys(new).perform()
        self.wait(lambda d: new in area.text and old not in area.text, timeout=15)

    def click(self, css):
        """Click a link or button that loads a new page, and wait for it."""
        page = self.find("html")
        self.find(css).click()
        self.wait(EC.staleness_of(page))

    def test_new_edition_edited_published_compared_and_noted(self):
        """An edition made through the admin replaces the current sheet; the old one
        stays readable at its date, marked superseded; the comparison shows the words
        changed; a major change to the new edition is dated and noted for readers."""
        mali = FactSheet.objects.get(country__slug="mali")
        self.sign_in_as_publisher()
        self.open_change_form(mali)
        self.click(".object-tools a[href$='/new-edition/']")
        self.assertEqual(
            self.browser.current_url,
            f"{self.live_server_url}/admin/factsheets/factsheet/{mali.pk}/new-edition/",
        )
        issued_on = self.find("input[name='issued_on']")
        issued_on.clear()
        issued_on.send_keys(NEW)
        self.click("input[type='submit'][value='Create the new edition']")

        # The draft's change form, with the old sheet's rows; the public sees no change.
        self.assertIn("It is not published.", self.find(".messagelist").text)
        draft = FactSheet.objects.get(country__slug="mali", issued_on=date(2016, 3, 1))
        self.assertEqual(draft.status, FactSheet.Status.DRAFT)
        self.assertEqual(
            self.browser.current_url,
            f"{self.live_server_url}/admin/factsheets/factsheet/{draft.pk}/change/",
        )
        self.wait(
            lambda d: (
                len(d.find_elements(By.CSS_SELECTOR, "#sections-group .ProseMirror"))
                == mali.sections.count()
            )
        )
        self.replace_in_section(
            "Bilateral Representation", "Paul A. Folmsbee", "Dennis Hankins"
        )
        # The administrator who made the edition publishes it past the second pair
        # of eyes, saying so on the page.
        self.find("#id_override_review").click()
        self.click("input[name='_publish']")
        self.assertIn("is published.", self.find(".messagelist").text)
        draft.refresh_from_db()
        self.assertEqual(draft.status, FactSheet.Status.PUBLISHED)
        self.assertIn(
            "The U.S. Ambassador to Mali is Dennis Hankins;",
            draft.sections.get(heading="Bilateral Representation").body,
        )

        # The current sheet is the new edition, and lists the one it replaced.
        self.as_the_public()
        self.open(CURRENT)
        page = self.text()
        self.assertIn("The U.S. Ambassador to Mali is Dennis Hankins;", page)
        self.assertNotIn("Mali is Paul A. Folmsbee", page)
        self.assertIn("March 1, 2016 (this edition)", page)
        self.assertEqual(
            self.find(f".factsheet__record a[href='{SUPERSEDED}']").text,
            "October 15, 2015",
        )
        changes_link = self.find(".factsheet__record a[href*='/changes/']")
        self.assertEqual(changes_link.text, "Changes since October 15, 2015")
        self.assertEqual(
            changes_link.get_attribute("href"), self.live_server_url + COMPARISON
        )
        self.assertFalse(self.find_all("meta[name='robots']"))

        # The old edition keeps its address, says it is superseded, and is not indexed.
        self.open(SUPERSEDED)
        notice = self.find(".factsheet__superseded")
        self.assertIn("This edition has been superseded", notice.text)
        self.assertEqual(
            self.find("a", notice).get_attribute("href"),
            self.live_server_url + CURRENT,
        )
        self.assertEqual(
            self.find("meta[name='robots']").get_attribute("content"), "noindex"
        )
        self.assertIn("The U.S. Ambassador to Mali is Paul A. Folmsbee;", self.text())

        # The comparison marks the words removed and added, in words as well as style.
        self.open(CURRENT)
        self.click(".factsheet__record a[href*='/changes/']")
        self.assertEqual(self.browser.current_url, self.live_server_url + COMPARISON)
        removed = " ".join(el.text for el in self.find_all(".changes__text del"))
        added = " ".join(el.text for el in self.find_all(".changes__text ins"))
        self.assertIn("Folmsbee", removed)
        self.assertNotIn("Hankins", removed)
        self.assertIn("Hankins", added)
        self.assertNotIn("Folmsbee", added)
        page = self.text()
        self.assertIn("[+", page)
        self.assertIn("[−", page)
        self.assertRegex(page, r"\[−[^\]]*Folmsbee;?\]")
        self.assertRegex(page, r"\[\+[^\]]*Hankins;?\]")

        # A major change to the published edition: readers see when, and why.
        self.sign_in_as_publisher()
        new = FactSheet.objects.get(pk=draft.pk)
        self.open_change_form(new)
        self.replace_in_section(
            "Bilateral Representation", "Dennis Hankins", "Dennis B. Hankins"
        )
        self.find("input[name='change_kind'][value='major']").click()
        self.find("#id_change_note").send_keys(NOTE)
        self.click("input[name='_continue']")
        self.assertIn("was changed successfully", self.find(".messagelist").text)
        self.assertEqual(
            list(
                ChangeNote.objects.filter(factsheet=new).values_list("note", flat=True)
            ),
            [NOTE],
        )

        new.refresh_from_db()
        changed = timezone.localtime(new.revised_at)
        self.as_the_public()
        self.open(CURRENT)
        self.assertIn(
            f"Last updated {changed:%B} {changed.day}, {changed.year}",
            self.find(".factsheet__meta").text,
        )
        record = self.find(".factsheet__record").text
        self.assertIn("Changes to this edition", record)
        self.assertIn(NOTE, record)
        self.assertIn("The U.S. Ambassador to Mali is Dennis B. Hankins;", self.text())


class NewEditionPagesTests(WorkflowBrowserTestCase):
    """The pages a second edition brings, set up directly: the current sheet with its
    editions and a change note, the superseded edition, and the comparison."""

    @pytest.fixture(autouse=True)
    def _pdftotext(self, pdftotext):
        self.pdftotext = pdftotext

    def setUp(self):
        mali = FactSheet.objects.get(country__slug="mali")
        new = sheet_operations.new_edition(mali, date(2016, 3, 1), by=None)
        section = new.sections.get(heading="Bilateral Representation")
        section.body = section.body.replace("Paul A. Folmsbee", "Dennis B. Hankins")
        section.save()
        sheet_operations.publish(new, by=None)
        new.revised_at = timezone.now()
        new.save()
        ChangeNote.objects.create(factsheet=new, note=NOTE)

    def test_new_public_pages_have_no_wcag_a_or_aa_violations(self):
        """axe-core finds nothing at desktop and phone widths on the new pages."""
        # Each page, and words that show it is in the state it is checked for.
        pages = {
            "current sheet": (CURRENT, NOTE),
            "superseded edition": (SUPERSEDED, "This edition has been superseded"),
            "comparison": (COMPARISON, "[+"),
            "comparison of no such edition": (
                "/fact-sheets/mali/changes/?from=1999-01-01",
                "There is no published edition",
            ),
        }
        for page, (path, shown) in pages.items():
            self.open(path)
            self.assertIn(shown, self.text(), page)
            for device, width in WIDTHS.items():
                with self.subTest(page=page, width=device):
                    self.set_viewport(width)
                    self.assertNoAxeViolations()

    def test_superseded_edition_says_so_on_paper(self):
        """A superseded edition printed says so, and where the current one is, above
        its own (old) text."""
        self.open(SUPERSEDED)
        for paper in ["letter", "a4"]:
            with self.subTest(paper=paper):
                printed = squash(
                    " ".join(self.pdf_pages(self.print_pdf(paper), self.pdftotext))
                )
                notice = printed.find("This edition has been superseded")
                self.assertGreater(notice, -1, "the notice is not printed")
                self.assertIn(f"at {self.live_server_url}/fact-sheets/mali/.", printed)
                self.assertGreater(
                    printed.find("The U.S. Ambassador to Mali is Paul A. Folmsbee;"),
                    notice,
                )

    def test_the_comparison_prints_its_marks_in_words(self):
        """On paper, without colour, removed and added words still say which is which."""
        self.open(COMPARISON)
        printed = squash(
            " ".join(self.pdf_pages(self.print_pdf("letter"), self.pdftotext))
        )
        self.assertIn("[−Paul A. Folmsbee]", printed.replace(" ]", "]"))
        self.assertIn("[+Dennis B. Hankins]", printed.replace(" ]", "]"))
        self.assertIn("Removed words are struck through", printed)
        # The form to pick other editions is for the screen only.
        self.assertNotIn("Compare", printed.split("Removed words")[0])


class PresenceTests(WorkflowBrowserTestCase):
    def test_an_editor_who_leaves_the_form_is_no_longer_named_as_editing_it(self):
        sheet = FactSheet.objects.get()
        self.sign_in_as_publisher()
        self.open(f"/admin/factsheets/factsheet/{sheet.pk}/change/")
        self.wait(EC.presence_of_element_located((By.ID, "factsheet_form")))
        self.assertTrue(EditingSession.objects.filter(factsheet=sheet).exists())
        # Gone to another page, without saving: the page's beacon says so.
        self.open("/admin/")
        self.wait(lambda d: not EditingSession.objects.filter(factsheet=sheet).exists())
