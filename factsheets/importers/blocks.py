"""A captured page, plain text or saved HTML, as a flat list of blocks of text.

Both kinds of page become the same thing, so that one reader recognises the parts of
a sheet in either: each block is one line of a text capture, or one paragraph,
heading or list item of an HTML page, with its links kept.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from factsheets.importers.text import in_capitals, looks_like_heading


@dataclass
class Block:
    text: str  # plain text, spaces folded
    html: str  # the same as inline HTML: escaped text, links and emphasis kept
    kind: str = (
        "text"  # "text", "heading" (an HTML heading or a bold-only line), "item"
    )
    list_type: str = ""  # "ul" or "ol" for items
    links: list = field(default_factory=list)  # (text, href) of each link in the block


@dataclass
class Page:
    blocks: list
    title: str = ""  # the HTML <title>
    address: str = ""  # the page's own address, from rel=canonical or og:url
    base: str = ""  # what its relative links are relative to, from <base href>

    @property
    def link_base(self):
        return self.base or self.address


SPACES = re.compile(r"\s+")
BULLET = re.compile(r"^\s*(?:[•·▪◦○●■□‣∙*]|-(?!-)|–)\s+")
# A bare address in running text: http(s)://… or //host/…, without trailing punctuation.
BARE_URL = re.compile(
    r"(?<![\w/])((?:https?:)?//[\w.-]+\.[a-z]{2,}(?:/[^\s<>\"]*)?)", re.I
)


def fold(text):
    """`text` with odd spaces and invisible characters made plain, spaces folded."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    return SPACES.sub(" ", text).strip()


def linkify(text):
    """Escaped `text`, with the bare addresses in it made into links."""
    parts, last = [], 0
    for match in BARE_URL.finditer(text):
        url = match.group(1).rstrip(".,;:)]")
        end = match.start(1) + len(url)
        parts.append(escape(text[last : match.start(1)]))
        parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = end
    parts.append(escape(text[last:]))
    return "".join(parts)


# “Armenia Page [http://www.state.gov/p/eur/ci/am/]”: an address a capture kept in
# brackets after the words that linked to it.
BRACKETED = re.compile(
    r"(?P<words>(?:[A-Z][\w'’.:-]*\s){0,4}[A-Z][\w'’.:-]*)?\s*"
    r"\[(?P<url>(?:https?:)?//[^\]\s]+)\]"
)


def text_block(line):
    line = fold(line)
    kind, list_type = "text", ""
    bullet = BULLET.match(line)
    if bullet:
        line, kind, list_type = line[bullet.end() :], "item", "ul"
    links, html, text, last = [], [], [], 0
    for match in BRACKETED.finditer(line):
        # An address alone on its line stays as its text, for the line before it.
        words = match["words"] or ("" if match.start() else match["url"])
        text.append(line[last : match.start()] + words)
        html.append(linkify(line[last : match.start()]))
        html.append(
            f'<a href="{escape(match["url"])}">{escape(words or match["url"])}</a>'
        )
        links.append((words, match["url"]))
        last = match.end()
    text.append(line[last:])
    html.append(linkify(line[last:]))
    return Block(fold("".join(text)), "".join(html), kind, list_type, links)


def unwrap(lines):
    """The lines of a capture hard-wrapped at a fixed width (“…and from other
    Department of State\npublications…”), with each paragraph on one line again.

    A capture is taken as wrapped when its long lines all end near one width; a
    line that reaches that width then continues on the next line, unless a blank
    line, a bullet or a lower-case-free short line says otherwise.
    """
    long = sorted(len(line) for line in lines if len(line.strip()) >= 40)
    if len(long) < 8:
        return lines
    width = long[int(len(long) * 0.9)]
    if width > 100 or sum(1 for n in long if n >= width - 20) < len(long) * 0.6:
        return lines
    joined, starts = [], []  # each joined line, and whether it opened a paragraph
    for line in lines:
        previous = joined[-1] if joined else ""
        last = lines_of(previous)[-1].strip()
        if (
            line.strip()
            and previous.strip()
            and len(lines_of(previous)[-1]) >= width - 15
            and " " in last  # not an address alone
            and not BULLET.match(line)
            and not (starts[-1] and looks_like_heading(previous.strip()))
            # A heading in capitals, or a sentence that ends a line and a new one
            # that starts the next: without blank lines, where paragraphs part.
            and not in_capitals(line.strip())
            and not (
                re.search(r"[.!?:][”\")]?$", last) and re.match(r"\s*[A-Z“\"]", line)
            )
        ):
            joined[-1] = previous + "\n" + line.strip()
            starts[-1] = False
        else:
            starts.append(not previous.strip())
            joined.append(line)
    # A word hyphenated across lines is one word again: “long-\nterm” → “long-term”.
    return [re.sub(r"(?<=\w-)\n", "", line).replace("\n", " ") for line in joined]


def lines_of(text):
    return text.split("\n")


def blocks_from_text(text):
    """One block a line; a line broken mid-sentence (a hard-wrapped capture) is rejoined."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    joined = []
    for line in unwrap(lines):
        previous = joined[-1] if joined else ""
        if (
            line.strip()
            and previous.strip()
            and len(previous) > 50
            and not re.search(r"[.:;!?”\")]$", previous.strip())
            and re.match(r"\s*[a-z(]", line)
        ):
            joined[-1] = previous + " " + line.strip()
        else:
            joined.append(line)
    return Page(blocks=[text_block(line) for line in joined if fold(line)])


# Elements whose content is never the sheet's.
SKIPPED = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "select",
    "button",
    "form",
    "nav",
    "footer",
    "head",
}
# Site furniture, by a word of its class or id: “nav”, “site-footer”, “share-tools”.
FURNITURE = re.compile(
    r"(?:^|(?<!\bno)(?<!has)(?<!with)[-_])(?:nav|navbar|navigation|menu|breadcrumbs?|"
    r"share|sharing|social|sidebar|skip|footer)(?:$|[-_])",
    re.I,
)
BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "dt",
    "dd",
    "td",
    "th",
    "tr",
    "table",
    "blockquote",
    "pre",
    "address",
    "figure",
    "figcaption",
    "ul",
    "ol",
    "dl",
    "body",
    "center",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {
    "br",
    "img",
    "hr",
    "input",
    "meta",
    "link",
    "base",
    "wbr",
    "source",
    "area",
    "col",
}
EMPHASIS = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}


class _BlockParser(HTMLParser):
    def __init__(self, skip_furniture=True):
        super().__init__(convert_charrefs=True)
        self.skip_furniture = skip_furniture
        self.page = Page(blocks=[])
        self.stack = []  # open elements: (tag, skipped)
        self.skipping = 0
        self.in_title = False
        self.parts, self.html, self.links = [], [], []
        self.kind, self.list_type = None, ""
        self.only_bold = None  # True while a block holds nothing but bold text
        self.href = None

    # Block assembly
    def flush(self):
        text = fold("".join(self.parts))
        if text:
            html = fold("".join(self.html))
            kind = self.kind or "text"
            if kind == "text" and self.only_bold:
                kind = "heading"
            self.page.blocks.append(
                Block(text, html, kind, self.list_type, links=list(self.links))
            )
        self.parts, self.html, self.links = [], [], []
        self.kind, self.list_type, self.only_bold = None, "", None

    def add_text(self, data):
        if self.skipping:
            return
        if self.in_title:
            self.page.title += data
            return
        if self.kind is None and data.strip():
            # What the block is: the innermost heading or list item around its text.
            self.kind = "text"
            for tag, _ in reversed(self.stack):
                if tag in HEADINGS:
                    self.kind = "heading"
                    break
                if tag == "li":
                    self.kind = "item"
                    self.list_type = next(
                        (t for t, _ in reversed(self.stack) if t in ("ul", "ol")), "ul"
                    )
                    break
        self.parts.append(data)
        self.html.append(escape(data))
        if data.strip():
            bold = any(tag in ("strong", "b") for tag, _ in self.stack)
            self.only_bold = bold if self.only_bold is None else self.only_bold and bold

    # Parser events
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "canonical" in (attrs.get("rel") or "").lower():
            self.page.address = self.page.address or (attrs.get("href") or "")
        if tag == "base" and attrs.get("href"):
            self.page.base = self.page.base or attrs["href"]
        if tag == "meta" and attrs.get("property") == "og:url":
            self.page.address = self.page.address or (attrs.get("content") or "")
        if tag == "title" and not self.skipping:
            self.in_title = True
            return
        if tag in VOID:
            if tag == "br" and not self.skipping:
                self.flush()
            return
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".split()
        furniture = self.skip_furniture and (
            any(FURNITURE.search(name) for name in names)
            or attrs.get("role") in ("navigation", "contentinfo", "search")
        )
        skipped = tag in SKIPPED or bool(furniture) or attrs.get("hidden") is not None
        if tag == "head":
            skipped = False  # read <title> and the page's address from it
        if tag in BLOCK_TAGS and not self.skipping:
            self.flush()
        self.stack.append((tag, skipped))
        if skipped:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "a":
            self.href = attrs.get("href") or ""
            self.html.append(f'<a href="{escape(self.href)}">' if self.href else "<a>")
            self.links.append(["", self.href])
        elif tag in EMPHASIS:
            self.html.append(f"<{EMPHASIS[tag]}>")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
            return
        if tag in VOID:
            return
        # Close up to the matching open element; stray end tags are ignored.
        if not any(open_tag == tag for open_tag, _ in self.stack):
            return
        while self.stack:
            open_tag, skipped = self.stack[-1]
            if not skipped and not self.skipping:
                self.end_element(open_tag)
            self.stack.pop()
            if skipped:
                self.skipping -= 1
            if open_tag == tag:
                break

    def end_element(self, tag):
        # Called while `tag` is still on the stack, so its text is still its own.
        if tag in BLOCK_TAGS:
            self.flush()
        elif tag == "a":
            self.html.append("</a>")
            self.href = None
        elif tag in EMPHASIS:
            self.html.append(f"</{EMPHASIS[tag]}>")

    def handle_data(self, data):
        self.add_text(data)
        if self.href is not None and self.links and not self.skipping:
            self.links[-1][0] += data


def blocks_from_html(html, skip_furniture=True):
    """The blocks of a saved page, without its scripts, navigation and footer.

    With `skip_furniture`, elements whose class or id names navigation, menus,
    sharing tools, sidebars or footers are left out too.
    """
    parser = _BlockParser(skip_furniture)
    parser.feed(html)
    parser.close()
    parser.flush()
    page = parser.page
    page.title = fold(page.title)
    for block in page.blocks:
        block.links = [(fold(text), href) for text, href in block.links if fold(text)]
    return page


LOOKS_LIKE_HTML = re.compile(
    r"<(?:!doctype\s+html|html|body|head|p|div|h[1-6]|br|table|ul|a\s)[\s>/]", re.I
)


def is_html(text, name=""):
    return name.lower().endswith((".htm", ".html", ".xhtml")) or bool(
        LOOKS_LIKE_HTML.search(text[:5000])
    )


def read_page(text, name="", skip_furniture=True):
    """`text` (already decoded) as blocks, read as HTML or as plain text."""
    if is_html(text, name):
        return blocks_from_html(text, skip_furniture)
    return blocks_from_text(text)
