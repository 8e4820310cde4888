from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class PagecacheConfig(AppConfig):
    name = "pagecache"
    label = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from pagecache import invalidation, storage

        # Every model's saves and deletes, as rows change by paths no save() of ours
        # sees (reversion's raw saves, the admin's formsets row by row, fixtures);
        # the receiver lets through the models the content apps watch.
        post_save.connect(invalidation.changed, dispatch_uid="page_cache_saved")
        post_delete.connect(invalidation.changed, dispatch_uid="page_cache_deleted")
        m2m_changed.connect(invalidation.changed, dispatch_uid="page_cache_m2m")
        post_migrate.connect(invalidation.migrated, dispatch_uid="page_cache_migrated")
        # The release fingerprint and the settings read once follow the settings.
        setting_changed.connect(
            storage.settings_changed, dispatch_uid="page_cache_settings"
        )
        setting_changed.connect(
            invalidation.settings_changed, dispatch_uid="page_cache_purge_settings"
        )
