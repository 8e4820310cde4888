"""The worker of the queue in the database: django-tasks-db's worker loop, with a
thread beside it that keeps the heartbeat, the schedule and the recovery of tasks
whose worker died."""

import logging

from django.db import close_old_connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from background import housekeeping

logger = logging.getLogger(__name__)

# What a task's run ends with when its worker was made to stop in the middle of it
# (a second Ctrl-C): the task did not fail, it was cut short.
INTERRUPTED = ["builtins.SystemExit", "builtins.KeyboardInterrupt"]


def requeue_abandoned(backend_name, now=None):
    """Put back on the queue the tasks left running by workers taken for dead, to
    be run again from the start (tasks are idempotent). Returns their ids."""
    now = now or timezone.now()
    running = list(
        DBTaskResult.objects.running()
        .filter(
            backend_name=backend_name, started_at__lt=now - housekeeping.stale_after()
        )
        .only("id", "worker_ids", "started_at")
    )
    if not running:
        return []
    dead = housekeeping.dead_worker_ids(
        [result.worker_ids[-1] for result in running if result.worker_ids], now
    )
    requeued = []
    for result in running:
        if result.worker_ids and result.worker_ids[-1] not in dead:
            continue
        # Only if nobody has claimed or finished it since it was read.
        if DBTaskResult.objects.filter(
            id=result.id, status=TaskResultStatus.RUNNING, started_at=result.started_at
        ).update(status=TaskResultStatus.READY):
            logger.warning(
                "Task %s was left running by worker %s, taken for dead: queued again",
                result.id,
                result.worker_ids[-1] if result.worker_ids else "(none)",
            )
            requeued.append(result.id)
    return requeued


def requeue_interrupted(worker_id, since):
    """Put back the tasks this worker's forced stop cut short, recorded as failed
    with SystemExit by the worker loop, so that they run again."""
    cut_short = DBTaskResult.objects.failed().filter(
        exception_class_path__in=INTERRUPTED, finished_at__gte=since
    )
    for result in cut_short.only("id", "worker_ids"):
        if result.worker_ids[-1:] == [worker_id]:
            DBTaskResult.objects.filter(id=result.id, status=result.status).update(
                status=TaskResultStatus.READY,
                finished_at=None,
                exception_class_path="",
                traceback="",
            )
            logger.warning("Task %s was cut short: queued again", result.id)


def run(*, worker_id, backend_name, queue_names, interval):
    """Run tasks until SIGINT or SIGTERM, which let the current task finish."""
    started_at = timezone.now()
    # Alive before it claims anything, so nobody takes its first task back.
    housekeeping.beat(worker_id, started_at)
    worker = Worker(
        queue_names=queue_names,
        interval=interval,
        batch=False,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    helper = housekeeping.Housekeeping(
        worker_id=worker_id,
        started_at=started_at,
        interval=interval,
        recover=lambda: requeue_abandoned(backend_name),
    )
    worker.configure_signals()
    helper.start()
    try:
        worker.run()
    finally:
        helper.stop()
        close_old_connections()
        requeue_interrupted(worker_id, started_at)
        housekeeping.forget(worker_id)
        logger.info("Worker %s stopped", worker_id)
