import logging
import os
import socket

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_rq.backend import RQBackend

from background import database_worker


def worker_name():
    """Unique across machines, and saying where the worker runs (at most 64
    characters, as django-tasks-db keeps them)."""
    host = socket.gethostname().split(".")[0][:40]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


class Command(BaseCommand):
    help = (
        "Run the tasks of the queue and the schedule until Ctrl-C or SIGTERM, which "
        "let the current task finish. Start as many as you like, on any machine."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queues",
            default="*",
            help="Queues of the database to take tasks from, separated by commas "
            "(default: all). On Redis a worker serves every queue.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds an idle worker waits before looking again "
            "(default: TASK_WORKER_INTERVAL).",
        )

    def handle(self, *, queues, interval, verbosity, **options):
        level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
        for name in ["background", "django_tasks", "django_tasks_db", "rq.worker"]:
            logging.getLogger(name).setLevel(level)
        interval = settings.TASK_WORKER_INTERVAL if interval is None else interval
        if interval < 0:
            raise CommandError("--interval must be zero or more seconds.")
        if not 0 <= settings.TASK_WORKER_NICENESS <= 19:
            raise CommandError("TASK_WORKER_NICENESS must be from 0 to 19.")
        yield_the_cpu(settings.TASK_WORKER_NICENESS)
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        worker_id = worker_name()
        if isinstance(backend, DatabaseBackend):
            self.stdout.write(f"Worker {worker_id}: tasks from the database queue.")
            database_worker.run(
                worker_id=worker_id,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                queue_names=queues.split(","),
                interval=interval,
            )
        elif isinstance(backend, RQBackend):
            from background import rq_worker

            self.stdout.write(f"Worker {worker_id}: tasks from the queue in Redis.")
            rq_worker.run(worker_id=worker_id, backend=backend, interval=interval)
        else:
            raise CommandError(
                f"No worker for the task backend {type(backend).__name__}."
            )


def yield_the_cpu(niceness):
    """Nice this process and, if it leads a session of its own, that session.

    Where Linux groups processes by session (autogroup, on by default), a nice value
    ranks a process only among those of its session: sessions share the CPU as
    equals. A worker in a session of its own (`make run`, systemd and most process
    managers start one so) would take as much as all the app servers together,
    whatever its nice value. A worker started from a terminal shares the session of
    its shell and leaves the session's value alone."""
    os.nice(niceness)
    if os.getsid(0) != os.getpid():
        return
    try:
        with open("/proc/self/autogroup", "w") as autogroup:
            autogroup.write(str(niceness))
    except OSError:  # not Linux, or a kernel without autogroup
        pass
