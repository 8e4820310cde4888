"""The page cache: public pages served from the configured cache, exactly.

A hit costs one cache round trip and nothing else: the middleware sits before the
session, authentication and CSRF middleware, and a stored page keeps its gzip and
Brotli bodies, so nothing is rendered, queried or compressed again. Each process
also keeps the pages it served last and serves them before Django's handler
(`pagecache.wsgi.PageCacheFront`, in config/wsgi.py).

The content apps say what public pages show (`watch()`); every save or delete of
those rows then makes every stored page stale, on every server. This module is the
whole of the app's interface for the rest of the code; the others are its own:
`conditional` (content codings, public headers, 304s), `storage` (generations,
keys, stored and kept pages), `invalidation` (the signal receivers), `middleware`,
`wsgi` (the front door) and `redis` (Django's Redis cache with one client per pool).

Kept free of Django imports at the top: Django imports app packages early.
"""

from contextlib import contextmanager

__all__ = ["PurgeBackend", "held", "invalidate", "watch"]


def watch(app_config, *, ignore=(), next_change=None):
    """Public pages show the rows of every model of `app_config` but those named in
    `ignore`: a save, delete or many-to-many change of one makes the stored pages
    stale, by whatever path it comes (admin, raw saves of restores and fixtures).

    `next_change` maps the name of a model whose rows say when pages change with
    nobody saving (a publish or expiry time) to a callable `(after, using)` giving
    the first such time after the moment `after`, or None. A stored page is kept
    until then at most. Call it from the app's `AppConfig.ready()`.
    """
    from pagecache import registry

    registry.watch(app_config, ignore, next_change or {})


def invalidate(using="default"):
    """Make every stored page stale, on every server.

    Saves and deletes of watched rows do this by themselves; call it after writing
    what public pages show by other means (bulk_create, update(), SQL), or after
    `held()`. Purge backends are told once the transaction on `using` commits.
    """
    from pagecache import invalidation

    invalidation.invalidate(using)


@contextmanager
def held():
    """Saves and deletes change nothing in the page cache while this lasts, in
    this process: for a bulk load, which would otherwise start a new generation at
    each of thousands of rows. The caller calls `invalidate()` once they are in.
    """
    from pagecache import invalidation

    with invalidation.held():
        yield


class PurgeBackend:
    """Something else that keeps pages, told when the stored pages go stale.

    Name subclasses in the `PAGE_CACHE_PURGE_BACKENDS` setting (dotted paths); each
    is made once per process, without arguments, and its `purge_all()` is called
    after each invalidation has committed (a save, a delete, `invalidate()`). A
    failure is logged and does not undo the save. Publish and expiry times that
    come with nobody saving are not purged: a CDN shows them within its s-maxage.
    """

    def purge_all(self):
        """Drop every page this cache holds, or mark it stale."""
        raise NotImplementedError
