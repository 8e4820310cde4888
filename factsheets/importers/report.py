"""An import's report as the admin shows it: what was found in the old sheet, in
the words an editor checks it by, from what save_draft() recorded."""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format


@dataclass
class Found:
    label: str
    value: str
    note: str = ""


def country_match(found):
    """“Swaziland” (in the title) matched to Eswatini by its former name, say."""
    country, text = found["country"], found.get("country_text") or ""
    where = found.get("country_from") or "the page"
    matched = found.get("country_name_matched") or country
    how = found.get("country_matched_by")
    if how == "other name":
        return f"Matched to {country} by its former or other name “{matched}”, which {where} uses."
    if how == "sentence name":
        return f"Matched by its name in a sentence, “{matched}”, in {where}."
    if text and text != country:
        return f"Matched by its name, written “{text}” in {where}."
    return f"Matched by its name, in {where}."


def count(n, one, many):
    return f"{n:,} {one if n == 1 else many}"


def found_items(record):
    """What the import found, in order, or [] for an import recorded before the
    report said more than its warnings."""
    found = record.report.get("found")
    if not found:
        return []
    sheet = record.factsheet
    items = [
        Found(
            "Title",
            found["title"] or sheet.title,
            ""
            if found["title"]
            else "No title line: the draft has the standard title.",
        ),
        Found(
            "Bureau",
            found["bureau"],
            ""
            if found["bureau_matched"]
            else f"The bureau line “{found['bureau_line']}” matches no bureau: the country’s bureau is used."
            if found["bureau_line"]
            else "No bureau line: the country’s bureau is used.",
        ),
        Found("Kind", found["kind"] or sheet.kind),
        Found(
            "Issue date",
            date_format(datetime.date.fromisoformat(found["issued_on"]), "F j, Y")
            if found["issued_on"]
            else "None found",
            "" if found["issued_on"] else "The draft needs one before it is published.",
        ),
        Found(
            "Country",
            found["country_text"]
            if found.get("country_matched_by") == "other name"
            else found["country"],
            country_match(found),
        ),
        Found(
            "Rows",
            ", ".join(
                [
                    count(found["sections"], "section", "sections"),
                    count(
                        found["assistance_lines"], "assistance line", "assistance lines"
                    ),
                    count(found["officials"], "official", "officials"),
                    count(found["related_links"], "related link", "related links"),
                ]
            ),
            f"{found['related_links_without_address']:,} of the related links have no address."
            if found["related_links_without_address"]
            else "",
        ),
    ]
    return items
