import logging

from django.core.cache import cache

import pagecache
import prerender
from prerender import tasks, warming

logger = logging.getLogger(__name__)


def pages_went_stale(sender, tags, using, **kwargs):
    """pagecache.pages_stale, sent once per committed change: one task renders the
    pages it made stale, however many rows it saved; every page when `tags` is
    None (or its pages cannot be named), through a warm-up. Nothing here may fail
    the save, which is committed: a failure is logged, and readers render the pages
    as they come."""
    if not prerender.enabled() or warming.taking_stock.get():
        return
    try:
        paths = None if tags is None else pagecache.pages_for(tags)
        if paths is None:
            _everything()
        elif paths:
            tasks.render_pages.enqueue(list(paths))
    except Exception:
        logger.exception("Could not queue the pages made stale to be rendered ahead")


def _everything():
    if not cache.add(warming.EVERYTHING_QUEUED, True, warming.LOCK_SECONDS):
        return  # one is queued and not started yet: it renders them as they are then
    try:
        tasks.warm_up.enqueue(force=True)
    except BaseException:
        cache.delete(warming.EVERYTHING_QUEUED)
        raise
