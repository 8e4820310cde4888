import datetime
import re
import unittest

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from factsheets import search, sheet_operations
from factsheets.models import FactSheet
from factsheets.sheet_operations import restore
from tests.helpers.factories import (
    make_bureau,
    make_country,
    make_factsheet,
    make_full_factsheet,
    make_section,
    make_user,
)

on_postgresql = unittest.skipUnless(
    connection.vendor == "postgresql", "needs PostgreSQL full-text search"
)


def result_titles(response):
    """The titles of the results, in order."""
    return re.findall(
        r'<h2 class="search-result__title"><a href="[^"]*">([^<]*)</a></h2>',
        response.content.decode(),
    )


class SearchViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.africa = make_bureau(name="Bureau of African Affairs", slug="af-test")
        cls.europe = make_bureau(name="Bureau of European Affairs", slug="eur-test")
        cls.tiberia = make_factsheet(
            country=make_country(name="Tiberia", slug="tiberia", bureau=cls.africa),
            issued_on=datetime.date(2016, 3, 1),
        )
        make_section(
            cls.tiberia,
            heading="Bilateral Relations",
            body="<p>The two countries cooperate on <strong>groundnut</strong> "
            "farming and river transport to Бамако.</p>",
        )
        make_section(
            cls.tiberia,
            heading="Trade",
            body="<p>Exports of cotton and gold, shipped by the "
            "<em>Harmattan</em> line.</p>",
        )
        cls.ostrava = make_factsheet(
            country=make_country(name="Ostrovia", slug="ostrovia", bureau=cls.europe),
        )
        make_section(
            cls.ostrava,
            heading="Bilateral Economic Relations",
            body="<p>Ostrovia buys cotton from many partners.</p>",
        )

    def search(self, **params):
        response = self.client.get(reverse("factsheets:search"), params)
        self.assertEqual(response.status_code, 200)
        return response

    def test_finds_a_word_that_is_only_in_a_section_body(self):
        response = self.search(q="groundnut")
        self.assertEqual(result_titles(response), ["U.S. Relations With Tiberia"])
        self.assertContains(response, "<mark>groundnut</mark>")
        self.assertContains(response, 'href="/fact-sheets/tiberia/"')
        self.assertContains(response, "Bureau of African Affairs")
        self.assertContains(
            response, '<time datetime="2016-03-01">March 1, 2016</time>', html=True
        )
        self.assertContains(response, "1 current fact sheet matches “groundnut”.")

    def test_finds_words_in_headings_and_titles_and_needs_every_word(self):
        self.assertEqual(
            result_titles(self.search(q="bilateral cotton")),
            ["U.S. Relations With Ostrovia", "U.S. Relations With Tiberia"],
        )
        self.assertEqual(
            result_titles(self.search(q="tiberia cotton")),
            ["U.S. Relations With Tiberia"],
        )
        self.assertEqual(result_titles(self.search(q="groundnut ostrovia")), [])

    def test_search_ignores_case_and_finds_other_scripts(self):
        self.assertEqual(len(result_titles(self.search(q="GROUNDNUT"))), 1)
        self.assertEqual(
            result_titles(self.search(q="Бамако")), ["U.S. Relations With Tiberia"]
        )

    def test_markup_in_bodies_is_not_searched_nor_shown(self):
        # Tag names are not words of the sheet.
        self.assertEqual(result_titles(self.search(q="strong")), [])
        response = self.search(q="harmattan")
        snippet = re.search(
            r'<p class="search-result__snippet">(.*?)</p>', response.content.decode()
        ).group(1)
        self.assertIn("<mark>Harmattan</mark>", snippet)
        self.assertNotIn("<em>", snippet)
        self.assertNotIn("<strong>", snippet)

    def test_html_in_a_body_is_escaped_in_the_snippet(self):
        sheet = make_factsheet(country=make_country(name="Scriptland"))
        make_section(
            sheet,
            body="<p>Quokka &lt;script&gt;alert(1)&lt;/script&gt; "
            "&amp; <img src=x onerror=alert(2)> partners.</p>",
        )
        response = self.search(q="quokka")
        self.assertEqual(result_titles(response), ["U.S. Relations With Scriptland"])
        content = response.content.decode()
        self.assertNotIn("<script>alert", content)
        self.assertNotIn("<img src=x", content)
        self.assertNotIn("onerror", content)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", content)

    def test_hidden_and_superseded_editions_never_appear(self):
        now = timezone.now()
        visible = make_factsheet(
            country=make_country(name="Current Land"),
            issued_on=datetime.date(2017, 1, 1),
        )
        older = make_factsheet(
            country=visible.country, issued_on=datetime.date(2014, 1, 1)
        )
        draft = make_factsheet(
            country=make_country(name="Draft Land"), status=FactSheet.Status.DRAFT
        )
        scheduled = make_factsheet(country=make_country(name="Scheduled Land"))
        expired = make_factsheet(
            country=make_country(name="Expired Land"),
            expires_at=now - datetime.timedelta(days=1),
        )
        for sheet in (visible, older, draft, scheduled, expired):
            make_section(sheet, body="<p>Wombat husbandry.</p>")
        FactSheet.objects.filter(pk=scheduled.pk).update(
            publish_at=now + datetime.timedelta(days=3)
        )
        response = self.search(q="wombat")
        self.assertEqual(result_titles(response), ["U.S. Relations With Current Land"])
        self.assertContains(response, 'datetime="2017-01-01"')
        self.assertNotContains(response, 'datetime="2014-01-01"')
        self.assertContains(response, "1 current fact sheet matches")

    def test_bureau_filter(self):
        self.assertEqual(
            result_titles(self.search(q="cotton", bureau="af-test")),
            ["U.S. Relations With Tiberia"],
        )
        response = self.search(q="cotton", bureau="eur-test")
        self.assertEqual(result_titles(response), ["U.S. Relations With Ostrovia"])
        self.assertContains(
            response,
            '<option value="eur-test" selected>Bureau of European Affairs</option>',
            html=True,
        )
        self.assertContains(response, "in the Bureau of European Affairs")

    def test_unknown_bureau_searches_all_bureaus(self):
        response = self.search(q="cotton", bureau="no-such-bureau")
        self.assertEqual(len(result_titles(response)), 2)
        self.assertContains(response, "There is no such bureau")

    def test_no_match_is_a_friendly_page(self):
        response = self.search(q="xylophone", bureau="af-test")
        self.assertEqual(result_titles(response), [])
        self.assertContains(response, "No current fact sheet matches “xylophone”")

    def test_pagination(self):
        for n in range(25):
            sheet = make_factsheet(country=make_country(name=f"Paged {n:02}"))
            make_section(sheet, body="<p>Numbat survey.</p>")
        first = self.search(q="numbat")
        self.assertEqual(len(result_titles(first)), 20)
        self.assertContains(first, "25 current fact sheets match “numbat”.")
        self.assertContains(first, "This is page 1 of 2.")
        self.assertContains(
            first, '<nav class="pagination" aria-label="Search results pages">'
        )
        self.assertContains(first, 'href="?q=numbat&amp;page=2" rel="next"')
        self.assertContains(first, 'aria-current="page"')
        second = self.search(q="numbat", page="2")
        self.assertEqual(len(result_titles(second)), 5)
        self.assertContains(second, '<ol class="search-results" start="21"')
        self.assertContains(second, 'rel="prev"')
        self.assertEqual(set(result_titles(first)) & set(result_titles(second)), set())
        # Django's get_page: the first page for nonsense, the last for too far.
        for page, count in [
            ("abc", 20),
            ("1.5", 20),
            ("", 20),
            ("\x00", 20),
            ("0", 5),
            ("-1", 5),
            ("999", 5),
        ]:
            with self.subTest(page=page):
                response = self.search(q="numbat", page=page)
                self.assertEqual(len(result_titles(response)), count)

    def test_page_is_a_search_form_and_not_indexed(self):
        response = self.search()
        self.assertContains(response, '<meta name="robots" content="noindex">')
        self.assertContains(
            response, '<label for="search-q">Words to look for</label>', html=True
        )
        self.assertContains(response, '<form class="search-form" action="/search/"')
        self.assertContains(response, 'method="get"')
        self.assertContains(response, "Type one or more words")
        self.assertEqual(result_titles(response), [])

    def test_hostile_and_odd_queries_answer_with_a_page(self):
        queries = {
            "": "Type one or more words",
            "   ": "Type one or more words",
            "&|!:*()": "Your search has no words to look for",
            "\x00": "Type one or more words",
            "'\"": "Your search has no words to look for",
            "groundnut\x00": "1 current fact sheet matches",
            "ground\x00nut": "“ground nut”",
            '"groundnut': "1 current fact sheet matches",
            "groundnut & | ! :* ( ) -": "1 current fact sheet matches",
            "groundnut:*": "1 current fact sheet matches",
            "!groundnut": "",
            "-groundnut": "",
            "<script>alert(1)</script>": "current fact sheet",
            "مالي": "No current fact sheet matches “مالي”",
            "马里 中国": "No current fact sheet matches “马里 中国”",
            "Россия": "No current fact sheet matches “Россия”",
            "a" * 10_000: "only its first 200 characters were used",
            "groundnut " * 1000: "only its first 200 characters were used",
        }
        for q, message in queries.items():
            with self.subTest(q=q[:30]):
                response = self.search(q=q)
                self.assertContains(response, message)
                content = response.content.decode()
                self.assertNotIn("<script>alert", content)
                self.assertNotIn("\x00", content)
        response = self.search(q="<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        response = self.search(q="a" * 10_000)
        self.assertContains(response, 'value="' + "a" * 200 + '"')

    def test_query_count_does_not_grow_with_the_number_of_sheets(self):
        bureau = make_bureau(slug="counted")

        def add_sheets(count):
            for _ in range(count):
                sheet = make_full_factsheet(
                    country=make_country(bureau=bureau), children=2
                )
                make_section(sheet, body="<p>Bilby census and more.</p>")

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = self.search(q="bilby census", bureau="counted")
            return len(captured), len(result_titles(response))

        add_sheets(3)
        with self.assertNumQueries(3):
            self.search(q="bilby census", bureau="counted")
        few = queries()
        add_sheets(57)
        many = queries()
        self.assertEqual(few, (3, 3))
        self.assertEqual(many, (3, 20))


@on_postgresql
class PostgresSearchTests(TestCase):
    """Ranking, stemming and the stored vector: PostgreSQL only."""

    @classmethod
    def setUpTestData(cls):
        cls.in_title = make_factsheet(
            country=make_country(name="Zedland"), title="U.S. Lithium Partnership"
        )
        make_section(cls.in_title, body="<p>Mining.</p>")
        cls.in_body = make_factsheet(country=make_country(name="Aardland"))
        make_section(
            cls.in_body, heading="Mining", body="<p>Lithium, lithium and lithium.</p>"
        )
        cls.in_heading = make_factsheet(country=make_country(name="Midland"))
        make_section(cls.in_heading, heading="Lithium Trade", body="<p>Salt.</p>")

    def search(self, q):
        return self.client.get(reverse("factsheets:search"), {"q": q})

    def test_title_ranks_above_heading_above_body(self):
        self.assertEqual(
            result_titles(self.search("lithium")),
            [
                "U.S. Lithium Partnership",
                "U.S. Relations With Midland",
                "U.S. Relations With Aardland",
            ],
        )

    def test_words_are_stemmed_and_phrases_and_exclusions_work(self):
        self.assertEqual(len(result_titles(self.search("partnerships"))), 1)
        self.assertEqual(
            result_titles(self.search("lithium -mining")),
            ["U.S. Relations With Midland"],
        )
        self.assertEqual(
            result_titles(self.search('"lithium trade"')),
            ["U.S. Relations With Midland"],
        )

    def test_vector_follows_section_edits_and_deletes(self):
        section = self.in_heading.sections.get()
        section.body = "<p>Quinoa exports.</p>"
        section.save()
        self.assertEqual(
            result_titles(self.search("quinoa")), ["U.S. Relations With Midland"]
        )
        vector = FactSheet.objects.get(pk=self.in_heading.pk).search_vector
        self.assertIn("'quinoa'", vector)
        self.assertNotIn("salt", vector)
        section.delete()
        self.assertEqual(result_titles(self.search("quinoa")), [])

    def test_held_saves_leave_the_vector_until_it_is_refreshed(self):
        section = self.in_heading.sections.get()
        with search.held():
            section.body = "<p>Quinoa exports.</p>"
            section.save()
            self.in_heading.save()
        self.assertEqual(result_titles(self.search("quinoa")), [])
        search.refresh_search_vectors(FactSheet.objects.filter(pk=self.in_heading.pk))
        self.assertEqual(
            result_titles(self.search("quinoa")), ["U.S. Relations With Midland"]
        )
        section.body = "<p>Sorghum exports.</p>"
        section.save()
        self.assertEqual(
            result_titles(self.search("sorghum")), ["U.S. Relations With Midland"]
        )
        self.assertEqual(
            result_titles(self.search("lithium"))[-1:], ["U.S. Relations With Aardland"]
        )

    def test_vector_follows_a_new_section_and_a_title_change(self):
        make_section(self.in_body, heading="Culture", body="<p>Didgeridoo.</p>")
        self.assertEqual(len(result_titles(self.search("didgeridoo"))), 1)
        sheet = FactSheet.objects.get(pk=self.in_body.pk)
        sheet.title = "U.S. Relations With Kangaroo Island"
        sheet.save()
        self.assertEqual(
            result_titles(self.search("kangaroo")),
            ["U.S. Relations With Kangaroo Island"],
        )

    def test_a_new_edition_is_searchable_once_published(self):
        copy = sheet_operations.new_edition(
            self.in_heading, datetime.date(2020, 1, 1), by=None
        )
        self.assertEqual(copy.sections.count(), 1)
        self.assertIsNotNone(FactSheet.objects.get(pk=copy.pk).search_vector)
        sheet_operations.publish(copy, by=None)
        response = self.search("lithium trade")
        self.assertContains(response, 'datetime="2020-01-01"')
        self.assertNotContains(response, 'datetime="2015-10-15"')

    def test_headline_marks_the_stemmed_words(self):
        response = self.search("lithiums")
        self.assertContains(response, "<mark>Lithium</mark>")

    def test_a_restored_revision_is_searched_as_restored(self):
        sheet = FactSheet.objects.get(pk=self.in_heading.pk)
        sheet.save()
        first = Version.objects.get_for_object(sheet).first()
        section = sheet.sections.get()
        section.body = "<p>Quinoa exports.</p>"
        section.save()
        sheet.save()
        self.assertEqual(len(result_titles(self.search("quinoa"))), 1)
        restore(sheet, first, by=make_user("publisher", "Publishers"))
        self.assertEqual(result_titles(self.search("quinoa")), [])
        self.assertEqual(
            result_titles(self.search("salt")), ["U.S. Relations With Midland"]
        )
