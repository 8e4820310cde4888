"""Asking the page cache what it serves: which pages it rendered again, and whether
what it serves is what would be rendered now."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext


def rendered_again(client, urls):
    """The urls whose page was rendered (ran a query) rather than served stored."""
    again = set()
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        if queries:
            again.add(url)
    return again


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
        with override_settings(PAGE_CACHE=False):
            rendered = client.get(url)
        if (served.status_code, served.content) != (
            rendered.status_code,
            rendered.content,
        ):
            differ.append(url)
    return differ
