import datetime
import math
from unittest import mock

import brotli
from django.core.cache import cache
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factsheets.models import FactSheet
from factsheets.page_tags import every_page
from pagecache.conditional import QUICK_BROTLI_QUALITY, STORED_BROTLI_QUALITY
from prerender import tasks
from tests.helpers.factories import (
    make_bureau,
    make_country,
    make_full_factsheet,
    make_section,
)
from tests.helpers.rendering_ahead import queued, run_queued


def at(moment):
    """Runs the code under it as if the clock said `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


@override_settings(PRERENDER_BATCH_SIZE=4)
class WarmUpTests(TransactionTestCase):
    """The worker's minute check and warm-up, its tasks run in this process in the
    queue's order."""

    def setUp(self):
        bureau = make_bureau(name="African Affairs", slug="african-affairs")
        for name in ("Chad", "Mali", "Niger"):
            make_full_factsheet(
                country=make_country(name=name, slug=name.lower(), bureau=bureau),
                bureau=bureau,
            )
        self.enterContext(override_settings(PRERENDER=True))
        self.catalogue = every_page()

    def keep_warm(self):
        """The check, and the renders it queued run: how many pages it queued
        (None: no warm-up), and how many the renders rendered."""
        queued_pages = tasks.keep_warm.call()
        self.runs = run_queued()
        return queued_pages, sum(
            value for name, _, value in self.runs if name == "render_pages"
        )

    def assertAllStored(self, catalogue=None):
        for path in catalogue or self.catalogue:
            with self.subTest(path=path):
                with CaptureQueriesContext(connection) as queries:
                    self.client.get(path)
                self.assertEqual(len(queries), 0)

    def test_an_empty_cache_is_warmed_up_in_batches_the_lists_first(self):
        everything = len(self.catalogue)
        self.assertEqual(self.keep_warm(), (everything, everything))
        self.assertAllStored()
        batches = [args[0] for name, args, _ in self.runs if name == "render_pages"]
        self.assertEqual(len(batches), math.ceil(everything / 4))
        self.assertEqual(
            batches[0][:3], ["/", "/fact-sheets/", "/fact-sheets/?by=bureau"]
        )

    def test_the_warm_up_compresses_best_and_a_change_as_a_reader_would(self):
        mali = "/fact-sheets/mali/"

        def stored_brotli():
            response = self.client.get(mali, HTTP_ACCEPT_ENCODING="br")
            self.assertEqual(response["Content-Encoding"], "br")
            body = brotli.decompress(response.content)
            return response.content, body

        self.keep_warm()
        stored, body = stored_brotli()
        self.assertEqual(stored, brotli.compress(body, quality=STORED_BROTLI_QUALITY))
        # A change: the worker's render of the pages it made stale.
        make_section(FactSheet.objects.get(country__slug="mali"), heading="Added")
        self.assertIn("render_pages", [name for name, _, _ in run_queued()])
        stored, body = stored_brotli()
        self.assertIn(b"Added", body)
        self.assertEqual(stored, brotli.compress(body, quality=QUICK_BROTLI_QUALITY))

    def test_pages_readers_stored_in_an_emptied_cache_stay_stored(self):
        """After a deploy readers ask before the worker starts its warm-up: what
        they stored is current, and the warm-up (which records what the lists
        show) leaves it so."""
        cache.clear()
        for path in self.catalogue:
            self.client.get(path)
        everything = len(self.catalogue)
        self.assertEqual(self.keep_warm(), (everything, 0))
        self.assertAllStored()

    def test_a_warm_cache_is_left_alone_without_a_query(self):
        self.keep_warm()
        with CaptureQueriesContext(connection) as queries:
            self.assertIsNone(tasks.keep_warm.call())
        self.assertEqual(len(queries), 0)
        self.assertFalse(queued().ready().exists())

    def test_one_warm_up_at_a_time(self):
        tasks.keep_warm.call()  # its batches queued, not run yet
        self.assertIsNone(tasks.keep_warm.call())
        self.assertIsNone(tasks.warm_up.call())
        batches = math.ceil(len(self.catalogue) / 4)
        self.assertEqual(queued("render_pages").count(), batches)
        run_queued()
        # The last batch let go of the lock; everything is current.
        self.assertEqual(self.keep_warm(), (None, 0))

    def test_a_deploy_is_warmed_up(self):
        self.keep_warm()
        # Every setting is part of the release, which is part of every page's key.
        with override_settings(DEPARTMENT_TAGLINE="A new release"):
            everything = len(self.catalogue)
            self.assertEqual(self.keep_warm(), (everything, everything))
            self.assertAllStored()

    def test_midnight_is_warmed_up(self):
        evening = timezone.make_aware(datetime.datetime(2026, 3, 2, 23, 59))
        with at(evening):
            self.keep_warm()
        with at(evening + datetime.timedelta(minutes=1)):
            everything = len(self.catalogue)
            self.assertEqual(self.keep_warm(), (everything, everything))
            self.assertAllStored()

    def test_a_publish_time_come_is_warmed_up(self):
        now = timezone.now()
        with override_settings(PRERENDER=False):
            make_full_factsheet(
                country=make_country(name="Togo", slug="togo"),
                publish_at=now + datetime.timedelta(minutes=5),
            )
        self.keep_warm()
        with at(now + datetime.timedelta(minutes=6)):
            catalogue = every_page()
            self.assertIn("/fact-sheets/togo/", catalogue)
            queued_pages, _ = self.keep_warm()
            self.assertEqual(queued_pages, len(catalogue))
            self.assertAllStored(catalogue)

    def test_a_warm_up_forced_while_one_is_under_way_queues_everything_again(self):
        tasks.keep_warm.call()
        self.assertEqual(tasks.warm_up.call(force=True), len(self.catalogue))

    @override_settings(SITE_URL="http://elsewhere.example")
    def test_a_site_url_not_allowed_is_logged(self):
        with self.assertLogs("prerender", "WARNING") as logs:
            self.keep_warm()
        self.assertIn("answered an error", logs.output[0])
        self.assertIn("400", logs.output[0])

    @override_settings(PRERENDER=False)
    def test_off_nothing_is_queued(self):
        self.assertEqual(self.keep_warm(), (None, 0))
        self.assertFalse(queued().exists())
