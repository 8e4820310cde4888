"""Hostile and clumsy input gets a clean refusal, never a server error:
values no database could take, methods the public pages do not answer, and requests
too large to be a form."""

import datetime
from xml.etree import ElementTree

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from factsheets import urls as public_urls
from factsheets.admin.base import MAX_ROWS, RICH_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH
from factsheets.models import (
    AssistanceLine,
    Bureau,
    Country,
    FactSheet,
    ImportRecord,
    LegacyAddress,
    Official,
    RelatedLink,
    Section,
)
from tests.helpers.admin_forms import (
    change_data,
    change_url,
    full_rows,
    sheet_form_data,
    snapshot,
)
from tests.helpers.factories import (
    make_bureau,
    make_country,
    make_full_factsheet,
)

BEYOND_64_BITS = "99999999999999999999999"
NUL = "\x00"
SHEET_MODELS = (FactSheet, Section, AssistanceLine, Official, RelatedLink)
ADD_URL = reverse("admin:factsheets_factsheet_add")
LIST_URL = reverse("admin:factsheets_factsheet_changelist")


class HostileTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("editor", "editor@example.gov", "pw")
        cls.bureau = make_bureau(name="Bureau of African Affairs", slug="african")
        cls.country = make_country(name="Atlantis", slug="atlantis", bureau=cls.bureau)

    def setUp(self):
        # A server error comes back as a 500 response, as a browser would see it.
        self.client.raise_request_exception = False
        self.client.force_login(self.editor)

    def add_data(self, **fields):
        data = sheet_form_data(
            {"country": str(self.country.pk), "issued_on": "2026-11-01"}, **full_rows()
        )
        data.update(fields)
        return data

    def counts(self):
        return [model.objects.count() for model in SHEET_MODELS]

    def errors(self, response):
        """Every error the admin's form page shows, as one string."""
        self.assertEqual(response.status_code, 200)
        # Each form's errors are lists; a formset's own errors are strings.
        return " ".join(
            e if isinstance(e, str) else " ".join(e) for e in response.context["errors"]
        )

    def assertRefused(self, response, message):
        self.assertIn(message, self.errors(response))

    def assertCleanListPage(self, response):
        """Django's answer to a filter it cannot apply: back to the list, unfiltered."""
        self.assertEqual(response.status_code, 302, response.content[:300])
        self.assertTrue(response["Location"].endswith("?e=1"), response["Location"])


class AmountTests(HostileTestCase):
    NOT_AMOUNTS = [
        "sNaN",
        "-sNaN",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "1e999999",
        "1E+30",
        "9" * 30,
        "$" + "9" * 5000 + " trillion",
        "0." + "0" * 5000 + "1",
        " " * 2000 + "x",
        NUL,
    ]

    def test_values_that_are_no_amount_are_refused_on_a_new_sheet(self):
        for amount in self.NOT_AMOUNTS:
            with self.subTest(amount=amount[:20]):
                response = self.client.post(
                    ADD_URL, self.add_data(**{"assistance_lines-0-amount_usd": amount})
                )
                formset = next(
                    f.formset
                    for f in response.context["inline_admin_formsets"]
                    if f.formset.prefix == "assistance_lines"
                )
                self.assertIn("amount_usd", formset.forms[0].errors)
                self.assertEqual(self.counts(), [0] * 5)

    def test_values_that_are_no_amount_are_refused_on_a_saved_line(self):
        sheet = make_full_factsheet(country=self.country)
        before = snapshot(sheet)
        for amount in ("sNaN", "Infinity", "1e999999"):
            with self.subTest(amount=amount):
                data = change_data(sheet) | {"assistance_lines-0-amount_usd": amount}
                response = self.client.post(change_url(sheet), data)
                self.assertRefused(response, "Enter an amount")
        self.assertEqual(snapshot(sheet), before)

    def test_an_amount_too_large_for_the_column_says_so(self):
        response = self.client.post(
            ADD_URL, self.add_data(**{"assistance_lines-0-amount_usd": "12 trillion"})
        )
        self.assertRefused(response, "An amount must be less than $10 trillion")
        self.assertEqual(self.counts(), [0] * 5)


class ForeignKeyTests(HostileTestCase):
    """The autocomplete boxes show what was sent back; “abc” is no country."""

    NOT_KEYS = ["abc", BEYOND_64_BITS, "-" + BEYOND_64_BITS, NUL, "1.5", "1e3"]

    def assertRefused(self, response, field):
        self.assertEqual(response.status_code, 200)
        self.assertIn(field, response.context["adminform"].form.errors)

    def test_a_sheet_sent_with_no_real_country_or_bureau_is_refused(self):
        for field in ("country", "bureau"):
            for value in self.NOT_KEYS:
                with self.subTest(field=field, value=value):
                    response = self.client.post(
                        ADD_URL, self.add_data(**{field: value})
                    )
                    self.assertRefused(response, field)
                    self.assertEqual(self.counts(), [0] * 5)

    def test_a_saved_sheet_keeps_its_country(self):
        sheet = make_full_factsheet(country=self.country)
        before = snapshot(sheet)
        for value in self.NOT_KEYS:
            with self.subTest(value=value):
                data = change_data(sheet, country=value)
                response = self.client.post(change_url(sheet), data)
                self.assertRefused(response, "country")
        self.assertEqual(snapshot(sheet), before)

    def test_the_add_forms_ignore_a_key_in_the_address_that_is_none(self):
        urls = [
            (ADD_URL, "country"),
            (ADD_URL, "bureau"),
            (reverse("admin:factsheets_country_add"), "bureau"),
        ]
        for url, field in urls:
            for value in self.NOT_KEYS:
                with self.subTest(url=url, field=field, value=value):
                    response = self.client.get(url, {field: value})
                    self.assertEqual(response.status_code, 200)

    def test_a_country_sent_with_no_real_bureau_is_refused(self):
        response = self.client.post(
            reverse("admin:factsheets_country_add"),
            {"name": "Oceania", "slug": "oceania", "bureau": "abc"},
        )
        self.assertRefused(response, "bureau")
        self.assertFalse(Country.objects.filter(slug="oceania").exists())


class ListTests(HostileTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sheet = make_full_factsheet(country=cls.country)

    def test_a_nul_in_a_filter_goes_back_to_the_list(self):
        for url, query in [
            (LIST_URL, "status__exact=%00"),
            (LIST_URL, "status__exact=published%00"),
            (LIST_URL, "bureau__id__exact=%00"),
            (LIST_URL, "title=%00"),
            (LIST_URL, "country__name__startswith=a%00"),
            (LIST_URL, "issued_on__year=%00"),
            (reverse("admin:factsheets_country_changelist"), "name=%00"),
            (reverse("admin:factsheets_bureau_changelist"), "short_name=%00"),
            (reverse("admin:factsheets_legacyaddress_changelist"), "old_path=%00"),
        ]:
            with self.subTest(url=url, query=query):
                self.assertCleanListPage(self.client.get(f"{url}?{query}"))

    def test_a_nul_in_a_search_is_a_space(self):
        for name in ("factsheet", "country", "bureau", "legacyaddress"):
            with self.subTest(name=name):
                url = reverse(f"admin:factsheets_{name}_changelist")
                response = self.client.get(url, {"q": f"Atl{NUL}antis"})
                self.assertEqual(response.status_code, 200)
        response = self.client.get(LIST_URL, {"q": f"{NUL}Atlantis"})
        self.assertContains(response, self.sheet.title)

    def test_a_nul_in_an_autocomplete_search_is_a_space(self):
        for model, field in [("factsheet", "country"), ("country", "bureau")]:
            with self.subTest(model=model, field=field):
                response = self.client.get(
                    reverse("admin:autocomplete"),
                    {
                        "app_label": "factsheets",
                        "model_name": model,
                        "field_name": field,
                        "term": f"{NUL}A{NUL}",
                    },
                )
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.json()["results"])

    def test_dates_beyond_the_calendar_go_back_to_the_list(self):
        for query in [
            f"issued_on__year={BEYOND_64_BITS}",
            f"issued_on__year=2015&issued_on__month={BEYOND_64_BITS}",
            f"issued_on__year=2015&issued_on__month=10&issued_on__day={BEYOND_64_BITS}",
            "issued_on__year=9999",
            "issued_on__year=9999&issued_on__month=12",
            "issued_on__year=9999&issued_on__month=12&issued_on__day=31",
            "issued_on__year=0",
            "issued_on__year=-1",
        ]:
            with self.subTest(query=query):
                self.assertCleanListPage(self.client.get(f"{LIST_URL}?{query}"))

    def test_numbers_beyond_64_bits_in_a_filter_find_nothing(self):
        for query in [
            f"country={BEYOND_64_BITS}",
            f"country__id__exact={BEYOND_64_BITS}",
            f"bureau__id__exact={BEYOND_64_BITS}",
            f"id__in=1,{BEYOND_64_BITS}",
            f"version__gte={BEYOND_64_BITS}",
            f"o={BEYOND_64_BITS}",
            f"p={BEYOND_64_BITS}",
        ]:
            with self.subTest(query=query):
                response = self.client.get(f"{LIST_URL}?{query}")
                # PostgreSQL finds no sheet; SQLite cannot take the number, and the
                # list starts again unfiltered.
                if response.status_code == 302:
                    self.assertCleanListPage(response)
                else:
                    self.assertEqual(response.status_code, 200)

    def test_an_object_id_beyond_64_bits_is_not_found(self):
        big = BEYOND_64_BITS
        for name in ("factsheet", "country", "bureau", "legacyaddress"):
            for view in ("change", "delete", "history"):
                with self.subTest(name=name, view=view):
                    url = f"/admin/factsheets/{name}/{big}/{view}/"
                    self.assertIn(self.client.get(url).status_code, (302, 404))
        for path in [
            f"{big}/new-edition/",
            f"{big}/revisions/compare/?from={big}&to={big}",
            f"{self.sheet.pk}/revisions/{big}/restore/",
            f"{big}/preview-links/new/",
            f"{self.sheet.pk}/preview-links/{big}/revoke/",
        ]:
            with self.subTest(path=path):
                response = self.client.get(f"/admin/factsheets/factsheet/{path}")
                self.assertIn(response.status_code, (302, 404))


class ActionTests(HostileTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.sheet = make_full_factsheet(country=cls.country)

    def act(self, action, *selected):
        return self.client.post(
            LIST_URL, {"action": action, "_selected_action": list(selected)}
        )

    def test_a_forged_selection_selects_nothing(self):
        for action in ("make_new_editions", "delete_selected"):
            for value in ("abc", BEYOND_64_BITS, NUL, "%00", "", "1.0"):
                with self.subTest(action=action, value=value):
                    response = self.act(action, value)
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(FactSheet.objects.count(), 1)
        response = self.client.get(LIST_URL)
        self.assertContains(response, "Items must be selected")

    def test_an_action_runs_on_the_real_rows_of_a_selection(self):
        response = self.act(
            "make_new_editions", str(self.sheet.pk), "abc", BEYOND_64_BITS
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(FactSheet.objects.count(), 2)
        response = self.act("delete_selected", str(self.sheet.pk), BEYOND_64_BITS)
        self.assertContains(response, "Are you sure you want to delete")


class FoundByPropertiesTests(HostileTestCase):
    """Server errors tests/factsheets/test_properties.py found, kept as plain tests."""

    def test_control_characters_in_a_published_sheet_leave_the_feeds_readable(self):
        sheet = make_full_factsheet(country=self.country, bureau=self.bureau)
        data = change_data(sheet, title="Tab\x0bbed\x0ctitle", kind="Fact\x08Sheet")
        data |= {"lead": "A lead\x1b[31m in red", "change_kind": "minor"}
        self.assertEqual(self.client.post(change_url(sheet), data).status_code, 302)
        self.client.logout()
        for url in [
            "/feeds/fact-sheets.atom",
            reverse("factsheets:bureau_feed", args=[self.bureau.slug]),
            reverse("factsheets:country_feed", args=[self.country.slug]),
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                feed = ElementTree.fromstring(response.content)
                self.assertIn("Tab bed title", ElementTree.tostring(feed).decode())

    def test_a_refused_change_to_a_superseded_edition_shows_the_form_again(self):
        sheet = make_full_factsheet(country=self.country)
        make_full_factsheet(country=self.country, issued_on=datetime.date(2016, 1, 1))
        before = snapshot(sheet)
        other = make_country(bureau=self.bureau)
        for field, value in [("issued_on", ""), ("country", str(other.pk))]:
            with self.subTest(field=field):
                data = change_data(sheet, **{field: value, "title": "x" * 201})
                response = self.client.post(change_url(sheet), data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, sheet.get_edition_url())
        self.assertEqual(snapshot(sheet), before)


class PublicAddressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_full_factsheet()
        cls.slug = cls.sheet.country.slug

    def setUp(self):
        self.client.raise_request_exception = False

    def test_a_nul_in_an_address_is_not_found(self):
        for url in [
            "/nothing%00here/",
            "/r/pa/ei/bgn/%00.htm",
            "/fact-sheets/%00/",
            f"/fact-sheets/{self.slug}/%00/",
            "/fact-sheets/shared-preview/%00/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_odd_query_strings_are_answered(self):
        slug = self.slug
        for url, status in [
            ("/search/?q=%00", 200),
            ("/search/?q=a%00b&page=%00", 200),
            (f"/search/?q=a&page={BEYOND_64_BITS}", 200),
            ("/search/?q=a&bureau=%00", 200),
            ("/fact-sheets/?by=%00", 200),
            (f"/fact-sheets/{slug}/changes/?from=%00", 404),
            (f"/fact-sheets/{slug}/changes/?from=9999-99-99&to=0000-00-00", 404),
            ("/sitemap.xml?p=%00", 404),
            (f"/sitemap.xml?p={BEYOND_64_BITS}", 404),
            ("/sitemap.xml?p=-1", 404),
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, status)


def public_pages(sheet, edition):
    """One address of every public URL pattern (previews excepted), with real values."""
    values = {
        "country_slug": sheet.country.slug,
        "slug": sheet.bureau.slug,
        "issued_on": edition.issued_on,
    }
    for pattern in public_urls.urlpatterns:
        if pattern.name in PREVIEWS:
            continue
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        if pattern.name:
            yield reverse(f"factsheets:{pattern.name}", kwargs=kwargs)
        else:
            yield f"/{pattern.pattern}"


PREVIEWS = {"preview", "preview_link"}
NOT_ALLOWED = ["POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PROPFIND"]


class MethodTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_full_factsheet(issued_on=datetime.date(2016, 3, 1))
        cls.edition = make_full_factsheet(
            country=cls.sheet.country, issued_on=datetime.date(2015, 10, 15)
        )

    def setUp(self):
        # The CSRF check as browsers meet it: a POST without a token is a forgery.
        self.client = Client(enforce_csrf_checks=True)
        self.urls = list(public_pages(self.sheet, self.edition))

    def test_every_public_pattern_is_checked(self):
        self.assertGreaterEqual(len(self.urls), 17)
        self.assertIn("/sitemap.xml", self.urls)
        self.assertIn("/favicon.ico", self.urls)

    def test_get_and_head_answer(self):
        for url in self.urls:
            with self.subTest(url=url):
                self.assertIn(self.client.get(url).status_code, (200, 301, 302))
                self.assertIn(self.client.head(url).status_code, (200, 301, 302))

    def test_options_names_the_methods_and_shows_nothing(self):
        for url in self.urls:
            with self.subTest(url=url):
                response = self.client.options(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Allow"], "GET, HEAD, OPTIONS")
                self.assertEqual(response.content, b"")

    def test_every_other_method_is_not_allowed(self):
        for url in self.urls:
            for method in NOT_ALLOWED:
                with self.subTest(url=url, method=method):
                    response = self.client.generic(method, url, "a=1")
                    self.assertEqual(response.status_code, 405)
                    self.assertEqual(response["Allow"], "GET, HEAD, OPTIONS")

    def test_a_page_kept_by_the_cache_is_not_sent_for_another_method(self):
        url = self.sheet.country.get_absolute_url()
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url)
        self.assertEqual(response.status_code, 405)
        self.assertNotContains(response, self.sheet.title, status_code=405)

    def test_the_admin_and_previews_still_take_their_forms(self):
        response = self.client.get(reverse("admin:login"))
        token = response.cookies["csrftoken"].value
        response = self.client.post(
            reverse("admin:login"),
            {"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token},
        )
        self.assertEqual(response.status_code, 200)
        # A preview is an editor's page: signed out, it leads to the sign-in.
        preview = reverse("factsheets:preview", args=[self.sheet.pk])
        self.assertEqual(self.client.options(preview).status_code, 302)


class OversizeTests(HostileTestCase):
    def test_a_body_beyond_the_limit_gets_the_too_large_page(self):
        response = self.client.post(ADD_URL, self.add_data(lead="x" * 3_000_000))
        self.assertEqual(response.status_code, 413)
        self.assertTemplateUsed(response, "413.html")
        self.assertEqual(self.counts(), [0] * 5)

    def test_too_many_fields_get_the_bad_request_page(self):
        data = self.add_data(**{f"junk-{i}": "x" for i in range(4000)})
        response = self.client.post(ADD_URL, data)
        self.assertEqual(response.status_code, 400)
        self.assertTemplateUsed(response, "400.html")
        self.assertEqual(self.counts(), [0] * 5)

    def test_more_rows_than_a_sheet_may_have_are_refused(self):
        officials = [
            {"position": str(i), "role": f"Consul {i}", "name": f"Name {i}"}
            for i in range(MAX_ROWS + 1)
        ]
        rows = full_rows() | {"officials": officials}
        data = sheet_form_data(
            {"country": str(self.country.pk), "issued_on": "2026-11-01"}, **rows
        )
        response = self.client.post(ADD_URL, data)
        self.assertRefused(response, f"Please submit at most {MAX_ROWS} forms.")
        self.assertEqual(self.counts(), [0] * 5)

    def test_a_form_count_beyond_reason_is_refused(self):
        for count in ("5000", BEYOND_64_BITS, "abc", NUL, "-1"):
            with self.subTest(count=count):
                response = self.client.post(
                    ADD_URL, self.add_data(**{"sections-TOTAL_FORMS": count})
                )
                self.assertTrue(self.errors(response))
                self.assertEqual(self.counts(), [0] * 5)

    def test_a_sheet_at_the_most_rows_can_be_saved(self):
        rows = {
            "sections": [
                {"position": str(i), "heading": f"Part {i}", "body": "<p>Text.</p>"}
                for i in range(MAX_ROWS)
            ],
            "assistance_lines": [
                {"period": "calendar", "year": "2015", "amount_usd": f"${i}"}
                | {"position": "1", "kind": "actual", "agency": "A", "note": "N"}
                for i in range(MAX_ROWS)
            ],
            "officials": [
                {"position": "1", "role": "Consul", "name": f"Name {i}"}
                for i in range(MAX_ROWS)
            ],
            "related_links": [
                {"position": "1", "title": "Link", "url": f"https://a.example/{i}"}
                for i in range(MAX_ROWS)
            ],
        }
        data = sheet_form_data(
            {"country": str(self.country.pk), "issued_on": "2026-11-01"}, **rows
        )
        response = self.client.post(ADD_URL, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.counts(), [1] + [MAX_ROWS] * 4)

    def test_over_long_values_are_refused(self):
        cases = {
            "title": 201,
            "kind": 51,
            "lead": TEXT_MAX_LENGTH + 1,
            "related_links_intro": TEXT_MAX_LENGTH + 1,
            "notice": RICH_TEXT_MAX_LENGTH + 1,
            "sections-0-heading": 201,
            "sections-0-body": RICH_TEXT_MAX_LENGTH + 1,
            "assistance_lines-0-agency": 101,
            "assistance_lines-0-note": 201,
            "officials-0-role": 201,
            "officials-0-name": 201,
            "related_links-0-title": 201,
            "related_links-0-url": 501,
        }
        for field, length in cases.items():
            with self.subTest(field=field):
                value = "https://a.example/" + "x" * length
                response = self.client.post(
                    ADD_URL, self.add_data(**{field: value[-length:]})
                )
                self.assertRefused(response, "Ensure this value has at most")
                self.assertEqual(self.counts(), [0] * 5)

    def test_a_nul_in_any_text_of_a_sheet_is_refused(self):
        fields = [
            "title",
            "kind",
            "lead",
            "related_links_intro",
            "notice",
            "sections-0-heading",
            "sections-0-body",
            "assistance_lines-0-agency",
            "assistance_lines-0-note",
            "officials-0-role",
            "officials-0-name",
            "related_links-0-title",
            "related_links-0-url",
        ]
        for field in fields:
            with self.subTest(field=field):
                response = self.client.post(
                    ADD_URL, self.add_data(**{field: f"<p>Text{NUL}here</p>"})
                )
                self.assertRefused(response, "Null characters are not allowed.")
                self.assertEqual(self.counts(), [0] * 5)

    def test_a_nul_in_a_change_note_is_refused(self):
        sheet = make_full_factsheet(country=self.country)
        before = snapshot(sheet)
        data = change_data(sheet, change_kind="major", change_note=f"Fixed{NUL}.")
        response = self.client.post(change_url(sheet), data)
        self.assertRefused(response, "Null characters are not allowed.")
        self.assertEqual(snapshot(sheet), before)

    def test_a_nul_in_reference_data_is_refused(self):
        cases = [
            (
                "country",
                {"name": "A", "slug": "a", "bureau": str(self.bureau.pk)},
                ["name", "sentence_name", "slug", "other_names"],
            ),
            (
                "bureau",
                {"name": "B", "slug": "b", "short_name": "B"},
                ["name", "slug", "short_name"],
            ),
            (
                "legacyaddress",
                {"old_path": "/old.htm", "new_path": "/fact-sheets/atlantis/"},
                ["old_path", "new_path"],
            ),
        ]
        addresses = LegacyAddress.objects.count()
        for name, data, fields in cases:
            url = reverse(f"admin:factsheets_{name}_add")
            for field in fields:
                with self.subTest(name=name, field=field):
                    response = self.client.post(url, data | {field: f"a{NUL}b"})
                    self.assertIn("Null characters", self.errors(response))
        self.assertEqual(Country.objects.count(), 1)
        self.assertEqual(Bureau.objects.count(), 1)
        self.assertEqual(LegacyAddress.objects.count(), addresses)

    def test_an_import_with_a_nul_is_refused(self):
        page = (
            "U.S. Relations With Atlantis\n\n"
            + "Some text.\n" * 500
            + f"Bad{NUL}line\n"
        )
        upload = SimpleUploadedFile("atlantis.txt", page.encode())
        response = self.client.post(
            reverse("admin:factsheets_factsheet_import"), {"file": upload}
        )
        self.assertContains(response, "NUL characters")
        self.assertEqual(self.counts(), [0] * 5)
        self.assertFalse(ImportRecord.objects.exists())


class EveryAdminTests(HostileTestCase):
    """Admins the site did not write (users, groups, sign-in attempts, authenticator
    apps) refuse forged selections, filters and addresses cleanly too."""

    def test_every_registered_admin_is_hardened(self):
        from django.contrib import admin

        from factsheets.admin.base import AdminMixin

        for model, model_admin in admin.site._registry.items():
            with self.subTest(model=model._meta.label):
                self.assertIsInstance(model_admin, AdminMixin)

    def test_forged_input_on_the_users_and_groups_lists(self):
        for url in ["/admin/auth/user/", "/admin/auth/group/"]:
            for value in ("abc", BEYOND_64_BITS, NUL):
                with self.subTest(url=url, value=value):
                    response = self.client.post(
                        url,
                        {"action": "delete_selected", "_selected_action": [value]},
                    )
                    self.assertEqual(response.status_code, 302)
                    response = self.client.get(url, {"q": value, "id__exact": value})
                    self.assertIn(response.status_code, (200, 302))
                    response = self.client.get(f"{url}{BEYOND_64_BITS}/change/")
                    self.assertIn(response.status_code, (302, 404))
