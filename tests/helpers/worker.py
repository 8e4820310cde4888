"""Real `manage.py worker` processes on the test database, for the tests of
anything done in the background (a TransactionTestCase's, so the workers see
its rows)::

    with running_worker(EMAIL_URL=...) as workers:      # one worker
        ...enqueue, then
        wait_until(lambda: Outbox.objects.filter(sent=True).exists())

    workers = start_workers(self, count=2)           # stopped at the test's end
    result = some_task.enqueue(...)
    wait_for_status(result, "RUNNING")
    workers.kill(workers[0])                         # kill -9, as a crash would
    workers.start()                                  # one more
    wait_for_status(result)                          # SUCCESSFUL

Workers run with production settings (as servers.production_server's do), poll
every 0.1 s, take a worker unheard of for 1 s as dead, retry after 0.2 s, render no
pages ahead (PRERENDER) and keep their page cache in memory, unless the keyword
arguments, environment variables of theirs, say otherwise; `extra_settings` is
Python added to their settings module. Their output is in `workers.output()`, for a
failing test's message."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers.servers import (
    PLAIN_STATIC_SETTINGS,
    database_url,
    server_environment,
)

FAST = {
    "TASK_WORKER_INTERVAL": "0.1",
    "TASK_WORKER_STALE_AFTER": "1",
    "TASK_RETRY_BACKOFF": "0.2",
    # No warm-up of the catalogue at their start, nor renders among the tasks a
    # test counts: the tests of rendering ahead turn it on.
    "PRERENDER": "0",
}


def wait_until(condition, timeout=15, message="the condition", interval=0.05):
    """Poll `condition` until it returns something true, and return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout} s for {message}.")
        time.sleep(interval)


def wait_for_status(result, status="SUCCESSFUL", timeout=15):
    """Wait until the TaskResult `result` has the status `status`."""

    def reached():
        result.refresh()
        return result.status == status

    wait_until(reached, timeout, f"task {result.id} to be {status}")


class WorkerProcess:
    def __init__(self, number, env, workdir):
        self.name = f"worker-{number}"
        self.log_path = Path(workdir) / f"{self.name}.log"
        self.log = open(self.log_path, "w+b")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--verbosity", "1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.process.pid

    @property
    def alive(self):
        return self.process.poll() is None

    def output(self):
        self.log.flush()
        return self.log_path.read_bytes().decode(errors="replace")[-6000:]

    def signal(self, number):
        if self.alive:
            os.killpg(self.pid, number)

    def wait(self, timeout=20):
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} did not stop:\n{self.output()}"
            ) from None

    def close(self):
        if self.alive:
            self.signal(signal.SIGKILL)
            self.process.wait()
        self.log.close()


class Workers:
    """Worker processes started with one environment; a list of WorkerProcess."""

    def __init__(self, workdir, env):
        self.workdir = workdir
        self.env = env
        self.processes = []

    def __getitem__(self, index):
        return self.processes[index]

    def __iter__(self):
        return iter(self.processes)

    def __len__(self):
        return len(self.processes)

    def start(self, count=1, timeout=20):
        """Start `count` more workers, and return once each is working (its
        heartbeat is in the database)."""
        from background.models import WorkerHeartbeat

        started = [
            WorkerProcess(len(self.processes) + i + 1, self.env, self.workdir)
            for i in range(count)
        ]
        self.processes += started
        for worker in started:
            wait_until(
                lambda worker=worker: (
                    WorkerHeartbeat.objects.filter(pid=worker.pid).exists()
                    or not worker.alive
                ),
                timeout,
                f"{worker.name} to start:\n{worker.output()}",
            )
            if not worker.alive:
                raise AssertionError(f"{worker.name} exited:\n{worker.output()}")
        return started

    def stop(self, worker=None, timeout=20):
        """SIGTERM, as Ctrl-C: the current task ends first. All of them by default.
        Returns the exit statuses."""
        chosen = [worker] if worker else list(self.processes)
        for each in chosen:
            each.signal(signal.SIGTERM)
        return [each.wait(timeout) for each in chosen]

    def kill(self, worker=None):
        """kill -9 of a worker (all of them by default), as a crash or a machine
        lost would stop it: nothing of it runs on."""
        for each in [worker] if worker else list(self.processes):
            each.signal(signal.SIGKILL)
            each.process.wait()

    def output(self):
        return "\n".join(f"--- {w.name}\n{w.output()}" for w in self.processes)

    def close(self):
        for worker in self.processes:
            worker.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def worker_environment(workdir, extra_settings="", **values):
    """The environment of a worker on the test database, with `values` on top and
    `extra_settings`, Python, added to its settings module."""
    (Path(workdir) / "worker_settings.py").write_text(
        PLAIN_STATIC_SETTINGS + extra_settings
    )
    return server_environment(
        workdir,
        "worker_settings",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(connection.settings_dict),
        **{"CACHE_URL": "locmemcache://", **FAST, **values},
    )


@contextlib.contextmanager
def running_worker(count=1, extra_settings="", **values):
    """`count` workers (one by default) while the block runs, then stopped."""
    workdir = tempfile.mkdtemp(prefix="workers-")
    workers = Workers(workdir, worker_environment(workdir, extra_settings, **values))
    try:
        if count:
            workers.start(count)
        yield workers
    finally:
        with contextlib.suppress(AssertionError):
            workers.stop()
        workers.close()


def start_workers(test, count=1, extra_settings="", **values):
    """`count` workers for the rest of `test`, stopped when it ends."""
    manager = running_worker(count, extra_settings, **values)
    workers = manager.__enter__()
    test.addCleanup(manager.__exit__, None, None, None)
    return workers


def session_niceness(pid):
    """The nice value of the session (autogroup) of the process `pid`, whose line in
    /proc reads like "/autogroup-25 nice 10"."""
    try:
        line = Path(f"/proc/{pid}/autogroup").read_text()
    except FileNotFoundError:
        pytest.skip("This kernel groups no processes by session (no autogroup)")
    return int(line.split()[-1])
