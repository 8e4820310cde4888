import itertools
import signal
import tempfile
import time
from pathlib import Path

from django.test import TransactionTestCase
from django_tasks.base import TaskResultStatus

from tests.helpers.sample_tasks import (
    fail_first_time,
    lines,
    record,
    wait_for_go,
)
from tests.helpers.worker import running_worker, start_workers, wait_until


class WorkerTestCase(TransactionTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tasks-"))
        self.log = self.folder / "log"

    def finished(self, result, status=TaskResultStatus.SUCCESSFUL, timeout=15):
        def done():
            result.refresh()
            return result.status == status

        wait_until(done, timeout, f"task {result.id} to be {status}")


class RunningTasksTests(WorkerTestCase):
    def test_an_enqueued_task_runs(self):
        with running_worker():
            result = record.enqueue(str(self.log), "hello")
            self.finished(result)
        self.assertEqual(result.return_value, "hello")
        self.assertEqual(lines(self.log), ["hello"])

    def test_a_failed_task_runs_again_after_its_backoff(self):
        with running_worker(TASK_RETRY_BACKOFF="0.5"):
            first = fail_first_time.enqueue(str(self.log))
            self.finished(first, TaskResultStatus.FAILED)
            wait_until(lambda: len(lines(self.log)) == 2, message="the retry")
        runs = [float(line.split()[1]) for line in lines(self.log)]
        self.assertGreaterEqual(runs[1] - runs[0], 0.5)
        self.assertIn("The first run fails.", first.errors[0].traceback)

    def test_sigterm_lets_the_current_task_finish(self):
        go = self.folder / "go"
        with running_worker() as workers:
            result = wait_for_go.enqueue(str(self.log), str(go))
            wait_until(lambda: lines(self.log) == ["started"], message="the task")
            workers[0].signal(signal.SIGTERM)
            time.sleep(0.3)
            self.assertTrue(workers[0].alive)
            go.touch()
            self.assertEqual(workers[0].wait(), 0)
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
        runs = [float(line) for line in lines(self.log)]
        # Due at once, then every second: at most one run a second (both workers
        # enqueuing would make it two), never two at once.
        self.assertGreaterEqual(len(runs), 3, runs)
        self.assertLessEqual(len(runs), int(elapsed) + 1, runs)
        gaps = [later - earlier for earlier, later in itertools.pairwise(runs)]
        self.assertTrue(all(gap > 0.3 for gap in gaps), gaps)
