from django.apps import AppConfig


class FactsheetsConfig(AppConfig):
    name = "factsheets"
    verbose_name = "Fact sheets"

    def ready(self):
        # Search vectors follow every save of a sheet or its sections (issue #8).
        from factsheets import cache, search, site_url  # noqa: F401 (its checks)

        search.connect_signals()
        # Stored pages go stale on every change that public pages show (issue #9).
        cache.connect_signals()
