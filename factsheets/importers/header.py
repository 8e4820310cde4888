"""A sheet's header lines: its title, bureau, kind (“Fact Sheet”) and date."""

import datetime
import re

TITLE = re.compile(
    r"^U\.?\s?S\.?\s+Relations\s+[Ww]ith\s+(?P<country>.+?)"
    r"(?:\s+[-|–—]\s+(?:United States )?(?:U\.S\. )?Department of State.*)?$",
    re.I,
)
BUREAU = re.compile(r"^(?:Bureau of|Office of(?: the)?) [\w ,.&’'-]{3,90}$", re.I)
KIND = re.compile(r"^(?:Bilateral Relations )?Fact Sheets?$", re.I)
KIND_IN = re.compile(r"\b(?:Bilateral Relations )?Fact Sheet\b", re.I)
BUREAU_IN = re.compile(
    r"\b(?:Bureau of [A-Z][\w,&’'-]*(?: (?:of|and|the|[A-Z][\w,&’'-]*))*? Affairs|"
    r"Office of the [A-Z][\w,&’'-]*(?: (?:of|for|and|the|[A-Z][\w,&’'-]*))*)",
    re.I,
)
DATE_IN = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.? \d{1,2},? "
    r"\d{4}\b",
    re.I,
)
MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
DATES = [
    re.compile(
        r"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(?P<month>[A-Za-z]+)\.?\s+"
        r"(?P<day>\d{1,2}),?\s+(?P<year>\d{4})$"
    ),
    re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?,?\s+(?P<year>\d{4})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
    re.compile(r"^(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})$"),
]


def parse_date(text):
    """The date `text` is, in the forms sheets use, or None."""
    text = text.strip().rstrip(".")
    for pattern in DATES:
        match = pattern.match(text)
        if not match:
            continue
        month = match["month"]
        month = int(month) if month.isdigit() else MONTHS.get(month.lower())
        try:
            return datetime.date(int(match["year"]), month or 0, int(match["day"]))
        except ValueError:
            return None
    return None


# A news wire's line: “The following bilateral relations fact sheet was published by
# the U.S. Department of State, Bureau of African Affairs on Jan. 2, 2020. …”
PUBLISHED_BY = re.compile(
    r"^The following .{0,40}fact sheet was published by the U\.S\. Department of "
    r"State,? (?P<bureau>.+?) on (?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})\b"
)


def header_parts(text):
    """The header lines `text` is: [("title", …)], or several run together in one
    line of a page (“Bilateral Relations Fact Sheet Bureau of … March 4, 2020”)."""
    if len(text) > 300:  # a paragraph, not a header line; and never read at length
        return []
    title = TITLE.match(text)
    if (
        title and title.end("country") <= 200
    ):  # the longest title a sheet may have  # without a site's suffix: “… - United States Department of State”
        return [("title", text[: title.end("country")])]
    wire = PUBLISHED_BY.match(text)
    if wire:
        return [("bureau", wire["bureau"]), ("date", wire["date"])]
    if KIND.match(text):
        return [("kind", text)]
    if BUREAU.match(text):
        return [("bureau", text)]
    if parse_date(text):
        return [("date", text)]
    parts, rest = [], text
    for part, pattern in (("kind", KIND_IN), ("date", DATE_IN), ("bureau", BUREAU_IN)):
        found = pattern.search(rest)
        if found:
            parts.append((part, found.group(0).strip()))
            rest = rest[: found.start()] + " " + rest[found.end() :]
    if len(parts) >= 2 and not re.sub(r"[\s|·•,–—-]+", "", rest):
        return parts
    return []
