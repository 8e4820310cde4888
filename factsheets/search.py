"""Search over the current sheets: the query, and the vectors it reads.

On PostgreSQL each sheet keeps a weighted search vector (title A, section headings B,
section text C) in `FactSheet.search_vector`, behind a GIN index. Signals refresh it
whenever a sheet or one of its sections is saved or deleted, whatever does it: the
admin, an import, a new edition, a restore (reversion's raw saves send post_save too)
or a fixture. Results are ranked with SearchRank and quoted with SearchHeadline.

Elsewhere (SQLite, in development) a plain scan of the current sheets finds the
sheets that have every word of the query somewhere, and quotes around the first one.
"""

import html
import re
from contextlib import contextmanager

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection, connections
from django.db.models import F, Func, OuterRef, Prefetch, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from factsheets.changes import as_text
from factsheets.models import FactSheet, Section

MAX_QUERY_LENGTH = 200
CONFIG = "english"
# ts_headline marks matches with these (private-use characters), so that the
# snippet can be unescaped and escaped again before <mark> goes in.
MARK_START, MARK_END = "\ue000", "\ue001"
MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
WORD = re.compile(r"\w+")
SNIPPET_BEFORE, SNIPPET_LENGTH = 80, 240


# The stored vector (PostgreSQL).


def _regexp_replace(expression, pattern, replacement=" "):
    return Func(
        expression,
        Value(pattern),
        Value(replacement),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _without_tags(expression):
    """Rich text as words: tags become spaces (character references are kept)."""
    return _regexp_replace(expression, r"<[^>]*>")


def _sections_text(sheet_model, expression):
    """`expression` over all of a sheet's sections, in order, as one string."""
    section_model = sheet_model._meta.get_field("sections").related_model
    text = (
        section_model.objects.filter(factsheet=OuterRef("pk"))
        .order_by()
        .values("factsheet")
        .annotate(text=StringAgg(expression, " ", order_by="position"))
        .values("text")
    )
    return Coalesce(
        Subquery(text, output_field=TextField()), Value(""), output_field=TextField()
    )


def search_vector(sheet_model=FactSheet):
    """The expression `search_vector` is set to: title A, headings B, text C."""
    body_words = _regexp_replace(_without_tags("body"), r"&#?\w+;")
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector(
            _sections_text(sheet_model, "heading"), weight="B", config=CONFIG
        )
        + SearchVector(
            _sections_text(sheet_model, body_words), weight="C", config=CONFIG
        )
    )


def refresh_search_vectors(sheets):
    """Recompute the stored vector of the sheets in the queryset `sheets`."""
    sheets.update(search_vector=search_vector(sheets.model))


# Held during bulk loads (held()): process-wide, as the signals are.
_holds = 0


@contextmanager
def held():
    """Saves leave search vectors as they are while this lasts, in this process: for
    a bulk load, which would otherwise refresh a sheet's vector at each of its rows.
    The caller calls refresh_search_vectors() once they are in."""
    global _holds
    _holds += 1
    try:
        yield
    finally:
        _holds -= 1


def _refresh(using, factsheet_id):
    if _holds:
        return
    if connections[using].vendor == "postgresql" and factsheet_id:
        refresh_search_vectors(FactSheet.objects.using(using).filter(pk=factsheet_id))


def _sheet_saved(sender, instance, using, **kwargs):
    _refresh(using, instance.pk)


def _section_changed(sender, instance, using, **kwargs):
    _refresh(using, instance.factsheet_id)


def connect_signals():
    """Called from FactsheetsConfig.ready().

    Signals, against our usual rule, because sections change by paths that no save()
    of ours sees: django-reversion restores rows with raw saves, and the admin's
    formsets save and delete them one by one. A missed refresh would hide a sheet
    from search without a trace, so the vector follows the rows wherever they change.
    """
    post_save.connect(_sheet_saved, sender=FactSheet, dispatch_uid="search_sheet")
    post_save.connect(_section_changed, sender=Section, dispatch_uid="search_saved")
    post_delete.connect(_section_changed, sender=Section, dispatch_uid="search_deleted")


# Snippets.


def _snippet_html(pieces):
    """Escaped text with <mark> around the matches: `pieces` alternate plain, matched."""
    parts = []
    for number, piece in enumerate(pieces):
        text = re.sub(r"\s+", " ", piece.replace(MARK_START, "").replace(MARK_END, ""))
        parts.append(
            format_html("<mark>{}</mark>", text) if number % 2 else escape(text)
        )
    return mark_safe("".join(parts).strip())


def _headline_html(headline):
    """ts_headline's output (text with character references) as safe HTML."""
    return _snippet_html([html.unescape(piece) for piece in MARKED.split(headline)])


def _plain_snippet(text, words):
    """Some words of `text` around the first of `words` found, each match marked."""
    pattern = re.compile(
        "(" + "|".join(re.escape(word) for word in words) + ")", re.IGNORECASE
    )
    first = pattern.search(text)
    start = 0
    if first and first.start() > SNIPPET_BEFORE:
        start = first.start() - SNIPPET_BEFORE
        # Begin at a word, unless that would skip the match (text without spaces).
        space = text.find(" ", start, first.start())
        start = space + 1 if space != -1 else start
    end = start + SNIPPET_LENGTH
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (first.end() if first else start) else end
    pieces = pattern.split(text[start:end])
    if start:
        pieces[0] = "… " + pieces[0]
    if end < len(text):
        pieces[-1] += " …"
    return _snippet_html(pieces)


# Finding the sheets.


def _ranked(q, bureau):
    """PostgreSQL: the matching current sheets, best first, with their headlines."""
    query = SearchQuery(q, search_type="websearch", config=CONFIG)
    sheets = FactSheet.objects.current().filter(search_vector=query)
    if bureau:
        sheets = sheets.filter(bureau=bureau)
    text = _sections_text(
        FactSheet,
        Concat("heading", Value(". "), _without_tags("body"), output_field=TextField()),
    )
    return (
        sheets.select_related("country", "bureau")
        .defer("search_vector")
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                text,
                query,
                config=CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=30,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "country__name", "pk")
    )


def _scanned(q, bureau):
    """Elsewhere: every current sheet that has all the words, title matches first."""
    words = list(dict.fromkeys(word.casefold() for word in WORD.findall(q)))
    patterns = [re.compile(re.escape(word), re.IGNORECASE) for word in words]
    sheets = (
        FactSheet.objects.current()
        .select_related("country", "bureau")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.only(
                    "factsheet_id", "position", "heading", "body"
                ),
            )
        )
        .order_by("country__name", "pk")
    )
    if bureau:
        sheets = sheets.filter(bureau=bureau)
    found = []
    for sheet in sheets:
        sections = sheet.sections.all()
        headings = " ".join(section.heading for section in sections)
        text = "\n".join(
            f"{section.heading}. {as_text(section.body)}"
            if section.heading
            else as_text(section.body)
            for section in sections
        )
        weighted = [(3, sheet.title), (2, headings), (1, text)]
        scores = [
            sum(weight for weight, part in weighted if pattern.search(part))
            for pattern in patterns
        ]
        if all(scores):
            sheet.rank = sum(scores)
            sheet.snippet = _plain_snippet(text, words)
            found.append(sheet)
    return sorted(found, key=lambda sheet: -sheet.rank)


def clean_query(asked):
    """The words of `asked` as they are searched for, and whether they were cut short."""
    # PostgreSQL refuses NUL characters in text; line breaks and tabs mean nothing.
    q = " ".join(asked.replace("\x00", " ").split())
    shortened = len(q) > MAX_QUERY_LENGTH
    return q[:MAX_QUERY_LENGTH].strip(), shortened


def has_words(q):
    return WORD.search(q) is not None


def matching_sheets(q, bureau=None):
    """The current sheets (of `bureau`, if given) with the words of `q`, best first."""
    if connection.vendor == "postgresql":
        return _ranked(q, bureau)
    return _scanned(q, bureau)


def add_snippets(factsheets):
    """Give each sheet found on PostgreSQL its snippet (a scan gives its own)."""
    for factsheet in factsheets:
        if hasattr(factsheet, "headline"):
            factsheet.snippet = _headline_html(factsheet.headline)
    return factsheets
