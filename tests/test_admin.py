from django.contrib.auth.models import User
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
from tests.factories import make_bureau, make_country, make_full_factsheet

INLINES = {
    "sections": ["position", "heading", "body"],
    "assistance_lines": [
        "position",
        "fiscal_year",
        "fiscal_year_end",
        "kind",
        "amount_usd",
        "agency",
        "note",
    ],
    "officials": ["position", "role", "name"],
    "related_links": ["position", "title", "url"],
}


def sheet_form_data(sheet_fields, initial=None, **rows):
    """POST data for the sheet's admin form: the sheet's fields, then each inline's rows.

    `rows` maps an inline prefix to a list of dicts; a dict with an "id" is an existing row.
    """
    data = {
        "issued_on": "",
        "kind": "Fact Sheet",
        "status": "draft",
        "title": "",
        "bureau": "",
        "lead": "",
        "related_links_intro": "",
        "loaded_updated_at": "",
    }
    data.update(sheet_fields)
    for prefix in INLINES:
        forms = rows.get(prefix, [])
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for form in forms if "id" in form))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, form in enumerate(forms):
            for name, value in form.items():
                data[f"{prefix}-{i}-{name}"] = value
    return data


def full_rows():
    return {
        "sections": [
            {
                "position": "1",
                "heading": "",
                "body": '<p>Opening with <a href="https://www.state.gov/">a link</a>.</p>',
            },
            {
                "position": "2",
                "heading": "U.S. Assistance to Atlantis",
                "body": "<ol><li>First</li><li>Second</li></ol>",
            },
        ],
        "assistance_lines": [
            {
                "position": "1",
                "fiscal_year": "2016",
                "fiscal_year_end": "2020",
                "kind": "planned",
                "amount_usd": "690000000",
                "agency": "USAID",
                "note": "",
            },
        ],
        "officials": [
            {
                "position": "1",
                "role": "U.S. Ambassador to Atlantis",
                "name": "A. Diplomat",
            }
        ],
        "related_links": [
            {"position": "1", "title": "State page", "url": "https://www.state.gov/"},
            {"position": "2", "title": "Niger sheet", "url": "/fact-sheets/niger/"},
        ],
    }


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
        self.assertEqual(sheet.assistance_lines.get().fiscal_year_label, "FY 2016-2020")
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

    def test_reversed_fiscal_year_range_is_rejected(self):
        response = self.post(
            assistance_lines=(0, {"fiscal_year": "2020", "fiscal_year_end": "2016"})
        )
        self.assertRejected(
            response,
            "assistance_lines",
            "fiscal_year_end",
            "The last fiscal year cannot come before the first.",
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
            Section.objects.get(position=1).body,
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
                    **{
                        f: "" if getattr(obj, f) is None else str(getattr(obj, f))
                        for f in fields
                    },
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
            "status": self.sheet.status,
            "loaded_updated_at": self.sheet.updated_at.isoformat(),
        }
        return sheet_form_data(base | fields, **(rows or self.existing_rows()))

    def test_change_page_renders_with_the_rich_text_editor(self):
        response = self.client.get(self.url)
        self.assertContains(response, "data-django-prose-editor-configurable")
        self.assertContains(response, "django_prose_editor/editor.js")
        self.assertContains(response, 'name="loaded_updated_at"')

    def test_change_the_sheet_and_reorder_its_sections(self):
        rows = self.existing_rows()
        first, second = rows["sections"]
        first["position"], second["position"] = second["position"], first["position"]
        rows["officials"][0]["name"] = "New Name"
        rows["related_links"][1]["DELETE"] = "on"
        rows["related_links"].append(
            {"position": "999", "title": "Added", "url": "https://example.gov/"}
        )
        response = self.client.post(
            self.url, self.form_data(rows, status="published", title="Renamed")
        )
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
        self.assertContains(
            response, "Someone else saved this sheet after you opened it."
        )
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
