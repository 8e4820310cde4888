"""Every public page runs a fixed number of queries, whatever the catalogue's size.

Counted uncached: the page cache is off and the cache is emptied before each request,
so the counts are what a page costs when it is rendered from nothing kept (the parts
of pages kept rendered, factsheets/fragments.py, go with it).
"""

import datetime
import itertools

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from factsheets.models import FactSheet
from tests.helpers.factories import make_bureau, make_country, make_full_factsheet
from tests.helpers.page_cache import empty_cache

SHEET_PAGE_BUDGET = 8
OLD_EDITION = datetime.date(2015, 10, 15)
NEW_EDITION = datetime.date(2017, 3, 1)


@override_settings(PAGE_CACHE=False)
class QueryBudgetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.bureaus = [make_bureau() for _ in range(3)]
        cls.countries = [make_country(bureau=bureau) for bureau in cls.bureaus]
        for country in cls.countries:
            make_full_factsheet(children=2, country=country, issued_on=OLD_EDITION)
        # The first country's 2015 sheet is superseded by a newer edition.
        make_full_factsheet(children=2, country=cls.countries[0], issued_on=NEW_EDITION)

    def urls(self):
        country, bureau = self.countries[0].slug, self.bureaus[0].slug
        return {
            "home": "/",
            "index": "/fact-sheets/",
            "index by bureau": "/fact-sheets/?by=bureau",
            "bureau": f"/bureaus/{bureau}/",
            "sheet": f"/fact-sheets/{country}/",
            "superseded edition": f"/fact-sheets/{country}/{OLD_EDITION}/",
            "changes": f"/fact-sheets/{country}/changes/",
            "search": "/search/?q=section",
            "key officers": "/key-officers/",
            "assistance": "/assistance/",
            "assistance csv": "/assistance.csv",
            "feed": "/feeds/fact-sheets.atom",
            "bureau feed": f"/bureaus/{bureau}/feed.atom",
            "country feed": f"/fact-sheets/{country}/feed.atom",
            "sitemap": "/sitemap.xml",
            "robots": "/robots.txt",
            "catalogue json": "/fact-sheets.json",
            "sheet json": f"/fact-sheets/{country}.json",
        }

    def count_queries(self):
        counts, statuses = {}, {}
        for page, url in self.urls().items():
            empty_cache()
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            statuses[page] = response.status_code
            counts[page] = len(queries)
        self.assertEqual(set(statuses.values()), {200}, statuses)
        return counts

    def grow_to(self, total):
        """New countries' current sheets, spread over the three bureaus; every
        other one has a superseded edition too."""
        bureaus = itertools.cycle(self.bureaus)
        for n in itertools.count():
            if FactSheet.objects.current().count() >= total:
                break
            country = make_country(bureau=next(bureaus))
            make_full_factsheet(children=2, country=country, issued_on=OLD_EDITION)
            if n % 2:
                make_full_factsheet(children=2, country=country, issued_on=NEW_EDITION)

    def test_every_public_page_runs_a_fixed_number_of_queries(self):
        self.count_queries()  # once, so that one-off lookups are not counted
        few = self.count_queries()
        self.grow_to(60)
        self.assertEqual(FactSheet.objects.current().count(), 60)
        many = self.count_queries()
        grown = {
            page: f"{few[page]} queries with 3 sheets, {many[page]} with 60"
            for page in few
            if many[page] != few[page]
        }
        self.assertEqual(grown, {}, f"query counts grow with the catalogue: {few}")
        self.assertLessEqual(few["sheet"], SHEET_PAGE_BUDGET, few)
