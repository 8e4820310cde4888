"""The public pages: home, the A to Z index, a bureau's, a sheet's, its other editions
and what changed between them."""

import unicodedata
from datetime import date

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject

import pagecache
from factsheets import page_tags
from factsheets.changes import Snapshot, compare
from factsheets.fragments import Fragments, kept
from factsheets.listings import (
    LISTS,
    Neighbours,
    kept_current_sheets,
    kept_groups,
    kept_listing,
    with_their_sheets,
)
from factsheets.models import DISPLAYED_ROWS, Bureau, Country, FactSheet

# The lists are read as kept (kept_listing()), and their groups of rows are parts
# kept rendered by what they show (listings.kept_groups()): after a change, only the
# group that shows it is rendered again.


@pagecache.shows(page_tags.CATALOGUE, page_tags.UPDATES)
def home(request):
    fragments = Fragments(*LISTS)
    factsheets = kept_listing(fragments)
    recent = sorted(
        factsheets, key=lambda factsheet: factsheet.public_updated_at, reverse=True
    )
    letters = by_letter(factsheets)
    response = render(
        request,
        "factsheets/home.html",
        {
            # Bureaus with nothing published are not content to list.
            "bureaus": with_their_sheets(factsheets),
            "factsheets": factsheets,
            "groups": kept_groups(
                fragments,
                "home",
                [(None, (), sheets) for sheets in letters.values()],
            ),
            "recent_factsheets": recent[:5],
            "fragments": fragments,
        },
    )
    fragments.keep()
    return response


@pagecache.shows(page_tags.CATALOGUE)
def sheet_index(request):
    """Every current sheet A to Z with its month and year, or grouped by bureau."""
    fragments = Fragments(*LISTS)
    factsheets = kept_listing(fragments)
    by_bureau = request.GET.get("by") == "bureau"
    bureaus = with_their_sheets(factsheets) if by_bureau else []
    if by_bureau:
        groups = [
            (bureau, (bureau.pk, bureau.slug, bureau.name), bureau.sheets)
            for bureau in bureaus
        ]
    else:
        groups = [
            (letter, (letter,), sheets)
            for letter, sheets in by_letter(factsheets).items()
        ]
    response = render(
        request,
        "factsheets/index.html",
        {
            "factsheets": factsheets,
            "groups": kept_groups(
                fragments, "bureaus" if by_bureau else "letters", groups
            ),
            "bureaus": bureaus,
            "by_bureau": by_bureau,
            "breadcrumbs": [("All fact sheets", None)],
            "fragments": fragments,
        },
    )
    fragments.keep()
    return response


def by_letter(factsheets):
    """{letter: the sheets filed under it}, in the order of `factsheets`."""
    letters = {}
    for factsheet in factsheets:
        letters.setdefault(filed_under(factsheet.country.name), []).append(factsheet)
    return letters


def filed_under(name):
    """The letter a name is filed under: “Côte d’Ivoire” under C."""
    letter = unicodedata.normalize("NFKD", name.strip()[:1])[:1].upper()
    return letter if letter.isalpha() else "#"


@pagecache.shows(page_tags.CATALOGUE)
def bureau_detail(request, slug):
    bureau = get_object_or_404(Bureau, slug=slug)
    fragments = Fragments(*LISTS)
    factsheets = [
        sheet for sheet in kept_listing(fragments) if sheet.bureau_id == bureau.pk
    ]
    response = render(
        request,
        "factsheets/bureau_detail.html",
        {
            "bureau": bureau,
            "factsheets": factsheets,
            "groups": kept_groups(
                fragments, f"bureau-{bureau.pk}", [(None, (), factsheets)]
            ),
            "breadcrumbs": [(bureau.name, None)],
            "fragments": fragments,
        },
    )
    fragments.keep()
    return response


def sheet_fragments(request, pk, country_pk, after=None):
    """The kept parts of a page of the sheet `pk` (factsheets/fragments.py), made
    before its rows are read; the page shows what these tags stand for and no more.
    The lists' versions are read too, for its navigation (kept_listing())."""
    tags = sheet_tags(pk, country_pk)
    pagecache.depends_on(request, *tags)
    return Fragments(*tags, *LISTS, after=after)


def sheet_tags(pk, country_pk):
    """page_tags.sheet_pages() of the sheet `pk` of the country `country_pk`."""
    return page_tags.sheet(pk), page_tags.country(country_pk), page_tags.nav(country_pk)


def render_sheet(request, factsheet, fragments, editions=None, **context):
    """A sheet's page, with its record (changes since publication, other editions)
    and its neighbours (the bureau's other sheets, the previous and next A to Z).

    Its text and its navigation are parts kept rendered: the sheet's rows, its
    editions and the current sheets are read only for a part not kept."""
    sheet, country, nav = sheet_tags(factsheet.pk, factsheet.country_id)
    # Nothing kept if the cache failed, or the sheet moved to another country since.
    kept_parts = fragments if fragments.stamped(sheet, country, nav) else None
    if kept_parts is not None:
        kind = "edition" if context.get("superseded_by") else "current"
        kept_parts.look_up(
            {
                "sheet": ((sheet, country), kind),
                "nav": ((country, nav), str(factsheet.bureau_id)),
            }
        )
    if kept_parts is None or kept_parts.missing("sheet"):
        prefetch_related_objects([factsheet], *DISPLAYED_ROWS)
    if editions is None:
        editions = SimpleLazyObject(
            lambda: list(factsheet.editions().only("pk", "issued_on", "country_id"))
        )
    response = render(
        request,
        "factsheets/factsheet_detail.html",
        {
            "factsheet": factsheet,
            "editions": editions,
            "neighbours": SimpleLazyObject(
                lambda: Neighbours(factsheet, kept_listing(fragments))
            ),
            "fragments": kept_parts,
            "breadcrumbs": [
                (factsheet.bureau.name, factsheet.bureau.get_absolute_url()),
                (factsheet.country.name, None),
            ],
            **context,
        },
    )
    if kept_parts is not None:
        kept_parts.keep()
    return response


def factsheet_detail(request, country_slug):
    """The country's current sheet: its newest live edition."""
    lists = Fragments(*LISTS)
    found = kept_current_sheets(lists).get(country_slug)
    if found is None:
        raise Http404("No published fact sheet for this country.")
    pk, country_pk = found
    fragments = sheet_fragments(request, pk, country_pk, after=lists)
    factsheet = kept(
        "sheet-row",
        (page_tags.sheet(pk), page_tags.country(country_pk)),
        lambda: (
            FactSheet.objects.select_related("country", "bureau")
            .defer("search_vector")
            .filter(pk=pk)
            .first()
        ),
        fragments,
    )
    if factsheet is None:  # deleted since the list was read
        raise Http404("No published fact sheet for this country.")
    return render_sheet(request, factsheet, fragments)


def edition_detail(request, country_slug, issued_on):
    """One edition at its lasting address; the current one lives at the country's."""
    found = (
        FactSheet.objects.live()
        .filter(country__slug=country_slug, issued_on=issued_on)
        .values_list("pk", "country_id")
        .first()
    )
    if found is None:
        raise Http404("No published edition of this sheet has this date.")
    pk, country_pk = found
    fragments = sheet_fragments(request, pk, country_pk)
    editions = list(
        FactSheet.objects.live()
        .filter(country_id=country_pk)
        .order_by("-issued_on", "-pk")
        .only("pk", "issued_on", "country_id", "title")
    )
    current = editions[0] if editions else None
    edition = (
        FactSheet.objects.select_related("country", "bureau").filter(pk=pk).first()
    )
    if current is None or current.pk == pk or edition is None:
        return redirect("factsheets:detail", country_slug=country_slug)
    return render_sheet(
        request,
        edition,
        fragments,
        editions=editions,
        superseded_by=current,
        noindex=True,
        breadcrumbs=[
            (edition.bureau.name, edition.bureau.get_absolute_url()),
            (edition.country.name, edition.country.get_absolute_url()),
            (f"Edition of {date_format(edition.issued_on, 'F j, Y')}", None),
        ],
    )


def edition_changes(request, country_slug):
    """What changed between two editions of a country's sheet, in words."""
    country = get_object_or_404(
        Country.objects.select_related("bureau"), slug=country_slug
    )
    editions = list(
        FactSheet.objects.live()
        .filter(country=country)
        .order_by("-issued_on", "-pk")
        .only("pk", "issued_on", "country_id")
    )
    context = {
        "country": country,
        "editions": editions,
        "breadcrumbs": [
            (country.bureau.name, country.bureau.get_absolute_url()),
            (country.name, country.get_absolute_url()),
            ("Changes", None),
        ],
    }
    if len(editions) < 2:
        context["problem"] = (
            "This sheet has only one published edition: there is nothing to compare yet."
        )
        return render(request, "factsheets/changes.html", context, status=404)
    by_date = {edition.issued_on: edition for edition in editions}
    chosen = {}
    defaults = {"from": editions[1].issued_on, "to": editions[0].issued_on}
    for end, default in defaults.items():
        value = request.GET.get(end, "")
        try:
            chosen[end] = by_date[date.fromisoformat(value) if value else default]
        except (KeyError, ValueError):
            context["problem"] = (
                f"There is no published edition dated “{value[:20]}”. "
                "Choose two of the editions listed below."
            )
            return render(request, "factsheets/changes.html", context, status=404)
    old, new = sorted(chosen.values(), key=lambda edition: edition.issued_on)
    pagecache.depends_on(
        request,
        page_tags.country(country.pk),
        page_tags.sheet(old.pk),
        page_tags.sheet(new.pk),
    )
    sheets = FactSheet.objects.for_display().in_bulk([old.pk, new.pk])
    old, new = sheets[old.pk], sheets[new.pk]
    context.update(
        old=old,
        new=new,
        changes=compare(Snapshot.of_sheet(old), Snapshot.of_sheet(new)),
    )
    return render(request, "factsheets/changes.html", context)


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon, such as the admin's."""
    return redirect(static(settings.DEPARTMENT_SEAL), permanent=True)
