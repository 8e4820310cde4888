from django.contrib import admin
from django.db import models

from factsheets.admin.addresses import FormerSlugInline
from factsheets.admin.base import ModelAdmin
from factsheets.models import Bureau, Country


@admin.register(Country)
class CountryAdmin(ModelAdmin):
    list_display = ["name", "sentence_name", "slug", "bureau"]
    list_filter = ["bureau"]
    list_select_related = ["bureau"]
    search_fields = ["name", "sentence_name", "slug", "other_names"]
    fields = ["name", "sentence_name", "slug", "bureau", "other_names"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["bureau"]
    inlines = [FormerSlugInline]

    def get_inline_instances(self, request, obj=None):
        # A country being added has had no other slug: no inline, no form to send.
        return super().get_inline_instances(request, obj) if obj else []


@admin.register(Bureau)
class BureauAdmin(ModelAdmin):
    list_display = ["name", "short_name", "slug", "country_count"]
    search_fields = ["name", "short_name"]
    # Named here: a count drops the model's ordering, and autocomplete pages need one.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(models.Count("countries"))

    @admin.display(description="countries", ordering="countries__count")
    def country_count(self, obj):
        return obj.countries__count
