"""The shipped data: every fixture loads, and the Mali sheet is the 2015 record word for word."""

import html
import re

from django.core.management import call_command
from django.test import TestCase

from factsheets.models import Bureau, Country, FactSheet
from tests.helpers.seed import TextOf, assert_every_content_sentence_in, content_lines


class FixtureTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_reference_data(self):
        self.assertEqual(Bureau.objects.count(), 6)
        self.assertEqual(Country.objects.get(slug="mali").bureau.short_name, "AF")
        self.assertGreater(Country.objects.count(), 190)

    def test_every_sheet_renders(self):
        for sheet in FactSheet.objects.published():
            with self.subTest(sheet=str(sheet)):
                self.assertEqual(
                    self.client.get(sheet.get_absolute_url()).status_code, 200
                )

    def test_mali_sheet_is_structured(self):
        sheet = FactSheet.objects.for_display().get(country__slug="mali")
        self.assertEqual(sheet.issued_on.isoformat(), "2015-10-15")
        self.assertEqual(sheet.bureau.name, "Bureau of African Affairs")
        self.assertEqual(
            [s.heading for s in sheet.sections.all()],
            [
                "",
                "U.S. Assistance to Mali",
                "Bilateral Economic Relations",
                "Mali's Membership in International Organizations",
                "Bilateral Representation",
            ],
        )
        self.assertEqual(
            [
                (a.period_label, a.amount_text, a.kind, a.agency)
                for a in sheet.assistance_lines.all()
            ],
            [
                ("FY 2014", "more than $135.4 million", "actual", ""),
                ("FY 2015", "$130 million", "requested", ""),
                ("FY 2016-2020", "$690 million", "planned", "USAID"),
            ],
        )
        self.assertEqual(
            [(o.role, o.name) for o in sheet.officials.all()],
            [("U.S. Ambassador to Mali", "Paul A. Folmsbee")],
        )
        self.assertEqual(sheet.related_links.count(), 16)
        self.assertIn(
            "2130 R Street NW, Washington, DC 20008",
            sheet.sections.get(heading="Bilateral Representation").body,
        )

    def test_every_content_sentence_of_the_seed_is_on_the_page(self):
        response = self.client.get("/fact-sheets/mali/")
        assert_every_content_sentence_in(self, TextOf.of(response.content.decode()))

    def test_masthead_and_header_of_the_seed_are_on_the_page(self):
        response = self.client.get("/fact-sheets/mali/")
        text = TextOf.of(response.content.decode())
        for line in [
            "U.S. Department of State",
            "Diplomacy in Action",
            "U.S. Relations With Mali",
            "Bureau of African Affairs",
            "Fact Sheet",
            "October 15, 2015",
            "Back to Top",
        ]:
            with self.subTest(line=line):
                self.assertIn(line, text)
        self.assertContains(response, 'alt="U.S. Department of State - Great Seal"')

    def test_every_related_link_title_is_a_real_link(self):
        response = self.client.get("/fact-sheets/mali/")
        page = response.content.decode()
        anchors = {
            html.unescape(title): href
            for href, title in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
        }
        lines = content_lines()
        titles = lines[
            lines.index(
                "More information about Mali is available from the Department of State and other sources, some of which are listed here:"
            )
            + 1 :
        ]
        self.assertEqual(len(titles), 16)
        for title in titles:
            with self.subTest(title=title):
                self.assertIn(title, anchors)
                self.assertRegex(anchors[title], r"^https://[a-z0-9.-]+\.gov/")


class InitialDataCommandTests(TestCase):
    def test_loads_into_an_empty_database_only(self):
        call_command("load_initial_data", verbosity=0)
        self.assertEqual(FactSheet.objects.count(), 1)
        FactSheet.objects.update(title="Edited by an editor")
        call_command("load_initial_data", verbosity=0)
        self.assertEqual(FactSheet.objects.get().title, "Edited by an editor")
