"""The queue in Redis (TASK_QUEUE_URL=redis://…): real RQ workers, started by
`manage.py worker`, on Redis database 13 of 127.0.0.1, emptied before and after."""

import tempfile
import time
from pathlib import Path

import django_rq
import redis
from django.test import TransactionTestCase, override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_rq.backend import Job

from background import queue_state, rq_worker
from tests.helpers.sample_tasks import fail_first_time, lines, record, wait_for_go
from tests.helpers.tools import missing
from tests.helpers.worker import (
    running_worker,
    start_workers,
    wait_for_status,
    wait_until,
)

QUEUE_URL = "redis://127.0.0.1:6379/13"


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
    RQ_QUEUES={"default": {"URL": QUEUE_URL, "DEFAULT_TIMEOUT": 3600}},
)
class RedisQueueTests(TransactionTestCase):
    def setUp(self):
        client = redis.Redis.from_url(QUEUE_URL)
        try:
            client.ping()
        except redis.RedisError as error:
            missing(f"Redis is not reachable at {QUEUE_URL} ({error})")
        client.flushdb()
        self.addCleanup(client.close)
        self.addCleanup(client.flushdb)
        self.folder = Path(tempfile.mkdtemp(prefix="rq-tasks-"))
        self.log = self.folder / "log"

    def test_a_task_runs_and_a_failed_one_again_after_its_backoff(self):
        with running_worker(TASK_QUEUE_URL=QUEUE_URL):
            result = record.enqueue(str(self.log), "hello")
            wait_for_status(result)
            self.assertEqual(result.return_value, "hello")
            failing = fail_first_time.enqueue(str(self.folder / "runs"))
            wait_for_status(failing, TaskResultStatus.FAILED)
            # The retry waits in RQ's scheduled registry until its scheduler
            # moves it to the queue.
            wait_until(lambda: len(lines(self.folder / "runs")) == 2, message="retry")
        runs = [float(line.split()[1]) for line in lines(self.folder / "runs")]
        self.assertGreaterEqual(runs[1] - runs[0], 0.2)

    def test_a_task_cut_short_by_kill_9_runs_to_completion_once(self):
        go = self.folder / "go"
        workers = start_workers(self, TASK_QUEUE_URL=QUEUE_URL)
        result = wait_for_go.enqueue(str(self.log), str(go))
        wait_until(lambda: lines(self.log) == ["started"], message="the task")
        workers.kill()
        workers.start()
        wait_until(
            lambda: lines(self.log) == ["started", "started"],
            message=f"the task to start again:\n{workers.output()}",
        )
        go.touch()
        wait_for_status(result)
        self.assertEqual(lines(self.log), ["started", "started", "finished"])

    def test_a_task_rq_found_abandoned_runs_again_rather_than_failing(self):
        go = self.folder / "go"
        workers = start_workers(self, TASK_QUEUE_URL=QUEUE_URL)
        result = wait_for_go.enqueue(str(self.log), str(go))
        wait_until(lambda: lines(self.log) == ["started"], message="the task")
        workers.kill()
        # RQ's own cleanup, as a worker runs it once the job's time to live is
        # over (a minute and more): it records the job as failed.
        queue = django_rq.get_queue("default", job_class=Job)
        queue.started_job_registry.cleanup(
            time.time() + 86400, exception_handlers=[rq_worker.note_abandoned]
        )
        wait_for_status(result, TaskResultStatus.FAILED)
        go.touch()
        workers.start()
        wait_for_status(result)
        self.assertEqual(lines(self.log), ["started", "started", "finished"])

    def test_a_scheduled_task_runs_once_an_interval_with_two_workers(self):
        start = time.time()
        with running_worker(
            2,
            TASK_QUEUE_URL=QUEUE_URL,
            TASK_MODULES="tests.helpers.scheduled_tasks",
            SCHEDULED_TASK_LOG=str(self.log),
        ):
            time.sleep(3)
        elapsed = time.time() - start
        runs = [float(line) for line in lines(self.log)]
        self.assertGreaterEqual(len(runs), 2, runs)
        self.assertLessEqual(len(runs), int(elapsed) + 1, runs)

    def test_queue_state_counts_waiting_tasks_and_live_workers(self):
        before = record.enqueue(str(self.log), "first")
        record.enqueue(str(self.log), "second")
        state = queue_state()
        self.assertEqual((state.waiting, state.running, state.workers), (2, 0, 0))
        self.assertEqual(state.oldest_waiting_since, before.enqueued_at)
        with running_worker(TASK_QUEUE_URL=QUEUE_URL):
            # The tasks of the schedule, enqueued as the worker starts, too.
            wait_until(lambda: queue_state().waiting == 0, message="the queue to empty")
            self.assertEqual(lines(self.log), ["first", "second"])
            self.assertEqual(queue_state().workers, 1)
