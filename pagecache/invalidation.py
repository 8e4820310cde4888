"""Stored pages go stale on every change to what public pages show.

Any save or delete of a row of a watched model (`pagecache.watch()`) starts a new
generation. The receivers are signals (connected in PagecacheConfig.ready()), so
that reversion's raw saves, the admin's row-by-row formsets and fixtures count too.
The new generation is stored once the transaction has committed
(`transaction.on_commit`), so a reader who rendered the old rows meanwhile can only
have stored them under the old generation; it is also stored at once, inside the
transaction, so a test's never-committed saves show too. The purge backends
(PAGE_CACHE_PURGE_BACKENDS) are told once it has committed.
"""

import logging
from contextlib import contextmanager

from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.module_loading import import_string

from pagecache import registry, storage

logger = logging.getLogger(__name__)


def invalidate(using=DEFAULT_DB_ALIAS):
    """pagecache.invalidate(): make every stored page stale, on every server."""
    token, began = storage.start_generation()
    # Worked out after the generation is stored, so that it sees every change
    # committed before any page could be stored under it.
    cache.set(
        storage.next_key(token),
        (storage.next_transition(began, using),),
        storage.LIFETIME,
    )
    if _purge_backends():
        _purge_on_commit(using)


def _invalidate_now(sender, using):
    """Inside a transaction: a new generation at once, whose transition time is
    never later than the committed rows' (the transaction may yet roll back)."""
    previous = cache.get(storage.GENERATION_KEY)
    known = previous and cache.get(storage.next_key(previous[0]))
    token, began = storage.start_generation()
    if known is None:
        return  # the first page stored works it out
    (moment,) = known
    if registry.moves_next_change(sender._meta):
        ours = storage.next_transition(began, using)
        moment = min((m for m in (moment, ours) if m), default=None)
    cache.set(storage.next_key(token), (moment,), storage.LIFETIME)


def _on_commit_once(using):
    """One invalidation when the transaction commits, however many rows it saves."""
    connection = connections[using]
    if connection.in_atomic_block and any(
        func is invalidate for _, func, _ in connection.run_on_commit
    ):
        return
    if using == DEFAULT_DB_ALIAS:
        transaction.on_commit(invalidate, using=using)
    else:
        transaction.on_commit(lambda: invalidate(using), using=using)


# Held during bulk loads (pagecache.held()): process-wide, as the signals are.
_holds = 0


@contextmanager
def held():
    global _holds
    _holds += 1
    try:
        yield
    finally:
        _holds -= 1


def changed(sender, using=DEFAULT_DB_ALIAS, action="post", **kwargs):
    """post_save, post_delete and m2m_changed, for every model: only the watched
    count, so a new model of a watched app counts without anyone listing it."""
    meta = sender._meta
    if _holds or not registry.shown(meta) or not action.startswith("post"):
        return
    if meta.apps is not global_apps:
        # A migration's model: its table may not have the columns of today's code.
        storage.start_generation()
        transaction.on_commit(storage.start_generation, using=using)
        return
    if connections[using].in_atomic_block:
        _invalidate_now(sender, using)
    _on_commit_once(using)


def migrated(sender, **kwargs):
    # A migration ships with new code, whose pages have new keys anyway (release()):
    # an unreachable cache must not stop a deploy.
    try:
        storage.start_generation()
    except Exception:
        logger.warning("Could not start a new page cache generation", exc_info=True)


# Purge backends.

_backends = None


def _purge_backends():
    global _backends
    if _backends is None:
        _backends = [
            import_string(path)()
            for path in getattr(settings, "PAGE_CACHE_PURGE_BACKENDS", [])
        ]
    return _backends


def _purge_on_commit(using):
    """One purge when the transaction commits, however many invalidations."""
    connection = connections[using]
    if connection.in_atomic_block and any(
        func is _purge for _, func, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_purge, using=using)


def _purge():
    for backend in _purge_backends():
        try:
            backend.purge_all()
        except Exception:  # the save is committed: a CDN catches up in s-maxage
            logger.exception("Could not purge %s", type(backend).__name__)


def settings_changed(setting, **kwargs):
    global _backends
    if setting == "PAGE_CACHE_PURGE_BACKENDS":
        _backends = None
