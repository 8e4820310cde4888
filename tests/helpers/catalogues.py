"""A small catalogue of two bureaus, for the tests of what a change makes stale and
of the parts of pages kept."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from tests.helpers.factories import make_bureau, make_country, make_full_factsheet

PUBLISHED = timezone.now() - datetime.timedelta(days=30)


# The lists of that catalogue: the home page, the A to Z (and by bureau), and the
# two bureaus' pages.
LIST_PAGES = [
    "/",
    "/fact-sheets/",
    "/fact-sheets/?by=bureau",
    "/bureaus/african-affairs/",
    "/bureaus/western-hemisphere/",
]


def make_two_bureaus(african, western):
    """A current sheet published a month ago for each country named in `african`
    (Bureau of African Affairs) and `western` (Western Hemisphere), and Mali's
    edition of 2012: `bureaus`, `countries` and `sheets` by name, and `mali_2012`."""
    bureaus = {
        "Africa": make_bureau(name="Bureau of African Affairs", slug="african-affairs"),
        "West": make_bureau(
            name="Bureau of Western Hemisphere Affairs", slug="western-hemisphere"
        ),
    }
    countries, sheets = {}, {}
    for names, bureau in ((african, bureaus["Africa"]), (western, bureaus["West"])):
        for name in names:
            country = make_country(bureau=bureau, name=name, slug=name.lower())
            countries[name] = country
            sheets[name] = make_full_factsheet(
                country=country, publish_at=PUBLISHED, children=2
            )
    mali_2012 = make_full_factsheet(
        country=countries["Mali"],
        issued_on=datetime.date(2012, 1, 10),
        publish_at=PUBLISHED,
    )
    return SimpleNamespace(
        bureaus=bureaus, countries=countries, sheets=sheets, mali_2012=mali_2012
    )
