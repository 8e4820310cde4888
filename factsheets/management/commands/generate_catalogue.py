"""A generated catalogue of fact sheets, for benchmarks and scale tests.

Every generated sheet says so: its kind is GENERATED_KIND (“Generated fact sheet”),
which is how this command tells its own sheets from real ones, and it carries the
notice “Generated for testing; not a real fact sheet.” The text is filler, the same
on every run (seeded by country, edition and section), so figures measured on two
runs are measured on the same pages. Nothing of this goes in fixtures/.
"""

import datetime
import random
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

import pagecache
from factsheets import search, wording
from factsheets.models import (
    AssistanceLine,
    Bureau,
    Country,
    FactSheet,
    Official,
    RelatedLink,
    Section,
)
from operations import without_statement_timeout

GENERATED_KIND = "Generated fact sheet"
NOTICE = "<p><strong>Generated for testing; not a real fact sheet.</strong></p>"
# The newest edition of each country is dated within 300 days of this one (never a
# 29 February), the older ones a year apart before it.
NEWEST_FROM = datetime.date(2024, 3, 1)

# The first headings follow a real sheet's, so that the assistance table and the
# officials land where they do on real sheets; the others are filler.
HEADINGS = [
    "",
    "U.S. Assistance to {country}",
    "Bilateral Economic Relations",
    "{country}’s Membership in International Organizations",
    "Bilateral Representation",
    "Education and Cultural Exchanges",
    "Health Cooperation",
    "Security Cooperation",
    "Trade and Investment",
    "Energy and the Environment",
    "Democracy and Governance",
    "Science and Technology",
    "Agriculture and Food Security",
    "Consular Affairs",
    "Regional Cooperation",
    "People-to-People Ties",
]

SUBJECTS = [
    "The United States",
    "The U.S. Embassy",
    "The embassy",
    "The government of {country}",
    "USAID",
    "The Department of State",
    "{country}",
    "Partners in {country}",
    "Civil society groups",
    "Local communities",
]
VERBS = [
    "supports",
    "works with partners on",
    "continues to strengthen",
    "has expanded",
    "shares an interest in",
    "coordinates closely on",
    "invests in",
    "encourages",
    "promotes",
    "reviews progress on",
]
OBJECTS = [
    "programs in health and education",
    "regional stability and security",
    "transparent and accountable institutions",
    "economic growth that benefits all citizens",
    "exchanges between students and professionals",
    "access to clean water and sanitation",
    "trade and investment between the two countries",
    "food security and agricultural productivity",
    "the rule of law and human rights",
    "resilience to drought and natural disasters",
    "maternal and child health services",
    "the fight against infectious disease",
    "a skilled and healthy workforce",
    "independent media and an open internet",
]
ENDINGS = [
    "",
    " across the country",
    " in rural areas",
    " through bilateral and multilateral channels",
    " with the support of the international community",
    " in close cooperation with local authorities",
    " over the coming years",
    ", building on decades of partnership",
]

FIRST_NAMES = [
    "Alex",
    "Jordan",
    "Morgan",
    "Taylor",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Harper",
    "Rowan",
    "Emerson",
    "Dana",
    "Robin",
    "Leslie",
    "Kendall",
]
INITIALS = "ABCDEFGHJKLMNPRSTW"
LAST_NAMES = [
    "Sample",
    "Example",
    "Placeholder",
    "Testwell",
    "Fillmore",
    "Mockridge",
    "Draftson",
    "Proofer",
    "Stubbs",
    "Dummont",
    "Pretend",
    "Standin",
]
ROLES = [
    "U.S. Ambassador to {country}",
    "Deputy Chief of Mission",
    "Political and Economic Chief",
    "Management Officer",
    "Consular Chief",
    "Public Affairs Officer",
    "USAID Mission Director",
]
LINKS = [
    ("Department of State {country} Page", "https://www.example.org/countries/{slug}/"),
    ("U.S. Embassy: {country}", "https://{slug}.embassy.example.org/"),
    ("USAID {country} Page", "https://www.example.org/usaid/{slug}"),
    ("History of U.S. Relations With {country}", "https://history.example.org/{slug}"),
    ("Human Rights Reports", "https://www.example.org/reports/human-rights/"),
    ("Investment Climate Statements", "https://www.example.org/reports/investment/"),
    ("Travel and Business Information", "https://travel.example.org/{slug}/"),
]
QUALIFIERS = ["", "", "more than", "approximately", "nearly"]


def is_generated(queryset=None):
    """The generated sheets among `queryset` (all sheets by default)."""
    if queryset is None:
        queryset = FactSheet.objects.all()
    return queryset.filter(kind=GENERATED_KIND)


class Command(BaseCommand):
    help = (
        "Fill the database with a generated catalogue of fact sheets (filler text, "
        "marked “Generated fact sheet”) for benchmarks and scale tests. Refuses to "
        "touch a database with real sheets unless --allow-real-data is given; "
        "countries that have a real sheet are then left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--countries",
            type=int,
            default=195,
            help="How many countries get generated sheets: the first of the A to Z "
            "that have no real sheet (default 195, all there are).",
        )
        parser.add_argument(
            "--editions",
            type=int,
            default=5,
            help="Editions per country, a year apart; the newest is current (default 5).",
        )
        parser.add_argument(
            "--sections",
            type=int,
            default=12,
            help=f"Sections per sheet, 1 to {len(HEADINGS)} (default 12).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete a previously generated catalogue first (real sheets stay).",
        )
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help="Run even though the database holds real sheets; countries with a "
            "real sheet get no generated ones.",
        )

    def handle(self, *args, countries, editions, sections, replace, **options):
        if countries < 1 or editions < 1 or not 1 <= sections <= len(HEADINGS):
            raise CommandError(
                "--countries and --editions must be at least 1, and --sections "
                f"between 1 and {len(HEADINGS)}."
            )
        real = FactSheet.objects.exclude(kind=GENERATED_KIND)
        if real.exists() and not options["allow_real_data"]:
            raise CommandError(
                f"This database holds {real.count()} real fact sheet(s) (not "
                f"“{GENERATED_KIND}”); nothing was generated. Use a database of its "
                "own for a generated catalogue, or pass --allow-real-data to add one "
                "beside them (countries with a real sheet are then left alone)."
            )
        generated = is_generated()
        if generated.exists() and not replace:
            raise CommandError(
                f"This database already holds a generated catalogue of "
                f"{generated.count()} sheet(s); nothing was changed. Pass --replace to "
                "delete it and generate a new one."
            )
        with transaction.atomic():
            without_statement_timeout(connection)
            if replace:
                deleted = self.delete_generated()
                self.stdout.write(f"Deleted {deleted} generated sheet(s).")
            if not Bureau.objects.exists() or not Country.objects.exists():
                call_command("loaddata", "bureaus", "countries", verbosity=0)
            with_real = set(real.values_list("country_id", flat=True))
            chosen, passed_over = [], 0
            for country in Country.objects.select_related("bureau"):
                if len(chosen) == countries:
                    break
                if country.pk in with_real:
                    passed_over += 1
                else:
                    chosen.append(country)
            made = self.generate(chosen, editions, sections)
            if connection.vendor == "postgresql" and made:
                # What the signals would have done had the rows been saved one by one.
                search.refresh_search_vectors(is_generated())
        # The planner's statistics, as autovacuum would bring them some time later:
        # without them PostgreSQL plans the current-sheet queries for one row.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # Pages stored before (of a previous catalogue, say) are stale now.
        pagecache.invalidate()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {len(made)} fact sheet(s): {len(chosen)} countries x "
                f"{editions} edition(s) x {sections} section(s)"
                + (
                    f"; {passed_over} country(ies) with a real sheet left alone"
                    if passed_over
                    else ""
                )
                + "."
            )
        )

    def delete_generated(self):
        generated = is_generated()
        ids = list(generated.values_list("pk", flat=True))
        # Rows first, in bulk and without signals: deleted one by one (as the sheets'
        # cascade would), each section would refresh its doomed sheet's search vector.
        for model in (Section, AssistanceLine, Official, RelatedLink):
            model.objects.filter(factsheet_id__in=ids)._raw_delete(connection.alias)
        generated.delete()
        return len(ids)

    def generate(self, countries, editions, sections):
        now = timezone.now()
        sheets = []
        for index, country in enumerate(countries):
            newest = NEWEST_FROM + datetime.timedelta(days=(index * 37) % 300)
            for edition in range(editions):
                issued_on = newest.replace(year=newest.year - edition)
                sheets.append(
                    FactSheet(
                        country=country,
                        bureau=country.bureau,
                        title=wording.title(country),
                        kind=GENERATED_KIND,
                        issued_on=issued_on,
                        notice=NOTICE,
                        lead=(
                            f"More information about {country.in_sentence} is "
                            f"available on the {country.name} page and from other "
                            "Department of State publications and other sources "
                            "listed at the end of this fact sheet."
                        ),
                        status=FactSheet.Status.PUBLISHED,
                        publish_at=min(
                            now,
                            timezone.make_aware(
                                datetime.datetime.combine(issued_on, datetime.time(12))
                            ),
                        ),
                    )
                )
        FactSheet.objects.bulk_create(sheets, batch_size=500)
        rows = {Section: [], AssistanceLine: [], Official: [], RelatedLink: []}
        for sheet in sheets:
            rng = random.Random(f"{sheet.country.slug}/{sheet.issued_on:%Y-%m-%d}")
            rows[Section] += make_sections(sheet, sections, rng)
            rows[AssistanceLine] += make_assistance(sheet, rng)
            rows[Official] += make_officials(sheet, rng)
            rows[RelatedLink] += make_links(sheet)
        for model, objects in rows.items():
            model.objects.bulk_create(objects, batch_size=1000)
        return sheets


def sentence(country, rng):
    words = [
        rng.choice(SUBJECTS),
        rng.choice(VERBS),
        rng.choice(OBJECTS) + rng.choice(ENDINGS),
    ]
    text = " ".join(words).format(country=country.in_sentence)
    return text[0].upper() + text[1:] + "."


def paragraph(country, rng):
    return " ".join(sentence(country, rng) for _ in range(rng.randint(3, 5)))


def make_sections(sheet, count, rng):
    country = sheet.country
    made = []
    for position, heading in enumerate(HEADINGS[:count], start=1):
        paragraphs = [paragraph(country, rng) for _ in range(rng.randint(2, 3))]
        made.append(
            Section(
                factsheet=sheet,
                position=position,
                heading=heading.format(country=country.name),
                body="".join(f"<p>{text}</p>" for text in paragraphs),
            )
        )
    return made


def make_assistance(sheet, rng):
    """An actual, a requested and a planned line around the sheet's year."""
    year = sheet.issued_on.year
    base = Decimal(rng.randint(20, 1500)) / 10  # millions, one decimal
    return [
        AssistanceLine(
            factsheet=sheet,
            position=1,
            year=year - 1,
            qualifier=rng.choice(QUALIFIERS),
            amount_usd=base * 10**6,
            kind=AssistanceLine.Kind.ACTUAL,
            note="Total U.S. foreign assistance",
        ),
        AssistanceLine(
            factsheet=sheet,
            position=2,
            year=year,
            amount_usd=(base * Decimal("0.9")).quantize(Decimal("0.1")) * 10**6,
            kind=AssistanceLine.Kind.REQUESTED,
            note="Officially requested",
        ),
        AssistanceLine(
            factsheet=sheet,
            position=3,
            year=year + 1,
            year_end=year + 5,
            amount_usd=base * 5 * 10**6,
            kind=AssistanceLine.Kind.PLANNED,
            agency="USAID",
            note="Projected under the country development strategy",
        ),
    ]


def make_officials(sheet, rng):
    made = []
    for position, role in enumerate(ROLES[: rng.randint(3, len(ROLES))], start=1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(INITIALS)}. {rng.choice(LAST_NAMES)}"
        made.append(
            Official(
                factsheet=sheet,
                position=position,
                role=role.format(country=sheet.country.name),
                name=name,
            )
        )
    return made


def make_links(sheet):
    country = sheet.country
    return [
        RelatedLink(
            factsheet=sheet,
            position=position,
            title=title.format(country=country.name),
            url=url.format(slug=country.slug),
        )
        for position, (title, url) in enumerate(LINKS, start=1)
    ]
