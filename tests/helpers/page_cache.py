"""Asking the page cache what it serves: which pages it rendered again, and whether
what it serves is what would be rendered now."""

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import pagecache
from pagecache.tags import EVERYTHING


def was_rendered(client, url, **extra):
    """Whether the page at `url` was rendered (ran a query or a template) rather than
    served stored. A page put together from kept parts may run no query."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return bool(queries or response.templates)


def rendered_again(client, urls):
    """The urls whose page was rendered rather than served stored."""
    lists_compared()
    return {url for url in urls if was_rendered(client, url)}


def lists_compared():
    """A test's transaction compares what the lists show when something inside it
    first asks for a version after it saved their rows (pagecache/invalidation.py):
    asked here, so that the comparison's queries are not counted as the next
    page's."""
    pagecache.version(EVERYTHING)


def count_queries(client, url):
    """The queries a GET of `url` runs, after the lists were compared."""
    lists_compared()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def empty_cache():
    """Nothing stored or kept, as after a deploy; then a new generation, as a save
    starts one, and the lists compared, so that neither the one-off lookup of the
    next publish or expiry time nor the comparison is counted with the next page."""
    cache.clear()
    pagecache.invalidate()
    lists_compared()


def stale_ones(client, urls):
    """Renders and stores every page of `urls` first; returns a callable giving,
    after a change, the urls whose stored page went stale."""
    for url in urls:
        client.get(url)
    return lambda: rendered_again(client, urls)


def not_fresh(client, urls):
    """The urls whose page as served differs from the page rendered uncached now."""
    differ = []
    for url in urls:
        served = client.get(url)
        # Rendered whole: no stored page, no kept part (factsheets/fragments.py).
        with override_settings(PAGE_CACHE=False, PAGE_FRAGMENTS=False):
            rendered = client.get(url)
        if (served.status_code, served.content) != (
            rendered.status_code,
            rendered.content,
        ):
            differ.append(url)
    return differ
