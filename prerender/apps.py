from django.apps import AppConfig

import pagecache


class PrerenderConfig(AppConfig):
    name = "prerender"
    verbose_name = "Rendering ahead of readers"

    def ready(self):
        from prerender import receivers

        pagecache.pages_stale.connect(
            receivers.pages_went_stale, dispatch_uid="prerender_pages_stale"
        )
