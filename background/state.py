"""How the queue stands, for staff: `manage.py queue_status` and the dashboard."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, F, Min, Q, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.timesince import timesince
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from background import housekeeping

DAY = timedelta(days=1)


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class QueueState:
    waiting: int  # due and not yet started
    oldest_waiting_since: datetime | None  # when the longest-waiting of them fell due
    running: int
    failed_last_day: int  # runs that failed in the last 24 hours (retried or not)
    workers: int  # workers heard from lately
    later: int = 0  # due at a later time: retries in their backoff, deferred tasks
    at: datetime | None = None  # when the figures were read

    def __str__(self):
        """The figures in words: "3 tasks waiting; the oldest since 09:41
        (2 minutes); 1 running; 0 failed in the last day; 2 workers alive"."""
        now = self.at or timezone.now()
        words = [f"{plural(self.waiting, 'task')} waiting"]
        if self.oldest_waiting_since:
            since = timezone.localtime(self.oldest_waiting_since)
            shown = (
                f"{since:%H:%M}"
                if timezone.localtime(now).date() == since.date()
                else f"{since:%b %-d, %H:%M}"
            )
            words.append(f"the oldest since {shown} ({timesince(since, now, depth=1)})")
        if self.later:
            words.append(f"{self.later} due later")
        words += [
            f"{self.running} running",
            f"{self.failed_last_day} failed in the last day",
            f"{plural(self.workers, 'worker')} alive",
        ]
        return "; ".join(words)


def queue_state(backend_name=DEFAULT_TASK_BACKEND_ALIAS):
    """The queue's figures now, in two database queries (and, on Redis, a few
    calls to it)."""
    now = timezone.now()
    backend = task_backends[backend_name]
    if isinstance(backend, DatabaseBackend):
        figures = _database_figures(backend_name, now)
    else:
        from background import rq_worker

        figures = rq_worker.figures(backend, now)
    return QueueState(**figures, workers=housekeeping.live_workers(now).count(), at=now)


def _database_figures(backend_name, now):
    never = get_date_max()  # run_after of a task that may run at once
    due = Q(status=TaskResultStatus.READY) & (
        Q(run_after=never) | Q(run_after__lte=now)
    )
    later = Q(status=TaskResultStatus.READY, run_after__gt=now) & ~Q(run_after=never)
    figures = (
        DBTaskResult.objects.filter(backend_name=backend_name)
        .filter(
            Q(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
            | Q(status=TaskResultStatus.FAILED, finished_at__gte=now - DAY)
        )
        .aggregate(
            waiting=Count("pk", filter=due),
            oldest_waiting_since=Min(
                Case(
                    When(run_after=never, then=F("enqueued_at")),
                    default=Greatest("enqueued_at", "run_after"),
                ),
                filter=due,
            ),
            later=Count("pk", filter=later),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            failed_last_day=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        )
    )
    return figures
