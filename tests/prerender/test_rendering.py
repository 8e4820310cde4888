from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from prerender import rendering
from tests.helpers.factories import make_country, make_full_factsheet, make_section
from tests.helpers.page_cache import not_fresh, was_rendered


class RenderingTests(TransactionTestCase):
    """Pages asked for through the WSGI handler, in this process, so that this
    process's client reads what they stored (the page cache, the release)."""

    def setUp(self):
        self.sheet = make_full_factsheet(country=make_country(name="Mali", slug="mali"))
        self.page = self.sheet.get_absolute_url()

    def read(self, path, **extra):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path, **extra)
        return response, len(queries)

    def test_a_page_rendered_ahead_is_served_to_the_next_reader_without_a_query(self):
        [outcome] = rendering.render_all([self.page])
        self.assertEqual(
            (outcome.status, outcome.rendered, outcome.stored), (200, True, True)
        )
        response, queries = self.read(self.page)
        self.assertEqual((response.status_code, queries), (200, 0))
        self.assertEqual(not_fresh(self.client, [self.page]), [])

    def test_a_page_still_current_is_served_from_the_cache_not_rendered(self):
        self.client.get(self.page)
        with CaptureQueriesContext(connection) as queries:
            outcome = rendering.render(self.page)
        self.assertEqual(
            (outcome.rendered, outcome.stored, len(queries)), (False, True, 0)
        )

    def test_a_page_made_stale_is_rendered_again(self):
        rendering.render(self.page)
        make_section(self.sheet, heading="Added since")
        self.assertTrue(rendering.render(self.page).rendered)
        response, queries = self.read(self.page)
        self.assertEqual(queries, 0)
        self.assertContains(response, "Added since")

    def test_a_query_string_the_cache_allows_is_stored_with_it(self):
        rendering.render("/fact-sheets/?by=bureau")
        self.assertEqual(self.read("/fact-sheets/?by=bureau")[1], 0)
        self.assertTrue(was_rendered(self.client, "/fact-sheets/"))

    @override_settings(
        SITE_URL="https://factsheets.example.gov",
        ALLOWED_HOSTS=["factsheets.example.gov"],
    )
    def test_stored_for_readers_of_the_site_urls_scheme(self):
        rendering.render(self.page)
        host = {"HTTP_HOST": "factsheets.example.gov"}
        self.assertEqual(self.read(self.page, secure=True, **host)[1], 0)
        self.assertTrue(was_rendered(self.client, self.page, secure=False, **host))

    @override_settings(SITE_URL="http://elsewhere.example")
    def test_a_site_url_not_allowed_stores_nothing(self):
        outcome = rendering.render(self.page)
        self.assertEqual((outcome.status, outcome.stored), (400, False))


class OrderTests(TransactionTestCase):
    def test_lists_then_sheets_then_the_rest_each_in_the_order_given(self):
        paths = [
            "/fact-sheets/chad/2015-10-15/",
            "/robots.txt",
            "/fact-sheets/mali.json",
            "/fact-sheets/chad/",
            "/not-a-page/",
            "/fact-sheets/?by=bureau",
            "/fact-sheets/mali/",
            "/",
        ]
        self.assertEqual(
            rendering.in_order(paths),
            [
                "/",
                "/fact-sheets/?by=bureau",
                "/fact-sheets/chad/",
                "/fact-sheets/mali/",
                "/fact-sheets/mali.json",
                "/robots.txt",
                "/fact-sheets/chad/2015-10-15/",
                "/not-a-page/",
            ],
        )
