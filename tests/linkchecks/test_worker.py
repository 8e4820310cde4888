"""Link checks done by a real worker process: the scheduled run it starts by
itself, and a sheet's check once it is submitted for review."""

import datetime

from django.test import TransactionTestCase

from factsheets import sheet_operations
from factsheets.models import FactSheet
from linkchecks.models import Link
from tests.helpers.factories import (
    make_factsheet,
    make_full_factsheet,
    make_related_link,
    make_section,
    make_user,
)
from tests.helpers.http_server import LocalServer, answer
from tests.helpers.worker import running_worker, wait_until


class WorkerLinkCheckTests(TransactionTestCase):
    def setUp(self):
        self.server = LocalServer(
            {
                "/ok": answer(200),
                "/gone": answer(404),
                "/moved": answer(301, location="/ok"),
                "/draft": answer(500),
            }
        ).start()
        self.addCleanup(self.server.stop)
        current = make_factsheet()
        make_related_link(current, title="Fine", url=self.server.url("/ok"))
        make_related_link(current, title="Moved", url=self.server.url("/moved"))
        make_section(
            current, body=f'<p><a href="{self.server.url("/gone")}">Gone</a></p>'
        )
        self.draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, issued_on=datetime.date(2016, 1, 1)
        )
        self.draft.related_links.update(url=self.server.url("/draft"))

    def results(self):
        return {
            link.url.removeprefix(self.server.url("")): (link.result, link.status_code)
            for link in Link.objects.exclude(checked_at=None)
        }

    def test_the_worker_checks_current_sheets_by_itself_then_a_submitted_draft(self):
        with running_worker(LINK_CHECK_HOST_INTERVAL="0") as workers:
            # The hourly run is due as soon as a worker first sees it scheduled.
            wait_until(
                lambda: len(self.results()) == 3,
                message=f"the scheduled check:\n{workers.output()}",
            )
            self.assertEqual(
                self.results(),
                {
                    "/ok": ("ok", 200),
                    "/moved": ("ok", 200),
                    "/gone": ("broken", 404),
                },
            )
            self.assertNotIn("/draft", [r.path for r in self.server.requests])

            sheet_operations.submit_for_review(
                self.draft, by=make_user("editor", "Editors")
            )
            wait_until(
                lambda: "/draft" in self.results(),
                message=f"the submitted sheet's check:\n{workers.output()}",
            )
        self.assertEqual(self.results()["/draft"], ("broken", 500))
        moved = Link.objects.get(url=self.server.url("/moved"))
        self.assertEqual(
            moved.redirects, [{"status": 301, "url": self.server.url("/ok")}]
        )
        # Each link asked for once (and GET after an error to HEAD): nothing twice.
        self.assertEqual(
            sorted((r.method, r.path) for r in self.server.requests),
            [
                ("GET", "/draft"),
                ("GET", "/gone"),
                ("HEAD", "/draft"),
                ("HEAD", "/gone"),
                ("HEAD", "/moved"),
                ("HEAD", "/ok"),
                ("HEAD", "/ok"),
            ],
        )
