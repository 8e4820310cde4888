"""The tasks: a sheet's links checked once it is submitted or goes out, and the
scheduled run over the current sheets, in small batches, never twice."""

import datetime
import os
import subprocess
import sys
from io import StringIO

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factsheets import sheet_operations
from factsheets.models import FactSheet, ReviewStep
from linkchecks import tasks
from linkchecks.models import Link
from tests.helpers.factories import (
    make_factsheet,
    make_full_factsheet,
    make_related_link,
    make_section,
    make_user,
)
from tests.helpers.http_server import LocalServer, answer


def queued(task):
    return list(
        DBTaskResult.objects.filter(status="READY", task_path=task.module_path)
        .order_by("enqueued_at")
        .values_list("args_kwargs", flat=True)
    )


def run_queued():
    """Run what is queued in this process, in the worker's order (priority, then
    age), until nothing is left; how many tasks ran."""
    ran = 0
    while row := DBTaskResult.objects.filter(status="READY").first():
        DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        ran += 1
    return ran


def sheet_checks():
    """The sheet checks queued, as (sheet id, since)."""
    return [
        (args["args"][0], datetime.datetime.fromisoformat(args["args"][1]))
        for args in queued(tasks.check_sheet_links)
    ]


class AfterReviewStepTests(TestCase):
    """Steps recorded by sheet_operations, as the admin and the worker record them."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", "Editors")
        cls.publisher = make_user("publisher", "Publishers")

    def setUp(self):
        self.draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, issued_on=datetime.date(2016, 1, 1)
        )

    def test_submitting_queues_a_check_once_the_step_commits(self):
        with self.captureOnCommitCallbacks(execute=True):
            step = sheet_operations.submit_for_review(self.draft, by=self.editor)
            self.assertEqual(sheet_checks(), [])
        self.assertEqual(sheet_checks(), [(self.draft.pk, step.at)])
        self.assertEqual(
            queued(tasks.check_sheet_links)[0]["args"][1], step.at.isoformat()
        )
        # After the worker's other work, before the scheduled run's backlog.
        self.assertEqual(DBTaskResult.objects.get().priority, -10)

    def test_publishing_queues_a_check(self):
        with self.captureOnCommitCallbacks(execute=True):
            step = sheet_operations.publish(self.draft, by=self.publisher)
        self.assertEqual(step.action, ReviewStep.Action.PUBLISHED)
        self.assertEqual(sheet_checks(), [(self.draft.pk, step.at)])

    def test_a_scheduled_sheet_is_checked_when_it_goes_live(self):
        publish_at = timezone.now() + datetime.timedelta(hours=1)
        with self.captureOnCommitCallbacks(execute=True):
            sheet_operations.publish(self.draft, by=self.publisher, at=publish_at)
        self.assertEqual(sheet_checks(), [])
        with self.captureOnCommitCallbacks(execute=True):
            (step,) = sheet_operations.record_scheduled_changes(
                now=publish_at + datetime.timedelta(minutes=1)
            )
        self.assertEqual(step.action, ReviewStep.Action.WENT_LIVE)
        self.assertEqual(sheet_checks(), [(self.draft.pk, publish_at)])

    def test_sending_back_unpublishing_and_expiry_queue_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            sheet_operations.submit_for_review(self.draft, by=self.editor)
        DBTaskResult.objects.all().delete()
        with self.captureOnCommitCallbacks(execute=True):
            sheet_operations.request_changes(
                self.draft, by=self.publisher, comment="Check the figures."
            )
            sheet_operations.publish(self.draft, by=self.publisher)
        DBTaskResult.objects.all().delete()
        FactSheet.objects.filter(pk=self.draft.pk).update(
            expires_at=timezone.now() + datetime.timedelta(minutes=1)
        )
        with self.captureOnCommitCallbacks(execute=True):
            (expired,) = sheet_operations.record_scheduled_changes(
                now=timezone.now() + datetime.timedelta(minutes=2)
            )
            sheet_operations.unpublish(
                FactSheet.objects.get(pk=self.draft.pk), by=self.publisher
            )
        self.assertEqual(expired.action, ReviewStep.Action.EXPIRED)
        self.assertEqual(
            DBTaskResult.objects.filter(task_path__startswith="linkchecks.").count(), 0
        )

    def test_a_step_rolled_back_queues_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    sheet_operations.submit_for_review(self.draft, by=self.editor)
                    raise RuntimeError("the request failed after the step")
            except RuntimeError:
                pass
        self.assertEqual(DBTaskResult.objects.count(), 0)


@override_settings(LINK_CHECK_HOST_INTERVAL=0, LINK_CHECK_BATCH_SIZE=2)
class SheetCheckTests(TestCase):
    def setUp(self):
        self.server = LocalServer(
            {
                "/ok": answer(200),
                "/gone": answer(404),
                "/moved": answer(301, location="/ok"),
                "/fact-sheets/niger/": answer(404),
            }
        ).start()
        self.addCleanup(self.server.stop)

    def test_each_link_of_the_sheet_is_checked_and_recorded(self):
        with override_settings(SITE_URL=self.server.url("")):
            sheet = make_factsheet()
            make_section(
                sheet,
                body=f'<p><a href="{self.server.url("/gone")}">Gone</a> and '
                f'<a href="/fact-sheets/niger/">Niger</a></p>',
            )
            make_related_link(sheet, title="Fine", url=self.server.url("/ok"))
            make_related_link(sheet, title="Moved", url=self.server.url("/moved"))
            tasks.check_sheet_links.call(sheet.pk, timezone.now().isoformat())
            # Four links in batches of two, behind the worker's other work.
            batches = DBTaskResult.objects.filter(
                task_path=tasks.check_links.module_path
            )
            self.assertEqual(
                [len(row.args_kwargs["args"][0]) for row in batches], [2, 2]
            )
            self.assertEqual({row.priority for row in batches}, {-10})
            self.assertEqual(run_queued(), 2)

        results = {
            link.url.removeprefix(self.server.url("")): (
                link.result,
                link.status_code,
                link.redirects,
            )
            for link in Link.objects.all()
        }
        self.assertEqual(
            results,
            {
                "/gone": ("broken", 404, []),
                "/fact-sheets/niger/": ("broken", 404, []),
                "/ok": ("ok", 200, []),
                "/moved": ("ok", 200, [{"status": 301, "url": self.server.url("/ok")}]),
            },
        )
        self.assertTrue(all(link.checked_at for link in Link.objects.all()))
        self.assertEqual(
            Link.objects.get(url=self.server.url("/gone")).failing_since,
            Link.objects.get(url=self.server.url("/gone")).checked_at,
        )

    def test_running_a_batch_again_checks_nothing_twice(self):
        sheet = make_factsheet()
        make_related_link(sheet, url=self.server.url("/ok"))
        since = timezone.now()
        tasks.check_sheet_links.call(sheet.pk, since.isoformat())
        (batch,) = queued(tasks.check_links)
        tasks.check_links.call(*batch["args"])
        tasks.check_links.call(*batch["args"])  # run again, as after a lost worker
        tasks.check_sheet_links.call(sheet.pk, since.isoformat())
        self.assertEqual(queued(tasks.check_links), [batch])
        self.assertEqual(len(self.server.requests), 1)

    def test_a_second_check_of_the_same_moment_queues_nothing_more(self):
        sheet = make_factsheet()
        make_related_link(sheet, url=self.server.url("/ok"))
        since = timezone.now().isoformat()
        tasks.check_sheet_links.call(sheet.pk, since)
        tasks.check_sheet_links.call(sheet.pk, since)
        self.assertEqual(len(queued(tasks.check_links)), 1)
        run_queued()
        self.assertEqual(len(self.server.requests), 1)

    def test_a_deleted_sheet_is_nothing_to_check(self):
        tasks.check_sheet_links.call(987654, timezone.now().isoformat())
        self.assertEqual(DBTaskResult.objects.count(), 0)


@override_settings(
    LINK_CHECK_HOST_INTERVAL=0, LINK_CHECK_BATCH_SIZE=10, LINK_CHECK_INTERVAL_HOURS=24
)
class ScheduledRunTests(TestCase):
    def setUp(self):
        self.server = LocalServer(
            {"/ok": answer(200), "/a": answer(200), "/b": answer(500)}
        ).start()
        self.addCleanup(self.server.stop)
        self.current = make_factsheet()
        make_related_link(self.current, url=self.server.url("/ok"))
        make_section(
            self.current, body=f'<p><a href="{self.server.url("/a")}">A</a></p>'
        )
        draft = make_factsheet(status=FactSheet.Status.DRAFT)
        make_related_link(draft, url=self.server.url("/draft-only"))
        older = make_factsheet(
            country=self.current.country, issued_on=datetime.date(2010, 1, 1)
        )
        make_related_link(older, url=self.server.url("/superseded-only"))

    def paths_checked(self):
        return sorted(r.path for r in self.server.requests)

    def test_the_links_of_current_sheets_only_are_checked(self):
        tasks.check_due_links.call()
        self.assertEqual({row.priority for row in DBTaskResult.objects.all()}, {-20})
        run_queued()
        self.assertEqual(self.paths_checked(), ["/a", "/ok"])
        self.assertEqual(
            set(Link.objects.exclude(checked_at=None).values_list("result", flat=True)),
            {"ok"},
        )

    def test_a_link_checked_within_the_interval_waits_its_turn(self):
        tasks.check_due_links.call()
        run_queued()
        self.server.requests.clear()
        tasks.check_due_links.call()
        self.assertEqual(run_queued(), 0)

        a = Link.objects.get(url=self.server.url("/a"))
        Link.objects.filter(pk=a.pk).update(
            checked_at=timezone.now() - datetime.timedelta(hours=25)
        )
        tasks.check_due_links.call()
        run_queued()
        self.assertEqual(self.paths_checked(), ["/a"])

    def test_an_unreachable_link_is_tried_again_at_the_next_run(self):
        tasks.check_due_links.call()
        run_queued()
        Link.objects.filter(url=self.server.url("/ok")).update(result="unreachable")
        self.server.requests.clear()
        tasks.check_due_links.call()
        run_queued()
        self.assertEqual(self.paths_checked(), ["/ok"])
        self.assertEqual(Link.objects.get(url=self.server.url("/ok")).result, "ok")

    def test_links_already_queued_are_not_queued_again(self):
        tasks.check_due_links.call()
        tasks.check_due_links.call()
        self.assertEqual(len(queued(tasks.check_links)), 1)
        self.assertEqual(run_queued(), 1)
        self.assertEqual(self.paths_checked(), ["/a", "/ok"])

    def test_the_run_is_scheduled_hourly_by_the_worker(self):
        from background.schedule import SCHEDULE

        self.assertEqual(
            SCHEDULE[tasks.check_due_links.module_path],
            (tasks.check_due_links, datetime.timedelta(hours=1)),
        )


@override_settings(LINK_CHECK_HOST_INTERVAL=0)
class CheckLinksCommandTests(TestCase):
    def setUp(self):
        self.server = LocalServer({"/ok": answer(200), "/gone": answer(410)}).start()
        self.addCleanup(self.server.stop)
        self.sheet = make_factsheet()
        make_related_link(self.sheet, url=self.server.url("/ok"))
        make_related_link(self.sheet, url=self.server.url("/gone"))

    def command(self, *args):
        out = StringIO()
        call_command("check_links", *args, stdout=out)
        return out.getvalue()

    def test_the_due_links_are_checked_here_and_the_failures_listed(self):
        self.assertEqual(
            self.command(),
            f"Broken 410 {self.server.url('/gone')}\n"
            "Checked 2 links: 1 working, 1 failed.\n",
        )
        self.assertEqual(self.command(), "Checked 0 links: 0 working, 0 failed.\n")
        self.assertEqual(len(self.server.requests), 3)  # HEAD /ok, HEAD and GET /gone
        self.assertIn("Checked 2 links", self.command("--all"))
        self.assertIn("Checked 2 links", self.command("--sheet", str(self.sheet.pk)))

    def test_an_unknown_sheet_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "There is no sheet with the id 0."):
            self.command("--sheet", "0")


class RedisQueueTests(SimpleTestCase):
    def test_with_the_queue_in_redis_the_tasks_load_and_take_no_priority(self):
        """RQ refuses a task that names a priority; the site must start all the same."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST", "DJANGO_"))
        }
        env.update(DEBUG="1", TASK_QUEUE_URL="redis://127.0.0.1:6379/15")
        shell = (
            "from linkchecks import tasks; "
            "print(tasks.at_priority(tasks.check_links, tasks.SCHEDULED_PRIORITY).priority)"
        )
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", shell],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual((done.returncode, done.stdout), (0, "0\n"), done.stderr)
