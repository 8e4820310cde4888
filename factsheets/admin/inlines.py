"""The rows of a sheet, edited on its page."""

from django import forms
from django.contrib import admin

from factsheets.models import AssistanceLine, Official, RelatedLink, Section


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
