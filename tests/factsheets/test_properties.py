"""Property-based tests (Hypothesis): every public address with random path segments,
query strings and methods, and every admin form with random values, answers with a
page or a clean refusal, never a server error; what the admin saves is valid.

Forms start from what a browser would post and have random fields replaced, so most
examples get past the first check and reach the deeper ones.
"""

import datetime
import re
from urllib.parse import quote, quote_from_bytes

from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from factsheets import urls as public_urls
from factsheets.models import (
    AssistanceLine,
    Bureau,
    Country,
    FactSheet,
    LegacyAddress,
    Official,
    PreviewLink,
    RelatedLink,
    Section,
)
from tests.helpers.admin_forms import (
    change_data,
    change_url,
    full_rows,
    sheet_form_data,
)
from tests.helpers.factories import make_full_factsheet

# Each test runs its examples in seconds; the database and the cache are the test's
# own, so no example is kept between runs.
CHECKS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Values people and programs send by mistake or on purpose.
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x0b",
    "\x0c",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "0",
    "-1",
    "1.5",
    "1e3",
    "99999999999999999999999",
    "-99999999999999999999999",
    "9223372036854775808",
    "NaN",
    "sNaN",
    "Infinity",
    "$135.4 million",
    "2015-10-15",
    "9999-12-31",
    "0000-00-00",
    "2015-02-30",
    "abc",
    "on",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "//evil.example/",
    "/fact-sheets/mali/",
    "https://example.org/",
    "{{ 7|add:7 }}",
    "x" * 301,
    "9" * 5000,
]
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**12, max_value=10**40).map(str),
    st.decimals().map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(
        lambda amount: f"${amount:,f} million"
    ),
)
VALUES = st.one_of(st.sampled_from(NASTY), TEXT, NUMBERS)
METHODS = ["GET", "GET", "GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "TRACE"]
QUERY_KEYS = ["q", "page", "p", "from", "to", "by", "bureau", "format", "e", "o"]


def query_strings():
    """A query string of known and unknown keys, some with bytes that are no UTF-8."""
    pair = st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), TEXT), VALUES)
    text = st.lists(pair, max_size=4).map(
        lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
    )
    raw = st.binary(max_size=30).map(lambda b: "q=" + quote_from_bytes(b))
    return st.one_of(text, raw)


def mutated(base, keys=()):
    """`base` (what a browser posts) with some of its fields, mostly of `keys`,
    replaced by random values."""
    names = st.sampled_from(sorted(set(base) | set(keys)))
    if keys:
        names = st.one_of(st.sampled_from(sorted(keys)), names)
    return st.dictionaries(names, VALUES, max_size=6).map(
        lambda changes: base | changes
    )


SHEET_FIELDS = [
    "country",
    "bureau",
    "title",
    "kind",
    "issued_on",
    "notice",
    "lead",
    "related_links_intro",
    "base_version",
    "_publish",
    "publish_time_0",
    "publish_time_1",
    "expires_at_0",
    "expires_at_1",
]


class PropertyTestCase(TestCase):
    signed_in = True

    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_superuser("editor", "e@example.gov", "pw")
        cls.current = make_full_factsheet(
            children=2, issued_on=datetime.date(2016, 3, 1)
        )
        cls.edition = make_full_factsheet(
            country=cls.current.country, issued_on=datetime.date(2015, 10, 15)
        )
        cls.link = PreviewLink.create(cls.current, 7)

    def setup_example(self):
        super().setup_example()
        if self.signed_in:
            self.client.force_login(self.editor)

    def assertAnswered(self, response, url=""):
        event(f"status {response.status_code}")  # --hypothesis-show-statistics
        self.assertLess(response.status_code, 500, url)


class PublicAddressTests(PropertyTestCase):
    signed_in = False

    def segment(self, name):
        """A value for the path parameter `name`: real, of its shape, or anything."""
        real = {
            "country_slug": self.current.country.slug,
            "slug": self.current.bureau.slug,
            "issued_on": "2015-10-15",
            "token": self.link.token,
            "pk": str(self.current.pk),
        }[name]
        shaped = {
            "country_slug": st.from_regex(r"[-a-zA-Z0-9_]{1,30}", fullmatch=True),
            "slug": st.from_regex(r"[-a-zA-Z0-9_]{1,30}", fullmatch=True),
            "issued_on": st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True),
            "token": TEXT.filter(lambda t: "/" not in t and t),
            "pk": st.integers(min_value=0).map(str),
        }[name]
        return st.one_of(st.just(real), shaped, TEXT.filter(bool))

    @CHECKS
    @given(data=st.data())
    def test_every_public_address_answers(self, data):
        pattern = data.draw(st.sampled_from(public_urls.urlpatterns))
        route = str(pattern.pattern)
        for name in pattern.pattern.converters:
            value = data.draw(self.segment(name)).replace("\\", "\\\\")
            route = re.sub(rf"<(\w+:)?{name}>", value, route)
        path = "/" + quote(route, safe="/")
        query = data.draw(query_strings())
        method = data.draw(st.sampled_from(METHODS))
        response = self.client.generic(method, f"{path}?{query}")
        self.assertAnswered(response, f"{method} {path}?{query}")

    @CHECKS
    @given(path=st.lists(TEXT, min_size=1, max_size=4), query=query_strings())
    def test_any_address_answers(self, path, query):
        url = "/" + "/".join(quote(part, safe="") for part in path)
        self.assertAnswered(self.client.get(f"{url}?{query}"), url)


# The lists' own filters and the lookups Django lets through from the address.
LIST_FILTERS = [
    "status__exact",
    "bureau__id__exact",
    "issued_on__year",
    "issued_on__month",
    "issued_on__day",
    "country",
    "title",
    "name",
    "slug__startswith",
    "id__in",
    "q",
    "o",
    "p",
]


class SheetFormTests(PropertyTestCase):
    def assertSavedValid(self, sheet):
        sheet.full_clean()
        for model in (Section, AssistanceLine, Official, RelatedLink):
            for row in model.objects.filter(factsheet=sheet):
                row.full_clean()
        for url in (change_url(sheet), sheet.get_preview_url()):
            self.assertEqual(self.client.get(url).status_code, 200)
        if sheet.is_live:
            for url in (sheet.get_absolute_url(), "/feeds/fact-sheets.atom"):
                self.assertIn(self.client.get(url).status_code, (200, 302))

    @CHECKS
    @given(data=st.data())
    def test_a_new_sheet_is_saved_valid_or_refused(self, data):
        rows = full_rows()
        base = sheet_form_data(
            {"country": str(self.current.country_id), "issued_on": "2026-11-01"},
            **rows,
        )
        self.post_new_sheet(data.draw(mutated(base, SHEET_FIELDS)))

    @CHECKS
    @given(data=st.data())
    def test_new_rows_are_saved_valid_or_refused(self, data):
        rows = full_rows()
        prefix = data.draw(st.sampled_from(sorted(rows)))
        row = rows[prefix][0]
        row.update(data.draw(st.dictionaries(st.sampled_from(sorted(row)), VALUES)))
        base = sheet_form_data(
            {"country": str(self.current.country_id), "issued_on": "2026-11-01"},
            **rows,
        )
        management = [f"{prefix}-{name}" for name in ("TOTAL_FORMS", "INITIAL_FORMS")]
        self.post_new_sheet(data.draw(mutated(base, management + ["_publish"])))

    def post_new_sheet(self, posted):
        before = set(FactSheet.objects.values_list("pk", flat=True))
        response = self.client.post(reverse("admin:factsheets_factsheet_add"), posted)
        event(f"status {response.status_code}")
        self.assertIn(response.status_code, (200, 302, 400, 403))
        added = FactSheet.objects.exclude(pk__in=before)
        if response.status_code == 302:
            self.assertSavedValid(added.get())
        else:
            self.assertFalse(added.exists())

    @CHECKS
    @given(data=st.data())
    def test_a_change_is_saved_valid_or_refused(self, data):
        sheet = data.draw(st.sampled_from([self.current, self.edition]))
        extra = [*SHEET_FIELDS, "_unpublish", "change_kind", "change_note"]
        posted = data.draw(mutated(change_data(sheet), extra))
        response = self.client.post(change_url(sheet), posted)
        event(f"status {response.status_code}")
        self.assertIn(response.status_code, (200, 302, 400, 403))
        if response.status_code == 302:
            self.assertSavedValid(FactSheet.objects.get(pk=sheet.pk))

    @CHECKS
    @given(data=st.data())
    def test_the_sheet_pages_of_the_admin_answer(self, data):
        pk = self.current.pk
        path = data.draw(
            st.sampled_from(
                [
                    f"{pk}/new-edition/",
                    f"{pk}/preview-links/new/",
                    f"{pk}/revisions/compare/",
                    f"{pk}/history/",
                    f"{pk}/delete/",
                    "import/",
                    "",
                ]
            )
        )
        url = f"/admin/factsheets/factsheet/{path}"
        method = data.draw(st.sampled_from(["GET", "POST"]))
        fields = ["issued_on", "days", "from", "to", "q", "text", "post", "action"]
        values = data.draw(st.dictionaries(st.sampled_from(fields), VALUES, max_size=4))
        if method == "GET":
            response = self.client.get(url, values)
        else:
            response = self.client.post(url, values)
        self.assertIn(response.status_code, (200, 302, 400, 403, 404, 405), url)

    @CHECKS
    @given(
        name=st.sampled_from(["factsheet", "country", "bureau", "legacyaddress"]),
        query=query_strings(),
        filters=st.dictionaries(st.sampled_from(LIST_FILTERS), VALUES, max_size=4),
    )
    def test_the_lists_answer(self, name, query, filters):
        url = reverse(f"admin:factsheets_{name}_changelist")
        self.assertAnswered(self.client.get(f"{url}?{query}"), url)
        self.assertAnswered(self.client.get(url, filters), url)

    @CHECKS
    @given(
        params=st.fixed_dictionaries(
            {
                "app_label": st.sampled_from(["factsheets", "auth", ""]) | TEXT,
                "model_name": st.sampled_from(["factsheet", "country"]) | TEXT,
                "field_name": st.sampled_from(["country", "bureau"]) | TEXT,
                "term": VALUES,
                "page": VALUES,
            }
        )
    )
    def test_autocomplete_answers(self, params):
        response = self.client.get(reverse("admin:autocomplete"), params)
        self.assertIn(response.status_code, (200, 403, 404))

    @CHECKS
    @given(
        action=st.sampled_from(["make_new_editions", "delete_selected"]) | TEXT,
        selected=st.lists(VALUES, max_size=3),
    )
    def test_actions_answer(self, action, selected):
        response = self.client.post(
            reverse("admin:factsheets_factsheet_changelist"),
            {"action": action, "_selected_action": selected, "index": "0"},
        )
        self.assertIn(response.status_code, (200, 302))


class ReferenceFormTests(PropertyTestCase):
    def post(self, name, posted):
        model = {"country": Country, "bureau": Bureau, "legacyaddress": LegacyAddress}[
            name
        ]
        before = set(model.objects.values_list("pk", flat=True))
        response = self.client.post(reverse(f"admin:factsheets_{name}_add"), posted)
        event(f"status {response.status_code}")
        self.assertIn(response.status_code, (200, 302, 400))
        added = model.objects.exclude(pk__in=before)
        if response.status_code == 302:
            saved = added.get()
            saved.full_clean()
            url = reverse(f"admin:factsheets_{name}_change", args=[saved.pk])
            self.assertEqual(self.client.get(url).status_code, 200)
        else:
            self.assertFalse(added.exists())

    @CHECKS
    @given(data=st.data())
    def test_a_country_is_saved_valid_or_refused(self, data):
        base = {
            "name": "Oceania",
            "sentence_name": "",
            "slug": "oceania",
            "bureau": str(self.current.bureau_id),
            "other_names": "",
        }
        self.post("country", data.draw(mutated(base)))

    @CHECKS
    @given(data=st.data())
    def test_a_bureau_is_saved_valid_or_refused(self, data):
        base = {"name": "Bureau of Oceans", "slug": "oceans", "short_name": "OES"}
        self.post("bureau", data.draw(mutated(base)))

    @CHECKS
    @given(data=st.data())
    def test_an_old_address_is_saved_valid_or_refused(self, data):
        base = {"old_path": "/r/pa/ei/bgn/2828.htm", "new_path": "/fact-sheets/mali/"}
        self.post("legacyaddress", data.draw(mutated(base)))
        if LegacyAddress.objects.exists():
            for address in LegacyAddress.objects.all():
                response = self.client.get(quote(address.old_path))
                self.assertLess(response.status_code, 500)
