import datetime
import itertools
from decimal import Decimal
from unittest import mock

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from factsheets.models import (
    AssistanceLine,
    FactSheet,
    Incomplete,
    RelatedLink,
    Section,
)
from tests.helpers.factories import (
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
            sheet.links_intro,
            "More information about Mali is available from the Department of State "
            "and other sources, some of which are listed here:",
        )

    def test_generated_sentences_use_the_sentence_form_of_the_name(self):
        gambia = make_country(name="The Gambia", sentence_name="the Gambia")
        sheet = make_factsheet(country=gambia)
        self.assertEqual(sheet.title, "U.S. Relations With The Gambia")
        self.assertEqual(
            sheet.links_intro,
            "More information about the Gambia is available from the Department of "
            "State and other sources, some of which are listed here:",
        )
        self.assertEqual(
            sheet.layout.assistance_caption, "U.S. assistance to the Gambia"
        )
        self.assertEqual(make_country(name="Mali").in_sentence, "Mali")

    def test_generated_words_come_from_settings(self):
        wording = {
            "title": "Relations with {country}",
            "related_links_intro": "Read more about {country} from the {department}:",
            "assistance_caption": "Aid to {country}",
            "officials_heading": "Officials",
            "key_facts_heading": "Facts",
        }
        with self.settings(
            FACTSHEET_WORDING=wording, DEPARTMENT_SHORT_NAME="Foreign Ministry"
        ):
            sheet = make_factsheet(country=make_country(name="Ruritania"))
            self.assertEqual(sheet.title, "Relations with Ruritania")
            self.assertEqual(
                sheet.links_intro,
                "Read more about Ruritania from the Foreign Ministry:",
            )

    def test_an_edited_links_intro_is_kept(self):
        sheet = make_factsheet(related_links_intro="See also:")
        self.assertEqual(sheet.links_intro, "See also:")

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
        make_factsheet(issued_on=datetime.date(2011, 1, 1))
        self.assertEqual(FactSheet.objects.current().get(country=country), newest)
        self.assertEqual(FactSheet.objects.current().count(), 2)

    def test_a_draft_may_wait_for_its_issue_date_but_cannot_be_published_without(self):
        draft = make_factsheet(issued_on=None, status=FactSheet.Status.DRAFT)
        self.assertIn("no issue date", str(draft))
        draft.status = FactSheet.Status.PUBLISHED
        with self.assertRaises(ValidationError) as caught:
            draft.full_clean()
        self.assertEqual(
            caught.exception.message_dict["issued_on"],
            ["A sheet needs its issue date to be published."],
        )
        with self.assertRaisesMessage(Incomplete, "It needs an issue date"):
            draft.save()
        # And the database refuses it on any path that skips the model.
        with self.assertRaises(IntegrityError), transaction.atomic():
            FactSheet.objects.filter(pk=draft.pk).update(status="published")

    def test_one_sheet_per_country_and_date(self):
        sheet = make_factsheet()
        with self.assertRaises(IntegrityError):
            make_factsheet(country=sheet.country, issued_on=sheet.issued_on)

    def test_absolute_url_names_the_country(self):
        sheet = make_factsheet(country=make_country(slug="mali"))
        self.assertEqual(sheet.get_absolute_url(), "/fact-sheets/mali/")


class LiveRuleTests(TestCase):
    """The live rule is spelled twice, in SQL (live()) and in Python (is_live, state
    labels): the two give the same answer for every sheet, at every moment."""

    def test_is_live_agrees_with_live_for_times_around_now(self):
        now = timezone.now().replace(microsecond=0)
        second = datetime.timedelta(seconds=1)
        moments = [None, now - second, now, now + second]
        country = make_country()
        day = datetime.date(2015, 1, 1)
        sheets = []
        for status, publish_at, expires_at in itertools.product(
            FactSheet.Status, moments, moments
        ):
            if publish_at and expires_at and expires_at <= publish_at:
                continue  # the database refuses an expiry before publication
            day += datetime.timedelta(days=1)
            sheets.append(
                make_factsheet(
                    country=country,
                    issued_on=day,
                    status=status,
                    publish_at=publish_at,
                    expires_at=expires_at,
                )
            )
        labels = set()
        with mock.patch("django.utils.timezone.now", return_value=now):
            for sheet in sheets:
                with self.subTest(
                    status=sheet.status,
                    publish_at=sheet.publish_at,
                    expires_at=sheet.expires_at,
                ):
                    live = FactSheet.objects.live().filter(pk=sheet.pk).exists()
                    self.assertEqual(sheet.is_live, live)
                    self.assertEqual(sheet.state_label == "Published", live)
                    labels.add(sheet.state_label.split(" for ")[0])
        self.assertEqual(
            labels, {"Draft", "In review", "Scheduled", "Published", "Expired"}
        )


class SectionTests(TestCase):
    def test_swapping_two_headings_in_one_go_is_allowed(self):
        sheet = make_factsheet()
        first = make_section(sheet, heading="Bilateral Representation")
        second = make_section(sheet, heading="U.S. Assistance to Mali")
        first.heading, second.heading = second.heading, first.heading
        first.save()
        second.save()
        self.assertEqual(
            sorted(sheet.sections.values_list("heading", flat=True)),
            ["Bilateral Representation", "U.S. Assistance to Mali"],
        )

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
            make_assistance_line(self.sheet, year=2020, year_end=2016)

    def test_a_year_goes_with_a_period_and_none_without(self):
        for fields in [
            {"period": "fiscal", "year": None},
            {"period": "calendar", "year": None},
            {"period": "none", "year": 2014},
            {"period": "none", "year": None, "year_end": 2016},
        ]:
            with self.subTest(**fields), self.assertRaises(IntegrityError):
                with transaction.atomic():
                    make_assistance_line(self.sheet, **fields)

    def test_clean_names_the_field_at_fault(self):
        cases = [
            ({"year": 2020, "year_end": 2016}, "year_end"),
            ({"period": "fiscal", "year": None}, "year"),
            ({"period": "none", "year": 2014}, "period"),
        ]
        for fields, field in cases:
            with self.subTest(**fields):
                line = AssistanceLine(
                    factsheet=self.sheet, amount_usd=1, **{"year": 2014, **fields}
                )
                with self.assertRaises(ValidationError) as caught:
                    line.full_clean()
                self.assertIn(field, caught.exception.message_dict)

    def test_amounts_are_stored_exactly_as_written(self):
        cases = {
            "$135.4 million": "135400000.00",
            "2.375 billion": "2375000000.00",
            "135,400,000": "135400000.00",
            "$80,000": "80000.00",
            "$4.125 billion": "4125000000.00",
            "999,995,000": "999995000.00",
        }
        for written, stored in cases.items():
            with self.subTest(written=written):
                line = make_assistance_line(self.sheet, amount_usd=written)
                line.refresh_from_db()
                self.assertEqual(line.amount_usd, Decimal(stored))

    def test_labels(self):
        cases = [
            (("fiscal", 2014, None, "", "135400000"), ("FY 2014", "$135.4 million")),
            (
                ("fiscal", 2014, None, "more than", "135400000"),
                ("FY 2014", "more than $135.4 million"),
            ),
            (("fiscal", 2016, 2020, "", "690000000"), ("FY 2016-2020", "$690 million")),
            (("fiscal", 2015, 2015, "", "2500000000"), ("FY 2015", "$2.5 billion")),
            (
                ("calendar", 2017, None, "about", "2375000000"),
                ("2017", "about $2.375 billion"),
            ),
            (
                ("calendar", 2010, 2015, "", "4125000000"),
                ("2010-2015", "$4.125 billion"),
            ),
            (
                ("none", None, None, "nearly", "900000000"),
                ("Total to date", "nearly $900 million"),
            ),
            (("fiscal", 2015, None, "", "999995000"), ("FY 2015", "$999.995 million")),
            (("fiscal", 2015, None, "up to", "80000"), ("FY 2015", "up to $80,000")),
            (("fiscal", 2015, None, "", "1234.50"), ("FY 2015", "$1,234.50")),
        ]
        for (period, start, end, qualifier, amount), expected in cases:
            with self.subTest(amount=amount, period=period):
                line = AssistanceLine(
                    period=period,
                    year=start,
                    year_end=end,
                    qualifier=qualifier,
                    amount_usd=Decimal(amount),
                )
                self.assertEqual((line.period_label, line.amount_text), expected)

    def test_a_planned_total_without_a_period_is_not_to_date(self):
        line = AssistanceLine(period="none", kind="planned", amount_usd=Decimal(5))
        self.assertEqual(line.period_label, "Total")


class RelatedLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_factsheet()

    def test_accepts_http_https_mailto_and_site_relative_addresses(self):
        for url in [
            "https://www.state.gov/",
            "http://example.org/a",
            "/fact-sheets/mali/",
            "mailto:press@state.gov",
        ]:
            with self.subTest(url=url):
                link = RelatedLink(factsheet=self.sheet, title="A link", url=url)
                link.full_clean()
                self.assertEqual(link.url, url)

    def test_protocol_relative_addresses_become_https_on_every_path(self):
        link = RelatedLink(
            factsheet=self.sheet, title="A", url=" //2009-2017.state.gov/r/pa/ei/bgn/"
        )
        link.full_clean()
        self.assertEqual(link.url, "https://2009-2017.state.gov/r/pa/ei/bgn/")
        saved = make_related_link(self.sheet, url="//www.state.gov/")
        saved.refresh_from_db()
        self.assertEqual(saved.url, "https://www.state.gov/")

    def test_rejects_other_addresses(self):
        bad = [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,hi",
            "ftp://example.org/",
            "www.state.gov",
            "https://",
            "/\\evil.example/x",
            "/\t/evil.example/y",
            "/\n/evil.example/y",
            "https://www.state.gov/\u200b",
            "mailto:",
        ]
        for url in bad:
            with self.subTest(url=url):
                link = RelatedLink(factsheet=self.sheet, title="A link", url=url)
                with self.assertRaises(ValidationError) as caught:
                    link.full_clean()
                self.assertIn("url", caught.exception.message_dict)

    def test_saving_a_disguised_address_by_any_path_is_refused(self):
        with self.assertRaises(ValidationError), transaction.atomic():
            make_related_link(self.sheet, url="/\\evil.example/x")
        self.assertFalse(RelatedLink.objects.exists())

    def test_database_refuses_a_javascript_address(self):
        link = make_related_link(self.sheet)
        for url in ["javascript:alert(1)", "/\\evil.example/x"]:
            with self.subTest(url=url), self.assertRaises(IntegrityError):
                with transaction.atomic():
                    RelatedLink.objects.filter(pk=link.pk).update(url=url)
        # Even a bulk update goes through the field, which makes “//host” https.
        RelatedLink.objects.filter(pk=link.pk).update(url="//evil.example/")
        link.refresh_from_db()
        self.assertEqual(link.url, "https://evil.example/")

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
