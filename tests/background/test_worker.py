import itertools
import os
import signal
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.db.models import F
from django.test import TransactionTestCase
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from background import queue_state
from background.models import ScheduledTask
from tests.helpers.sample_tasks import (
    fail_first_time,
    lines,
    record,
    wait_for_go,
)
from tests.helpers.scheduled_tasks import tick
from tests.helpers.started_tasks import on_start
from tests.helpers.worker import (
    running_worker,
    session_niceness,
    start_workers,
    wait_for_status,
    wait_until,
)


class WorkerTestCase(TransactionTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tasks-"))
        self.log = self.folder / "log"

    def finished(self, result, status=TaskResultStatus.SUCCESSFUL):
        wait_for_status(result, status)


class RunningTasksTests(WorkerTestCase):
    def test_an_enqueued_task_runs(self):
        with running_worker():
            result = record.enqueue(str(self.log), "hello")
            self.finished(result)
        self.assertEqual(result.return_value, "hello")
        self.assertEqual(lines(self.log), ["hello"])

    def test_a_worker_yields_the_cpu_to_the_app_servers(self):
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        with running_worker(TASK_WORKER_NICENESS="10") as workers:
            result = record.enqueue(str(self.log), "started")
            self.finished(result)
            self.assertEqual(os.getpriority(os.PRIO_PROCESS, workers[0].pid), ours + 10)
            self.assertEqual(session_niceness(workers[0].pid), 10)
        with running_worker(TASK_WORKER_NICENESS="0") as workers:
            self.finished(record.enqueue(str(self.log), "started"))
            self.assertEqual(os.getpriority(os.PRIO_PROCESS, workers[0].pid), ours)
            self.assertEqual(session_niceness(workers[0].pid), 0)

    def test_a_failed_task_runs_again_after_its_backoff(self):
        with running_worker(TASK_RETRY_BACKOFF="0.5"):
            first = fail_first_time.using(priority=-5).enqueue(str(self.log))
            self.finished(first, TaskResultStatus.FAILED)
            wait_until(lambda: len(lines(self.log)) == 2, message="the retry")
        runs = [float(line.split()[1]) for line in lines(self.log)]
        self.assertGreaterEqual(runs[1] - runs[0], 0.5)
        self.assertIn("The first run fails.", first.errors[0].traceback)
        self.assertEqual(queue_state().failed_last_day, 1)
        # The retry keeps the priority the task was enqueued with.
        runs = DBTaskResult.objects.filter(task_path=fail_first_time.module_path)
        self.assertEqual(list(runs.values_list("priority", flat=True)), [-5, -5])

    def test_sigterm_lets_the_current_task_finish(self):
        go = self.folder / "go"
        with running_worker() as workers:
            result = wait_for_go.enqueue(str(self.log), str(go))
            wait_until(lambda: lines(self.log) == ["started"], message="the task")
            state = queue_state()
            self.assertEqual((state.running, state.workers), (1, 1))
            workers[0].signal(signal.SIGTERM)
            time.sleep(0.3)
            self.assertTrue(workers[0].alive)
            go.touch()
            self.assertEqual(workers[0].wait(), 0)
            self.assertEqual(queue_state().workers, 0)
        result.refresh()
        self.assertEqual(result.status, TaskResultStatus.SUCCESSFUL)
        self.assertEqual(lines(self.log), ["started", "finished"])


class KilledWorkerTests(WorkerTestCase):
    def test_a_task_cut_short_by_kill_9_runs_to_completion_once(self):
        go = self.folder / "go"
        workers = start_workers(self)
        result = wait_for_go.enqueue(str(self.log), str(go))
        wait_until(lambda: lines(self.log) == ["started"], message="the task")
        workers.kill()
        workers.start()
        wait_until(
            lambda: lines(self.log) == ["started", "started"],
            message="the task to start again",
        )
        go.touch()
        self.finished(result)
        self.assertEqual(lines(self.log), ["started", "started", "finished"])
        self.assertEqual(len(result.worker_ids), 2)


class ScheduleTests(WorkerTestCase):
    def test_a_scheduled_task_runs_once_an_interval_with_two_workers(self):
        start = time.time()
        with running_worker(
            2,
            TASK_MODULES="tests.helpers.scheduled_tasks",
            SCHEDULED_TASK_LOG=str(self.log),
        ):
            time.sleep(3.5)
        elapsed = time.time() - start
        # Due at once, then every second: at most one run a second (both workers
        # enqueuing would make it two), each enqueued about a second after the last.
        runs = lines(self.log)
        self.assertGreaterEqual(len(runs), 3, runs)
        self.assertLessEqual(len(runs), int(elapsed) + 1, runs)
        enqueued = DBTaskResult.objects.filter(task_path=tick.module_path).values_list(
            "enqueued_at", flat=True
        )
        gaps = [
            (later - earlier).total_seconds()
            for earlier, later in itertools.pairwise(sorted(enqueued))
        ]
        self.assertTrue(all(gap > 0.5 for gap in gaps), gaps)

    def test_a_task_scheduled_at_start_runs_once_when_workers_start_together(self):
        started = {
            "TASK_MODULES": "tests.helpers.started_tasks",
            "STARTED_TASK_LOG": str(self.log),
        }
        with running_worker(2, **started):
            wait_until(lambda: lines(self.log), message="the task")
            time.sleep(1)  # both workers' first turns of the schedule are over
        self.assertEqual(lines(self.log), ["ran"])
        # A worker started later (the first start moved a minute back) runs it
        # again, though its hour has not passed.
        ScheduledTask.objects.filter(name=on_start.module_path).update(
            started_run_at=F("started_run_at") - timedelta(minutes=1)
        )
        with running_worker(**started):
            wait_until(lambda: len(lines(self.log)) == 2, message="the task again")


class ForcedStopTests(WorkerTestCase):
    def test_a_second_sigterm_stops_at_once_and_the_task_runs_again(self):
        go = self.folder / "go"
        workers = start_workers(self)
        result = wait_for_go.enqueue(str(self.log), str(go))
        wait_until(lambda: lines(self.log) == ["started"], message="the task")
        workers[0].signal(signal.SIGTERM)
        time.sleep(0.2)
        workers[0].signal(signal.SIGTERM)
        workers[0].wait()
        result.refresh()
        self.assertEqual(result.status, TaskResultStatus.READY)
        workers.start()
        wait_until(lambda: len(lines(self.log)) == 2, message="the task again")
        go.touch()
        self.finished(result)
        self.assertEqual(lines(self.log), ["started", "started", "finished"])
