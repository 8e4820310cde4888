from unittest import mock

from django.db import transaction
from django.test import TransactionTestCase, override_settings

import pagecache
from factsheets.models import Section
from tests.helpers.factories import make_country, make_full_factsheet, make_section
from tests.helpers.rendering_ahead import queued


class PagesMadeStaleTests(TransactionTestCase):
    """Real commits: the page cache tells its receivers once a change commits."""

    def setUp(self):
        self.sheet = make_full_factsheet(country=make_country(name="Mali", slug="mali"))
        self.enterContext(override_settings(PRERENDER=True))

    def commit(self, change):
        with transaction.atomic():
            change()

    def test_one_task_renders_the_pages_a_commit_made_stale_however_many_rows(self):
        def edit_three_sections():
            for section in [*self.sheet.sections.all(), make_section(self.sheet)]:
                section.body = "<p>Changed.</p>"
                section.save()
            make_section(self.sheet)

        self.commit(edit_three_sections)
        [task] = queued("render_pages")
        [paths] = task.task_result.args
        self.assertEqual(
            sorted(paths),
            [
                "/fact-sheets/mali.json",
                "/fact-sheets/mali/",
                "/fact-sheets/mali/2015-10-15/",
                "/fact-sheets/mali/changes/",
                "/fact-sheets/mali/feed.atom",
            ],
        )

    def test_every_page_made_stale_queues_one_warm_up_until_it_starts(self):
        for _ in range(3):
            self.commit(pagecache.invalidate)
        [task] = queued("warm_up")
        self.assertEqual(task.task_result.kwargs, {"force": True})

    def test_nothing_is_queued_for_a_change_no_public_page_shows(self):
        with override_settings(PRERENDER=False):
            country = make_country(name="Atlantis")
        country.name = "Atlantis Minor"
        self.commit(country.save)
        self.assertFalse(queued().exists())

    def test_a_failure_to_queue_is_logged_and_the_save_stands(self):
        section = self.sheet.sections.first()
        with (
            mock.patch(
                "django_tasks_db.backend.DatabaseBackend.enqueue",
                side_effect=RuntimeError("queue away"),
            ),
            self.assertLogs("prerender", "ERROR") as logs,
        ):
            section.body = "<p>Saved anyway.</p>"
            self.commit(section.save)
        self.assertIn("queue away", logs.output[0])
        self.assertEqual(
            Section.objects.get(pk=section.pk).body, "<p>Saved anyway.</p>"
        )

    @override_settings(PRERENDER=False)
    def test_off_nothing_is_queued(self):
        self.commit(lambda: make_section(self.sheet))
        self.commit(pagecache.invalidate)
        self.assertFalse(queued().exists())

    @override_settings(PAGE_CACHE=False)
    def test_without_a_page_cache_nothing_is_queued(self):
        self.commit(lambda: make_section(self.sheet))
        self.assertFalse(queued().exists())
