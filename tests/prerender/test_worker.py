"""Rendering ahead by real `manage.py worker` processes, on a cache in files that
they share with this process; a reader in a process of its own, with a worker's
settings (so its keys), says which pages it was served without a query."""

import datetime
import tempfile

from django.db.models import F
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from background.models import ScheduledTask
from factsheets.page_tags import every_page
from tests.helpers.factories import make_bureau, make_country, make_full_factsheet
from tests.helpers.page_reader import read_pages
from tests.helpers.rendering_ahead import (
    queued,
    rendered,
    shared_cache,
    wait_for_renders,
)
from tests.helpers.worker import start_workers, wait_for_status


class WorkerTestCase(TransactionTestCase):
    def setUp(self):
        bureau = make_bureau(name="African Affairs", slug="african-affairs")
        self.sheets = {
            name: make_full_factsheet(
                country=make_country(name=name, slug=name.lower(), bureau=bureau),
                bureau=bureau,
            )
            for name in ("Chad", "Mali", "Niger")
        }
        self.catalogue = every_page()
        folder = tempfile.TemporaryDirectory(prefix="prerender-cache-")
        self.addCleanup(folder.cleanup)
        settings, self.cache_url = shared_cache(folder.name)
        self.enterContext(settings)

    def start(self, count=1, **values):
        return start_workers(
            self,
            count,
            CACHE_URL=self.cache_url,
            PRERENDER="1",
            PRERENDER_BATCH_SIZE="3",
            **values,
        )

    def assertServedStored(self, env, paths):
        """Each page is served without a query, and is the page rendered now."""
        read = read_pages(env, paths)
        self.assertEqual(
            {
                path: (page["status"], page["queries"], page["exact"])
                for path, page in read.items()
            },
            dict.fromkeys(paths, (200, 0, True)),
        )


class AfterACommitTests(WorkerTestCase):
    def test_a_section_edit_is_rendered_before_the_next_reader_asks(self):
        workers = self.start()
        wait_for_renders()
        page = self.sheets["Mali"].get_absolute_url()
        section = self.sheets["Mali"].sections.first()
        section.body = "<p>Edited a moment ago.</p>"
        with override_settings(PRERENDER=True):
            section.save()
        render = queued("render_pages").latest("enqueued_at").task_result
        self.assertIn(page, render.args[0])
        wait_for_status(render)
        self.assertGreater(render.return_value, 0)
        self.assertServedStored(workers.env, [page])


class AfterADeployTests(WorkerTestCase):
    def test_a_new_release_warms_up_the_catalogue(self):
        before = self.start()
        wait_for_renders()
        before.stop()
        # Long enough ago that the next worker's start is a start of its own, not
        # one with this worker's (background's STARTED_TOGETHER).
        ScheduledTask.objects.update(
            started_run_at=F("started_run_at") - datetime.timedelta(minutes=1)
        )
        deployed = timezone.now()
        # Every setting is part of the release, and so of every page's key.
        after = self.start(DEPARTMENT_TAGLINE="A new release")
        rows = wait_for_renders(after=deployed)
        [check] = [
            row
            for row in rows
            if row.task_path.endswith("keep_warm") and row.enqueued_at > deployed
        ]
        self.assertEqual(check.return_value, len(self.catalogue))
        self.assertServedStored(after.env, self.catalogue)


class SeveralWorkersTests(WorkerTestCase):
    def test_two_workers_starting_together_warm_up_once(self):
        self.start(count=2)
        rows = wait_for_renders()
        warm_ups = [
            row.return_value
            for row in rows
            if row.task_path.endswith("keep_warm") and row.return_value
        ]
        self.assertEqual(warm_ups, [len(self.catalogue)])
        # Each page rendered once, in batches taken by either worker.
        self.assertEqual(rendered(rows), len(self.catalogue))
        self.assertFalse(queued().exclude(status=TaskResultStatus.SUCCESSFUL).exists())
