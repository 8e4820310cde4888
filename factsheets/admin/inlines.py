"""The rows of a sheet, edited on its page."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.text import capfirst

from factsheets.admin.base import RowForm, StackedInline, TabularInline
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


class SectionInline(StackedInline):
    model = Section
    formset = SectionFormSet
    extra = 0
    fields = ["position", "heading", "body", ("shows_assistance", "shows_officials")]


class AssistanceLineForm(RowForm):
    class Meta:
        # A small box whose text wraps, so the row's ten columns fit the page.
        widgets = {"note": forms.Textarea(attrs={"rows": 2, "cols": 20})}


class AssistanceLineInline(TabularInline):
    form = AssistanceLineForm
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


class OfficialInline(TabularInline):
    formset = TabularRowFormSet
    model = Official
    extra = 0
    fields = ["position", "role", "name"]


class RelatedLinkInline(TabularInline):
    formset = TabularRowFormSet
    model = RelatedLink
    extra = 0
    fields = ["position", "title", "url"]


def row_errors(inline_admin_formsets):
    """One line per row the admin refused, for the top of the sheet's page, e.g.
    “Assistance line 3 — Amount (USD): This field is required.”, with the address
    of the first input at fault. Rows are numbered as they stand on the page; a
    row being deleted is not checked, so it is not named."""
    lines = []
    for inline in inline_admin_formsets:
        formset, name = inline.formset, capfirst(inline.opts.verbose_name)
        for error in formset.non_form_errors():
            lines.append(
                {"text": f"{capfirst(inline.opts.verbose_name_plural)}: {error}"}
            )
        for number, form in enumerate(formset.forms, start=1):
            if not form.errors or form.cleaned_data.get("DELETE"):
                continue
            parts, anchor = [], None
            for field, messages in form.errors.items():
                text = " ".join(messages)
                if field == NON_FIELD_ERRORS:
                    parts.append(text)
                    continue
                label = getattr(form.fields.get(field), "label", None) or field
                parts.append(f"{capfirst(label)}: {text}")
                anchor = (
                    anchor or (field in form.fields and form[field].auto_id) or None
                )
            lines.append(
                {"text": f"{name} {number} — {' '.join(parts)}", "anchor": anchor}
            )
    return lines


ROWS = {
    "sections": Section,
    "assistance_lines": AssistanceLine,
    "officials": Official,
    "related_links": RelatedLink,
}
# Beyond this many forms Django refuses the formset anyway.
MOST_FORMS = 2000


def keep_rows_deleted_meanwhile(post, sheet):
    """`post` with each row someone else deleted since the form was opened turned
    into a new row, so what was typed in it is kept rather than lost in an error.

    Returns the data and how many rows were turned. A row this editor deleted too
    is simply dropped.
    """
    data, turned = post.copy(), 0
    for prefix, model in ROWS.items():
        try:
            total = int(data[f"{prefix}-TOTAL_FORMS"])
            initial = int(data[f"{prefix}-INITIAL_FORMS"])
        except (KeyError, ValueError):
            continue
        if not 0 <= initial <= total <= MOST_FORMS:
            continue
        existing = {
            str(pk)
            for pk in model.objects.filter(factsheet=sheet).values_list("pk", flat=True)
        }
        forms = []
        for i in range(total):
            start = f"{prefix}-{i}-"
            forms.append(
                {
                    key[len(start) :]: data.getlist(key)
                    for key in data
                    if key.startswith(start)
                }
            )
        kept, orphans = [], []
        for form in forms[:initial]:
            if form.get("id", [""])[0] in existing:
                kept.append(form)
            elif form.get("DELETE", [""])[0] not in ("on", "true", "1"):
                orphans.append(form | {"id": [""]})
        if len(kept) == initial:
            continue
        rows = kept + orphans + forms[initial:]
        for key in [k for k in data if k.startswith(f"{prefix}-")]:
            if key.split("-")[1].isdigit():
                del data[key]
        for i, form in enumerate(rows):
            for name, values in form.items():
                data.setlist(f"{prefix}-{i}-{name}", values)
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(kept))
        turned += len(orphans)
    return data, turned
