import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

import pagecache
from prerender import rendering, warming


class Command(BaseCommand):
    help = (
        "Render every public page into the page cache now, in this process, as the "
        "worker's warm-up does: for a deploy, run with the new release's code and "
        "settings before its servers take readers. Pages still current are skipped."
    )

    def handle(self, **options):
        if not settings.PAGE_CACHE:
            raise CommandError("PAGE_CACHE is off: no page would be stored.")
        started = time.monotonic()
        pagecache.take_stock()
        outcomes = rendering.render_all(warming.catalogue())
        rendered = sum(outcome.rendered for outcome in outcomes)
        stored = sum(outcome.stored for outcome in outcomes)
        self.stdout.write(
            f"{len(outcomes)} pages: {rendered} rendered, "
            f"{len(outcomes) - rendered} current already; {stored} stored, in "
            f"{time.monotonic() - started:.0f} s."
        )
        amiss = [(o.path, o.status) for o in outcomes if not o.stored]
        if amiss:
            raise CommandError(f"{len(amiss)} pages were not stored, e.g. {amiss[:5]}")
