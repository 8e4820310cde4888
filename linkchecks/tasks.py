"""The link checks the worker runs: a sheet's links once it is submitted or goes
out, and every current sheet's on a schedule of the worker's own."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from background import every, task
from factsheets.models import FactSheet
from linkchecks import runs

# Below the default (0): notices and other short work go first, and a long run of
# checks waits behind them rather than the other way round. A sheet just
# published is checked before the scheduled backlog.
SHEET_PRIORITY = -10
SCHEDULED_PRIORITY = -20


def at_priority(task, priority):
    """`task` to be run at `priority` where the queue orders by priority (the
    database queue). RQ has no priorities and refuses a task that names one, so
    there the checks simply take their turn."""
    if task.get_backend().supports_priority:
        return task.using(priority=priority)
    return task


def queue_in_batches(link_ids, since, priority):
    size = max(settings.LINK_CHECK_BATCH_SIZE, 1)
    batch_task = at_priority(check_links, priority)
    for start in range(0, len(link_ids), size):
        batch_task.enqueue(link_ids[start : start + size], since.isoformat())


@task(retries=3)
def check_links(link_ids, since):
    """Check these links, skipping any checked since `since` (ISO 8601): running
    it again after a failure repeats none of the checks already recorded."""
    runs.check(link_ids, datetime.fromisoformat(since))


@task(retries=3)
def check_sheet_links(factsheet_id, since):
    """Record where the sheet links and queue checks of the links not checked
    since `since` (ISO 8601: when the sheet was submitted or went out)."""
    factsheet = (
        FactSheet.objects.filter(pk=factsheet_id)
        .prefetch_related("sections", "related_links")
        .first()
    )
    if factsheet is None:  # deleted since
        return
    since = datetime.fromisoformat(since)
    queue_in_batches(
        runs.claim_sheet(factsheet, since, timezone.now()), since, SHEET_PRIORITY
    )


@every(minutes=int(runs.RUN_EVERY.total_seconds() // 60))
@task(retries=3)
def check_due_links():
    """The scheduled run: record where the current sheets link, forget links
    nothing uses, and queue checks of the links due, in small batches."""
    now = timezone.now()
    runs.record_current_uses()
    runs.forget_unused()
    queue_in_batches(runs.claim_due(now), now, SCHEDULED_PRIORITY)
