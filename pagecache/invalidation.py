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
from django.utils import timezone
from django.utils.module_loading import import_string

from pagecache import registry, signals, storage
from pagecache import tags as tag_versions

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
    if _purge_backends() or signals.pages_stale.has_listeners():
        _told_on_commit(using)


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


def changed(sender, instance=None, using=DEFAULT_DB_ALIAS, action="post", **kwargs):
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
    tags = registry.tags_of(meta, instance, kwargs.get("model"))
    if tags is None:  # the app cannot say which pages show this row: all do
        if connections[using].in_atomic_block:
            _invalidate_now(sender, using)
        _on_commit_once(using)
        return
    summarised = registry.is_summarised(meta)
    moves = registry.moves_next_change(meta)
    if tags or summarised or moves:
        _stale(set(tags), summarised, moves, using)


class _Stale:
    """The tags a transaction made stale, and whether it changed rows the summaries
    are made of: given new versions once it commits (until then, only for what runs
    inside it), and told to the purge backends and the `pages_stale` receivers
    (render-ahead) then."""

    def __init__(self, using):
        self.using, self.tags = using, set()
        self.summarise = self.moves = self.everything = False

    def __call__(self):
        tags = set(self.tags)
        if self.moves and _sooner_transition(self.using):
            self.everything = True
        if self.summarise and not _summaries_into(tags, self.using):
            self.everything = True
        _bump_and_tell(tags, self.using)
        if self.everything:
            _EveryPageStale(self.using)()


def _stale(tags, summarise, moves, using):
    connection = connections[using]
    if not connection.in_atomic_block:
        everything = moves and _sooner_transition(using)
        if summarise and not _summaries_into(tags, using):
            everything = True
        _bump_and_tell(tags, using)
        if everything:
            _EveryPageStale(using)()
        return
    # For a reader in this very transaction (a test's), at once; for every other, on
    # commit: until then they see the rows from before it.
    everything = moves and _sooner_transition(using)
    if summarise:
        _compare_when_asked(connection, using)
    pending = next(
        (func for _, func, _ in connection.run_on_commit if isinstance(func, _Stale)),
        None,
    )
    if pending is None:
        pending = _Stale(using)
        transaction.on_commit(pending, using=using)
    if tags:
        _own_versions(connection, using).bump(tags)
    pending.tags |= tags
    pending.summarise |= summarise
    pending.moves |= moves
    pending.everything |= everything


class _Comparison(tag_versions.Deferred):
    """Rows the summaries are made of changed in this transaction: compared with the
    summaries stored when a reader inside it next asks for a version, once however
    many rows it saved before (a fixture or a formset saves hundreds), and again at
    commit, by _Stale, for every other reader. Compared, not stored: rows that may
    yet roll back are no one else's."""

    def __init__(self, using):
        super().__init__()
        self.using = using
        self.into = None  # the Uncommitted its tags went to

    def settled(self, connection):
        # Not if the savepoint that took its tags has rolled back since.
        return self.into is not None and any(
            function is self.into for _, function, _ in connection.run_on_commit
        )

    def settle(self, connection):
        tags = set()
        _summaries_into(tags, self.using, store=False)
        into = _own_versions(connection, self.using)
        if tags:
            into.bump(tags)
        for _, function, _ in connection.run_on_commit:
            if isinstance(function, _Comparison):
                function.into = into


def _compare_when_asked(connection, using):
    """A comparison due at this savepoint, unless one not yet settled is."""
    last = next(
        (
            (sids, function)
            for sids, function, _ in reversed(connection.run_on_commit)
            if isinstance(function, _Comparison)
        ),
        None,
    )
    if (
        last is None
        or last[0] != set(connection.savepoint_ids)
        or last[1].settled(connection)
    ):
        transaction.on_commit(_Comparison(using), using=using)


def _own_versions(connection, using):
    """Where the transaction's own versions go: the last of them, if given at this
    savepoint, or new ones. A savepoint rolled back takes those given inside it
    with it (with its on-commit callbacks), and the newest come last, where
    uncommitted() looks last."""
    sids, last = next(
        (
            (sids, func)
            for sids, func, _ in reversed(connection.run_on_commit)
            if isinstance(func, tag_versions.Uncommitted)
        ),
        (None, None),
    )
    if last is None or sids != set(connection.savepoint_ids):
        last = tag_versions.Uncommitted()
        transaction.on_commit(last, using=using)
    return last


def _sooner_transition(using):
    """A publish or expiry time set sooner than the next one the stored pages are
    valid until: they are all stale, as they would not go at that time. Whether it
    started a new generation for that."""
    generation = cache.get(storage.GENERATION_KEY)
    known = generation and cache.get(storage.next_key(generation[0]))
    if known is None:
        return False  # no page was stored with its transition: the first works it out
    (moment,) = known
    ours = storage.next_transition(timezone.now(), using)
    if ours is None or (moment is not None and ours >= moment):
        return False
    token, _ = storage.start_generation()
    cache.set(storage.next_key(token), (ours,), storage.LIFETIME)
    return True


def _bump_and_tell(tags, using):
    if not tags:  # rows no public page shows (a review step, a draft's summary)
        return
    tag_versions.bump(tags)
    signals.pages_stale.send(sender=None, tags=frozenset(tags), using=using)
    _purge(tags)


# Summaries: what lists and navigation show, compared at each change.

SUMMARIES_KEY = "pagecache:summaries"


def take_stock(using=DEFAULT_DB_ALIAS):
    if cache.get(SUMMARIES_KEY) is None:
        # Nothing recorded since the cache lost it: no change came since either (a
        # change finding nothing to compare with makes every list stale, and records
        # what it found), so the pages stored are as current as their versions say.
        # Recorded for the next change; added, lest it hide a change's own record.
        try:
            cache.add(SUMMARIES_KEY, registry.summaries(using), None)
        except Exception:
            logger.exception("Could not record what the lists show")
        return
    tags = set()
    if _summaries_into(tags, using):
        _bump_and_tell(tags, using)
    else:
        invalidate(using)


def _summaries_into(tags, using, store=True):
    """Adds the tags whose summary moved to `tags`; False if the summaries could not
    be made, and every page must go stale instead. Never fails a save."""
    try:
        tags |= summaries_changed(using, store)
    except Exception:
        logger.exception("Could not compare what the lists show: every page is stale")
        cache.delete(SUMMARIES_KEY)
        storage.start_generation()
        return False
    return True


def summaries_changed(using=DEFAULT_DB_ALIAS, store=True):
    """The tags whose summary (registry.summaries()) differs from the one stored,
    now storing the new ones (unless not to `store`); every summary tag when none
    was stored."""
    now = registry.summaries(using)
    before = cache.get(SUMMARIES_KEY)
    if store:
        cache.set(SUMMARIES_KEY, now, None)
    if before is None:
        return set(now)
    return {
        tag for tag in now.keys() | before.keys() if now.get(tag) != before.get(tag)
    }


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


def _told_on_commit(using):
    """Every page stale: told once the transaction commits, however many times."""
    connection = connections[using]
    if connection.in_atomic_block and any(
        isinstance(func, _EveryPageStale) for _, func, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_EveryPageStale(using), using=using)


class _EveryPageStale:
    def __init__(self, using):
        self.using = using

    def __call__(self):
        signals.pages_stale.send(sender=None, tags=None, using=self.using)
        _purge(None)


def _purge(tags):
    """Tell the purge backends which pages went stale (`tags` None: all of them)."""
    backends = _purge_backends()
    if not backends:
        return
    paths = None if tags is None else registry.pages_for(tags)
    if paths is not None and not paths:
        return
    for backend in backends:
        try:
            if paths is None:
                backend.purge_all()
            else:
                backend.purge(paths)
        except Exception:  # the save is committed: a CDN catches up in s-maxage
            logger.exception("Could not purge %s", type(backend).__name__)


def settings_changed(setting, **kwargs):
    global _backends
    if setting == "PAGE_CACHE_PURGE_BACKENDS":
        _backends = None
