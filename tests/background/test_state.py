import datetime
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import queue_state
from background.housekeeping import beat
from background.models import WorkerHeartbeat
from background.state import QueueState
from tests.helpers.sample_tasks import record

UTC = datetime.UTC


class QueueStateTests(TestCase):
    def test_figures_of_the_database_queue_in_two_queries(self):
        now = timezone.now()
        first = record.enqueue("/dev/null", "first")
        record.enqueue("/dev/null", "second")
        record.using(run_after=now + datetime.timedelta(hours=1)).enqueue(
            "/dev/null", "later"
        )
        DBTaskResult.objects.get(id=record.enqueue("/dev/null", "running").id).claim(
            "worker-1"
        )
        failed = DBTaskResult.objects.get(id=record.enqueue("/dev/null", "x").id)
        failed.set_failed(RuntimeError("no"))
        long_ago = DBTaskResult.objects.get(id=record.enqueue("/dev/null", "y").id)
        long_ago.set_failed(RuntimeError("no"))
        DBTaskResult.objects.filter(id=long_ago.id).update(
            finished_at=now - datetime.timedelta(days=2)
        )
        beat("worker-1")
        beat("worker-2")
        WorkerHeartbeat.objects.filter(worker_id="worker-2").update(
            seen_at=now - datetime.timedelta(minutes=5)
        )

        with self.assertNumQueries(2):
            state = queue_state()

        self.assertEqual(state.waiting, 2)
        self.assertEqual(state.oldest_waiting_since, first.enqueued_at)
        self.assertEqual(state.later, 1)
        self.assertEqual(state.running, 1)
        self.assertEqual(state.failed_last_day, 1)
        self.assertEqual(state.workers, 1)

    def test_a_task_whose_time_came_waits_since_that_time(self):
        now = timezone.now()
        due = now - datetime.timedelta(minutes=3)
        retry = record.using(run_after=due).enqueue("/dev/null", "retry")
        DBTaskResult.objects.filter(id=retry.id).update(
            enqueued_at=now - datetime.timedelta(minutes=10)
        )
        self.assertEqual(queue_state().oldest_waiting_since, due)

    def test_an_empty_queue(self):
        self.assertEqual(
            str(queue_state()),
            "0 tasks waiting; 0 running; 0 failed in the last day; 0 workers alive",
        )


class QueueStateWordsTests(TestCase):
    def test_the_figures_in_words_in_the_sites_time_zone(self):
        state = QueueState(
            waiting=3,
            oldest_waiting_since=datetime.datetime(2026, 3, 2, 14, 41, tzinfo=UTC),
            running=1,
            failed_last_day=0,
            workers=2,
            at=datetime.datetime(2026, 3, 2, 14, 43, 30, tzinfo=UTC),
        )
        self.assertEqual(
            str(state),
            "3 tasks waiting; the oldest since 09:41 (2 minutes); 1 running; "
            "0 failed in the last day; 2 workers alive",
        )

    def test_one_of_each_and_a_wait_since_another_day(self):
        state = QueueState(
            waiting=1,
            oldest_waiting_since=datetime.datetime(2026, 3, 1, 14, 41, tzinfo=UTC),
            running=0,
            failed_last_day=1,
            workers=1,
            later=2,
            at=datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC),
        )
        self.assertEqual(
            str(state),
            "1 task waiting; the oldest since Mar 1, 09:41 (1 day); 2 due later; "
            "0 running; 1 failed in the last day; 1 worker alive",
        )


class QueueStatusCommandTests(TestCase):
    def test_it_prints_the_figures(self):
        enqueued = record.enqueue("/dev/null", "first")
        output = StringIO()
        call_command("queue_status", stdout=output)
        since = timezone.localtime(enqueued.enqueued_at)
        self.assertEqual(
            output.getvalue(),
            f"1 task waiting; the oldest since {since:%H:%M} (under a minute); 0 running; "
            "0 failed in the last day; 0 workers alive\n",
        )
