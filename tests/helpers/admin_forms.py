"""The sheet's admin form as a browser posts it: data for a new sheet with its rows,
and for the change form of a saved sheet as it stands."""

from django.urls import reverse

from factsheets.models import FactSheet

INLINES = {
    "sections": ["position", "heading", "body", "shows_assistance", "shows_officials"],
    "assistance_lines": [
        "position",
        "period",
        "year",
        "year_end",
        "kind",
        "qualifier",
        "amount_usd",
        "agency",
        "note",
    ],
    "officials": ["position", "role", "name"],
    "related_links": ["position", "title", "url"],
}


def sheet_form_data(sheet_fields, initial=None, **rows):
    """POST data for the sheet's admin form: the sheet's fields, then each inline's rows.

    `rows` maps an inline prefix to a list of dicts; a dict with an "id" is an existing row.
    """
    data = {
        "issued_on": "",
        "kind": "Fact Sheet",
        "title": "",
        "bureau": "",
        "notice": "",
        "lead": "",
        "related_links_intro": "",
    }
    data.update(sheet_fields)
    for prefix in INLINES:
        forms = rows.get(prefix, [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for form in forms if "id" in form))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, form in enumerate(forms):
            for name, value in form.items():
                data[f"{prefix}-{i}-{name}"] = value
    return data


def form_value(value):
    """A stored value as a browser would post it back."""
    if value is None or value is False:
        return ""
    return "on" if value is True else str(value)


def full_rows():
    return {
        "sections": [
            {
                "position": "1",
                "heading": "",
                "body": '<p>Opening with <a href="https://www.state.gov/">a link</a>.</p>',
            },
            {
                "position": "2",
                "heading": "U.S. Assistance to Atlantis",
                "body": "<ol><li>First</li><li>Second</li></ol>",
            },
        ],
        "assistance_lines": [
            {
                "position": "1",
                "period": "fiscal",
                "year": "2016",
                "year_end": "2020",
                "kind": "planned",
                "qualifier": "",
                "amount_usd": "$690 million",
                "agency": "USAID",
                "note": "",
            },
        ],
        "officials": [
            {
                "position": "1",
                "role": "U.S. Ambassador to Atlantis",
                "name": "A. Diplomat",
            }
        ],
        "related_links": [
            {"position": "1", "title": "State page", "url": "https://www.state.gov/"},
            {"position": "2", "title": "Niger sheet", "url": "/fact-sheets/niger/"},
        ],
    }


def change_data(sheet, **fields):
    """What the admin's change form posts back for `sheet` as it is saved now."""
    sheet = FactSheet.objects.get(pk=sheet.pk)
    rows = {
        prefix: [
            {"id": str(row.pk), "factsheet": str(sheet.pk)}
            | {name: form_value(getattr(row, name)) for name in names}
            for row in getattr(sheet, prefix).all()
        ]
        for prefix, names in INLINES.items()
    }
    base = {
        "country": str(sheet.country_id),
        "bureau": str(sheet.bureau_id),
        "title": sheet.title,
        "kind": sheet.kind,
        "issued_on": sheet.issued_on.isoformat() if sheet.issued_on else "",
        "lead": sheet.lead,
        "base_version": str(sheet.version),
    }
    if sheet.is_published:
        base["change_kind"] = "minor"
    return sheet_form_data(base | fields, **rows)


def change_url(sheet):
    return reverse("admin:factsheets_factsheet_change", args=[sheet.pk])


def snapshot(sheet):
    """Everything about a sheet an edit could change, to prove nothing did."""
    sheet = FactSheet.objects.get(pk=sheet.pk)
    return (
        {
            field.name: getattr(sheet, field.attname)
            for field in FactSheet._meta.concrete_fields
        },
        [
            list(getattr(sheet, name).values())
            for name in ("sections", "assistance_lines", "officials", "related_links")
        ],
    )
