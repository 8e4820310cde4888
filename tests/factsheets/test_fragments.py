"""Parts of public pages kept rendered (factsheets/fragments.py).

The page cache is off here, so every request renders its page: from the parts kept,
where they are. A kept part is reused (its rows are not read again), and after each
change, a real save through the ORM or the admin's form, every page is byte for byte
the page rendered whole (PAGE_FRAGMENTS off).

Four current sheets in two bureaus, A to Z: Chad, Mali and Niger (African Affairs),
Peru (Western Hemisphere); Mali has an older edition too.
"""

import datetime
import re
from decimal import Decimal
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pagecache
from factsheets import sheet_operations
from factsheets.models import ChangeNote, FactSheet, PreviewLink
from tests.helpers.admin_forms import change_data, change_url
from tests.helpers.catalogues import LIST_PAGES, make_two_bureaus
from tests.helpers.factories import (
    make_country,
    make_full_factsheet,
    make_official,
    make_related_link,
    make_user,
)

MALI_2012 = "/fact-sheets/mali/2012-01-10/"
LISTS = LIST_PAGES
SHEETS = [f"/fact-sheets/{slug}/" for slug in ("chad", "mali", "niger", "peru")]
PAGES = [*LISTS, *SHEETS, MALI_2012]
# The rows of a sheet's text, each in a table of its own.
ROW_TABLES = [
    "factsheets_section",
    "factsheets_assistanceline",
    "factsheets_official",
    "factsheets_relatedlink",
    "factsheets_changenote",
]


def at(moment):
    """Runs the code under it as if the clock said `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def printed_on(moment):
    """Templates' {% now %} says `moment`."""
    clock = mock.Mock(wraps=datetime.datetime)
    clock.now.return_value = moment
    return mock.patch("django.template.defaulttags.datetime", clock)


@override_settings(PAGE_CACHE=False)
class KeptPartsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        made = make_two_bureaus(african=["Chad", "Mali", "Niger"], western=["Peru"])
        cls.countries, cls.sheets = made.countries, made.sheets
        cls.mali_2012 = made.mali_2012
        cls.bureaus = made.bureaus
        cls.publisher = make_user("publisher", "Publishers")

    def keep(self, urls=PAGES):
        """Render every page, keeping its parts."""
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def whole(self, url):
        with override_settings(PAGE_FRAGMENTS=False):
            return self.client.get(url)

    def assertWhole(self, urls=PAGES):
        """Every page, put together from what is kept, is the page rendered whole."""
        for url in urls:
            served = self.client.get(url)
            whole = self.whole(url)
            with self.subTest(url=url):
                self.assertEqual(
                    (served.status_code, served.content.decode()),
                    (whole.status_code, whole.content.decode()),
                )


class ReuseTests(KeptPartsTestCase):
    def test_a_sheet_page_reads_nothing_when_its_parts_are_kept(self):
        url = "/fact-sheets/mali/"
        first = self.client.get(url)
        # Not the sheet (kept with its country and bureau), not its rows.
        with self.assertNumQueries(0):
            again = self.client.get(url)
        self.assertEqual(again.content, first.content)
        self.assertEqual(again.content, self.whole(url).content)

    def test_each_sheet_keeps_parts_of_its_own(self):
        for url in SHEETS:
            self.client.get(url)
        for url in SHEETS:
            with self.subTest(url), self.assertNumQueries(0):
                self.client.get(url)

    def test_an_edit_of_a_sheet_reads_its_rows_again_and_nothing_else(self):
        self.keep(SHEETS)
        section = self.sheets["Mali"].sections.first()
        section.body = "<p>Edited.</p>"
        section.save()
        with CaptureQueriesContext(connection) as queries:
            self.assertContains(self.client.get("/fact-sheets/mali/"), "Edited.")
        read = " ".join(query["sql"] for query in queries)
        for table in ROW_TABLES:
            self.assertIn(table, read)
        # The sheet, its five kinds of rows and its editions: not the current
        # sheets, whose navigation is kept.
        self.assertEqual(len(queries), 7, [q["sql"] for q in queries])
        for url in SHEETS[:1] + SHEETS[2:]:
            with self.subTest(url), self.assertNumQueries(0):
                self.client.get(url)

    def test_an_edition_page_reads_none_of_its_rows_when_its_parts_are_kept(self):
        self.client.get(MALI_2012)
        with CaptureQueriesContext(connection) as queries:
            again = self.client.get(MALI_2012)
        # The edition at its address, the country's editions, the edition itself.
        self.assertEqual(len(queries), 3, [q["sql"] for q in queries])
        self.assertContains(again, "This edition has been superseded")
        self.assertEqual(again.content, self.whole(MALI_2012).content)

    def test_the_lists_read_nothing_when_their_parts_are_kept(self):
        for url, expected in [
            ("/", 0),
            ("/fact-sheets/", 0),
            ("/fact-sheets/?by=bureau", 0),
            ("/bureaus/african-affairs/", 1),  # the bureau named in the address
        ]:
            self.client.get(url)
            with self.subTest(url), self.assertNumQueries(expected):
                again = self.client.get(url)
            self.assertEqual(again.content, self.whole(url).content)

    def test_a_change_to_one_sheet_renders_only_its_letter_again(self):
        self.client.get("/fact-sheets/")
        country = self.countries["Niger"]
        country.name = "Niger Republic"
        country.save()
        response = self.client.get("/fact-sheets/")
        self.assertContains(response, "Niger Republic")
        letters = [
            template.name
            for template in response.templates
            if template.name.endswith("/_index_list.html")
        ]
        self.assertEqual(len(letters), 1)  # N; C, M and P are kept

    def test_each_page_is_the_page_rendered_whole(self):
        self.keep()
        self.assertWhole()

    def test_the_print_date_is_not_kept(self):
        evening = timezone.make_aware(datetime.datetime(2026, 3, 2, 23, 59))
        with printed_on(evening):
            self.assertContains(self.client.get("/fact-sheets/mali/"), "March 2, 2026")
        with printed_on(evening + datetime.timedelta(minutes=2)):
            page = self.client.get("/fact-sheets/mali/")
        self.assertContains(page, "March 3, 2026")
        self.assertNotContains(page, "March 2, 2026")

    def test_a_failing_cache_leaves_every_part_rendered(self):
        self.keep()
        with mock.patch.object(cache, "get_many", side_effect=ConnectionError):
            for url in PAGES:
                with self.subTest(url):
                    served = self.client.get(url)
                    self.assertEqual(served.content, self.whole(url).content)

    @override_settings(PAGE_FRAGMENTS=False)
    def test_parts_are_not_kept_when_turned_off(self):
        self.client.get("/fact-sheets/mali/")
        with self.assertNumQueries(8):
            self.client.get("/fact-sheets/mali/")


class PreviewTests(KeptPartsTestCase):
    """Previews render drafts: they never take a part kept for the public pages."""

    def assertRendersItsRows(self, url):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context.get("fragments"))
        read = " ".join(query["sql"] for query in queries)
        for table in ROW_TABLES[:4]:
            self.assertIn(table, read)
        return response

    def test_an_editors_preview_renders_every_part(self):
        self.keep(["/fact-sheets/mali/"])
        self.client.force_login(self.publisher)
        response = self.assertRendersItsRows(self.sheets["Mali"].get_preview_url())
        self.assertContains(response, "Preview: published.")

    def test_a_shared_preview_renders_every_part(self):
        self.keep(["/fact-sheets/mali/"])
        link = PreviewLink.create(self.sheets["Mali"], days=7)
        response = self.assertRendersItsRows(link.get_absolute_url())
        self.assertContains(response, "Preview: published.")

    def test_a_drafts_preview_shows_the_draft(self):
        self.keep()
        draft = sheet_operations.new_edition(
            self.sheets["Niger"], datetime.date(2016, 3, 1), by=self.publisher
        )
        section = draft.sections.first()
        section.body = "<p>Only in the draft.</p>"
        section.save()
        self.client.force_login(self.publisher)
        response = self.assertRendersItsRows(draft.get_preview_url())
        self.assertContains(response, "Only in the draft.")
        self.client.logout()
        self.assertNotContains(self.client.get("/fact-sheets/niger/"), "Only in the")
        self.assertWhole()


class ChangeTests(KeptPartsTestCase):
    """After each change, the pages that show it render it, and every page is the
    page rendered whole."""

    def setUp(self):
        self.keep()

    def test_a_section_saved(self):
        section = self.sheets["Niger"].sections.first()
        section.body = "<p>Niger's text, edited.</p>"
        section.save()
        self.assertContains(self.client.get("/fact-sheets/niger/"), "text, edited.")
        self.assertWhole()

    def test_a_section_through_the_admin(self):
        sheet = self.sheets["Niger"]
        self.client.force_login(self.publisher)
        data = change_data(sheet)
        data["sections-0-body"] = "<p>Corrected in place.</p>"
        data["sections-1-heading"] = "A heading corrected"
        response = self.client.post(change_url(sheet), data)
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        page = self.client.get("/fact-sheets/niger/")
        self.assertContains(page, "Corrected in place.")
        # The contents list at the top names the section too.
        self.assertContains(page, 'href="#a-heading-corrected"')
        self.assertWhole()

    def test_the_rows_of_the_sheet(self):
        sheet = self.sheets["Mali"]
        line = sheet.assistance_lines.first()
        line.amount_usd = Decimal("246800000")
        line.save()
        make_official(sheet, role="Deputy Chief of Mission", name="A. Deputy")
        sheet.officials.first().delete()
        make_related_link(sheet, title="A new link", url="https://example.org/new/")
        ChangeNote.objects.create(factsheet=sheet, note="Figures corrected.")
        page = self.client.get("/fact-sheets/mali/")
        for shown in (
            "$246.8 million",
            "A. Deputy",
            "A new link",
            "Figures corrected.",
        ):
            self.assertContains(page, shown)
        self.assertWhole()

    def test_the_sheet_retitled_with_a_new_lead(self):
        sheet = FactSheet.objects.get(pk=self.sheets["Chad"].pk)
        sheet.title = "U.S. Relations With the Republic of Chad"
        sheet.lead = "A lead written again."
        sheet.save()
        page = self.client.get("/fact-sheets/chad/")
        self.assertContains(page, "U.S. Relations With the Republic of Chad")
        self.assertContains(page, "A lead written again.")
        self.assertWhole()

    def test_a_country_renamed(self):
        country = self.countries["Niger"]
        country.name = "Republic of Niger"
        country.save()
        # Its bureau's other sheets name it, and so does its neighbour A to Z.
        for url in ("/", "/fact-sheets/", "/fact-sheets/chad/", "/fact-sheets/mali/"):
            self.assertContains(self.client.get(url), "Republic of Niger")
        self.assertWhole()

    def test_a_bureau_renamed(self):
        bureau = self.bureaus["West"]
        bureau.name = "Bureau of Hemisphere Affairs"
        bureau.save()
        for url in ("/", "/fact-sheets/?by=bureau", "/fact-sheets/peru/"):
            self.assertContains(self.client.get(url), "Bureau of Hemisphere Affairs")
        self.assertWhole()

    def test_a_new_edition_published(self):
        draft = sheet_operations.new_edition(
            self.sheets["Niger"], datetime.date(2016, 3, 1), by=self.publisher
        )
        self.assertWhole()
        sheet_operations.publish(FactSheet.objects.get(pk=draft.pk), by=None)
        old_edition = f"/fact-sheets/niger/{self.sheets['Niger'].issued_on}/"
        self.assertContains(self.client.get(old_edition), "has been superseded")
        self.assertContains(self.client.get("/fact-sheets/niger/"), "All editions")
        self.assertWhole([*PAGES, old_edition])

    def test_a_first_sheet_published_in_a_bureau(self):
        country = make_country(
            bureau=self.bureaus["Africa"], name="Nigeria", slug="nigeria"
        )
        draft = make_full_factsheet(
            country=country, status=FactSheet.Status.DRAFT, publish_at=None
        )
        self.assertWhole()
        sheet_operations.publish(draft, by=None)
        for url in ("/fact-sheets/", "/fact-sheets/chad/", "/fact-sheets/mali/"):
            self.assertContains(self.client.get(url), "/fact-sheets/nigeria/")
        self.assertWhole([*PAGES, "/fact-sheets/nigeria/"])

    def test_a_sheet_unpublished(self):
        sheet_operations.unpublish(self.sheets["Niger"], by=None)
        self.assertEqual(self.client.get("/fact-sheets/niger/").status_code, 404)
        self.assertNotContains(self.client.get("/fact-sheets/mali/"), "Niger")
        self.assertWhole([url for url in PAGES if "niger" not in url])

    def test_a_scheduled_sheet_going_live(self):
        """Its publish time comes with nobody saving."""
        soon = timezone.now() + datetime.timedelta(hours=1)
        make_full_factsheet(
            country=make_country(
                bureau=self.bureaus["Africa"], name="Nigeria", slug="nigeria"
            ),
            publish_at=soon,
        )
        self.keep()
        self.assertNotContains(self.client.get("/fact-sheets/"), "Nigeria")
        with at(soon + datetime.timedelta(seconds=1)):
            for url in ("/fact-sheets/", "/fact-sheets/mali/"):
                self.assertContains(self.client.get(url), "/fact-sheets/nigeria/")
            self.assertWhole()

    def test_rows_written_without_signals_then_invalidate(self):
        FactSheet.objects.filter(pk=self.sheets["Peru"].pk).update(
            title="Bulk-updated title", lead="Bulk-updated lead."
        )
        pagecache.invalidate()
        page = self.client.get("/fact-sheets/peru/")
        self.assertContains(page, "Bulk-updated lead.")
        self.assertEqual(
            re.findall(
                r'<h1 id="factsheet-title"[^>]*>([^<]*)</h1>', page.content.decode()
            ),
            ["Bulk-updated title"],
        )
        self.assertWhole()
