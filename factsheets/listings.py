"""The current sheets as the lists and the sheet pages show them.

Home, the A-Z list, the bureau pages and each sheet's "Other fact sheets" show up to
every country. Read as model instances, 195 sheets with their countries and bureaus
cost more than the query itself (profiled; README.md, "Benchmarks"), so lists read
the few columns they show into light rows, in one query; and keep those rows in the
cache under the versions of what lists show (kept_listing()), for the pages the page
cache does not have.
"""

from factsheets import fragments as fragments_module
from factsheets import page_tags
from factsheets.models import PUBLIC_UPDATED_AT, Bureau, Country, FactSheet


class ListedCountry:
    __slots__ = ("pk", "name", "slug")

    get_absolute_url = Country.get_absolute_url

    def __init__(self, pk, name, slug):
        self.pk, self.name, self.slug = pk, name, slug

    def __str__(self):
        return self.name


class ListedSheet:
    """A current sheet in a list: its country, bureau, title and dates."""

    __slots__ = (
        "pk",
        "title",
        "issued_on",
        "public_updated_at",
        "country",
        "country_id",
        "bureau",
        "bureau_id",
        "shown",  # a digest of what lists show of it
    )

    # The sheet's own wording of its dates, from the same attribute.
    issued_on_text = FactSheet.issued_on_text
    issued_month_text = FactSheet.issued_month_text

    def __str__(self):
        return self.title


COLUMNS = (
    "pk",
    "title",
    "issued_on",
    "public_updated_at",  # one date to read rather than the three it comes from
    "country_id",
    "country__name",
    "country__slug",
    "bureau_id",
    "bureau__name",
    "bureau__slug",
    "bureau__short_name",
)


def current_listing(**filters):
    """The current sheets (those matching `filters`) A to Z by country, as ListedSheets."""
    return listed(_rows(**filters))


# What the lists show: the current sheets (CATALOGUE), and the dates and leads they
# show of them (UPDATES).
LISTS = (page_tags.CATALOGUE, page_tags.UPDATES)


def kept_listing(fragments=None):
    """current_listing(), as kept in the cache, exact for the versions of LISTS read
    now or by `fragments` (a fragments.Fragments) before."""
    return listed(fragments_module.kept("listing", LISTS, _rows, fragments))


def kept_current_sheets(fragments=None):
    """{country slug: (the pk of its current sheet, the country's pk)}, kept on its
    own: a sheet's page finds its sheet without reading the whole list."""

    def current_sheets():
        return {
            sheet.country.slug: (sheet.pk, sheet.country_id)
            for sheet in kept_listing(fragments)
        }

    return fragments_module.kept("current-sheets", LISTS, current_sheets, fragments)


def _rows(**filters):
    """The rows of COLUMNS, each with a digest of it (for parts kept by what they
    show: listings.kept_groups())."""
    rows = (
        FactSheet.objects.current()
        .filter(**filters)
        .order_by("country__name")
        .annotate(public_updated_at=PUBLIC_UPDATED_AT)
        .values_list(*COLUMNS)
    )
    return [(row, fragments_module.digest(row)) for row in rows]


def listed(rows):
    """_rows() as ListedSheets, with one Bureau per bureau."""
    bureaus = {}  # one Bureau per bureau, shared by its sheets
    listing = []
    for row, shown in rows:
        sheet = ListedSheet()
        (
            sheet.pk,
            sheet.title,
            sheet.issued_on,
            sheet.public_updated_at,
            sheet.country_id,
            country_name,
            country_slug,
            sheet.bureau_id,
            *bureau,
        ) = row
        sheet.shown = shown
        sheet.country = ListedCountry(sheet.country_id, country_name, country_slug)
        sheet.bureau = bureaus.get(sheet.bureau_id)
        if sheet.bureau is None:
            name, slug, short_name = bureau
            sheet.bureau = bureaus[sheet.bureau_id] = Bureau(
                id=sheet.bureau_id, name=name, slug=slug, short_name=short_name
            )
        listing.append(sheet)
    return listing


def with_their_sheets(listing):
    """The bureaus that have current sheets, in name order, each with `sheets`."""
    by_bureau = {}
    for sheet in listing:
        # A sheet counts for the bureau printed on it (see FactSheet.bureau).
        by_bureau.setdefault(sheet.bureau, []).append(sheet)
    bureaus = sorted(by_bureau, key=lambda bureau: bureau.name)
    for bureau in bureaus:
        bureau.sheets = by_bureau[bureau]
        bureau.sheet_count = len(bureau.sheets)
    return bureaus


class Group:
    """Sheets a list shows together, under one heading: a part of the page kept
    rendered by what it shows (its heading's values and its sheets' rows), so that a
    change to one sheet renders only its group again. `part` names it."""

    __slots__ = ("heading", "sheets", "part")

    def __init__(self, heading, sheets, part):
        self.heading, self.sheets, self.part = heading, sheets, part


def kept_groups(fragments, name, groups):
    """`groups`, [(heading, the values the heading shows, sheets)], as Groups: the
    parts of the entry `name` of `fragments` (a fragments.Fragments), each named by
    a digest of what it shows, so that one entry serves every version of the list
    (one read and, after a change, one write)."""
    fragments.look_up({name: ((), "")})
    return [
        Group(
            heading,
            sheets,
            f"{name}.{fragments_module.digest(shows, [s.shown for s in sheets])}",
        )
        for heading, shows, sheets in groups
    ]


class Neighbours:
    """Where a reader may go next from a sheet, worked out from one list of the
    current sheets: the same bureau's other sheets, and the previous and next A-Z."""

    def __init__(self, factsheet, current=None):
        current = current_listing() if current is None else current
        self.current = {sheet.country_id: sheet for sheet in current}
        self.same_bureau = [
            sheet
            for sheet in current
            if sheet.bureau_id == factsheet.bureau_id
            and sheet.country_id != factsheet.country_id
        ]
        # Neighbours in the database's own A-Z order, as the index lists them.
        countries = [sheet.country_id for sheet in current]
        if factsheet.country_id in countries:
            at = countries.index(factsheet.country_id)
            before, after = current[:at], current[at + 1 :]
        else:  # a preview of a country with no sheet published yet
            name = factsheet.country.name
            before = [sheet for sheet in current if sheet.country.name < name]
            after = current[len(before) :]
        self.previous = before[-1] if before else None
        self.next = after[0] if after else None
