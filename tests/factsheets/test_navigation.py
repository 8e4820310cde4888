"""Finding and following the sheets: the A-Z index, bureau pages, a sheet's
neighbours and the breadcrumbs, always from the current sheets only."""

import datetime
import json
import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factsheets.models import FactSheet
from tests.helpers.factories import (
    make_bureau,
    make_country,
    make_factsheet,
    make_full_factsheet,
)
from tests.helpers.page_cache import empty_cache


def linked_countries(html, css_class):
    """The names linked inside the element of class `css_class`, in order."""
    block = re.search(rf'class="{css_class}".*?</(nav|ul)>', html, re.S).group(0)
    return re.findall(r"<a [^>]*>(?:<span[^>]*>[^<]*</span>)?([^<]+)</a>", block)


class CatalogueTests(TestCase):
    """Two bureaus; current sheets and the kinds of sheet that must never show."""

    @classmethod
    def setUpTestData(cls):
        cls.af = make_bureau(name="Bureau of African Affairs", slug="af")
        cls.eur = make_bureau(name="Bureau of European Affairs", slug="eur")
        cls.sheets = {}
        for name, bureau in [
            ("Mali", cls.af),
            ("Niger", cls.af),
            ("Chad", cls.af),
            ("Austria", cls.eur),
            ("Zimbabwe", cls.af),
        ]:
            country = make_country(name=name, slug=name.lower(), bureau=bureau)
            cls.sheets[name] = make_full_factsheet(
                country=country, issued_on=datetime.date(2015, 10, 15)
            )
        # Never listed: a draft, a sheet scheduled for tomorrow, an expired one, and
        # Mali's superseded 2012 edition.
        for name, status, extra in [
            ("Benin", "draft", {}),
            (
                "Ghana",
                "published",
                {"publish_at": timezone.now() + datetime.timedelta(days=1)},
            ),
            (
                "Togo",
                "published",
                {"expires_at": timezone.now() - datetime.timedelta(days=1)},
            ),
        ]:
            sheet = make_full_factsheet(
                country=make_country(name=name, slug=name.lower(), bureau=cls.af),
                status=status,
            )
            FactSheet.objects.filter(pk=sheet.pk).update(**extra)
        cls.old_mali = make_full_factsheet(
            country=cls.sheets["Mali"].country, issued_on=datetime.date(2012, 1, 1)
        )

    def test_the_index_lists_current_sheets_a_to_z_with_month_and_year(self):
        response = self.client.get("/fact-sheets/")
        html = response.content.decode()
        self.assertEqual(
            [s.country.name for s in response.context["factsheets"]],
            ["Austria", "Chad", "Mali", "Niger", "Zimbabwe"],
        )
        for hidden in ("Benin", "Ghana", "Togo"):
            self.assertNotIn(hidden, html)
        self.assertEqual(html.count('href="/fact-sheets/mali/"'), 1)
        self.assertContains(
            response, '<time datetime="2015-10">October 2015</time>', html=True
        )
        # Letter jumps lead to each letter's heading.
        self.assertEqual(
            re.findall(r'<a href="#letter-(\w+)">', html), ["a", "c", "m", "n", "z"]
        )
        self.assertContains(
            response, '<h2 id="letter-m" class="index-group__letter">M</h2>', html=True
        )

    def test_the_index_by_bureau(self):
        response = self.client.get("/fact-sheets/?by=bureau")
        groups = {
            bureau.slug: [s.country.name for s in bureau.sheets]
            for bureau in response.context["bureaus"]
        }
        self.assertEqual(
            groups, {"af": ["Chad", "Mali", "Niger", "Zimbabwe"], "eur": ["Austria"]}
        )
        self.assertContains(
            response, '<span aria-current="page">By bureau</span>', html=True
        )

    def test_a_sheet_offers_its_bureau_and_its_neighbours_a_to_z(self):
        html = self.client.get("/fact-sheets/mali/").content.decode()
        nav = re.search(r'<nav class="sheet-nav".*?</nav>', html, re.S).group(0)
        self.assertIn('aria-labelledby="sheet-nav-heading"', nav)
        same_bureau = re.search(
            r'<ul class="sheet-nav__list">.*?</ul>', nav, re.S
        ).group(0)
        self.assertEqual(
            re.findall(r">([^<>]+)</a>", same_bureau), ["Chad", "Niger", "Zimbabwe"]
        )
        self.assertIn('href="/fact-sheets/chad/" rel="prev"', nav)
        self.assertIn('href="/fact-sheets/niger/" rel="next"', nav)
        for hidden in ("Benin", "Ghana", "Togo", "Austria"):
            self.assertNotIn(hidden, nav)

    def test_the_first_and_last_sheets_have_one_neighbour(self):
        first = self.client.get("/fact-sheets/austria/").content.decode()
        self.assertNotIn('rel="prev"', first)
        self.assertIn('href="/fact-sheets/chad/" rel="next"', first)
        last = self.client.get("/fact-sheets/zimbabwe/").content.decode()
        self.assertIn('href="/fact-sheets/niger/" rel="prev"', last)
        self.assertNotIn('rel="next"', last)

    def test_breadcrumbs_on_every_page_and_as_schema_org(self):
        pages = {
            "/fact-sheets/": ["Home", "All fact sheets"],
            "/bureaus/af/": ["Home", "Bureau of African Affairs"],
            "/fact-sheets/mali/": ["Home", "Bureau of African Affairs", "Mali"],
            "/fact-sheets/mali/2012-01-01/": [
                "Home",
                "Bureau of African Affairs",
                "Mali",
                "Edition of January 1, 2012",
            ],
            "/fact-sheets/mali/changes/": [
                "Home",
                "Bureau of African Affairs",
                "Mali",
                "Changes",
            ],
        }
        for url, trail in pages.items():
            with self.subTest(url):
                html = self.client.get(url).content.decode()
                crumbs = re.search(
                    r'<nav class="breadcrumbs container".*?</nav>', html, re.S
                )
                self.assertEqual(
                    re.findall(r">([^<>]+)</(?:a|span)>", crumbs.group(0)), trail
                )
                self.assertIn('<span aria-current="page">', crumbs.group(0))
                data = json.loads(
                    re.search(
                        r'<script type="application/ld\+json">(\{"@context": "https://schema.org", "@type": "BreadcrumbList".*?)</script>',
                        html,
                    ).group(1)
                )
                self.assertEqual(
                    [item["name"] for item in data["itemListElement"]], trail
                )
                self.assertEqual(
                    data["itemListElement"][-1]["item"], f"http://testserver{url}"
                )
                self.assertEqual(
                    data["itemListElement"][0]["item"], "http://testserver/"
                )

    def test_home_leads_to_the_ways_in_and_lists_only_bureaus_with_sheets(self):
        make_bureau(name="Bureau of Empty Affairs", slug="empty")
        response = self.client.get("/")
        self.assertNotContains(response, "Bureau of Empty Affairs")
        for url in (
            "/fact-sheets/",
            "/fact-sheets/?by=bureau",
            "/search/",
            "/key-officers/",
            "/assistance/",
        ):
            self.assertContains(response, f'href="{url}"')
        self.assertContains(response, 'role="search"')


class QueryCountTests(TestCase):
    """The lists cost the same number of queries for 3 sheets as for 60, rendered
    from nothing kept."""

    def counts(self, urls):
        found = {}
        for url in urls:
            empty_cache()
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200, url)
            found[url] = len(queries)
        return found

    def test_index_bureau_and_sheet_pages(self):
        bureau = make_bureau(slug="af")
        urls = [
            "/",
            "/fact-sheets/",
            "/fact-sheets/?by=bureau",
            "/bureaus/af/",
            "/fact-sheets/country-a/",
        ]
        make_factsheet(country=make_country(slug="country-a", bureau=bureau))
        for _ in range(2):
            make_factsheet(country=make_country(bureau=bureau))
        few = self.counts(urls)
        for _ in range(57):
            make_factsheet(country=make_country(bureau=bureau))
        self.assertEqual(FactSheet.objects.current().count(), 60)
        self.assertEqual(self.counts(urls), few)
        self.assertEqual(few["/fact-sheets/"], 1)
        self.assertEqual(few["/fact-sheets/country-a/"], 8)
