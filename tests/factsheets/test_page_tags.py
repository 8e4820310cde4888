"""A change makes stale only the stored pages that show it (factsheets/page_tags.py).

Five current sheets in two bureaus, A to Z: Chile and Peru (Western Hemisphere),
Mali, Niger and Senegal (African Affairs); Mali has an older edition too. Every
public page is stored first; after each change, the pages rendered again must be
exactly those that show it, and every page served must be the page rendered now.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.test import TestCase

import pagecache
from factsheets import page_tags, sheet_operations
from factsheets.models import FactSheet
from tests.helpers.admin_forms import change_data, change_url
from tests.helpers.catalogues import LIST_PAGES, make_two_bureaus
from tests.helpers.factories import (
    make_country,
    make_full_factsheet,
    make_section,
    make_user,
)
from tests.helpers.page_cache import lists_compared, not_fresh, stale_ones

LISTS = [
    *LIST_PAGES,
    "/bureaus/african-affairs/feed.atom",
    "/bureaus/western-hemisphere/feed.atom",
    "/feeds/fact-sheets.atom",
    "/sitemap.xml",
    "/fact-sheets.json",
    "/search/",
    "/assistance/",
    "/assistance.csv",
    "/key-officers/",
]


def pages_of(slug):
    return [
        f"/fact-sheets/{slug}/",
        f"/fact-sheets/{slug}.json",
        f"/fact-sheets/{slug}/feed.atom",
    ]


UPDATES = [
    "/",
    "/feeds/fact-sheets.atom",
    "/sitemap.xml",
    "/fact-sheets.json",
]
MALI_EDITIONS = [
    "/fact-sheets/mali/2012-01-10/",
    "/fact-sheets/mali/changes/",
    "/fact-sheets/mali/changes/?from=2012-01-10&to=2015-10-15",
]
SLUGS = ["chile", "mali", "niger", "peru", "senegal"]
EVERY_PAGE = [
    *LISTS,
    *(url for slug in SLUGS for url in pages_of(slug)),
    *MALI_EDITIONS,
    "/robots.txt",
]


class WhatAChangeMakesStaleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        made = make_two_bureaus(
            african=["Mali", "Niger", "Senegal"], western=["Chile", "Peru"]
        )
        cls.countries, cls.sheets = made.countries, made.sheets
        cls.mali_2012 = made.mali_2012
        cls.publisher = make_user("publisher", "Publishers")

    def setUp(self):
        # What the lists show now is recorded (the suite empties the cache before
        # each test), then every page is stored.
        pagecache.take_stock()
        self.stale = stale_ones(self.client, EVERY_PAGE)

    def assertStale(self, expected):
        self.assertEqual(sorted(self.stale()), sorted(expected))
        self.assertEqual(not_fresh(self.client, EVERY_PAGE), [])

    def test_every_page_is_every_public_page_that_answers_200(self):
        """The catalogue rendered ahead of readers (PRERENDER_CATALOGUE): not the
        dated address of a current edition, which redirects, nor a changes page
        with a query string."""
        expected = sorted(url for url in EVERY_PAGE if "?from=" not in url)
        self.assertEqual(page_tags.every_page(), expected)
        for url in expected:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_section_of_one_sheet(self):
        section = self.sheets["Niger"].sections.first()
        section.body = "<p>Niger's text, edited.</p>"
        section.save()
        self.assertStale(["/fact-sheets/niger/", "/fact-sheets/niger.json"])

    def test_a_section_through_the_admin(self):
        sheet = self.sheets["Niger"]
        section = sheet.sections.first()
        self.client.force_login(self.publisher)
        data = change_data(sheet)
        data["sections-0-body"] = "<p>Corrected in place.</p>"
        self.assertEqual(section.pk, int(data["sections-0-id"]))
        response = self.client.post(change_url(sheet), data)
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        # A correction to a live sheet dates it: the lists that say when each sheet
        # was updated show it (its bureau's feed, not the other's), the others not.
        self.assertStale(
            [*UPDATES, "/bureaus/african-affairs/feed.atom", *pages_of("niger")]
        )

    def test_an_assistance_line(self):
        line = self.sheets["Mali"].assistance_lines.first()
        line.amount_usd = Decimal("246800000")
        line.save()
        self.assertStale(
            [
                "/fact-sheets/mali/",
                "/fact-sheets/mali.json",
                "/fact-sheets/mali/changes/",
                "/fact-sheets/mali/changes/?from=2012-01-10&to=2015-10-15",
                "/assistance/",
                "/assistance.csv",
            ]
        )

    def test_a_draft_and_its_rows(self):
        draft = sheet_operations.new_edition(
            self.sheets["Chile"], datetime.date(2016, 3, 1), by=self.publisher
        )
        make_section(draft, heading="Not yet published")
        draft.lead = "A draft's lead."
        draft.save()
        self.assertStale([])

    def test_publishing_a_new_edition(self):
        draft = sheet_operations.new_edition(
            self.sheets["Niger"], datetime.date(2016, 3, 1), by=self.publisher
        )
        self.assertStale([])
        sheet_operations.publish(FactSheet.objects.get(pk=draft.pk), by=None)
        # The navigation of the others names Niger as before.
        self.assertStale([*LISTS, *pages_of("niger")])

    def test_publishing_a_first_sheet(self):
        country = make_country(
            bureau=self.countries["Mali"].bureau, name="Nigeria", slug="nigeria"
        )
        draft = make_full_factsheet(
            country=country, status=FactSheet.Status.DRAFT, publish_at=None
        )
        self.assertStale([])
        sheet_operations.publish(draft, by=None)
        self.assertStale(
            [
                *LISTS,
                # Its bureau's other sheets name it, and so do its neighbours A to Z.
                "/fact-sheets/mali/",
                "/fact-sheets/mali/2012-01-10/",
                "/fact-sheets/niger/",
                "/fact-sheets/senegal/",
                "/fact-sheets/peru/",
            ]
        )

    def test_unpublishing(self):
        sheet_operations.unpublish(self.sheets["Senegal"], by=None)
        self.assertStale(
            [
                *LISTS,
                *pages_of("senegal"),
                "/fact-sheets/mali/",
                "/fact-sheets/mali/2012-01-10/",
                "/fact-sheets/niger/",
                "/fact-sheets/peru/",
            ]
        )

    def test_retitling_a_sheet_in_place(self):
        sheet = self.sheets["Chile"]
        sheet.title = "U.S. Relations With the Republic of Chile"
        sheet.save()
        # The navigation of the others names countries, not titles.
        self.assertStale([*LISTS, *pages_of("chile")])

    def test_a_change_rolled_back_then_made_again(self):
        """What a rolled-back transaction's readers saw of the lists is not kept as
        what the lists show: the same change, made again, makes them stale."""
        country = self.countries["Peru"]
        with self.assertRaises(RuntimeError), transaction.atomic():
            country.name = "Republic of Peru"
            country.save()
            self.assertIn("/fact-sheets/", self.stale())
            raise RuntimeError("Undone.")
        country.refresh_from_db()
        # The pages rendered inside it are no one else's (their versions were its
        # own): served as rendered now, and stored again.
        self.assertEqual(not_fresh(self.client, EVERY_PAGE), [])
        self.assertStale([])
        country.name = "Republic of Peru"
        country.save()
        self.assertIn("/fact-sheets/", self.stale())
        self.assertEqual(not_fresh(self.client, EVERY_PAGE), [])

    def test_renaming_a_country(self):
        country = self.countries["Peru"]
        country.name = "Republic of Peru"
        country.save()
        self.assertStale(
            [
                *LISTS,
                *pages_of("peru"),
                # Chile names it (the same bureau), and so do Niger and Senegal
                # (the previous and next A to Z).
                "/fact-sheets/chile/",
                "/fact-sheets/niger/",
                "/fact-sheets/senegal/",
            ]
        )


class RowsSavedTogetherTests(TestCase):
    """A transaction saving many rows the lists are made of (a fixture, a formset, a
    restore) compares the lists once, when a page inside it is asked for, not at each
    row; every other reader sees the comparison made at commit."""

    @classmethod
    def setUpTestData(cls):
        made = make_two_bureaus(african=["Mali", "Niger"], western=["Chile", "Peru"])
        cls.countries = made.countries

    def setUp(self):
        pagecache.take_stock()
        self.stale = stale_ones(self.client, EVERY_PAGE_OF_FOUR)

    def rename_every_country(self):
        for country in self.countries.values():
            country.name = f"Republic of {country.name}"
            country.save()

    def test_the_lists_are_compared_once_after_the_rows(self):
        with transaction.atomic():
            # Each: its old slug looked up, then the UPDATE in a savepoint.
            with self.assertNumQueries(4 * len(self.countries)):
                self.rename_every_country()
            # The live sheets, the countries and the bureaus.
            with self.assertNumQueries(3):
                lists_compared()
            self.assertIn("/fact-sheets/", self.stale())
            self.assertEqual(not_fresh(self.client, EVERY_PAGE_OF_FOUR), [])

    def test_a_comparison_rolled_back_with_its_savepoint_is_made_again(self):
        """The versions the comparison gave went with the savepoint that asked for
        them; the renamed countries, saved before it, did not."""
        with transaction.atomic():
            self.rename_every_country()
            with self.assertRaises(RuntimeError), transaction.atomic():
                lists_compared()
                raise RuntimeError("Undone.")
            self.assertIn("/fact-sheets/", self.stale())
            self.assertEqual(not_fresh(self.client, EVERY_PAGE_OF_FOUR), [])


EVERY_PAGE_OF_FOUR = [
    *LIST_PAGES,
    "/feeds/fact-sheets.atom",
    "/sitemap.xml",
    *(url for slug in ["chile", "mali", "niger", "peru"] for url in pages_of(slug)),
]
