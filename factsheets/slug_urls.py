"""Addresses that differ only by a slug, for pages that link to every country.

Django's reverse() costs about 40 µs a call on the bench machine: with 195 countries,
an eighth of the uncached A-Z list (profiled; README.md, "Benchmarks"). A country's
address differs from another's only by its slug, so each pattern is reversed once for
the URLconf and script prefix in use, and the slug put in its place.
"""

import functools
import re

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# What Django's `slug` path converter accepts; anything else goes through reverse(),
# which refuses it as it always did.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
PLACEHOLDER = "slug-placeholder"


def reverse_slug(viewname, slug, kwarg="slug"):
    """reverse(viewname, kwargs={kwarg: slug}), the same address, at a fraction of the cost."""
    if not SLUG.fullmatch(slug):
        return reverse(viewname, kwargs={kwarg: slug})
    urlconf = get_urlconf()
    # The resolver is part of the key: overriding ROOT_URLCONF (clear_url_caches())
    # makes a new one, so a changed URLconf is never answered from the old pattern.
    before, after = _around_slug(
        viewname, kwarg, get_script_prefix(), urlconf, get_resolver(urlconf)
    )
    return f"{before}{slug}{after}"


@functools.lru_cache(maxsize=64)
def _around_slug(viewname, kwarg, prefix, urlconf, resolver):
    before, _, after = reverse(
        viewname, urlconf=urlconf, kwargs={kwarg: PLACEHOLDER}
    ).rpartition(PLACEHOLDER)
    return before, after
