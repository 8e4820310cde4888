"""An imported sheet written as a draft: created, or updating its earlier import."""

from dataclasses import dataclass

import reversion
from django.core.exceptions import ValidationError

from factsheets import sheet_operations, wording
from factsheets.models import (
    AssistanceLine,
    FactSheet,
    ImportRecord,
    Official,
    RelatedLink,
    Section,
)


class ImportRefused(Exception):
    """The draft cannot be written as asked; nothing was written."""


@dataclass
class Saved:
    factsheet: FactSheet
    created: bool
    record: ImportRecord


def existing_draft(sheet, source):
    """The sheet an earlier import of this source made, or the country's sheet of that date."""
    if sheet.issued_on:
        found = FactSheet.objects.filter(
            country=sheet.country, issued_on=sheet.issued_on
        ).first()
        if found:
            return found
    records = ImportRecord.objects.filter(
        source=source, factsheet__country=sheet.country
    ).select_related("factsheet")
    for record in records:
        # The same file name may hold another edition: its date tells them apart.
        dated = record.factsheet.issued_on
        if not (sheet.issued_on and dated and dated != sheet.issued_on):
            return record.factsheet
    return None


@reversion.create_revision()
def save_draft(sheet, *, source, fingerprint, user=None, replace_edits=False):
    """Write `sheet` as a draft, in one transaction and one revision; raise
    ImportRefused to write nothing.

    A new import of the same source (or of the country's sheet of the same date)
    updates that draft, unless it is published, or an editor changed it after its
    last import and `replace_edits` is not given: no edit is lost silently.
    """
    if sheet.country is None:
        raise ImportRefused(
            "its country is not known"
            + (f" (“{sheet.country_text}”)" if sheet.country_text else "")
            + ": add it, or the name under its other names, and import again."
        )
    draft = existing_draft(sheet, source)
    created = draft is None
    if draft is not None:
        draft = FactSheet.objects.select_for_update().get(pk=draft.pk)
        if draft.is_published:
            raise ImportRefused(
                f"“{draft}” is already published; an import never changes a "
                "published sheet. Unpublish it or give the import another date."
            )
        last = draft.imports.first()
        edited = last is None or draft.updated_at > last.imported_at
        if edited and not replace_edits:
            raise ImportRefused(
                f"the draft “{draft}” was edited after it was "
                + ("imported" if last else "written, and not by an import")
                + "; importing again would overwrite those edits. Nothing was "
                "written. Import it with “replace edits” to overwrite them."
            )
        draft.sections.all().delete()
        draft.assistance_lines.all().delete()
        draft.officials.all().delete()
        draft.related_links.all().delete()
    else:
        draft = FactSheet(country=sheet.country)
    fill(draft, sheet)
    try:
        draft.full_clean()
        sheet_operations.save(draft, by=user, comment=f"Imported from {source[:200]}.")
        add_rows(draft, sheet)
    except ValidationError as error:
        raise ImportRefused(
            "what was read breaks a rule of the sheet: " + "; ".join(error.messages)
        ) from error
    # The rows went in without signals: record the sheet as it now stands, rows and all.
    reversion.add_to_revision(draft)
    record = ImportRecord.objects.create(
        factsheet=draft,
        source=source[:500],
        fingerprint=fingerprint,
        report={
            "recognised": sheet.recognised,
            "warnings": sheet.warnings,
            "found": what_was_found(sheet, draft),
        },
        imported_by=user,
    )
    return Saved(draft, created, record)


def what_was_found(sheet, draft):
    """What the import page reports before the editor opens the draft: the header as
    read, the country and how it was matched, and how many rows of each kind."""
    country = sheet.country
    matched = sheet.country_name_matched
    if matched == country.name:
        how = "name"
    elif matched and matched == country.sentence_name:
        how = "sentence name"
    else:
        how = "other name"
    return {
        "title": sheet.title,
        "kind": sheet.kind,
        "bureau_line": sheet.bureau_text,
        "bureau": draft.bureau.name,
        "bureau_matched": sheet.bureau is not None,
        "issued_on": sheet.issued_on.isoformat() if sheet.issued_on else None,
        "country": country.name,
        "country_text": sheet.country_text,
        "country_from": sheet.country_from,
        "country_name_matched": matched,
        "country_matched_by": how,
        "sections": len(sheet.sections),
        "assistance_lines": len(sheet.assistance_lines),
        "officials": len(sheet.officials),
        "related_links": len(sheet.related_links),
        "related_links_without_address": sum(
            1 for _, url in sheet.related_links if not url
        ),
    }


def fill(draft, sheet):
    # A new sheet is a draft; one updated keeps its state: a published one is
    # refused above, and one in review stays in review, as any edit leaves it.
    draft.bureau = sheet.bureau or sheet.country.bureau
    draft.title = sheet.title or ""
    draft.kind = sheet.kind or "Fact Sheet"
    draft.issued_on = sheet.issued_on
    draft.notice = sheet.notice
    draft.lead = sheet.lead
    # The standard intro is generated; only other wording is stored.
    intro = sheet.related_links_intro
    standard = wording.related_links_intro(draft.country)
    draft.related_links_intro = "" if intro == standard else intro


def add_rows(draft, sheet):
    rows = [
        Section(factsheet=draft, position=n, heading=heading, body=body)
        for n, (heading, body) in enumerate(sheet.sections, 1)
    ]
    rows += [
        AssistanceLine(
            factsheet=draft,
            position=n,
            period=f.period,
            year=f.year,
            year_end=f.year_end,
            qualifier=f.qualifier,
            amount_usd=f.amount_usd,
            kind=f.kind,
            agency=f.agency[:100],
            note=f.note[:200],
        )
        for n, f in enumerate(sheet.assistance_lines, 1)
    ]
    rows += [
        Official(factsheet=draft, position=n, role=role[:200], name=name[:200])
        for n, (role, name) in enumerate(sheet.officials, 1)
    ]
    rows += [
        RelatedLink(factsheet=draft, position=n, title=title[:200], url=url or "")
        for n, (title, url) in enumerate(sheet.related_links, 1)
    ]
    for row in rows:
        # Each row meets the same rules as one typed in the admin.
        row.full_clean(exclude=["factsheet"])
        row.save()
