from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

import pagecache


class FactsheetsConfig(AppConfig):
    name = "factsheets"
    verbose_name = "Fact sheets"

    def ready(self):
        from factsheets import richtext, search, site_url  # noqa: F401 (its checks)

        # Rich text is sanitized on raw saves too: restores, fixtures, revisions.
        richtext.connect_signals()
        # Search vectors follow every save of a sheet or its sections.
        search.connect_signals()
        # Stored pages go stale on every change that public pages show: the rows of
        # every model here but these (an editor opening a sheet's form records an
        # EditingSession on every visit), and at each sheet's publish or expiry time.
        pagecache.watch(
            self,
            ignore=["editingsession", "previewlink", "importrecord"],
            next_change={"factsheet": next_publish_or_expiry},
        )


def next_publish_or_expiry(after, using):
    from factsheets.models import FactSheet

    return FactSheet.objects.using(using).next_publish_or_expiry(after)


class AdminConfig(admin_apps.AdminConfig):
    # Django's admin site with a "View on site" shortcut that asks the object's model
    # admin first (factsheets/admin_site.py).
    default = False  # FactsheetsConfig stays the "factsheets" app's
    default_site = "factsheets.admin_site.AdminSite"
