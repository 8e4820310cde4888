"""A captured page, plain text or saved HTML, as a flat list of blocks of text.

Both kinds of page become the same thing, so that one reader recognises the parts of
a sheet in either: each block is one line of a text capture, or one paragraph,
heading or list item of an HTML page, with its links kept.
"""

import re
import unicodedata
from collections import Counter
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
    # What was left unread past MAX_LINES or MAX_BLOCKS: how much, and where it starts.
    unread_from: str = ""
    unread_chars: int = 0
    unread_limit: str = ""  # “20,000 lines”

    @property
    def link_base(self):
        return self.base or self.address


# Lines of a capture, and blocks of a page, read at most: a sheet has a few hundred.
# Past them the rest is left unread (and the report says so), which bounds the
# memory and time one import takes whatever its size.
MAX_LINES = 20_000
MAX_BLOCKS = 10_000
# Elements of a page read at most: a saved page of the newer site has about 2,000.
MAX_ELEMENTS = 100_000

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
    # Each paragraph as its lines so far: joining them once at the end keeps this
    # linear however many lines a paragraph has.
    joined, starts = [], []  # each paragraph's lines, and whether it opened one
    for line in lines:
        previous = joined[-1] if joined else [""]
        last = previous[-1].strip()
        if (
            line.strip()
            and last
            and len(previous[-1]) >= width - 15
            and " " in last  # not an address alone
            and not BULLET.match(line)
            and not (starts[-1] and len(previous) == 1 and looks_like_heading(last))
            # A heading in capitals, or a sentence that ends a line and a new one
            # that starts the next: without blank lines, where paragraphs part.
            and not in_capitals(line.strip())
            and not (
                re.search(r"[.!?:][”\")]?$", last) and re.match(r"\s*[A-Z“\"]", line)
            )
        ):
            previous.append(line.strip())
            starts[-1] = False
        else:
            starts.append(not last)
            joined.append([line])
    # A word hyphenated across lines is one word again: “long-\nterm” → “long-term”.
    return [
        re.sub(r"(?<=\w-)\n", "", "\n".join(parts)).replace("\n", " ")
        for parts in joined
    ]


def blocks_from_text(text):
    """One block a line; a line broken mid-sentence (a hard-wrapped capture) is rejoined."""
    text = text.replace("\r\n", "\n")
    end = -1
    for _ in range(MAX_LINES):
        end = text.find("\n", end + 1)
        if end < 0:
            break
    page = Page(blocks=[])
    if end >= 0 and text[end:].strip():
        page.unread_from = fold(text[end : end + 400])
        page.unread_chars = len(text) - end - 1
        page.unread_limit = f"{MAX_LINES:,} lines"
        text = text[:end]
    lines = [line.rstrip() for line in text.split("\n")]
    joined = []  # each line as its parts, joined once at the end
    for line in unwrap(lines):
        previous = joined[-1] if joined else [""]
        if (
            line.strip()
            and previous[-1].strip()
            and (len(previous) > 1 or len(previous[0]) > 50)
            and not re.search(r"[.:;!?”\")]$", previous[-1].strip())
            and re.match(r"\s*[a-z(]", line)
        ):
            previous.append(line.strip())
        else:
            joined.append([line])
    page.blocks = [text_block(line) for line in map(" ".join, joined) if fold(line)]
    return page


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


class _Full(Exception):
    """MAX_BLOCKS blocks or MAX_ELEMENTS elements were read: the rest is left unread."""


# What the standard library's parser (Python 3.11) cannot take in linear time, or at
# all: a “<” that no “>” follows (each one rescans the rest of the page), a comment
# that is never closed, a “<![” that opens no known section (an AssertionError).
MARKUP_OPEN = re.compile(r"<(!--|!\[(?:CDATA\[|if\b|endif\b|else\b)?|[!?/]|[a-zA-Z])?")


def defused(html):
    """`html` with each “<” that opens no complete markup written as “&lt;”, as
    browsers show it."""
    last = {">": html.rfind(">"), "-->": html.rfind("-->"), "]]>": html.rfind("]]>")}
    last["]>"] = max(html.rfind("]>"), last["]]>"] + 1)
    out, start = [], 0
    for match in MARKUP_OPEN.finditer(html):
        opens, at = match.group(1) or "", match.start()
        if opens == "!--":
            whole = last["-->"] >= at + 4
        elif opens == "![CDATA[":
            whole = last["]]>"] > at
        elif opens.startswith("!["):
            whole = opens != "![" and last["]>"] > at
        else:
            whole = not opens or last[">"] > at
        if not whole:
            out += [html[start:at], "&lt;"]
            start = at + 1
    out.append(html[start:])
    return "".join(out)


class _BlockParser(HTMLParser):
    def __init__(self, skip_furniture=True):
        super().__init__(convert_charrefs=True)
        self.skip_furniture = skip_furniture
        self.page = Page(blocks=[])
        # Open elements: (tag, skipped, the innermost heading or list item around
        # it, the innermost list, whether in bold), so that each piece of text knows
        # what it is in without looking through the stack, however deep.
        self.stack = []
        self.open_tags = Counter()
        self.elements = 0
        self.full = ""  # which limit stopped the reading, if one did
        self.first_unread = ""  # the text of the block it stopped at
        self.skipping = 0
        self.in_title = False
        self.title = []
        self.parts, self.html, self.links = [], [], []
        self.kind, self.list_type = None, ""
        self.only_bold = None  # True while a block holds nothing but bold text
        self.href = None

    # Block assembly
    def flush(self):
        text = fold("".join(self.parts))
        if text:
            if len(self.page.blocks) >= MAX_BLOCKS:
                self.full = f"{MAX_BLOCKS:,} paragraphs"
                self.first_unread = text
                raise _Full
            html = fold("".join(self.html))
            kind = self.kind or "text"
            if kind == "text" and self.only_bold:
                kind = "heading"
            links = [("".join(words), href) for words, href in self.links]
            self.page.blocks.append(Block(text, html, kind, self.list_type, links))
        self.parts, self.html, self.links = [], [], []
        self.kind, self.list_type, self.only_bold = None, "", None

    def add_text(self, data):
        if self.skipping:
            return
        if self.in_title:
            self.title.append(data)
            return
        _, _, around, in_list, bold = self.stack[-1] if self.stack else self.TOP
        if self.kind is None and data.strip():
            # What the block is: the innermost heading or list item around its text.
            self.kind = around or "text"
            if around == "item":
                self.list_type = in_list or "ul"
        self.parts.append(data)
        self.html.append(escape(data))
        if data.strip():
            self.only_bold = bold if self.only_bold is None else self.only_bold and bold

    TOP = (None, False, None, None, False)

    # Parser events
    def handle_starttag(self, tag, attrs):
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            self.full = f"{MAX_ELEMENTS:,} elements"
            raise _Full
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
        _, _, around, in_list, bold = self.stack[-1] if self.stack else self.TOP
        self.stack.append(
            (
                tag,
                skipped,
                "heading" if tag in HEADINGS else "item" if tag == "li" else around,
                tag if tag in ("ul", "ol") else in_list,
                bold or tag in ("strong", "b"),
            )
        )
        self.open_tags[tag] += 1
        if skipped:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "a":
            self.href = attrs.get("href") or ""
            self.html.append(f'<a href="{escape(self.href)}">' if self.href else "<a>")
            self.links.append(([], self.href))
        elif tag in EMPHASIS:
            self.html.append(f"<{EMPHASIS[tag]}>")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
            return
        if tag in VOID:
            return
        # Close up to the matching open element; stray end tags are ignored.
        if not self.open_tags[tag]:
            return
        while self.stack:
            open_tag, skipped, *_ = self.stack[-1]
            if not skipped and not self.skipping:
                self.end_element(open_tag)
            self.stack.pop()
            self.open_tags[open_tag] -= 1
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
            self.links[-1][0].append(data)


def blocks_from_html(html, skip_furniture=True):
    """The blocks of a saved page, without its scripts, navigation and footer.

    With `skip_furniture`, elements whose class or id names navigation, menus,
    sharing tools, sidebars or footers are left out too.
    """
    parser = _BlockParser(skip_furniture)
    html = defused(html)
    try:
        parser.feed(html)
        parser.close()
        parser.flush()
    except _Full:
        try:
            parser.flush()  # the text read so far of the block it stopped in
        except _Full:
            pass
        line, column = parser.getpos()
        rest = "\n".join(html.split("\n", line - 1)[line - 1 :])[column:]
        start = f"{parser.first_unread} {re.sub(r'<[^<>]*>', ' ', rest[:2000])}"
        parser.page.unread_from = fold(start)[:400]
        parser.page.unread_chars = len(parser.first_unread) + len(rest)
        parser.page.unread_limit = parser.full
    page = parser.page
    page.title = fold("".join(parser.title))
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
