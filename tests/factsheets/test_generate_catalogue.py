import datetime
from io import StringIO
from unittest import skipUnless

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase

from factsheets.management.commands.generate_catalogue import GENERATED_KIND
from factsheets.models import (
    AssistanceLine,
    Country,
    FactSheet,
    Official,
    RelatedLink,
    Section,
)
from tests.helpers.factories import make_country, make_factsheet, make_section


def generate(*args, **options):
    out = StringIO()
    call_command(
        "generate_catalogue",
        *args,
        countries=options.pop("countries", 3),
        editions=options.pop("editions", 2),
        sections=options.pop("sections", 4),
        stdout=out,
        **options,
    )
    return out.getvalue()


def contents():
    """Everything generated, as comparable values."""
    return [
        (
            sheet.country.slug,
            sheet.issued_on,
            sheet.title,
            [(s.heading, s.body) for s in sheet.sections.all()],
            [(a.year, a.amount_usd, a.kind) for a in sheet.assistance_lines.all()],
            [(o.role, o.name) for o in sheet.officials.all()],
            [(r.title, r.url) for r in sheet.related_links.all()],
        )
        for sheet in FactSheet.objects.filter(kind=GENERATED_KIND).order_by(
            "country__name", "issued_on"
        )
    ]


class GenerateCatalogueTests(TestCase):
    def test_counts(self):
        output = generate()
        self.assertIn("Generated 6 fact sheet(s)", output)
        sheets = FactSheet.objects.all()
        self.assertEqual(sheets.count(), 6)
        self.assertEqual(sheets.filter(kind=GENERATED_KIND).count(), 6)
        self.assertEqual(sheets.published().count(), 6)
        self.assertEqual(Section.objects.count(), 6 * 4)
        self.assertEqual(AssistanceLine.objects.count(), 6 * 3)
        self.assertEqual(
            RelatedLink.objects.filter(factsheet__in=sheets).count(), 6 * 7
        )
        for sheet in sheets:
            self.assertGreaterEqual(sheet.officials.count(), 3)
            self.assertIn("Generated for testing; not a real fact sheet.", sheet.notice)
        # The fixture's first countries, A to Z.
        self.assertEqual(
            sorted({sheet.country.slug for sheet in sheets}),
            ["afghanistan", "albania", "algeria"],
        )

    def test_loads_the_reference_data_when_missing(self):
        generate(countries=1, editions=1, sections=1)
        self.assertEqual(Country.objects.count(), 195)

    def test_one_current_edition_per_country_the_newest(self):
        generate()
        current = FactSheet.objects.current()
        self.assertEqual(current.count(), 3)
        for sheet in current:
            editions = list(sheet.editions())
            self.assertEqual(len(editions), 2)
            self.assertEqual(editions[0], sheet)
            self.assertEqual(
                editions[1].issued_on,
                sheet.issued_on.replace(year=sheet.issued_on.year - 1),
            )

    def test_sections_follow_a_real_sheets_headings(self):
        generate(countries=1, editions=1, sections=5)
        sheet = FactSheet.objects.get()
        self.assertEqual(
            list(sheet.sections.values_list("heading", flat=True)),
            [
                "",
                "U.S. Assistance to Afghanistan",
                "Bilateral Economic Relations",
                "Afghanistan’s Membership in International Organizations",
                "Bilateral Representation",
            ],
        )
        self.assertEqual(sheet.officials.first().role, "U.S. Ambassador to Afghanistan")

    def test_refuses_a_database_with_real_sheets(self):
        call_command("loaddata", "bureaus", "countries", "mali-2015", verbosity=0)
        with self.assertRaisesMessage(CommandError, "holds 1 real fact sheet"):
            generate()
        self.assertEqual(FactSheet.objects.count(), 1)
        self.assertEqual(Section.objects.count(), 5)

    def test_allow_real_data_passes_over_countries_with_real_sheets(self):
        countries = [make_country(name=f"Land {n}") for n in range(4)]
        real = make_factsheet(country=countries[1], kind="Fact Sheet")
        make_section(real)
        output = generate("--allow-real-data", countries=3)
        self.assertIn("3 countries x 2 edition(s)", output)
        self.assertIn("1 country(ies) with a real sheet left alone", output)
        self.assertEqual(
            set(
                FactSheet.objects.filter(kind=GENERATED_KIND).values_list(
                    "country", flat=True
                )
            ),
            {countries[0].pk, countries[2].pk, countries[3].pk},
        )
        self.assertEqual(FactSheet.objects.current().get(country=countries[1]), real)
        self.assertEqual(real.sections.count(), 1)

    def test_a_second_run_is_refused_without_replace(self):
        generate()
        before = contents()
        with self.assertRaisesMessage(CommandError, "Pass --replace"):
            generate(countries=5)
        self.assertEqual(contents(), before)

    def test_replace_makes_the_same_catalogue_again(self):
        generate()
        before = contents()
        output = generate("--replace")
        self.assertIn("Deleted 6 generated sheet(s).", output)
        self.assertEqual(contents(), before)
        self.assertEqual(Section.objects.count(), 6 * 4)
        self.assertEqual(Official.objects.filter(factsheet__isnull=True).count(), 0)

    def test_replace_keeps_real_sheets(self):
        call_command("loaddata", "bureaus", "countries", "mali-2015", verbosity=0)
        generate("--allow-real-data")
        generate("--allow-real-data", "--replace", countries=2, editions=1)
        self.assertEqual(FactSheet.objects.filter(kind=GENERATED_KIND).count(), 2)
        mali = FactSheet.objects.get(country__slug="mali")
        self.assertEqual(mali.sections.count(), 5)
        self.assertEqual(mali.issued_on, datetime.date(2015, 10, 15))

    def test_refuses_nonsense_sizes(self):
        for options in ({"countries": 0}, {"editions": 0}, {"sections": 0}):
            with self.subTest(**options), self.assertRaises(CommandError):
                generate(**options)
        self.assertFalse(FactSheet.objects.exists())

    def test_generated_sheets_render(self):
        generate()
        for sheet in FactSheet.objects.current():
            with self.subTest(sheet=sheet.country.slug):
                response = self.client.get(f"/fact-sheets/{sheet.country.slug}/")
                self.assertContains(
                    response, "Generated for testing; not a real fact sheet."
                )
                self.assertContains(response, GENERATED_KIND)
        older = FactSheet.objects.superseded().first()
        self.assertEqual(self.client.get(older.get_edition_url()).status_code, 200)
        for url in ["/", "/fact-sheets/", "/bureaus/african-affairs/"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    @skipUnless(connection.vendor == "postgresql", "search vectors are PostgreSQL's")
    def test_generated_sheets_are_found_by_search(self):
        generate()
        self.assertFalse(FactSheet.objects.filter(search_vector__isnull=True).exists())
        response = self.client.get("/search/", {"q": "embassy"})
        self.assertContains(response, "U.S. Relations With Afghanistan")
