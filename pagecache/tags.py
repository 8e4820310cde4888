"""Tags: what a stored page shows, each with a version in the shared cache.

A page records the tags it depends on (`pagecache.depends_on()`, or EVERYTHING when
its view names none) and their versions when it was rendered; it is current while
each still has that version. A change gives its tags a new version, so only the
pages that show it go stale.

A version is a random token, so a tag never takes one it had before, whatever the
cache evicted meanwhile: a tag found missing starts at a new token. Each change also
writes a new token to CHANGE_KEY *before* its tags. A page's renderer reads that key
before rendering, and again after reading the page's tags: if it moved, a change
came while the page rendered (its tags may hold the new versions while the page
shows the old rows), and the page is served but not stored.

The same token goes to CHANGED_KEY *after* the tags (and after a new generation,
pagecache/storage.py). A process that checked a kept page's tags while that key said
X may serve the page again without reading them as long as it still says X: no
change has been completed since.
"""

import secrets
import weakref

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import connections

CHANGE_KEY = "pagecache:change"
CHANGED_KEY = "pagecache:changed"
# The tag of pages that name no tags: every change makes them stale.
EVERYTHING = "*"


def tag_key(tag):
    return f"pagecache:tag:{tag}"


def new_token():
    return secrets.token_hex(8)


def last_change():
    """The token of the last change, read before a page is rendered."""
    token = cache.get(CHANGE_KEY)
    if token is None:  # a new or emptied cache
        cache.add(CHANGE_KEY, new_token(), None)
        token = cache.get(CHANGE_KEY)
    return token


def last_completed():
    """CHANGED_KEY's token: read at every page a process serves from those it kept,
    so watched where the cache can watch a key (pagecache/files.py,
    pagecache/redis.py) and read otherwise."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if hasattr(backend, "watched_get"):
        return backend.watched_get(CHANGED_KEY)
    return backend.get(CHANGED_KEY)


def bump(tags):
    """Give `tags` (and EVERYTHING) a version none of them had."""
    token = new_token()
    cache.set(CHANGE_KEY, token, None)
    cache.set_many({tag_key(tag): token for tag in {*tags, EVERYTHING}}, None)
    completed(token)


def completed(token):
    """CHANGED_KEY says `token`: a change was completed.

    Read back once written, for the processes that watch the key rather than read
    it (pagecache/redis.py): Redis sends the invalidation in the same pass of its
    event loop as the reply to the write, so once a later command is answered,
    every watcher on this machine has it in its socket before this returns."""
    cache.set(CHANGED_KEY, token, None)
    cache.get(CHANGED_KEY)


def versions(tags, also=(), before=()):
    """The version of each of `tags`, and the keys `also` and `before` as found, in
    one round trip: `before` read before the tags, `also` after them. Inside a
    transaction that changed what pages show, its own versions (Uncommitted)."""
    keys = {tag: tag_key(tag) for tag in tags}
    asked = [*before, *keys.values(), *also]
    found = cache.get_many(asked)
    for key in keys.values():
        if key not in found:
            token = new_token()
            found[key] = token if cache.add(key, token, None) else cache.get(key)
    ours = uncommitted()
    if ours:
        found.update({key: ours[key] for key in asked if key in ours})
    return {tag: found[key] for tag, key in keys.items()}, found


class Uncommitted:
    """The versions a transaction gave the tags it changed, before it commits: seen
    only by what runs inside it (a test's requests), as only it sees its rows. It
    sits among the transaction's on-commit callbacks, so it goes with them when the
    transaction (or the savepoint it was given in) rolls back, and the shared
    versions change once it commits."""

    def __init__(self):
        self.versions = {}
        _alive.add(self)

    def __call__(self):
        """Nothing at commit: the shared versions change then (invalidation.py)."""

    def bump(self, tags):
        token = new_token()
        for key in (CHANGE_KEY, CHANGED_KEY, *map(tag_key, {*tags, EVERYTHING})):
            self.versions[key] = token


class Deferred:
    """Versions a transaction will give, worked out only once something inside it
    asks for one (uncommitted() calls `settle(connection)` while `settled()` is
    false), not at each of the rows it saves. An on-commit callback, as Uncommitted,
    so a rollback takes it away."""

    def __init__(self):
        _alive.add(self)

    def __call__(self):
        """Nothing at commit."""

    def settled(self, connection):
        raise NotImplementedError

    def settle(self, connection):
        raise NotImplementedError


# Every Uncommitted and Deferred not yet committed or rolled back, in any thread:
# most of the time none, and uncommitted() (asked at every page served) need not
# look further.
_alive = weakref.WeakSet()


def uncommitted():
    """The versions given inside the open transactions of this thread."""
    found = {}
    if not _alive:
        return found
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            due = next(
                (
                    function
                    for _, function, _ in connection.run_on_commit
                    if isinstance(function, Deferred)
                    and not function.settled(connection)
                ),
                None,
            )
            if due is not None:
                due.settle(connection)
            for _, function, _ in connection.run_on_commit:
                if isinstance(function, Uncommitted):
                    found.update(function.versions)
    return found


def version(tag):
    """The tag's version now: a key for anything rendered from what it stands for."""
    found, _ = versions([tag])
    return found[tag]
