"""The whole catalogue rendered ahead of its readers: the warm-up.

A deploy (a new release gives every page a new key), the cache emptied, midnight
(sheets print the day's date) and a publish or expiry time come each leave every
stored page stale, and no change announces it; `pagecache.epoch()` changes then. So
the worker looks, each minute and as soon as it starts: the last warm-up left a
marker in the cache, the epoch it rendered under. When there is no marker, or the
epoch moved since, a warm-up renders them all. A change to some pages is not one of
these: the pages it made stale are rendered on their own (receivers.py).

A warm-up renders the catalogue (PRERENDER_CATALOGUE), most read first, in batches
that every worker takes from the queue, so N workers render it N times as fast.
One runs at a time: a lock in the cache, taken with `cache.add()` and let go when
the last batch is done (or after LOCK_SECONDS, should a batch never end). Redis
takes it atomically; a cache in files almost so, and at worst two workers warm up
together, each rendering only the pages the other has not stored yet.
"""

import logging
import secrets
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

import pagecache
from prerender import rendering

logger = logging.getLogger(__name__)

MARKER = "prerender:warmed"
LOCK = "prerender:warming"
# The epoch a warm-up under way renders under, for its marker once it is done.
WARMING_EPOCH = "prerender:warming-epoch"
# Set while a warm-up of everything is queued and not yet started: any number of
# changes that make every page stale meanwhile need only that one.
EVERYTHING_QUEUED = "prerender:everything-queued"
# Longer than any warm-up should take; a lock left by a lost batch goes by then.
LOCK_SECONDS = 15 * 60
MARKER_SECONDS = 24 * 60 * 60

# True while a warm-up takes stock: the pages it makes stale are rendered with the
# rest, so the receiver of pages_stale queues nothing for them.
taking_stock = ContextVar("prerender_taking_stock", default=False)


def catalogue():
    """The path of every public page, the most read first."""
    return rendering.in_order(import_string(settings.PRERENDER_CATALOGUE)())


def batches(paths):
    size = max(settings.PRERENDER_BATCH_SIZE, 1)
    return [paths[start : start + size] for start in range(0, len(paths), size)]


def is_under_way():
    return cache.get(LOCK) is not None


def needs_warming():
    """Whether the stored pages may all have gone stale with no change telling:
    no marker (a new or emptied cache), or the epoch moved since it was left."""
    return cache.get(MARKER) != pagecache.epoch()


def warm_up(enqueue, force=False):
    """Start a warm-up unless one is under way (with `force`, in any case: every
    page went stale since it began): calls `enqueue(batch, lock)` for each batch,
    `lock` given with the last, which leaves the marker and lets go of the lock
    (done()). Returns the number of pages queued, or None if another warm-up is
    under way."""
    token = secrets.token_hex(8)
    if force:
        cache.set(LOCK, token, LOCK_SECONDS)
    elif not cache.add(LOCK, token, LOCK_SECONDS):
        return None
    try:
        cache.set(WARMING_EPOCH, pagecache.epoch(), LOCK_SECONDS)
        # What lists and navigation show, recorded before their pages are rendered:
        # otherwise the first change after an emptied cache would make every list
        # and navigation stale again.
        taken = taking_stock.set(True)
        try:
            pagecache.take_stock()
        finally:
            taking_stock.reset(taken)
        paths = catalogue()
        if not paths:
            let_go(token)
            return 0
        parts = batches(paths)
        for number, batch in enumerate(parts, start=1):
            enqueue(batch, token if number == len(parts) else None)
    except BaseException:
        let_go(token)
        raise
    logger.info("Warming up %d pages in %d batches", len(paths), len(parts))
    return len(paths)


def done(token, outcomes):
    """The last batch of the warm-up that took the lock with `token` was rendered,
    with these outcomes: the epoch it began under is warmed."""
    if not any(outcome.stored for outcome in outcomes):
        logger.warning("A warm-up stored none of its last pages")
    epoch = cache.get(WARMING_EPOCH)
    if epoch is not None and cache.get(LOCK) == token:
        cache.set(MARKER, epoch, MARKER_SECONDS)
    let_go(token)


def let_go(token):
    """Let go of the lock, if it is still the one taken with `token`."""
    if cache.get(LOCK) == token:
        cache.delete(LOCK)
