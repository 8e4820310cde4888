"""Pages rendered ahead of their readers, by the task worker.

Once a change has committed (`pagecache.pages_stale`), the worker renders the pages
it made stale; after a deploy, at midnight, once a publish or expiry time has come
and when the cache was emptied, it renders the whole catalogue. Each page is asked
for through Django's own WSGI handler as a reader's request on SITE_URL would be,
so the page cache's middleware stores it under the key readers look up, and serves
a page still current from the cache instead of rendering it again.

This module is the app's interface for the rest of the code; the others are its
own: `rendering` (requests through the handler, in order), `warming` (the
catalogue, and when it needs rendering), `receivers`, `tasks`.
"""

__all__ = ["enabled", "render_ahead", "warm_up"]


def enabled():
    """Whether pages are rendered ahead: PRERENDER, and a page cache to store them."""
    from django.conf import settings

    return settings.PRERENDER and settings.PAGE_CACHE


def render_ahead(paths):
    """Have the worker render these pages (paths, with their query strings), the
    most read first, once the current transaction commits."""
    from background import enqueue_on_commit
    from prerender import tasks

    if enabled() and paths:
        enqueue_on_commit(tasks.render_pages, list(paths))


def warm_up():
    """Have the worker render the whole catalogue now, as after a deploy, whatever
    the cache holds (pages still current are not rendered again)."""
    from prerender import tasks

    if enabled():
        tasks.warm_up.enqueue(force=True)
