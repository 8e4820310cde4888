import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import TestCase

from factsheets.models import AssistanceLine, FactSheet, RelatedLink, Section
from tests.factories import (
    make_assistance_line,
    make_bureau,
    make_country,
    make_factsheet,
    make_related_link,
    make_section,
)


class FactSheetTests(TestCase):
    def test_bureau_and_title_default_from_the_country(self):
        bureau = make_bureau(name="Bureau of African Affairs")
        sheet = make_factsheet(country=make_country(name="Mali", bureau=bureau))
        self.assertEqual(sheet.bureau, bureau)
        self.assertEqual(sheet.title, "U.S. Relations With Mali")
        self.assertEqual(
            sheet.related_links_intro,
            "More information about Mali is available from the Department of State "
            "and other sources, some of which are listed here:",
        )

    def test_given_bureau_and_title_are_kept(self):
        other = make_bureau()
        sheet = make_factsheet(bureau=other, title="U.S.-Mali Relations")
        self.assertEqual((sheet.bureau, sheet.title), (other, "U.S.-Mali Relations"))

    def test_new_sheets_are_drafts(self):
        sheet = FactSheet.objects.create(
            country=make_country(), issued_on=datetime.date(2020, 1, 1)
        )
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)

    def test_published_excludes_drafts(self):
        published = make_factsheet()
        make_factsheet(status=FactSheet.Status.DRAFT)
        self.assertQuerySetEqual(
            FactSheet.objects.published(), [published.pk], transform=lambda s: s.pk
        )

    def test_current_is_the_newest_published_edition(self):
        country = make_country()
        make_factsheet(country=country, issued_on=datetime.date(2013, 5, 1))
        newest = make_factsheet(country=country, issued_on=datetime.date(2015, 10, 15))
        make_factsheet(
            country=country,
            issued_on=datetime.date(2016, 1, 1),
            status=FactSheet.Status.DRAFT,
        )
        self.assertEqual(FactSheet.objects.current(country.slug), newest)

    def test_one_sheet_per_country_and_date(self):
        sheet = make_factsheet()
        with self.assertRaises(IntegrityError):
            make_factsheet(country=sheet.country, issued_on=sheet.issued_on)

    def test_absolute_url_names_the_country(self):
        sheet = make_factsheet(country=make_country(slug="mali"))
        self.assertEqual(sheet.get_absolute_url(), "/fact-sheets/mali/")


class SectionTests(TestCase):
    def test_anchor_comes_from_the_heading(self):
        section = make_section(
            make_factsheet(), heading="Mali's Membership in International Organizations"
        )
        self.assertEqual(
            section.anchor, "malis-membership-in-international-organizations"
        )

    def test_headings_are_unique_within_a_sheet(self):
        sheet = make_factsheet()
        make_section(sheet, heading="Bilateral Representation")
        make_section(make_factsheet(), heading="Bilateral Representation")
        with self.assertRaises(IntegrityError):
            make_section(sheet, heading="Bilateral Representation")

    def test_several_sections_may_have_no_heading(self):
        sheet = make_factsheet()
        make_section(sheet, heading="")
        make_section(sheet, heading="")
        self.assertEqual(sheet.sections.count(), 2)

    def test_sections_come_in_position_order(self):
        sheet = make_factsheet()
        make_section(sheet, heading="Second", position=2)
        make_section(sheet, heading="First", position=1)
        self.assertEqual([s.heading for s in sheet.sections.all()], ["First", "Second"])

    def test_body_is_sanitized_when_saved(self):
        section = make_section(
            make_factsheet(),
            body='<p onclick="steal()">Hi<script>alert(1)</script></p>',
        )
        section.refresh_from_db()
        self.assertEqual(section.body, "<p>Hi</p>")


class AssistanceLineTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_factsheet()

    def test_amount_cannot_be_negative(self):
        with self.assertRaises(IntegrityError):
            make_assistance_line(self.sheet, amount_usd="-1")

    def test_range_cannot_end_before_it_starts(self):
        with self.assertRaises(IntegrityError):
            make_assistance_line(self.sheet, fiscal_year=2020, fiscal_year_end=2016)

    def test_clean_names_the_field_of_a_reversed_range(self):
        line = AssistanceLine(
            factsheet=self.sheet, fiscal_year=2020, fiscal_year_end=2016, amount_usd=1
        )
        with self.assertRaises(ValidationError) as caught:
            line.full_clean()
        self.assertIn("fiscal_year_end", caught.exception.message_dict)

    def test_labels(self):
        cases = [
            ((2014, None, "135400000"), ("FY 2014", "$135.4 million")),
            ((2016, 2020, "690000000"), ("FY 2016-2020", "$690 million")),
            ((2015, 2015, "2500000000"), ("FY 2015", "$2.5 billion")),
            ((2015, None, "80000"), ("FY 2015", "$80,000")),
            ((2015, None, "1234.50"), ("FY 2015", "$1,234.50")),
        ]
        for (start, end, amount), expected in cases:
            with self.subTest(amount=amount):
                line = AssistanceLine(
                    fiscal_year=start, fiscal_year_end=end, amount_usd=Decimal(amount)
                )
                self.assertEqual((line.fiscal_year_label, line.amount_label), expected)


class RelatedLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_factsheet()

    def test_accepts_http_https_and_site_relative_addresses(self):
        for url in [
            "https://www.state.gov/",
            "http://example.org/a",
            "/fact-sheets/mali/",
        ]:
            with self.subTest(url=url):
                link = RelatedLink(factsheet=self.sheet, title="A link", url=url)
                link.full_clean()

    def test_rejects_other_addresses(self):
        bad = [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "//evil.example/",
            "ftp://example.org/",
            "www.state.gov",
            "https://",
        ]
        for url in bad:
            with self.subTest(url=url):
                link = RelatedLink(factsheet=self.sheet, title="A link", url=url)
                with self.assertRaises(ValidationError) as caught:
                    link.full_clean()
                self.assertIn("url", caught.exception.message_dict)

    def test_database_refuses_a_javascript_address(self):
        with self.assertRaises(IntegrityError):
            make_related_link(self.sheet, url="javascript:alert(1)")

    def test_links_come_in_position_order(self):
        make_related_link(self.sheet, title="B", position=2)
        make_related_link(self.sheet, title="A", position=1)
        self.assertEqual(
            [link.title for link in self.sheet.related_links.all()], ["A", "B"]
        )


class ReferenceDataTests(TestCase):
    def test_slugs_are_unique(self):
        bureau = make_bureau(slug="african-affairs")
        make_country(slug="mali", bureau=bureau)
        with self.assertRaises(IntegrityError):
            make_country(slug="mali", bureau=bureau)

    def test_a_country_with_sheets_cannot_be_deleted(self):
        from django.db.models import ProtectedError

        sheet = make_factsheet()
        with self.assertRaises(ProtectedError):
            sheet.country.delete()

    def test_deleting_a_sheet_deletes_its_rows(self):
        sheet = make_factsheet()
        make_section(sheet)
        sheet.delete()
        self.assertFalse(Section.objects.exists())
