"""Old fact sheets, captured as text or saved as HTML pages, read into drafts.

read_source() reads one source and says what it found; save_draft() (in store.py)
writes it as a draft. Both the management command and the admin's import page
use them.
"""

import codecs
import hashlib
import re

import webencodings
from django.conf import settings

from factsheets.importers.blocks import is_html, read_page
from factsheets.importers.names import Names
from factsheets.importers.sheet import read_sheet


def max_source_size():
    """The largest source read, IMPORT_MAX_BYTES: by default 5 MB, far beyond any sheet
    (Mali's capture is 9 KB, a saved page of the newer site 10 KB), and read in a
    few seconds whatever its shape (bench/importer.py)."""
    return settings.IMPORT_MAX_BYTES


def max_source_text():
    """max_source_size() as editors read it: “5 MB”."""
    return f"{max_source_size() / 1024 / 1024:g} MB"


def too_large():
    return f"larger than {max_source_text()}, which no fact sheet is. Is it the right file?"


class UnreadableSource(Exception):
    """A file that is not a fact sheet in text or HTML; nothing is written."""


def decode(data):
    """Text from the bytes of a saved page or capture, in the encoding it declares."""
    if isinstance(data, str):
        return data
    # A byte-order mark is surer than any declaration.
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if data.startswith(b"%PDF"):
        raise UnreadableSource(
            "it is a PDF. Save the page as HTML, or copy its text, and import that."
        )
    if b"\x00" in data[:4096]:
        raise UnreadableSource("it is not a text or HTML file.")
    declared = re.search(rb"""<meta[^>]+charset=["']?([\w.:-]+)""", data[:4096], re.I)
    encodings = ["utf-8", "cp1252"]
    if declared:
        encoding = declared_encoding(declared.group(1).decode("ascii"))
        if encoding:
            encodings.insert(0, encoding)
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    # Bytes that are no text in any of them: read as a browser would, each
    # unreadable byte shown as the replacement character for the editor to see.
    return data.decode("cp1252", errors="replace")


def declared_encoding(label):
    """The Python codec for a page's declared charset, as browsers read the label,
    or None for a label they do not know (“undefined”, a typo, a Python-only codec
    such as “unicode_escape”): the page is then read as if it declared none."""
    encoding = webencodings.lookup(label)
    if encoding is None or encoding.name == "replacement":
        # ISO-2022-KR, HZ and the like, which browsers refuse: read as undeclared.
        return None
    # As the HTML standard says for a <meta> declaration: a page that says UTF-16
    # in its own ASCII bytes cannot be UTF-16, and x-user-defined is Windows-1252.
    if encoding.name in ("utf-16le", "utf-16be"):
        return "utf-8"
    if encoding.name == "x-user-defined":
        return "cp1252"
    return encoding.codec_info.name


def found(sheet):
    return bool((sheet.title or sheet.lead or sheet.country) and sheet.sections)


def read_source(data, name=""):
    """The sheet in `data` (bytes or text) and the SHA-256 of its text.

    Raises UnreadableSource when there is no sheet to read in it.
    """
    if len(data) > max_source_size():
        raise UnreadableSource(f"it is {too_large()}")
    text = decode(data)
    if not text.strip():
        raise UnreadableSource("it is empty.")
    if "\x00" in text:
        # No page or capture has one, and PostgreSQL refuses them in text.
        raise UnreadableSource("it has NUL characters, which no text has.")
    names = Names()
    page = read_page(text, name)
    sheet = read_sheet(page, names)
    if not found(sheet) and is_html(text, name):
        # A page whose content sits in an element named like furniture (a
        # “has-sidebar” layout, say): read it again with nothing left out.
        sheet = read_sheet(read_page(text, name, skip_furniture=False), names)
    if not found(sheet):
        raise UnreadableSource(
            "no fact sheet was found in it: no title (“U.S. Relations With …”), no "
            "lead (“More information about …”) and no sections"
            + (
                f" in its first {page.unread_limit}, which is as far as it was read."
                if page.unread_chars
                else "."
            )
        )
    return sheet, hashlib.sha256(text.encode("utf-8")).hexdigest()
