"""The parts of an old fact sheet, recognised in the blocks of its page.

Old sheets come as text captures and saved pages of two generations of the site,
from every bureau and year. What they share is the order of their parts, so that
is what this reads: page chrome, a header (title, bureau, “Fact Sheet”, date, in
either order, or none), notices, the lead, the sections, the officials, and the
related links at the end.
"""

import datetime
import re
from dataclasses import dataclass, field
from html import escape, unescape
from urllib.parse import urljoin

from factsheets import wording
from factsheets.importers.blocks import Block
from factsheets.importers.chrome import CHROME, END
from factsheets.importers.figures import FigureReader, describe
from factsheets.importers.header import TITLE, header_parts, parse_date
from factsheets.importers.names import title_case
from factsheets.importers.text import in_capitals, looks_like_heading
from factsheets.links import safe_href
from factsheets.richtext import sanitize
from factsheets.sheet_limits import (
    MAX_ROWS,
    RICH_TEXT_MAX_LENGTH,
    SHEET_RICH_TEXT_MAX_LENGTH,
    TEXT_MAX_LENGTH,
)

ADDRESS_LINE = re.compile(
    r"^(?:Tel\.?|Telephone|Phone|Fax|E-?mail)\b|\bWashington,? D\.?C\.?,? \d{5}\b|"
    r"^\d+[\w-]* [\w .'’-]+ (?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Court|Ct\.?|"
    r"Place|Pl\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Lane|Way|Circle|Terrace)\b",
    re.I,
)
ADDRESSEE = re.compile(r"^(?:The )?(?:Embassy|Consulate|Permanent Mission|Mission)\b")
# Headings that name the country: “U.S.-ERITREA RELATIONS”, “U.S. Assistance to Eritrea”.
HEADING_COUNTRY = re.compile(
    r"^U\.S\.\s?[-–]\s?(?P<country>.+?) RELATIONS$|^U\.S\. Assistance to "
    r"(?P<to>.+)$",
    re.I,
)
LEAD = re.compile(r"^More information about (?P<country>.+?) is available\b", re.I)
LEAD_FORM = re.compile(r"\b(?:[Pp]age|listed at the end|publications|sources)\b")
# The line above the related links: “More information about X is available from …
# listed here:”, read as its start and its end (one pattern for both would try every
# end for every start).
INTRO_START = re.compile(
    r"^More information about (?P<country>.+?) is available from ", re.I
)
INTRO_END = re.compile(r"(?::|listed (?:here|below)\.?)$", re.I)
# What a note to readers says: the series is no longer updated, where the newest
# version is, what this page replaces.
NOTICE = re.compile(
    r"^(?:Note\b|NOTE\b|Notice\b|Please note|Editor['’]s note|Note to (?:our )?readers)|"
    r"\bno longer (?:being )?(?:updated|maintained|produced|published)\b|"
    r"\bmost recent(?:ly published)? version\b|\blatest version\b|"
    r"\b(?:is|are|has been|have been) (?:being )?(?:replaced|superseded|archived)\b|"
    r"\bis (?:currently )?being updated\b|\barchived versions?\b",
    re.I,
)
NOTICE_START = re.compile(
    r"^(?:Note\b|NOTE\b|Please note|For the most recent|This fact sheet|The .{0,60}"
    r"(?:Fact Sheet|fact sheet) is (?:currently )?being updated)",
)
PRINCIPAL = re.compile(
    r"^Principal U\.S\.(?: Embassy)? Officials\b(?: include)?(?: \([^)]*\))?:?$", re.I
)
ROLE_NAME = re.compile(
    r"^(?P<role>[A-Z][^:]{1,80}?)\s*(?:--|—|–| - |:)\s*(?P<name>\w[^:]{1,80})$"
)
NAME = r"(?P<name>[A-Z](?:[A-Z]\.(?=\s)|Jr\.|Sr\.|[^;,.()]){1,200})"
# Bounded, as a role is at most 200 characters: so a paragraph is read in one pass.
AMBASSADOR = re.compile(
    r"\bThe (?P<role>U\.S\. (?:Ambassador|Charg[ée] d['’]Affaires(?:,? a\.i\.,?| ad "
    r"interim,?)?)(?: to| in) [^,;]{1,200}?)(?:,\s*(?:resident|based) in [^;]{1,200}?,)?"
    r"\s+is " + NAME
)
HREF = re.compile(r'href="([^"]*)"')
# What the editor is told at most, so that the report fits on the draft's page.
MAX_WARNINGS = 60


def words(text, most):
    """How many words `text` has, counted up to `most`: a long paragraph is not
    split into all its words to say it has more than a few."""
    return len(text.split(maxsplit=most)[:most])


def intro_country(text):
    """The country the line above the related links names, or None if it is not one."""
    start = INTRO_START.match(text) if len(text) <= TEXT_MAX_LENGTH else None
    if start and INTRO_END.search(text, start.end()):
        return start["country"]
    return None


def quote(text, limit=60):
    """The start of `text`, for the report."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote_end(text, limit=60):
    return text if len(text) <= limit else "…" + text[-(limit - 1) :].lstrip()


def group_addresses(blocks):
    """Consecutive short lines of an address (“2175 K Street NW”, “Washington, DC
    20037”, “Tel. …”), with the embassy's name before them, as one paragraph."""
    out, i = [], 0
    while i < len(blocks):
        j = i
        while (
            j < len(blocks)
            and blocks[j].kind == "text"
            and words(blocks[j].text, 13) <= 12
            and (ADDRESS_LINE.search(blocks[j].text) or j == i)
        ):
            j += 1
        lines = blocks[i:j]
        if sum(1 for b in lines if ADDRESS_LINE.search(b.text)) >= 2 and (
            ADDRESS_LINE.search(lines[0].text) or ADDRESSEE.match(lines[0].text)
        ):
            out.append(
                Block(
                    text=" ".join(b.text for b in lines),
                    html="<br>".join(b.html for b in lines),
                )
            )
            i = j
        else:
            out.append(blocks[i])
            i += 1
    return out


@dataclass
class ImportedSheet:
    country: object = None
    country_text: str = ""
    bureau: object = None
    bureau_text: str = ""
    title: str = ""
    kind: str = ""
    issued_on: datetime.date | None = None
    notice: str = ""
    lead: str = ""
    sections: list = field(default_factory=list)  # (heading, body HTML)
    assistance_lines: list = field(default_factory=list)  # figures.Figure
    officials: list = field(default_factory=list)  # (role, name)
    related_links: list = field(default_factory=list)  # (title, url or None)
    related_links_intro: str = ""
    address: str = ""
    # How the country was found: the text, where it was, and the country's name
    # it matched (its name, its name in a sentence, or one of its other names).
    country_from: str = ""
    country_name_matched: str = ""
    recognised: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    # What was left out to keep the draft within what the admin can save.
    left_out: list = field(default_factory=list)

    def as_json(self):
        return {
            "country": self.country.name if self.country else None,
            "bureau": self.bureau.name if self.bureau else None,
            "title": self.title,
            "kind": self.kind,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "notice": self.notice,
            "lead": self.lead,
            "sections": [{"heading": h, "body": b} for h, b in self.sections],
            "assistance_lines": [f.as_dict() for f in self.assistance_lines],
            "officials": [{"role": r, "name": n} for r, n in self.officials],
            "related_links": [{"title": t, "url": u} for t, u in self.related_links],
            "warnings": self.warnings,
        }


class SheetReader:
    def __init__(self, page, names):
        self.page = page
        if page.unread_chars:
            self.sheet_left_out = [
                f"The source is longer than any sheet: only its first "
                f"{page.unread_limit} were read. The rest, {page.unread_chars:,} "
                f"characters from “{quote(page.unread_from)}”, was left out."
            ]
        else:
            self.sheet_left_out = []
        self.names = names
        self.sheet = ImportedSheet(address=page.address)
        self.sheet.left_out = self.sheet_left_out
        # Chrome goes; the chrome and headings that close a sheet stay as an end mark.
        self.blocks = []
        for block in page.blocks:
            if END.match(block.text):
                self.blocks.append(Block(text="", html="", kind="end"))
            elif not CHROME.match(block.text):
                self.blocks.append(block)

    def read(self):
        lead_at = self.find_lead()
        intro_at = next(
            (
                i
                for i in range(len(self.blocks) - 1, -1, -1)
                if intro_country(self.blocks[i].text)
                and (lead_at is None or i > lead_at)
            ),
            None,
        )
        header_end = lead_at if lead_at is not None else self.content_start()
        self.read_header(self.blocks[:header_end], has_lead=lead_at is not None)
        if lead_at is not None:
            self.sheet.lead = self.blocks[lead_at].text
        start = lead_at + 1 if lead_at is not None else header_end
        if intro_at is not None:
            body, links = self.blocks[start:intro_at], self.blocks[intro_at + 1 :]
            self.sheet.related_links_intro = self.blocks[intro_at].text
        else:
            # Without the line that introduces them, the links end where the page does.
            end = next(
                (
                    i
                    for i in range(start, len(self.blocks))
                    if self.blocks[i].kind == "end"
                ),
                len(self.blocks),
            )
            body = group_addresses(self.blocks[start:end])
            body, links = self.trailing_links(body)
        body = group_addresses([b for b in body if b.kind != "end"])
        body = self.read_officials_list(body)
        self.read_sections(body)
        self.read_links(links)
        self.read_country()
        self.read_figures()
        for rows, name in (
            ("assistance_lines", "assistance lines"),
            ("officials", "officials"),
            ("related_links", "related links"),
        ):
            found = getattr(self.sheet, rows)
            if len(found) > MAX_ROWS:
                self.sheet.left_out.append(
                    f"The source has {len(found):,} {name}, more than the {MAX_ROWS} "
                    f"a sheet may have: the last {len(found) - MAX_ROWS:,} were left out."
                )
                setattr(self.sheet, rows, found[:MAX_ROWS])
        self.check()
        return self.sheet

    # The header, notices and the lead
    def find_lead(self):
        """The lead: “More information about X is available on the X Page …”.

        It comes before the sheet's first heading; a later paragraph that opens the
        same way (“More information about Peace Corps service …”) is not it.
        """
        seen_header = False
        for i, block in enumerate(self.blocks):
            if block.kind == "end":
                continue
            if header_parts(block.text):
                seen_header = True
                continue
            if (
                len(block.text) <= TEXT_MAX_LENGTH
                and LEAD.match(block.text)
                and not intro_country(block.text)
                and LEAD_FORM.search(block.text)
            ):
                return i
            if (
                seen_header
                and self.is_heading(block)
                and not self.names.country(block.text)
            ):
                return None
        return None

    def content_start(self):
        """Without a lead, the sheet's text starts at its first heading or paragraph."""
        for i, block in enumerate(self.blocks):
            if block.kind == "end" or header_parts(block.text):
                continue
            if NOTICE_START.match(block.text) or self.names.country(block.text):
                continue
            if looks_like_heading(block.text) or words(block.text, 20) >= 20:
                return i
        return len(self.blocks)

    def read_header(self, blocks, has_lead):
        sheet = self.sheet
        last_header = -1
        dates = []
        for i, block in enumerate(blocks):
            parts = header_parts(block.text)
            for part, text in parts:
                if part == "title" and not sheet.title:
                    sheet.title = text
                    sheet.country_text = TITLE.match(text)["country"]
                elif part == "kind" and not sheet.kind:
                    sheet.kind = text
                elif part == "bureau" and not sheet.bureau_text:
                    sheet.bureau_text = text
                    sheet.bureau = self.names.bureau(text)
                elif part == "date":
                    dates.append(parse_date(text))
            if parts:
                last_header = i
        if dates:
            sheet.issued_on = dates[-1] if len(dates) > 1 and sheet.kind else dates[0]
            if len(set(dates)) > 1:
                day = sheet.issued_on
                sheet.warnings.append(
                    f"The header has several dates; {day:%B} {day.day}, {day.year} "
                    "was taken as the issue date."
                )
        notices, left = [], []
        for i, block in enumerate(blocks):
            if block.kind == "end" or header_parts(block.text):
                continue
            # Only a note to readers is a notice; anything else above the lead is
            # some site's wrapper, and the editor is told what was left out.
            if i > last_header and NOTICE.search(block.text):
                notices.append(block)
            elif i > last_header or words(block.text, 5) >= 5:
                left.append(block.text)
        if notices:
            kept = self.fit_body("The notice", notices, RICH_TEXT_MAX_LENGTH)
            sheet.notice = sanitize(
                "".join(f"<p>{self.resolve(b.html)}</p>" for b in kept)
            )
        for text in left:
            sheet.warnings.append(f"Left out a line before the lead: “{text[:120]}”")

    # The sections and what is in them
    def read_officials_list(self, blocks):
        """A “Principal U.S. Officials” list becomes officials, and leaves the text."""
        kept, i = [], 0
        while i < len(blocks):
            if PRINCIPAL.match(blocks[i].text):
                j = i + 1
                while j < len(blocks) and ROLE_NAME.match(blocks[j].text):
                    match = ROLE_NAME.match(blocks[j].text)
                    role, name = match["role"].strip(), match["name"].strip()
                    if name.lower() != "vacant":
                        self.sheet.officials.append((role, name))
                    j += 1
                if j > i + 1:
                    i = j
                    continue
            kept.append(blocks[i])
            i += 1
        return kept

    def is_heading(self, block):
        if len(block.text) > 200:  # longer than a section's heading may be
            return False
        if block.kind == "heading":
            return words(block.text, 21) <= 20
        return block.kind == "text" and looks_like_heading(block.text)

    def read_sections(self, blocks):
        sections = []
        for block in blocks:
            if self.is_heading(block):
                sections.append((block.text, []))
            else:
                if not sections:
                    sections.append(("", []))
                sections[-1][1].append(block)
        sections = self.within_limits(sections)
        self.section_text = []
        for heading, parts in sections:
            self.sheet.sections.append((heading, self.body_html(parts)))
            self.section_text.append(
                (heading, [(b.text, b.kind == "item") for b in parts])
            )
            if not parts:
                self.sheet.warnings.append(
                    f"The section “{heading}” has no text; it was kept as it stands."
                )
        for _, texts in self.section_text:
            for text, _ in texts:
                for match in AMBASSADOR.finditer(text):
                    official = (match["role"].strip(), match["name"].strip())
                    if official not in self.sheet.officials:
                        self.sheet.officials.append(official)

    def within_limits(self, sections):
        """The sections, as many and as long as the admin lets an editor save: each
        body at most RICH_TEXT_MAX_LENGTH, all of them SHEET_RICH_TEXT_MAX_LENGTH,
        MAX_ROWS of them, headings unique. What is left out is named in the report."""
        left_out = self.sheet.left_out
        room = SHEET_RICH_TEXT_MAX_LENGTH - len(self.sheet.notice)
        kept, seen = [], {}
        for n, (heading, parts) in enumerate(sections):
            rest = len(sections) - n
            if n == MAX_ROWS:
                left_out.append(
                    f"The source has {len(sections):,} sections, more than the "
                    f"{MAX_ROWS} a sheet may have: the last {rest:,}, from "
                    f"“{quote(heading)}” on, were left out."
                )
                break
            if room < 1000:
                left_out.append(
                    "The sections hold more text than a sheet may ("
                    f"{SHEET_RICH_TEXT_MAX_LENGTH:,} characters in all): the last "
                    f"{rest:,}, from “{quote(heading or 'the opening section')}” on, "
                    "were left out."
                )
                break
            limit = min(RICH_TEXT_MAX_LENGTH, room)
            name = f"The section “{heading}”" if heading else "The opening section"
            parts = self.fit_body(name, parts, limit)
            room -= len(self.body_html(parts))
            # The admin refuses two sections with one heading.
            key = heading.casefold()
            if heading and key in seen:
                seen[key] += 1
                renamed = f"{heading[:190]} ({seen[key]})"
                self.sheet.warnings.append(
                    f"The heading “{heading}” is there more than once; this one is "
                    f"now “{renamed}”."
                )
                heading = renamed
            seen.setdefault(key, 1)
            kept.append((heading, parts))
        return kept

    def fit_body(self, name, parts, limit):
        """The blocks of a section's body that fit in `limit` characters of HTML: the
        first ones, and of the first that does not fit, its first sentences."""
        size, fits = 0, 0
        base = len(self.page.link_base)
        for block in parts:
            # Its HTML as written, with room for what resolving and sanitizing add
            # to each link (its full address, rel="noopener noreferrer", its end).
            size += len(block.html) + 20 + (40 + base) * block.html.count("<a")
            if size > limit:
                break
            fits += 1
        if fits == len(parts) and len(self.body_html(parts)) <= limit:
            return parts
        fits = min(fits, len(parts) - 1)
        kept = list(parts[:fits])
        room = limit - len(self.body_html(kept)) - 20
        block = parts[fits]
        text = block.text[: max(room, 0)]
        while len(escape(text)) > room:
            text = text[: room - (len(escape(text)) - len(text))]
        cut = max(text.rfind(". "), text.rfind("? "), text.rfind("! "))
        if cut > 0:  # after a sentence
            text = text[: cut + 1]
        elif " " in text:  # after a word
            text = text[: text.rfind(" ")].rstrip()
        if text:
            kept.append(Block(text, escape(text), block.kind, block.list_type))
        while kept and len(self.body_html(kept)) > limit:
            kept.pop()
        left = block.text[len(text) :].strip()
        chars = len(left) + sum(len(b.text) for b in parts[fits + 1 :])
        if not chars:
            return kept
        left = left or parts[fits + 1].text
        why = (
            f"is longer than the {RICH_TEXT_MAX_LENGTH:,} characters the admin allows"
            if limit == RICH_TEXT_MAX_LENGTH
            else "does not fit in what a sheet may hold "
            f"({SHEET_RICH_TEXT_MAX_LENGTH:,} characters in all)"
        )
        ends = quote_end(kept[-1].text) if kept else ""
        self.sheet.left_out.append(
            f"{name} {why}: "
            + (f"it now ends at “{ends}”. " if ends else "it is now empty. ")
            + f"The rest of it, {chars:,} characters from “{quote(left)}”, "
            "was left out."
        )
        return kept

    def body_html(self, blocks):
        html, open_list = [], ""
        for block in blocks:
            if block.kind == "item":
                if open_list != block.list_type:
                    if open_list:
                        html.append(f"</{open_list}>")
                    open_list = block.list_type or "ul"
                    html.append(f"<{open_list}>")
                html.append(f"<li>{self.resolve(block.html)}</li>")
                continue
            if open_list:
                html.append(f"</{open_list}>")
                open_list = ""
            html.append(f"<p>{self.resolve(block.html)}</p>")
        if open_list:
            html.append(f"</{open_list}>")
        return sanitize("".join(html))

    def resolve(self, html):
        """Links made absolute against the page's own address; links that cannot be are dropped."""

        def absolute(match):
            href = unescape(match.group(1))
            if re.match(r"^(?:https?:|mailto:|//)", href, re.I):
                return match.group(0)
            if href.startswith("#") or not self.page.link_base:
                return ""
            return f'href="{escape(urljoin(self.page.link_base, href))}"'

        return HREF.sub(absolute, html)

    # The related links
    def trailing_links(self, body):
        """Without an intro line, a closing run of short title-like lines is the links."""
        end = len(body)
        start = end
        while start > 0 and (
            body[start - 1].links
            and words(body[start - 1].text, 13) <= 12
            or looks_like_heading(body[start - 1].text)
        ):
            start -= 1
        if end - start >= 3:
            self.sheet.warnings.append(
                "No line introduces the related links; the closing list of "
                f"{end - start} titles was read as the related links."
            )
            return body[:start], body[start:]
        return body, []

    def read_links(self, blocks):
        links = self.sheet.related_links
        for block in blocks:
            text = block.text
            if block.kind in ("end", "heading") or words(text, 26) > 25:
                break
            bare = re.fullmatch(r"\[?((?:https?:)?//\S+?)\]?", text)
            if bare and links and links[-1][1] is None:
                links[-1] = (links[-1][0], self.link_address(bare.group(1)))
                continue
            if len(block.links) == 1:
                # “U.S. Embassy: <a>Morocco</a>”: the title is the whole line.
                links.append((text, self.link_address(block.links[0][1])))
            elif block.links:
                for title, href in block.links:
                    links.append((title, self.link_address(href)))
            else:
                links.append((text, None))
        missing = sum(1 for _, url in links if not url)
        if missing:
            self.sheet.warnings.append(
                f"{missing} of {len(links)} related links have no address in the "
                "source; add them before publishing."
            )

    def link_address(self, href):
        """The related link's address, absolute and safe, or None."""
        href = (href or "").strip()
        if not href or href.startswith("#"):
            return None
        if not re.match(r"^(?:https?:|mailto:|//)", href, re.I):
            if not self.page.link_base:
                return None
            href = urljoin(self.page.link_base, href)
        return safe_href(href)

    # The country, the figures and what the editor must know
    def read_country(self):
        sheet = self.sheet
        candidates = []
        if sheet.country_text:
            candidates.append((sheet.country_text, "the title"))
        if sheet.lead:
            candidates.append((LEAD.match(sheet.lead)["country"], "the lead"))
        title = TITLE.match(self.page.title or "")
        if title:
            candidates.append((title["country"], "the page's title"))
        intro = intro_country(sheet.related_links_intro)
        if intro:
            candidates.append((intro, "the line above the related links"))
        for heading, _ in sheet.sections:
            named = HEADING_COUNTRY.match(heading)
            if named:
                text = named["country"] or named["to"]
                candidates.append((text, f"the heading “{heading}”"))
        for text, where in candidates:
            country, name = self.names.match(text)
            if country:
                sheet.country, sheet.country_name_matched = country, name
                sheet.country_text, sheet.country_from = text, where
                return
        if candidates:
            text, where = candidates[0]
            sheet.country_text = text
            sheet.warnings.append(
                f"No country matches “{text}” (from {where}). Add the country, or this "
                "name under its other names, and import again."
            )
        else:
            sheet.warnings.append(
                "No country found: the page has no title line and no lead naming one."
            )

    def read_figures(self):
        country = self.sheet.country
        reader = FigureReader(
            country.all_names if country else (),
            [
                name
                for other in self.names.all_countries
                if other != country
                for name in other.all_names
            ],
        )
        for heading, texts in self.section_text:
            reader.read_section(heading, texts)
        self.sheet.assistance_lines = reader.figures
        self.sheet.warnings.extend(reader.left_out)

    def check(self):
        sheet = self.sheet
        country = sheet.country
        if not sheet.title:
            standard = wording.title(country) if country else "the standard title"
            sheet.warnings.append(f"No title line: the draft is titled “{standard}”.")
        if not sheet.issued_on:
            sheet.warnings.append(
                "No issue date found: the draft has none, and needs one to be published."
            )
        if sheet.bureau_text and not sheet.bureau:
            sheet.warnings.append(
                f"The bureau line “{sheet.bureau_text}” matches no bureau; the "
                "country's bureau is used."
            )
        elif not sheet.bureau_text:
            sheet.warnings.append("No bureau line: the country's bureau is used.")
        if not sheet.lead:
            sheet.warnings.append("No lead line (“More information about …”).")
        for heading, _ in sheet.sections:
            if in_capitals(heading):
                sheet.warnings.append(
                    f"The heading “{heading}” is in capitals, as in the source; in "
                    f"title case it reads “{title_case(heading, country)}”."
                )
        found = [
            ("title", sheet.title),
            ("bureau", sheet.bureau_text),
            ("kind", sheet.kind),
            ("issue date", sheet.issued_on and sheet.issued_on.isoformat()),
            ("notice", sheet.notice and "yes"),
            ("lead", sheet.lead and "yes"),
        ]
        sheet.recognised = [f"{name}: {value}" for name, value in found if value]
        sheet.recognised += [
            f"{len(sheet.sections)} sections: "
            + "; ".join(h or "(opening, no heading)" for h, _ in sheet.sections),
            f"{len(sheet.assistance_lines)} assistance lines"
            + "".join(f"\n    {describe(f)}" for f in sheet.assistance_lines),
            f"{len(sheet.officials)} officials"
            + "".join(f"\n    {r}: {n}" for r, n in sheet.officials),
            f"{len(sheet.related_links)} related links",
        ]
        # What was left out comes first, and the list stays short enough to read.
        warnings = sheet.left_out + sheet.warnings
        if len(warnings) > MAX_WARNINGS:
            more = len(warnings) - MAX_WARNINGS + 1
            warnings = warnings[: MAX_WARNINGS - 1] + [
                f"And {more:,} more of the kinds above, not listed here."
            ]
        sheet.warnings = warnings


def read_sheet(page, names):
    return SheetReader(page, names).read()
