"""What each public page shows, as the page cache's tags (pagecache.watch()).

A change makes stale only the pages that show it:

- `sheet:<pk>`: one edition's own wording and rows. Its pages, and nothing else,
  go stale when a section, line, official, link or note of it changes.
- `country:<pk>`: what a country's pages show besides one edition's text: the
  country, its live editions (their titles, dates, leads, bureaus) and which is
  current. Its sheet page, editions, changes, JSON and feed show it.
- `nav:<pk>`: the neighbour navigation on a country's sheet pages: the current
  sheets of its bureau, and the previous and next in the A to Z.
- `catalogue`: what the lists show of every current sheet and bureau: the A to Z,
  bureau pages, search and every page below.
- `updates`: when each current sheet was published and last updated, and its lead:
  the home page's "Recently updated", the site's feed, the sitemap, the catalogue's
  JSON; `updates:<pk>`, the same of one bureau's sheets, for its feed. A correction
  in place dates a sheet, so these show it; the A to Z does not.
- `assistance` and `officers`: the rows behind /assistance/ and /key-officers/ (with
  `catalogue`, which says whose rows they are).

The summary tags are compared, not guessed: `summaries()` digests what each shows, and
a change to a sheet, country or bureau makes stale the tags whose digest moved. So a
publish makes stale the lists and the navigation of its bureau and A to Z
neighbours, while a retitled draft makes stale nothing but its own preview.
"""

import hashlib

from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse

from factsheets.models import PUBLIC_UPDATED_AT, Bureau, Country, FactSheet

CATALOGUE = "catalogue"
UPDATES = "updates"
ASSISTANCE = "assistance"
OFFICERS = "officers"


def sheet(pk):
    return f"sheet:{pk}"


def updates_of(bureau_pk):
    return f"updates:{bureau_pk}"


def country(pk):
    return f"country:{pk}"


def nav(pk):
    return f"nav:{pk}"


def sheet_pages(factsheet):
    """The tags of a page of one edition: its text, its country's, its navigation."""
    return (
        sheet(factsheet.pk),
        country(factsheet.country_id),
        nav(factsheet.country_id),
    )


# What a change to a row makes stale (the rest is summarised).

OF_ITS_SHEET = {
    "section": (),
    "relatedlink": (),
    "changenote": (),
    "assistanceline": (ASSISTANCE,),
    "official": (OFFICERS,),
}
# Rows whose change shows only through the summaries, or on no public page.
SUMMARISED = ("factsheet", "country", "bureau")
NOT_PUBLIC = ("reviewstep",)


def of_row(model_name, row):
    """The tags a change to `row` makes stale at once, or None (every page) for a
    model this does not know, such as the redirects of old addresses."""
    if model_name in OF_ITS_SHEET:
        tags = {sheet(row.factsheet_id)}
        if OF_ITS_SHEET[model_name] and _is_live(row):
            tags.update(OF_ITS_SHEET[model_name])
        return tags
    if model_name == "factsheet":
        return {sheet(row.pk)}
    if model_name in SUMMARISED or model_name in NOT_PUBLIC:
        return set()
    return None


def _is_live(row):
    """Whether the row's sheet is live (the lists show only current sheets' rows;
    a sheet going live or not is the catalogue's change)."""
    return (
        FactSheet.objects.using(row._state.db or "default")
        .live()
        .filter(pk=row.factsheet_id)
        .exists()
    )


# Summaries: digests of what the lists and the navigation show.

# What the lists show of an edition, then what the feeds and the sitemap add: when it
# was published and updated (a correction in place dates it), and its lead. Dates are
# compared as the database writes them: making thousands of datetimes cost more
# than the query.
LISTED = ("pk", "country_id", "bureau_id", "title", "kind", "issued")
DATED = ("lead", "published", "revised", "created", "public_updated")
AS_TEXT = {
    "issued": "issued_on",
    "published": "publish_at",
    "revised": "revised_at",
    "created": "created_at",
    "public_updated": PUBLIC_UPDATED_AT,
}


def summaries(using):
    """{tag: digest} for the catalogue and every country's pages and navigation."""
    live = list(
        FactSheet.objects.using(using)
        .live()
        .annotate(**{name: Cast(value, TextField()) for name, value in AS_TEXT.items()})
        .order_by("country_id", "-issued_on", "-pk")
        .values_list(*LISTED, *DATED)
    )
    # In the database's own A to Z order, as the lists and Neighbours have them.
    countries = {
        row[0]: row
        for row in Country.objects.using(using)
        .order_by("name")
        .values_list("pk", *_fields(Country, ["pk"]))
    }
    bureaus = {
        row[0]: row
        for row in Bureau.objects.using(using).values_list(
            "pk", *_fields(Bureau, ["pk"])
        )
    }
    editions_of = {}
    for row in live:
        editions_of.setdefault(row[1], []).append(row)
    # A country's current sheet is its newest live one (FactSheetQuerySet.current()):
    # worked out from the same rows, as another query could see another moment.
    current = [editions_of[pk][0] for pk in countries if pk in editions_of]

    # Each row written out once; a digest joins the texts of the rows its tag shows.
    country_text = {pk: repr(row) for pk, row in countries.items()}
    bureau_text = {pk: repr(row) for pk, row in bureaus.items()}
    row_text = {row[0]: repr(row) for row in live}

    def listed(row, text):
        """A current sheet as lists show it: its columns, country and bureau."""
        return f"{text}{country_text[row[1]]}{bureau_text.get(row[2])}"

    found = {
        CATALOGUE: _digest(
            *(listed(row, repr(row[: len(LISTED)])) for row in current),
            *sorted(bureau_text.values()),
        ),
        UPDATES: _digest(*(listed(row, row_text[row[0]]) for row in current)),
    }
    # A bureau's feed: its current sheets with their dates.
    for pk in bureaus:
        found[updates_of(pk)] = _digest(
            *(listed(row, row_text[row[0]]) for row in current if row[2] == pk),
            bureau_text[pk],
        )
    # The navigation names countries (templates/factsheets/includes/_sheet_nav.html):
    # the current sheets of the bureau, and the previous and next A to Z.
    fields = ["pk", *_fields(Country, ["pk"])]
    name, slug = fields.index("name"), fields.index("slug")
    named = [
        (row[1], countries[row[1]][name], countries[row[1]][slug]) for row in current
    ]
    by_bureau = {}
    for row, name in zip(current, named, strict=True):
        by_bureau.setdefault(row[2], []).append(name)
    bureau_named = {pk: repr(names) for pk, names in by_bureau.items()}
    position = {name[0]: at for at, name in enumerate(named)}
    for country_pk, editions in editions_of.items():
        at = position.get(country_pk)
        edition_bureaus = sorted({row[2] for row in editions})
        found[country(country_pk)] = _digest(
            country_text[country_pk],
            *(row_text[row[0]] for row in editions),
            *(str(bureau_text.get(pk)) for pk in edition_bureaus),
        )
        found[nav(country_pk)] = _digest(
            repr(named[at - 1] if at else None),
            repr(named[at + 1 : at + 2] if at is not None else None),
            *(str(bureau_named.get(pk)) for pk in edition_bureaus),
        )
    return found


def _fields(model, leave_out):
    return [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname not in leave_out
    ]


def _digest(*texts):
    return hashlib.blake2b("\x1e".join(texts).encode(), digest_size=12).hexdigest()


# Which pages show a tag, and every page: for purging a CDN and rendering ahead of
# readers.


def pages_for(tags):
    """The paths of the public pages that show any of `tags`."""
    paths = set()
    sheets, countries = set(), set()
    for tag in tags:
        kind, _, pk = tag.partition(":")
        if tag == CATALOGUE:
            paths |= _list_pages()
        elif tag == UPDATES:
            paths |= {
                reverse("factsheets:home"),
                reverse("factsheets:feed"),
                reverse("factsheets:sitemap"),
                reverse("factsheets:catalogue_json"),
            }
        elif kind == "updates":
            paths |= {
                reverse("factsheets:bureau_feed", args=[slug])
                for slug in Bureau.objects.filter(pk=pk).values_list("slug", flat=True)
            }
        elif tag == ASSISTANCE:
            paths |= {
                reverse("factsheets:assistance"),
                reverse("factsheets:assistance_csv"),
            }
        elif tag == OFFICERS:
            paths.add(reverse("factsheets:key_officers"))
        elif kind == "sheet":
            sheets.add(int(pk))
        elif kind in ("country", "nav"):
            countries.add(int(pk))
    countries |= set(
        FactSheet.objects.filter(pk__in=sheets).values_list("country_id", flat=True)
    )
    for slug, editions in _editions(countries).items():
        paths |= {
            reverse("factsheets:detail", args=[slug]),
            reverse("factsheets:sheet_json", args=[slug]),
            reverse("factsheets:country_feed", args=[slug]),
            reverse("factsheets:changes", args=[slug]),
        }
        paths |= {
            reverse("factsheets:edition", args=[slug, issued_on])
            for issued_on in editions
        }
    return paths


def every_page():
    """The path of every public page that answers 200, for rendering them all ahead
    of readers (PRERENDER_CATALOGUE): the lists, and each country's pages but the
    dated address of its current edition (a redirect to the country's) and the
    changes of a single edition (nothing to compare)."""
    live = FactSheet.objects.live().values_list("pk", "country__slug", "issued_on")
    current = set(FactSheet.objects.current().values_list("pk", flat=True))
    editions = {}
    for pk, slug, issued_on in live:
        editions.setdefault(slug, []).append((pk, issued_on))
    paths = _list_pages() | {
        reverse("factsheets:assistance"),
        reverse("factsheets:assistance_csv"),
        reverse("factsheets:key_officers"),
        reverse("factsheets:robots"),
    }
    for slug, dated in editions.items():
        paths |= {
            reverse("factsheets:detail", args=[slug]),
            reverse("factsheets:sheet_json", args=[slug]),
            reverse("factsheets:country_feed", args=[slug]),
        }
        if len(dated) > 1:
            paths.add(reverse("factsheets:changes", args=[slug]))
        paths |= {
            reverse("factsheets:edition", args=[slug, issued_on])
            for pk, issued_on in dated
            if pk not in current
        }
    return sorted(paths)


def _editions(countries):
    """{country slug: the dates of its published editions} (those that are, or were
    until this change, at a public address)."""
    found = {
        slug: []
        for slug in Country.objects.filter(pk__in=countries).values_list(
            "slug", flat=True
        )
    }
    for slug, issued_on in (
        FactSheet.objects.published()
        .filter(country__in=countries)
        .values_list("country__slug", "issued_on")
    ):
        found[slug].append(issued_on)
    return found


def _list_pages():
    bureaus = Bureau.objects.values_list("slug", flat=True)
    return {
        reverse("factsheets:home"),
        reverse("factsheets:index"),
        reverse("factsheets:index") + "?by=bureau",
        reverse("factsheets:search"),
        reverse("factsheets:feed"),
        reverse("factsheets:sitemap"),
        reverse("factsheets:catalogue_json"),
        *(reverse("factsheets:bureau", args=[slug]) for slug in bureaus),
        *(reverse("factsheets:bureau_feed", args=[slug]) for slug in bureaus),
    }
