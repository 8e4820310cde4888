"""The worker's part: the pages a change made stale, and the warm-up."""

import logging
from functools import partial

from django.conf import settings
from django.core.cache import cache

import prerender
from background import every, task
from prerender import rendering, warming

logger = logging.getLogger(__name__)

# Below the default (0), where the renders after a change go: a warm-up's batches
# wait behind notices and behind the pages readers are asking for after a change,
# and link checks (-10 and less) wait behind them.
WARM_UP_PRIORITY = -5


def at_priority(task, priority):
    """`task` at `priority` where the queue orders by priority (RQ has none)."""
    if task.get_backend().supports_priority:
        return task.using(priority=priority)
    return task


@task(retries=2)
def render_pages(paths, lock=None, best=False):
    """Render these pages ahead of their readers, most read first, skipping those
    still current. Beyond a batch (PRERENDER_BATCH_SIZE), the rest go to further
    tasks, for other workers to share. `lock` comes with a warm-up's last batch
    (warming.done()).

    Pages made stale by a change are compressed as a reader's miss would be:
    readers may ask for them any moment, and the next change may come as soon.
    The warm-up's (`best`), once a day or a deploy, get the best compression,
    smaller by a tenth for 30 to 100 ms of the worker per page.

    Returns how many pages were rendered rather than found current."""
    if not prerender.enabled():
        return 0
    first, *rest = warming.batches(rendering.in_order(paths)) or [[]]
    for batch in rest:
        render_pages.enqueue(batch, best=best)
    outcomes = rendering.render_all(first, best)
    if lock is not None:
        warming.done(lock, outcomes)
    # A page gone since it was named (404, 410) has nothing to store, and one that
    # changes kept from being stored twice is left to its readers; other errors
    # say something is amiss, such as SITE_URL's host not in ALLOWED_HOSTS (400).
    amiss = [
        (outcome.path, outcome.status)
        for outcome in outcomes
        if outcome.status >= 400 and outcome.status not in (404, 410)
    ]
    if amiss:
        logger.warning(
            "%d of %d pages rendered ahead answered an error, e.g. %s",
            len(amiss),
            len(outcomes),
            amiss[:5],
        )
    return sum(outcome.rendered for outcome in outcomes)


@task(retries=2)
def warm_up(force=False):
    """Queue the whole catalogue's batches (warming.warm_up()); `force` when every
    page went stale since a warm-up under way began."""
    if force:
        cache.delete(warming.EVERYTHING_QUEUED)
    if not prerender.enabled():
        return None
    return _warm_up(force)


@task(retries=0)
def keep_warm():
    """Each minute and when a worker starts: warm up if the stored pages may all
    have gone stale (a deploy, midnight, a publish or expiry time, an emptied
    cache) and no warm-up is under way. Returns the number of pages queued, or
    None."""
    if not prerender.enabled() or warming.is_under_way():
        return None
    if not warming.needs_warming():
        return None
    return _warm_up(force=False)


def _warm_up(force):
    batch_task = at_priority(render_pages, WARM_UP_PRIORITY)
    return warming.warm_up(partial(batch_task.enqueue, best=True), force=force)


if settings.PRERENDER:
    # Off, nothing of it is scheduled.
    every(minutes=1, at_start=True)(keep_warm)
