"""What changed between two states of a sheet: two editions for the public, or two
revisions for editors. Both are compared as snapshots, so both read the same way:
fields, then section by section, then the figures, officials and links, with
changes in text marked word by word."""

import difflib
import html
import re
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.utils.formats import date_format
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe

# Block ends become paragraph breaks when rich text is compared as text.
BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote)>|<br\s*/?>", re.I)
# Words, runs of spaces, line breaks, and each punctuation mark on its own, so that a
# changed name is marked without the semicolon after it.
TOKEN = re.compile(r"\n|[^\S\n]+|[\w'’-]+|[^\w\s]")


def as_text(rich):
    """The words of rich text, one paragraph per line."""
    text = html.unescape(strip_tags(BLOCK_END.sub("\n", rich or "")))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _marked(tag, words):
    # Marked in words as well as by style: readable without colour, on paper,
    # and by a screen reader, which does not announce <ins> and <del>.
    sign, name = ("+", "added") if tag == "ins" else ("−", "removed")
    return format_html(
        '<{} class="diff-{}"><span class="diff-mark" aria-hidden="true">[{}</span>'
        '<span class="visually-hidden">{}: </span>{}'
        '<span class="diff-mark" aria-hidden="true">]</span>'
        '<span class="visually-hidden">, end {}</span></{}>',
        tag,
        tag,
        sign,
        name,
        words,
        name,
        tag,
    )


def _runs(a, b):
    """[removed, added, unchanged] token runs from `a` to `b`. Changes with only a
    space or a stop between them read as one: “[−Paul A. Folmsbee][+Dennis B.
    Hankins]”, not word by word."""
    runs = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append([[], [], b[j1:j2]])
            continue
        removed, added = a[i1:i2], b[j1:j2]
        if len(runs) >= 2 and _filler(runs[-1][2]) and not runs[-2][2]:
            space = runs.pop()[2]
            before = runs.pop()
            removed, added = before[0] + space + removed, before[1] + space + added
        runs.append([removed, added, []])
    return runs


def _filler(tokens):
    """A short run of spaces and punctuation, within one paragraph."""
    return 0 < len(tokens) <= 3 and all(
        t != "\n" and not re.search(r"\w", t) for t in tokens
    )


def word_diff(old, new):
    """`new` as paragraphs, with words removed from `old` and added marked."""
    a, b = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    paragraphs, current = [], []

    for removed, added, same in _runs(a, b):
        chunks = [(None, same)] if same else []
        if removed:
            chunks.append(("del", [" " if t == "\n" else t for t in removed]))
        if added:
            chunks.append(("ins", added))
        for tag, tokens in chunks:
            # Paragraph breaks inside the run end paragraphs; the run's end does not.
            parts = "".join("\x00" if t == "\n" else t for t in tokens).split("\x00")
            for number, part in enumerate(parts):
                if number:
                    paragraphs.append(current[:])
                    current.clear()
                if part.strip() and tag:
                    lead = " " if part[0].isspace() else ""
                    trail = " " if part[-1].isspace() else ""
                    current.append(lead + _marked(tag, part.strip()) + trail)
                elif part:
                    current.append(escape(part))
    paragraphs.append(current)
    return mark_safe(
        "".join(
            format_html(
                "<p>{}</p>", mark_safe(re.sub(" {2,}", " ", "".join(p)).strip())
            )
            for p in paragraphs
            if "".join(p).strip()
        )
    )


def _named(sheet, relation):
    """The name of a related row, which an old revision may name after its deletion."""
    try:
        related = getattr(sheet, relation)
    except ObjectDoesNotExist:
        return f"(a {relation} since deleted)"
    return str(related) if related else ""


@dataclass
class Snapshot:
    """A sheet's content at one moment, from the database or from a revision."""

    fields: dict
    sections: list
    lines: list
    officials: list
    links: list

    @classmethod
    def of(cls, sheet, sections, lines, officials, links):
        def ordered(rows):
            return sorted(rows, key=lambda row: (row.position, row.pk or 0))

        return cls(
            fields={
                "Title": sheet.title,
                "Bureau": _named(sheet, "bureau"),
                "Kind": sheet.kind,
                "Issue date": date_format(sheet.issued_on, "F j, Y")
                if sheet.issued_on
                else "",
                "Notice": as_text(sheet.notice),
                "Lead line": sheet.lead,
                "Line above the related links": sheet.related_links_intro,
            },
            sections=ordered(sections),
            lines=ordered(lines),
            officials=ordered(officials),
            links=ordered(links),
        )

    @classmethod
    def of_sheet(cls, sheet):
        """From a saved sheet; uses its prefetched rows when there are any."""
        return cls.of(
            sheet,
            sheet.sections.all(),
            sheet.assistance_lines.all(),
            sheet.officials.all(),
            sheet.related_links.all(),
        )


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def words(self):
        return word_diff(self.old, self.new)


@dataclass
class SectionChange:
    """One section: added, removed, changed or unchanged, with its marked text."""

    status: str
    heading: str
    old_body: str = ""
    new_body: str = ""

    @property
    def words(self):
        return word_diff(self.old_body, self.new_body)


@dataclass
class RowChange:
    """An assistance line, official or link: added, removed, or changed from → to."""

    status: str
    label: str
    old: str = ""
    new: str = ""


@dataclass
class Changes:
    fields: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    officials: list = field(default_factory=list)
    links: list = field(default_factory=list)

    @property
    def changed_sections(self):
        return [s for s in self.sections if s.status != "unchanged"]

    @property
    def count(self):
        return (
            len(self.fields)
            + len(self.changed_sections)
            + len(self.lines)
            + len(self.officials)
            + len(self.links)
        )

    def __bool__(self):
        return bool(self.count)

    @property
    def row_groups(self):
        return [
            ("Assistance", self.lines),
            ("Officials", self.officials),
            ("Related links", self.links),
        ]


def _compare_rows(old_rows, new_rows, key, text, label):
    """Rows matched by `key`; each unmatched row is added or removed."""
    old_by_key = {}
    for row in old_rows:
        old_by_key.setdefault(key(row), []).append(row)
    changes = []
    for row in new_rows:
        matches = old_by_key.get(key(row))
        if not matches:
            changes.append(RowChange("added", label(row), new=text(row)))
            continue
        before = matches.pop(0)
        if text(before) != text(row):
            changes.append(RowChange("changed", label(row), text(before), text(row)))
    for rows in old_by_key.values():
        changes.extend(RowChange("removed", label(r), old=text(r)) for r in rows)
    return changes


def _line_text(line):
    words = [line.amount_text, line.get_kind_display().lower()]
    if line.agency:
        words.append(line.agency)
    text = ", ".join(words)
    return f"{text} ({line.note})" if line.note else text


def compare(old, new):
    """The changes from snapshot `old` to snapshot `new`."""
    changes = Changes()
    for label, value in new.fields.items():
        before = old.fields.get(label, "")
        if before != value:
            changes.fields.append(FieldChange(label, before, value))

    # Sections are matched by heading; a renamed section reads as removed and added.
    old_sections = {}
    for section in old.sections:
        old_sections.setdefault(section.heading.casefold(), []).append(section)
    for section in new.sections:
        matches = old_sections.get(section.heading.casefold())
        body = as_text(section.body)
        if not matches:
            changes.sections.append(SectionChange("added", section.heading, "", body))
            continue
        before = as_text(matches.pop(0).body)
        status = "unchanged" if before == body else "changed"
        changes.sections.append(SectionChange(status, section.heading, before, body))
    for sections in old_sections.values():
        for section in sections:
            changes.sections.append(
                SectionChange("removed", section.heading, as_text(section.body))
            )

    changes.lines = _compare_rows(
        old.lines,
        new.lines,
        key=lambda line: (line.period_label, line.kind, line.agency.casefold()),
        text=_line_text,
        label=lambda line: line.period_label,
    )
    changes.officials = _compare_rows(
        old.officials,
        new.officials,
        key=lambda official: official.role.casefold(),
        text=lambda official: official.name,
        label=lambda official: official.role,
    )
    changes.links = _compare_rows(
        old.links,
        new.links,
        key=lambda link: link.url or link.title.casefold(),
        text=lambda link: f"{link.title} ({link.url})" if link.url else link.title,
        label=lambda link: link.title,
    )
    return changes
