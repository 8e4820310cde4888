from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from factsheets.forms import ImportForm
from factsheets.importers.store import ImportRefused, save_draft
from factsheets.models import (
    AssistanceLine,
    Bureau,
    Country,
    FactSheet,
    Official,
    RelatedLink,
    Section,
)


class TabularRowFormSet(forms.BaseInlineFormSet):
    """Names every input of a tabular row, whose only visible labels are the column headings."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)


class SectionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # Rules across the sheet's sections, checked on the whole set as submitted,
        # so that swapping two headings in one save is fine.
        super().clean()
        headings, ticked = set(), {"shows_assistance": 0, "shows_officials": 0}
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            heading = form.cleaned_data.get("heading", "")
            if heading and heading.casefold() in headings:
                form.add_error(
                    "heading", "Another section of this sheet has this heading."
                )
            headings.add(heading.casefold())
            for flag in ticked:
                if form.cleaned_data.get(flag):
                    ticked[flag] += 1
                    if ticked[flag] > 1:
                        form.add_error(
                            flag, "Another section is ticked for this already."
                        )


class SectionInline(admin.StackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = ["position", "heading", "body", ("shows_assistance", "shows_officials")]


class AssistanceLineInline(admin.TabularInline):
    formset = TabularRowFormSet
    model = AssistanceLine
    extra = 0
    fields = [
        "position",
        "period",
        "year",
        "year_end",
        "kind",
        "qualifier",
        "amount_usd",
        "agency",
        "note",
    ]


class OfficialInline(admin.TabularInline):
    formset = TabularRowFormSet
    model = Official
    extra = 0
    fields = ["position", "role", "name"]


class RelatedLinkInline(admin.TabularInline):
    formset = TabularRowFormSet
    model = RelatedLink
    extra = 0
    fields = ["position", "title", "url"]


class FactSheetAdminForm(forms.ModelForm):
    """Refuses to save over changes someone else saved after this form was opened."""

    # A string so the timestamp keeps its microseconds through the round trip.
    loaded_updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = FactSheet
        fields = [
            "country",
            "bureau",
            "title",
            "kind",
            "issued_on",
            "status",
            "notice",
            "lead",
            "related_links_intro",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields[
                "loaded_updated_at"
            ].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_updated_at")
        if self.instance.pk and loaded:
            saved = FactSheet.objects.filter(pk=self.instance.pk).values_list(
                "updated_at", flat=True
            )
            if saved and saved[0].isoformat() != loaded:
                raise ValidationError(
                    "Someone else saved this sheet after you opened it. Nothing was "
                    "saved. Copy your changes, reload the page and apply them again.",
                    code="stale",
                )
        return cleaned_data


@admin.register(FactSheet)
class FactSheetAdmin(admin.ModelAdmin):
    form = FactSheetAdminForm
    list_display = ["title", "country", "bureau", "issued_on", "status", "updated_at"]
    list_filter = ["status", "bureau"]
    list_select_related = ["country", "bureau"]
    search_fields = ["title", "country__name", "lead"]
    date_hierarchy = "issued_on"
    autocomplete_fields = ["country", "bureau"]
    readonly_fields = ["created_at", "updated_at", "import_report"]
    fieldsets = [
        (
            None,
            {"fields": ["country", "bureau", "title", "kind", "issued_on", "status"]},
        ),
        ("Text", {"fields": ["notice", "lead", "related_links_intro"]}),
        (
            None,
            {
                "fields": [
                    "loaded_updated_at",
                    "created_at",
                    "updated_at",
                    "import_report",
                ]
            },
        ),
    ]
    inlines = [SectionInline, AssistanceLineInline, OfficialInline, RelatedLinkInline]
    save_on_top = True
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}
    }

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-richtext.js"]

    def view_on_site(self, obj):
        # Drafts have no public page yet; editors see them in the preview.
        return obj.get_absolute_url() if obj.is_published else obj.get_preview_url()

    @admin.display(description="last import")
    def import_report(self, obj):
        record = obj.imports.first() if obj.pk else None
        if record is None:
            return "Not imported."
        items = format_html_join(
            "", "<li>{}</li>", ((w,) for w in record.report.get("warnings", []))
        )
        return format_html(
            "From {} on {}.{}",
            record.source,
            date_format(localtime(record.imported_at), "DATETIME_FORMAT"),
            format_html(" Still to check:<ul>{}</ul>", items) if items else "",
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="factsheets_factsheet_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import an old sheet as a draft, then show it with what is left to check."""
        if not (
            self.has_add_permission(request) and self.has_change_permission(request)
        ):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
        else:
            form = ImportForm()
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = save_draft(
                    data["sheet"],
                    source=data["source"],
                    fingerprint=data["fingerprint"],
                    user=request.user,
                    replace_edits=data["replace_edits"],
                )
            except ImportRefused as error:
                form.add_error(None, f"Nothing was imported: {error}")
            else:
                verb = "Created" if saved.created else "Updated"
                self.message_user(
                    request,
                    f"{verb} the draft “{saved.factsheet}”. It is not published.",
                    messages.SUCCESS,
                )
                for warning in data["sheet"].warnings:
                    self.message_user(request, f"Check: {warning}", messages.WARNING)
                return redirect(
                    reverse(
                        "admin:factsheets_factsheet_change", args=[saved.factsheet.pk]
                    )
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "Import an old sheet",
        }
        return TemplateResponse(
            request, "admin/factsheets/factsheet/import_form.html", context
        )


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "sentence_name", "slug", "bureau"]
    list_filter = ["bureau"]
    list_select_related = ["bureau"]
    search_fields = ["name", "sentence_name", "slug", "other_names"]
    fields = ["name", "sentence_name", "slug", "bureau", "other_names"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["bureau"]


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "slug", "country_count"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(models.Count("countries"))

    @admin.display(description="countries", ordering="countries__count")
    def country_count(self, obj):
        return obj.countries__count
