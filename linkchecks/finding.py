"""The links on a sheet: its related links, and every <a href> in its rich text
(the sheet's notice, its sections' bodies)."""

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings

from factsheets.models import FactSheet, Section

# LinkUse.Place values.
RELATED_LINK = "related_link"
TEXT = "text"


@dataclass(frozen=True)
class Found:
    url: str
    place: str
    where: str
    text: str


def checkable(href):
    """The address to check for `href`, or None for what is not fetched over HTTP.

    mailto: and tel: are not fetched, nor an in-page anchor (“#representation”).
    A path on this site (“/fact-sheets/niger/”) is checked at SITE_URL, so a link
    to a sheet that is not there is found like any other. The fragment is not sent
    in a request, so “page#a” and “page#b” are one address to check."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    try:
        parts = urlsplit(urljoin(settings.SITE_URL, href))
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, "")
    )


class _Anchors(HTMLParser):
    """(href, words) of each <a> in a fragment of HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = [dict(attrs).get("href"), []]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            href, words = self._open
            self.found.append((href, " ".join("".join(words).split())))
            self._open = None


def anchors(html):
    parser = _Anchors()
    parser.feed(html or "")
    parser.close()
    return parser.found


def rich_text_fields(model):
    from factsheets.richtext import RichTextField

    return [f for f in model._meta.concrete_fields if isinstance(f, RichTextField)]


def links_of(factsheet):
    """Every checkable link on `factsheet`, in the order its page shows them (its
    sections and related links from a prefetch, if the caller made one)."""
    found = []

    def add(href, place, where, text):
        url = checkable(href)
        if url:
            found.append(Found(url, place, where[:200], text[:200]))

    for field in rich_text_fields(FactSheet):
        for href, text in anchors(getattr(factsheet, field.attname)):
            add(href, TEXT, field.verbose_name.capitalize(), text)
    section_fields = rich_text_fields(Section)
    for section in factsheet.sections.all():
        for field in section_fields:
            for href, text in anchors(getattr(section, field.attname)):
                add(href, TEXT, str(section), text)
    for link in factsheet.related_links.all():
        add(link.url, RELATED_LINK, link.title, link.title)
    return found
