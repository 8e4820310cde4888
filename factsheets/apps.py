from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps

import pagecache


class FactsheetsConfig(AppConfig):
    name = "factsheets"
    verbose_name = "Fact sheets"

    def ready(self):
        from factsheets import page_tags, richtext, search, site_url  # noqa: F401

        # Rich text is sanitized on raw saves too: restores, fixtures, revisions.
        richtext.connect_signals()
        # Search vectors follow every save of a sheet or its sections.
        search.connect_signals()
        # Stored pages go stale when what they show changes (factsheets/page_tags.py):
        # the rows of every model here but these (an editor opening a sheet's form
        # records an EditingSession on every visit), and at each sheet's publish or
        # expiry time.
        pagecache.watch(
            self,
            ignore=["editingsession", "previewlink", "importrecord"],
            next_change={"factsheet": next_publish_or_expiry},
            tags=page_tags.of_row,
            summaries=page_tags.summaries,
            summarised=page_tags.SUMMARISED,
            pages=page_tags.pages_for,
        )


def next_publish_or_expiry(after, using):
    from factsheets.models import FactSheet

    return FactSheet.objects.using(using).next_publish_or_expiry(after)


class AdminConfig(admin_apps.AdminConfig):
    # Django's admin site with a "View on site" shortcut that asks the object's model
    # admin first (factsheets/admin_site.py).
    default = False  # FactsheetsConfig stays the "factsheets" app's
    default_site = "factsheets.admin_site.AdminSite"
