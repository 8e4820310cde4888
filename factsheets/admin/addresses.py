"""Old addresses: the ones editors enter, and the slugs countries had before."""

from django.contrib import admin

from factsheets.admin.base import ModelAdmin, TabularInline
from factsheets.models import FormerSlug, LegacyAddress


@admin.register(LegacyAddress)
class LegacyAddressAdmin(ModelAdmin):
    list_display = ["old_path", "arrow", "new_path"]
    list_display_links = ["old_path"]
    search_fields = ["old_path", "new_path"]
    fields = ["old_path", "new_path"]

    @admin.display(description="")
    def arrow(self, obj):
        return "→"


class FormerSlugInline(TabularInline):
    """The slugs a country had: made by renaming it, so only shown."""

    model = FormerSlug
    extra = 0
    fields = ["slug"]
    readonly_fields = ["slug"]
    verbose_name = "former slug (its old addresses lead to the new ones)"
    verbose_name_plural = "former slugs (their old addresses lead to the new ones)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
