from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class FactsheetsConfig(AppConfig):
    name = "factsheets"
    verbose_name = "Fact sheets"

    def ready(self):
        from factsheets import cache, richtext, search, site_url  # noqa: F401 (its checks)

        # Rich text is sanitized on raw saves too: restores, fixtures, revisions.
        richtext.connect_signals()
        # Search vectors follow every save of a sheet or its sections.
        search.connect_signals()
        # Stored pages go stale on every change that public pages show.
        cache.connect_signals()


class AdminConfig(admin_apps.AdminConfig):
    # Django's admin site with a "View on site" shortcut that asks the object's model
    # admin first (factsheets/admin_site.py).
    default = False  # FactsheetsConfig stays the "factsheets" app's
    default_site = "factsheets.admin_site.AdminSite"
