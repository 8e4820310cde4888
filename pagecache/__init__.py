"""The page cache: public pages served from the configured cache, exactly.

A hit costs one cache round trip and nothing else: the middleware sits before the
session, authentication and CSRF middleware, and a stored page keeps its gzip and
Brotli bodies, so nothing is rendered, queried or compressed again. Each process
also keeps the pages it served last and serves them before Django's handler
(`pagecache.wsgi.PageCacheFront`, in config/wsgi.py).

The content apps say what public pages show (`watch()`), and their views say what
each page shows (`depends_on()`): a save or delete of a row then makes stale only
the pages that show it, on every server. This module is the whole of the app's
interface for the rest of the code; the others are its own: `conditional` (content
codings, public headers, 304s), `tags` (what pages show, and its versions),
`storage` (generations, keys, stored and kept pages), `invalidation` (the signal
receivers, summaries), `signals` (`pages_stale`), `middleware`, `wsgi` (the front
door) and `redis` (Django's Redis cache with one client per pool).

Kept free of Django imports at the top but the signal's (which needs no settings):
Django imports app packages early.
"""

from contextlib import contextmanager

# Sent once a change has committed, with `tags` (a frozenset of the tags whose
# pages went stale, or None when every page did) and `using`.
from pagecache.signals import pages_stale

__all__ = [
    "AHEAD",
    "PurgeBackend",
    "depends_on",
    "epoch",
    "held",
    "invalidate",
    "pages_for",
    "pages_stale",
    "shows",
    "stamp",
    "take_stock",
    "version",
    "watch",
]


# The WSGI environ key that, true, asks for the page to be stored with the best
# compression, which a reader should not wait for (the worker's warm-up sets it).
AHEAD = "pagecache.ahead"


def watch(
    app_config,
    *,
    ignore=(),
    next_change=None,
    tags=None,
    summaries=None,
    summarised=(),
    pages=None,
):
    """Public pages show the rows of every model of `app_config` but those named in
    `ignore`: a save, delete or many-to-many change of one makes stored pages stale,
    by whatever path it comes (admin, raw saves of restores and fixtures).

    Which pages: `tags(model_name, row)` gives the tags (strings) whose pages a
    change to `row` makes stale, or None for every page; without it, every change
    makes every page stale. What lists and navigation show is compared instead:
    a change to a row of a model named in `summarised` calls `summaries(using)`,
    which gives {tag: digest} of what each such tag's pages show, and the tags whose
    digest changed go stale. `pages(tags)` gives the paths of the pages that show
    any of `tags` (for purge backends and renderers), or None if it cannot say.

    `next_change` maps the name of a model whose rows say when pages change with
    nobody saving (a publish or expiry time) to a callable `(after, using)` giving
    the first such time after the moment `after`, or None. A stored page is kept
    until then at most. Call it from the app's `AppConfig.ready()`.
    """
    from pagecache import registry

    registry.watch(
        app_config, ignore, next_change or {}, tags, summaries, summarised, pages
    )


def depends_on(request, *tags):
    """The page answering `request` shows what `tags` stand for, and nothing else
    that changes; a view that says nothing depends on every change. May be called
    more than once; with no tags, says the page shows nothing that changes."""
    request.page_tags = getattr(request, "page_tags", set()) | set(tags)


def shows(*tags):
    """A view decorator: the view's pages show what `tags` stand for (depends_on())."""
    from functools import wraps

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            depends_on(request, *tags)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def take_stock(using="default"):
    """Compare what lists and navigation show (the apps' summaries) with what was
    last recorded, making stale the pages whose part moved; with nothing recorded
    (an emptied cache), record it, as no change came since. Changes do it by
    themselves; call it where no change did, such as before rendering pages ahead
    after a deploy."""
    from pagecache import invalidation

    invalidation.take_stock(using)


def epoch():
    """A token that changes whenever every stored page goes stale at once with no
    change to tell it (a deploy, midnight, a publish or expiry time, an emptied
    cache): for a renderer to know when to render them all again."""
    from pagecache import storage

    return storage.epoch()


def version(tag):
    """The version of `tag` now: any change to what it stands for makes a new one.
    Not enough on its own for a cache key: `invalidate()`, a deploy and publish or
    expiry times change pages without moving any tag; stamp() has all of them."""
    from pagecache import tags as tag_versions

    return tag_versions.version(tag)


def stamp(*tags):
    """What a part of a page rendered from what `tags` stand for is exact under: the
    release, the generation and the tags' versions, read now in one round trip.

    Read it before the rows the part shows. Its `key(*some_of_tags)` names the part in
    a cache, exact by construction (a change to the rows, a deploy or
    `invalidate()` makes another key); `until()` is the moment such a part holds
    until (the next publish or expiry time, or None), the moment a stored page would.
    """
    from pagecache import storage
    from pagecache import tags as tag_versions

    versions, found = tag_versions.versions(tags, also=[storage.GENERATION_KEY])
    generation = found.get(storage.GENERATION_KEY) or storage.current_generation()
    return Stamp(storage.release(), generation, versions)


class Stamp:
    """The versions of some tags, with the generation and the release (stamp())."""

    def __init__(self, release, generation, versions):
        self.release, self.generation, self.versions = release, generation, versions

    def key(self, *tags):
        """A key for what was rendered from what `tags`, stamped, stand for."""
        return " ".join(
            [
                self.release,
                self.generation[0],
                *(f"{tag}={self.versions[tag]}" for tag in sorted(tags)),
            ]
        )

    def until(self):
        """When what was rendered under this stamp stops being exact by itself: the
        next publish or expiry time after the generation began, or None. A moment
        already past starts a new generation (the rows were read after it): keep
        nothing then. May ask the database, once per generation."""
        from django.utils import timezone

        from pagecache import storage

        moment = storage.transition_of(self.generation)
        if moment is not None and moment <= timezone.now():
            storage.start_generation()
        return moment


def pages_for(tags):
    """The paths of the public pages that show any of `tags`, or None if the apps
    cannot say (then every page may have)."""
    from pagecache import registry

    return registry.pages_for(tags)


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
    is made once per process, without arguments. Once a change has committed, its
    `purge(paths)` is called with the paths of the pages it made stale, or
    `purge_all()` when every page went stale or the apps cannot say which. A failure
    is logged and does not undo the save. Publish and expiry times that come with
    nobody saving are not purged: a CDN shows them within its s-maxage.
    """

    def purge(self, paths):
        """Drop these pages (paths, with their query strings), or mark them stale."""
        self.purge_all()

    def purge_all(self):
        """Drop every page this cache holds, or mark it stale."""
        raise NotImplementedError
