"""Where each part of a sheet goes on its page, worked out once per page from the
prefetched rows: the sections' anchors, and the sections that end with the
assistance table and with the officials."""

import re
from dataclasses import dataclass

from django.utils.text import slugify

from factsheets import wording

# Ids the sheet's templates use themselves; no section anchor may take one.
FIXED_IDS = frozenset(
    {
        "top",
        "main",
        "factsheet-title",
        "contents-heading",
        "key-facts",
        "more-information",
        "assistance-caption",
    }
)
# Where the figures go when the editor has not chosen.
ASSISTANCE_HEADING = re.compile(r"^\s*U\.?\s?S\.?\s+(Security\s+)?Assistance\b", re.I)
REPRESENTATION_HEADING = re.compile(r"\bRepresentation\b", re.I)


def unique_anchors(headings):
    """A non-empty id for each heading, different from each other and from FIXED_IDS.

    From the heading's words in any script (“bilateral-representation”,
    “двусторонние-отношения”); “section-3” where a heading has none.
    """
    taken = set(FIXED_IDS)
    anchors = []
    for number, heading in enumerate(headings, 1):
        base = slugify(heading, allow_unicode=True) or f"section-{number}"
        anchor, n = base, 1
        while anchor in taken:
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        anchors.append(anchor)
    return anchors


@dataclass(frozen=True)
class PlacedSection:
    section: object
    anchor: str
    ends_with_assistance: bool
    ends_with_officials: bool


def _choose(sections, flag, heading_pattern):
    """The section the editor ticked, else the first whose heading fits, else None."""
    ticked = [s for s in sections if getattr(s, flag)]
    if ticked:
        return ticked[0]
    return next((s for s in sections if heading_pattern.search(s.heading)), None)


class SheetLayout:
    def __init__(self, factsheet):
        sections = list(factsheet.sections.all())
        self.assistance_lines = list(factsheet.assistance_lines.all())
        self.officials = list(factsheet.officials.all())
        table_at = self.assistance_lines and _choose(
            sections, "shows_assistance", ASSISTANCE_HEADING
        )
        officials_at = self.officials and _choose(
            sections, "shows_officials", REPRESENTATION_HEADING
        )
        anchors = iter(unique_anchors([s.heading for s in sections if s.heading]))
        self.sections = [
            PlacedSection(
                section=s,
                anchor=next(anchors) if s.heading else "",
                ends_with_assistance=s is table_at,
                ends_with_officials=s is officials_at,
            )
            for s in sections
        ]
        # The fallback block holds whatever no section took.
        self.key_facts_assistance = bool(self.assistance_lines) and not table_at
        self.key_facts_officials = bool(self.officials) and not officials_at
        self.key_facts_heading = wording.key_facts_heading()
        self.officials_heading = wording.officials_heading()
        self.assistance_caption = wording.assistance_caption(factsheet.country)

    @property
    def has_key_facts(self):
        return self.key_facts_assistance or self.key_facts_officials

    @property
    def period_heading(self):
        """The assistance table's first column heading, true of every line in it."""
        periods = {line.period for line in self.assistance_lines}
        if periods == {"fiscal"}:
            return "Fiscal year"
        if "none" not in periods:
            return "Year"
        return "Period"
