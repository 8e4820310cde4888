import tempfile
from pathlib import Path

from django.test import TransactionTestCase

from tests.helpers.sample_tasks import lines, record
from tests.helpers.worker import running_worker, wait_until


class WorkerTests(TransactionTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tasks-"))
        self.log = self.folder / "log"

    def test_an_enqueued_task_runs(self):
        with running_worker():
            result = record.enqueue(str(self.log), "hello")
            wait_until(lambda: lines(self.log) == ["hello"], message="the task")
            result.refresh()
            self.assertEqual(result.return_value, "hello")
