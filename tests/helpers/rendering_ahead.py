"""For the tests of rendering ahead (prerender/): its queued tasks run in this
process as a worker would run them, a cache in files that workers share, and what
the renders of a worker came to."""

from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.helpers.worker import wait_until

# Where rendering ahead's tasks are, by path.
TASKS = "prerender.tasks."


def queued(task_name=None):
    """The queue's rows of rendering ahead (of one task, named as in tasks.py)."""
    rows = DBTaskResult.objects.filter(task_path__startswith=TASKS)
    if task_name:
        rows = rows.filter(task_path=TASKS + task_name)
    return rows


def run_queued():
    """Run the queued tasks of rendering ahead here, in the queue's order (priority,
    then the first enqueued), as a worker would, until none is left; returns
    (task name, args, kwargs, return value) of each."""
    runs = []
    while row := queued().ready().first():
        row.claim("test")
        result = row.task_result
        value = row.task.call(*result.args, **result.kwargs)
        row.set_successful(value)
        runs.append((row.task_path.removeprefix(TASKS), result.args, value))
    return runs


def shared_cache(folder):
    """Settings and the worker's CACHE_URL for a cache in files in `folder`, which
    this process and workers share."""
    caches = {
        "default": {
            "BACKEND": "pagecache.files.FileCache",  # as CACHE_URL=filecache:// makes
            "LOCATION": str(folder),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
    return override_settings(CACHES=caches), f"filecache://{folder}"


def wait_for_renders(after=None, timeout=60):
    """Wait until the workers have nothing of rendering ahead left to do, having
    run a warm-up check (keep_warm) enqueued after `after` if given; returns the
    finished rows."""

    def done():
        checks = queued("keep_warm").filter(status=TaskResultStatus.SUCCESSFUL)
        if after is not None:
            checks = checks.filter(enqueued_at__gt=after)
        busy = queued().filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        )
        return checks.exists() and not busy.exists()

    wait_until(done, timeout, "the workers' renders")
    return list(queued().order_by("enqueued_at"))


def rendered(rows):
    """How many pages the finished render tasks among `rows` rendered (rather than
    found current)."""
    return sum(
        row.return_value or 0 for row in rows if row.task_path == TASKS + "render_pages"
    )
