"""What every worker does beside running tasks, whichever queue it serves: it says
it is alive, enqueues the scheduled tasks that are due, and gives the tasks of
workers that died back to the queue."""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import (
    IntegrityError,
    close_old_connections,
    connections,
    transaction,
)
from django.utils import timezone

from background.models import ScheduledTask, WorkerHeartbeat
from background.schedule import AT_START, SCHEDULE

logger = logging.getLogger(__name__)


def stale_after():
    return timedelta(seconds=settings.TASK_WORKER_STALE_AFTER)


def beat(worker_id, started_at=None):
    """Record that worker `worker_id`, this process, is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": started_at or now,
                "seen_at": now,
            },
        )


def forget(worker_id):
    """The worker stopped of its own accord: it is no longer counted as alive."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_workers(now=None):
    """The heartbeats of the workers taken to be alive."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__gt=now - stale_after())


def dead_worker_ids(worker_ids, now=None):
    """Which of `worker_ids` have not been heard from for too long (or ever)."""
    alive = set(
        live_workers(now)
        .filter(worker_id__in=set(worker_ids))
        .values_list("worker_id", flat=True)
    )
    return set(worker_ids) - alive


def forget_dead_workers(now=None):
    """Drop heartbeats long stale (their work given back already), so the table
    keeps only the recent past."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - 10 * stale_after()).delete()


def enqueue_due(now=None):
    """Enqueue each task of the schedule that is due, and return their names.

    Each is enqueued once across all workers on all machines: a worker enqueues a
    task only if its conditional update of the task's row, from the `next_run_at`
    it read, changed the row; another worker that read the same value then
    changes nothing. On the database queue the enqueue is in the same transaction,
    so a run is never lost between the two; on Redis it comes before the commit, so
    a failed commit may at worst enqueue a run twice (tasks are idempotent)."""
    now = now or timezone.now()
    rows = {row.name: row for row in ScheduledTask.objects.filter(name__in=SCHEDULE)}
    enqueued = []
    for name, (task, interval) in SCHEDULE.items():
        row = rows.get(name) or _schedule_row(name, interval, now)
        if row.every != interval:
            # A new interval counts from now, or sooner if the old one ends sooner.
            next_run_at = min(row.next_run_at, now + interval)
            ScheduledTask.objects.filter(pk=row.pk, every=row.every).update(
                every=interval, next_run_at=next_run_at
            )
            row.every, row.next_run_at = interval, next_run_at
        if row.next_run_at > now:
            continue
        # Keep to the schedule's rhythm; after a long stop, start again from now.
        following = row.next_run_at + interval
        if following <= now:
            following = now + interval
        with transaction.atomic():
            won = ScheduledTask.objects.filter(
                pk=row.pk, next_run_at=row.next_run_at
            ).update(next_run_at=following, last_run_at=now)
            if won:
                task.enqueue()
                enqueued.append(name)
    return enqueued


# Workers started within this long of one another (a deploy starting several)
# enqueue the tasks scheduled `at_start` once between them.
STARTED_TOGETHER = timedelta(seconds=10)


def due_at_start(started_at, now=None):
    """Make the tasks scheduled `at_start` due now, for a worker that started at
    `started_at`, unless another worker's start did since shortly before that: the
    first of workers started together does it for them all. One conditional update,
    so two workers starting at once cannot both do it."""
    now = now or timezone.now()
    ScheduledTask.objects.filter(name__in=AT_START).exclude(
        started_run_at__gte=started_at - STARTED_TOGETHER
    ).update(next_run_at=now, started_run_at=now)


def _schedule_row(name, interval, now):
    """The task's row, made on the first tick that finds the task scheduled: it is
    due at once, as if a worker's start had made it so (for `at_start`)."""
    try:
        with transaction.atomic():
            return ScheduledTask.objects.create(
                name=name,
                every=interval,
                next_run_at=now,
                started_run_at=now if name in AT_START else None,
            )
    except IntegrityError:  # another worker made it meanwhile
        return ScheduledTask.objects.get(name=name)


class Housekeeping(threading.Thread):
    """A worker's other work, in a thread beside its loop so that a long task holds
    none of it up: the schedule at every turn (from the first, the tasks due at a
    worker's start), every `interval` seconds, and a few times within
    TASK_WORKER_STALE_AFTER (at most every 5 s) the heartbeat and `recover()`,
    which gives back the tasks of dead workers. An `interval` longer than that
    makes the turns no rarer: a heartbeat that waited for it would have the other
    workers take this one for dead, and run its task a second time."""

    def __init__(self, *, worker_id, started_at, interval, recover):
        super().__init__(name=f"housekeeping-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = started_at
        self.recover = recover
        self.beat_every = min(settings.TASK_WORKER_STALE_AFTER / 4, 5)
        # Between two turns: at most the heartbeat's pace, and never a busy loop
        # (a worker's interval may be zero).
        self.pause = min(max(interval, 0.1), self.beat_every)
        self.last_beat = timezone.now()
        self.started = False  # the tasks due at a worker's start are enqueued
        self.stopping = threading.Event()
        self.winding_down = threading.Event()

    def run(self):
        try:
            while True:
                self.tick()
                if self.stopping.wait(self.pause):
                    break
        finally:
            connections.close_all()

    def tick(self):
        close_old_connections()
        try:
            now = timezone.now()
            # Recovery reads every running task: at the heartbeat's pace, which is
            # soon enough for tasks of workers dead for TASK_WORKER_STALE_AFTER.
            slow_turn = (now - self.last_beat).total_seconds() >= self.beat_every
            if slow_turn:
                beat(self.worker_id, self.started_at)
                self.last_beat = now
            if self.winding_down.is_set():
                return
            if not self.started:
                due_at_start(self.started_at, now)
                self.started = True
            for name in enqueue_due():
                logger.info("Enqueued scheduled task %s", name)
            if slow_turn:
                self.recover()
                forget_dead_workers()
        except Exception:
            # The database or Redis may be away for a while: try again next time.
            logger.exception("Worker %s: housekeeping failed", self.worker_id)

    def wind_down(self):
        """The worker was asked to stop and finishes its task: only its heartbeat
        goes on, so that nobody takes the task back meanwhile."""
        self.winding_down.set()

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)
