"""Tasks on Django's task API, retried with backoff, and enqueued after commit."""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task as django_task

logger = logging.getLogger(__name__)

# The keyword a retried call carries its attempt number in; tasks never see it.
ATTEMPT = "_attempt"


def backoff(attempt):
    """How long to wait before attempt `attempt` + 1: TASK_RETRY_BACKOFF (10 s), then
    twice as long each time (20 s, 40 s…), at most an hour."""
    return timedelta(
        seconds=min(settings.TASK_RETRY_BACKOFF * 2 ** (attempt - 1), 3600)
    )


def task(function=None, *, retries=5, **options):
    """Django's @task, with a failed run enqueued again up to `retries` times, each
    after a longer wait (backoff()). The failed run itself stays recorded as failed."""

    def decorate(function):
        holder = {}

        @functools.wraps(function)
        def run(*args, **kwargs):
            attempt = kwargs.pop(ATTEMPT, 1)
            try:
                return function(*args, **kwargs)
            except Exception:
                if attempt <= retries:
                    later = holder["task"].using(
                        run_after=timezone.now() + backoff(attempt)
                    )
                    later.enqueue(*args, **kwargs, **{ATTEMPT: attempt + 1})
                    logger.warning(
                        "Task %s failed (attempt %d); retrying in %s",
                        function.__name__,
                        attempt,
                        backoff(attempt),
                        exc_info=True,
                    )
                raise

        holder["task"] = django_task(run, **options)
        return holder["task"]

    return decorate(function) if function else decorate


def enqueue_on_commit(task, *args, **kwargs):
    """Enqueue `task` once the current transaction commits (at once outside one),
    so the worker never looks for rows that are not there yet, nor for rows
    rolled back."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
