from decimal import Decimal

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.urls import reverse

from factsheets.models import (
    AssistanceLine,
    Bureau,
    Country,
    FactSheet,
    Official,
    RelatedLink,
    Section,
)
from tests.helpers.admin_forms import (
    INLINES,
    change_data,
    change_url,
    form_value,
    full_rows,
    sheet_form_data,
)
from tests.helpers.factories import make_bureau, make_country, make_full_factsheet


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("editor", "editor@example.gov", "pw")
        cls.bureau = make_bureau(
            name="Bureau of African Affairs", slug="african-affairs", short_name="AF"
        )
        cls.country = make_country(name="Atlantis", slug="atlantis", bureau=cls.bureau)

    def setUp(self):
        self.client.force_login(self.editor)

    def assertNothingSaved(self):
        for model in (FactSheet, Section, AssistanceLine, Official, RelatedLink):
            self.assertFalse(model.objects.exists(), model.__name__)


class FactSheetAddTests(AdminTestCase):
    url = reverse("admin:factsheets_factsheet_add")

    def post(self, **overrides):
        rows = full_rows()
        for prefix, changes in overrides.items():
            index, values = changes
            rows[prefix][index].update(values)
        data = sheet_form_data(
            {"country": str(self.country.pk), "issued_on": "2026-11-01"}, **rows
        )
        return self.client.post(self.url, data)

    def test_add_a_sheet_with_all_four_inlines(self):
        response = self.post()
        self.assertEqual(
            response.status_code, 302, response.context and response.context["errors"]
        )
        sheet = FactSheet.objects.get()
        self.assertEqual(sheet.title, "U.S. Relations With Atlantis")
        self.assertEqual(sheet.bureau, self.bureau)
        self.assertEqual(sheet.status, FactSheet.Status.DRAFT)
        self.assertEqual(
            [s.heading for s in sheet.sections.all()],
            ["", "U.S. Assistance to Atlantis"],
        )
        self.assertEqual(
            sheet.sections.all()[1].body, "<ol><li>First</li><li>Second</li></ol>"
        )
        line = sheet.assistance_lines.get()
        self.assertEqual(
            (line.period_label, line.amount_usd), ("FY 2016-2020", 690_000_000)
        )
        self.assertEqual(sheet.officials.get().name, "A. Diplomat")
        self.assertEqual(
            [link.url for link in sheet.related_links.all()],
            ["https://www.state.gov/", "/fact-sheets/niger/"],
        )

    def test_a_new_sheet_is_a_draft_and_not_public(self):
        self.post()
        self.client.logout()
        self.assertEqual(self.client.get("/fact-sheets/atlantis/").status_code, 404)

    def assertRejected(self, response, prefix, field, message):
        self.assertEqual(response.status_code, 200)
        formset = next(
            f
            for f in response.context["inline_admin_formsets"]
            if f.formset.prefix == prefix
        ).formset
        self.assertIn(message, " ".join(formset.forms[0].errors.get(field, [])))
        self.assertContains(response, message)
        self.assertNothingSaved()

    def test_negative_amount_is_rejected(self):
        response = self.post(assistance_lines=(0, {"amount_usd": "-5"}))
        self.assertRejected(
            response, "assistance_lines", "amount_usd", "An amount cannot be negative."
        )

    def test_reversed_year_range_is_rejected(self):
        response = self.post(assistance_lines=(0, {"year": "2020", "year_end": "2016"}))
        self.assertRejected(
            response,
            "assistance_lines",
            "year_end",
            "The last year cannot come before the first.",
        )

    def test_a_year_without_a_period_or_a_period_without_a_year_is_rejected(self):
        response = self.post(assistance_lines=(0, {"year": "", "year_end": ""}))
        self.assertRejected(
            response,
            "assistance_lines",
            "year",
            "Enter the year, or choose “No period”",
        )
        response = self.post(assistance_lines=(0, {"period": "none"}))
        self.assertRejected(
            response, "assistance_lines", "period", "A line with no period has no year"
        )

    def test_amounts_are_accepted_as_sheets_write_them(self):
        cases = {
            "$135.4 million": Decimal("135400000"),
            "2.375 billion": Decimal("2375000000"),
            "135,400,000": Decimal("135400000"),
            "$80,000": Decimal("80000"),
        }
        for written, stored in cases.items():
            with self.subTest(written=written):
                FactSheet.objects.all().delete()
                response = self.post(assistance_lines=(0, {"amount_usd": written}))
                self.assertEqual(response.status_code, 302)
                self.assertEqual(AssistanceLine.objects.get().amount_usd, stored)

    def test_an_amount_that_is_not_one_is_rejected_with_examples(self):
        response = self.post(assistance_lines=(0, {"amount_usd": "lots"}))
        self.assertRejected(
            response,
            "assistance_lines",
            "amount_usd",
            "Enter an amount in dollars as the sheet writes it, such as “$135.4 million”",
        )

    def test_a_qualifier_and_a_year_with_no_period_are_saved_and_shown(self):
        response = self.post(
            assistance_lines=(
                0,
                {
                    "period": "none",
                    "year": "",
                    "year_end": "",
                    "qualifier": "nearly",
                    "kind": "actual",
                    "amount_usd": "$900 million",
                },
            )
        )
        self.assertEqual(response.status_code, 302)
        line = AssistanceLine.objects.get()
        self.assertEqual(
            (line.period_label, line.amount_text),
            ("Total to date", "nearly $900 million"),
        )

    def test_protocol_relative_link_is_saved_as_https(self):
        response = self.post(related_links=(0, {"url": "//2009-2017.state.gov/r/pa/"}))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            RelatedLink.objects.get(position=1).url, "https://2009-2017.state.gov/r/pa/"
        )

    def test_disguised_off_site_links_are_rejected(self):
        for url in ["/\\evil.example/x", "/\t/evil.example/y"]:
            with self.subTest(url=url):
                response = self.post(related_links=(0, {"url": url}))
                self.assertRejected(
                    response, "related_links", "url", "cannot contain backslashes"
                )

    def test_javascript_link_is_rejected(self):
        response = self.post(related_links=(0, {"url": "javascript:alert(1)"}))
        self.assertRejected(
            response, "related_links", "url", "Enter an address starting with https://"
        )

    def test_duplicate_section_heading_is_rejected(self):
        response = self.post(sections=(0, {"heading": "U.S. Assistance to Atlantis"}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Another section of this sheet has this heading.")
        self.assertNothingSaved()

    def test_bad_input_keeps_everything_the_editor_typed(self):
        response = self.post(related_links=(0, {"url": "javascript:alert(1)"}))
        self.assertContains(response, "A. Diplomat")
        self.assertContains(response, "U.S. Assistance to Atlantis")
        self.assertContains(response, "javascript:alert(1)")

    def test_two_sections_cannot_both_hold_the_table(self):
        response = self.post(sections=(1, {"shows_assistance": "on"}))
        self.assertEqual(response.status_code, 302)
        FactSheet.objects.all().delete()
        rows = full_rows()
        for row in rows["sections"]:
            row["shows_assistance"] = "on"
        data = sheet_form_data(
            {"country": str(self.country.pk), "issued_on": "2026-11-01"}, **rows
        )
        response = self.client.post(self.url, data)
        self.assertContains(response, "Another section is ticked for this already.")
        self.assertNothingSaved()

    def test_a_notice_is_saved_sanitized(self):
        data = sheet_form_data(
            {
                "country": str(self.country.pk),
                "issued_on": "2026-11-01",
                "notice": '<p>See <a href="https://www.state.gov/">the newest</a>.'
                "<script>x()</script></p>",
            },
            **full_rows(),
        )
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        self.assertEqual(
            FactSheet.objects.get().notice,
            '<p>See <a href="https://www.state.gov/" rel="noopener noreferrer">the '
            "newest</a>.</p>",
        )

    def test_publishing_without_an_issue_date_is_refused(self):
        data = sheet_form_data(
            {"country": str(self.country.pk), "_publish": "Save and publish"},
            **full_rows(),
        )
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.non_field_errors(),
            ["This sheet cannot be published yet. It needs an issue date."],
        )
        self.assertNothingSaved()

    def test_a_draft_may_be_saved_without_an_issue_date(self):
        data = sheet_form_data({"country": str(self.country.pk)}, **full_rows())
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        self.assertIsNone(FactSheet.objects.get().issued_on)

    def test_hostile_rich_text_is_sanitized_through_the_admin(self):
        self.post(
            sections=(
                0,
                {
                    "body": '<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:alert(1)">x</a></p>'
                },
            )
        )
        self.assertEqual(
            Section.objects.get(heading="").body,
            '<p>Hi<a rel="noopener noreferrer">x</a></p>',
        )


class FactSheetChangeTests(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = make_full_factsheet(children=2, country=self.country)
        self.url = reverse("admin:factsheets_factsheet_change", args=[self.sheet.pk])

    def existing_rows(self):
        sheet = self.sheet
        rows = {}
        for prefix, fields in INLINES.items():
            rows[prefix] = [
                {
                    "id": str(obj.pk),
                    "factsheet": str(sheet.pk),
                    **{f: form_value(getattr(obj, f)) for f in fields},
                }
                for obj in getattr(sheet, prefix).all()
            ]
        return rows

    def form_data(self, rows=None, **fields):
        self.sheet.refresh_from_db()
        base = {
            "country": str(self.sheet.country_id),
            "bureau": str(self.sheet.bureau_id),
            "title": self.sheet.title,
            "issued_on": self.sheet.issued_on.isoformat(),
            "base_version": str(self.sheet.version),
        }
        if self.sheet.is_published:
            base["change_kind"] = "minor"
        return sheet_form_data(base | fields, **(rows or self.existing_rows()))

    def test_change_page_renders_with_the_rich_text_editor(self):
        response = self.client.get(self.url)
        self.assertContains(response, "data-django-prose-editor-configurable")
        self.assertContains(response, "django_prose_editor/editor.js")
        self.assertContains(response, 'name="base_version"')

    def test_change_the_sheet_and_reorder_its_sections(self):
        rows = self.existing_rows()
        first, second = rows["sections"]
        first["position"], second["position"] = second["position"], first["position"]
        rows["officials"][0]["name"] = "New Name"
        rows["related_links"][1]["DELETE"] = "on"
        rows["related_links"].append(
            {"position": "999", "title": "Added", "url": "https://example.gov/"}
        )
        response = self.client.post(self.url, self.form_data(rows, title="Renamed"))
        self.assertEqual(response.status_code, 302)
        self.sheet.refresh_from_db()
        self.assertEqual(
            (self.sheet.title, self.sheet.status), ("Renamed", "published")
        )
        self.assertEqual(
            [s.heading for s in self.sheet.sections.all()],
            [second["heading"], first["heading"]],
        )
        self.assertEqual(self.sheet.officials.first().name, "New Name")
        self.assertEqual(
            [link.title for link in self.sheet.related_links.all()][-1], "Added"
        )
        self.assertEqual(self.sheet.related_links.count(), 2)

    def test_swap_two_section_headings_in_one_save(self):
        rows = self.existing_rows()
        first, second = rows["sections"]
        first["heading"], second["heading"] = second["heading"], first["heading"]
        response = self.client.post(self.url, self.form_data(rows))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            [s.heading for s in self.sheet.sections.all()],
            [first["heading"], second["heading"]],
        )

    def test_rename_into_a_heading_another_row_is_leaving(self):
        rows = self.existing_rows()
        first, second = rows["sections"]
        old = second["heading"]
        first["heading"], second["heading"] = old, "Something New"
        response = self.client.post(self.url, self.form_data(rows))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            [s.heading for s in self.sheet.sections.all()], [old, "Something New"]
        )

    def test_duplicate_headings_are_refused_on_change(self):
        rows = self.existing_rows()
        rows["sections"][1]["heading"] = rows["sections"][0]["heading"].upper()
        response = self.client.post(self.url, self.form_data(rows))
        self.assertContains(response, "Another section of this sheet has this heading.")

    def test_amounts_are_shown_for_editing_as_a_sheet_writes_them(self):
        line = self.sheet.assistance_lines.first()
        line.amount_usd = Decimal("2375000000")
        line.save()
        response = self.client.get(self.url)
        self.assertContains(response, 'value="$2.375 billion"')

    def test_bad_input_on_change_saves_nothing(self):
        rows = self.existing_rows()
        rows["assistance_lines"][0]["amount_usd"] = "-1"
        rows["officials"][0]["name"] = "Changed"
        response = self.client.post(
            self.url, self.form_data(rows, title="Changed title")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "An amount cannot be negative.")
        self.sheet.refresh_from_db()
        self.assertNotEqual(self.sheet.title, "Changed title")
        self.assertFalse(Official.objects.filter(name="Changed").exists())

    def test_a_stale_form_does_not_overwrite_a_newer_save(self):
        stale = self.form_data(title="Mine")
        theirs = FactSheet.objects.get(pk=self.sheet.pk)
        theirs.title = "Theirs"
        theirs.save()
        response = self.client.post(self.url, stale)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "saved this sheet on")
        self.assertContains(response, "Nothing of yours was saved")
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "Theirs")

    def test_view_on_site_is_the_public_page_or_the_preview(self):
        response = self.client.get(self.url)
        self.assertContains(response, "/fact-sheets/atlantis/")
        self.sheet.status = FactSheet.Status.DRAFT
        self.sheet.save()
        response = self.client.get(self.url)
        self.assertContains(response, self.sheet.get_preview_url())


class ReferenceAdminTests(AdminTestCase):
    def test_duplicate_country_slug_is_rejected(self):
        response = self.client.post(
            reverse("admin:factsheets_country_add"),
            {"name": "Atlantis Two", "slug": "atlantis", "bureau": str(self.bureau.pk)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("slug", response.context["adminform"].form.errors)
        self.assertContains(response, "Country with this Slug already exists.")
        self.assertEqual(Country.objects.count(), 1)

    def test_a_country_gets_its_sentence_form_and_other_names(self):
        response = self.client.post(
            reverse("admin:factsheets_country_add"),
            {
                "name": "The Bahamas",
                "sentence_name": "the Bahamas",
                "slug": "the-bahamas",
                "bureau": str(self.bureau.pk),
                "other_names": "Bahamas, The\nCommonwealth of The Bahamas",
            },
        )
        self.assertEqual(response.status_code, 302)
        bahamas = Country.objects.get(slug="the-bahamas")
        self.assertEqual(bahamas.in_sentence, "the Bahamas")
        self.assertIn("Commonwealth of The Bahamas", bahamas.all_names)

    def test_a_protocol_relative_link_in_a_section_is_saved_as_https(self):
        rows = full_rows()
        rows["sections"][0]["body"] = '<p><a href="//www.state.gov/x/">x</a></p>'
        data = sheet_form_data(
            {"country": str(self.country.pk), "issued_on": "2026-11-01"}, **rows
        )
        self.client.post(reverse("admin:factsheets_factsheet_add"), data)
        self.assertIn(
            'href="https://www.state.gov/x/"', Section.objects.get(heading="").body
        )

    def test_duplicate_bureau_slug_is_rejected(self):
        response = self.client.post(
            reverse("admin:factsheets_bureau_add"),
            {"name": "Another bureau", "slug": "african-affairs", "short_name": "AX"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Bureau with this Slug already exists.")
        self.assertEqual(Bureau.objects.count(), 1)

    def test_admin_pages_answer(self):
        sheet = make_full_factsheet(country=self.country)
        urls = [
            reverse("admin:index"),
            reverse("admin:factsheets_factsheet_changelist"),
            reverse("admin:factsheets_factsheet_changelist") + "?q=Atlantis",
            reverse("admin:factsheets_factsheet_changelist") + "?status__exact=draft",
            reverse("admin:factsheets_factsheet_add"),
            reverse("admin:factsheets_factsheet_change", args=[sheet.pk]),
            reverse("admin:factsheets_country_changelist") + "?q=atl",
            reverse("admin:factsheets_country_add"),
            reverse("admin:factsheets_bureau_changelist"),
            reverse("admin:autocomplete")
            + "?app_label=factsheets&model_name=factsheet&field_name=country&term=atl",
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_country_autocomplete_finds_by_name(self):
        response = self.client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "factsheets",
                "model_name": "factsheet",
                "field_name": "country",
                "term": "atla",
            },
        )
        self.assertEqual([r["text"] for r in response.json()["results"]], ["Atlantis"])


class RowErrorsAtTheTopTests(AdminTestCase):
    """A refused row is named at the top of the page, not only beside its fields
    far below."""

    def post(self, rows):
        data = sheet_form_data(
            {"country": str(self.country.pk), "issued_on": "2026-11-01"}, **rows
        )
        return self.client.post(reverse("admin:factsheets_factsheet_add"), data)

    def top_of_the_page(self, response):
        html = response.content.decode()
        return html[: html.index("<fieldset")]

    def test_the_top_names_the_assistance_line_without_an_amount(self):
        rows = full_rows()
        line = rows["assistance_lines"][0]
        rows["assistance_lines"] = [
            line,
            line | {"position": "2"},
            line | {"position": "3", "amount_usd": ""},
        ]
        response = self.post(rows)
        self.assertEqual(response.status_code, 200)
        self.assertInHTML(
            '<a href="#id_assistance_lines-2-amount_usd">'
            "Assistance line 3 — Amount (USD): This field is required.</a>",
            self.top_of_the_page(response),
        )
        self.assertNotIn("Assistance line 1", self.top_of_the_page(response))
        # Still beside the field too.
        formset = response.context["inline_admin_formsets"][1].formset
        self.assertEqual(
            formset.forms[2].errors["amount_usd"], ["This field is required."]
        )
        self.assertNothingSaved()

    def test_the_change_form_names_the_row_too(self):
        sheet = make_full_factsheet(country=self.country)
        data = change_data(sheet)
        data["assistance_lines-0-amount_usd"] = ""
        response = self.client.post(change_url(sheet), data)
        self.assertIn(
            "Assistance line 1 — Amount (USD): This field is required.",
            self.top_of_the_page(response),
        )

    def test_every_inline_names_its_rows_one_line_each(self):
        rows = full_rows()
        rows["sections"][1]["heading"] = rows["sections"][0]["heading"] = "Same"
        rows["assistance_lines"][0] |= {"amount_usd": "", "year": "x"}
        rows["officials"][0]["name"] = ""
        rows["related_links"][1]["url"] = "not a link"
        top = self.top_of_the_page(self.post(rows))
        for line in [
            "Section 2 — Heading: Another section of this sheet has this heading.",
            "Assistance line 1 — Year: Enter a whole number. Enter the year, or "
            "choose “No period” for an amount without one. "
            "Amount (USD): This field is required.",
            "Official 1 — Name: This field is required.",
            "Related link 2 — Address: An address cannot contain",
        ]:
            with self.subTest(line):
                self.assertIn(line, top)
        self.assertNotIn("Section 1", top)


class FactSheetChangeFormQueryTests(AdminTestCase):
    """What opening and saving a sheet costs does not grow with its rows nor with
    the catalogue: no query per row, per inline form or per other sheet."""

    # The search vector is written on PostgreSQL only: once for the sheet, once for
    # the section saved.
    GET_QUERIES = 30
    POST_QUERIES = {"postgresql": 51, "sqlite": 49}

    def sheets(self):
        """A sheet of one row of each kind alone, then one of 12 among 20 others."""
        # As in a worker that saved before: Django keeps content types once read.
        ContentType.objects.get_for_models(
            FactSheet, Section, AssistanceLine, Official, RelatedLink
        )
        yield make_full_factsheet(children=1, country=self.country)
        for _ in range(20):
            make_full_factsheet(children=3)
        yield make_full_factsheet(children=12)

    def test_opening_the_change_form(self):
        for sheet in self.sheets():
            with self.subTest(rows=sheet.sections.count()):
                with self.assertNumQueries(self.GET_QUERIES):
                    response = self.client.get(change_url(sheet))
                self.assertContains(response, 'name="sections-0-body"')

    def test_saving_a_minor_change_to_one_section(self):
        for sheet in self.sheets():
            data = change_data(sheet)
            data["sections-0-body"] = "<p>Corrected.</p>"
            with self.subTest(rows=sheet.sections.count()):
                with self.assertNumQueries(self.POST_QUERIES[connection.vendor]):
                    response = self.client.post(change_url(sheet), data)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(
                    sheet.sections.first().body, "<p>Corrected.</p>", response
                )
