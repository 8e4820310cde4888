import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils import timezone

from pagecache import AHEAD, storage
from pagecache.conditional import (
    QUICK_BROTLI_QUALITY,
    STORED_BROTLI_QUALITY,
    Page,
    accepted_coding,
    compressed_in_place,
    is_public,
    public_headers,
)
from pagecache.tags import EVERYTHING

logger = logging.getLogger(__name__)


def shown(request):
    """The tags the view said its page shows (pagecache.depends_on()), or
    EVERYTHING when it said nothing."""
    tags = getattr(request, "page_tags", None)
    return {EVERYTHING} if tags is None else tags


class PageCacheMiddleware:
    """Serves public pages from the cache, and stores them (pagecache/__init__.py).

    The first middleware, so that a stored page carries every header the others
    add (security headers among them) and a hit skips them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not storage.may_be_stored(request):
            return self.get_response(request)
        coding = accepted_coding(request)
        try:
            key = storage.stored_key(request) if settings.PAGE_CACHE else None
        except DisallowedHost:
            # Django answers it with a 400 further in, with every header.
            key = None
        generation = change = stale = None
        seen = {}  # the versions of the stale copy's tags, read before rendering
        claimed = None  # the key this process renders alone
        if key is not None:
            try:
                kept = storage.kept_page(key, seen)
                if kept is not None:
                    return kept[0].response(request, coding)
                generation, change, stale = storage.fetch(key)
                if stale is not None:
                    generation, current = storage.check(stale, seen)
                    if current:
                        storage.keep(key, stale)
                        return stale.response(request, coding)
                if storage.claim(key):
                    claimed = key
                else:  # another process renders it now
                    page = storage.awaited(key)
                    if page is not None:
                        storage.keep(key, page)
                        return page.response(request, coding)
            except Exception:  # the cache is down: serve the page uncached
                logger.exception("Page cache unavailable")
                key = None
        try:
            return self.rendered(request, coding, key, generation, change, stale, seen)
        finally:
            if claimed is not None:
                try:
                    storage.let_go(claimed)
                except Exception:
                    logger.exception("Page cache unavailable")

    def rendered(self, request, coding, key, generation, change, stale, seen):
        started = timezone.now()
        response = self.get_response(request)
        if not is_public(response):
            return response
        public_headers(response)
        if response.status_code != 200:
            return compressed_in_place(response, coding)
        if key is None:
            page = Page.of(response, [coding], QUICK_BROTLI_QUALITY)
        else:
            quality = (
                STORED_BROTLI_QUALITY
                if request.META.get(AHEAD)
                else QUICK_BROTLI_QUALITY
            )
            page = Page.of(response, ["gzip", "br"], quality)
            try:
                storage.store(
                    key, page, generation, change, shown(request), stale, started, seen
                )
            except Exception:  # a full or unreachable cache: the page is still served
                logger.exception("Page cache unavailable")
        return page.response(request, coding)
