"""Old addresses keep leading to the sheets: the old sites' paths and former slugs."""

from importlib import import_module

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase
from django.urls import reverse

from factsheets.models import Country, FormerSlug, LegacyAddress
from tests.helpers.factories import make_country, make_user

GRANTS = import_module("factsheets.migrations.0007_legacy_addresses")
OFF_SITE = [
    "//evil.example/",
    "https://evil.example/",
    "http://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "evil.example/x",
    "javascript:alert(1)",
    "/\tevil",
]


def make_editor(username="ed"):
    """An account in the Editors group, with what migration 0007 grants it."""
    return make_user(username, "Editors")


def change_form_data(response, **changes):
    """What the admin's change form would post back, with `changes` typed in."""
    form = response.context["adminform"].form
    data = {
        name: "" if value is None else getattr(value, "pk", value)
        for name, value in ((n, form[n].value()) for n in form.fields)
    }
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update(
            {
                management[name].html_name: management[name].value()
                for name in management.fields
            }
        )
    data.update(changes)
    return data


class MaliOldAddressTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_each_old_address_of_the_mali_sheet_leads_to_its_page(self):
        for old in [
            "/r/pa/ei/bgn/2828.htm",
            "/md2828.htm",
            "/u-s-relations-with-mali/",
        ]:
            with self.subTest(old=old):
                response = self.client.get(old)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], "/fact-sheets/mali/")
        self.assertEqual(self.client.get("/fact-sheets/mali/").status_code, 200)

    def test_the_trailing_slash_may_be_there_or_not(self):
        for old in ["/u-s-relations-with-mali", "/md2828.htm/"]:
            with self.subTest(old=old):
                self.assertRedirects(
                    self.client.get(old),
                    "/fact-sheets/mali/",
                    status_code=301,
                )

    def test_the_query_string_of_an_old_address_is_not_looked_at_nor_passed_on(self):
        response = self.client.get("/r/pa/ei/bgn/2828.htm?print=yes")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/fact-sheets/mali/")

    def test_case_is_matched_as_given(self):
        self.assertEqual(self.client.get("/MD2828.htm").status_code, 404)

    def test_a_page_not_found_stays_not_found(self):
        for path in [
            "/nowhere/",
            "/r/pa/ei/bgn/2829.htm",
            "/fact-sheets/atlantis/",
            "/fact-sheets/atlantis.json",
        ]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_live_pages_are_not_redirected(self):
        LegacyAddress.objects.create(old_path="/fact-sheets/", new_path="/")
        self.assertEqual(self.client.get("/fact-sheets/mali/").status_code, 200)
        self.assertEqual(self.client.get("/fact-sheets/").status_code, 200)


class LegacyAddressAdminTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def setUp(self):
        self.client.force_login(make_editor())

    def test_an_editor_adds_an_old_address_that_then_leads_to_the_sheet(self):
        response = self.client.post(
            reverse("admin:factsheets_legacyaddress_add"),
            {"old_path": "/r/pa/ei/bgn/2828x.htm", "new_path": "/fact-sheets/mali/"},
        )
        self.assertRedirects(
            response, reverse("admin:factsheets_legacyaddress_changelist")
        )
        self.assertRedirects(
            self.client.get("/r/pa/ei/bgn/2828x.htm"),
            "/fact-sheets/mali/",
            status_code=301,
        )

    def test_the_list_shows_old_and_new_and_searches(self):
        response = self.client.get(
            reverse("admin:factsheets_legacyaddress_changelist") + "?q=2828"
        )
        self.assertContains(response, "/r/pa/ei/bgn/2828.htm")
        self.assertContains(response, "/md2828.htm")
        self.assertNotContains(response, "/u-s-relations-with-mali/")
        self.assertContains(response, "/fact-sheets/mali/")

    def test_an_editor_may_change_and_delete_old_addresses(self):
        address = LegacyAddress.objects.get(old_path="/md2828.htm")
        change = reverse("admin:factsheets_legacyaddress_change", args=[address.pk])
        self.assertEqual(self.client.get(change).status_code, 200)
        delete = reverse("admin:factsheets_legacyaddress_delete", args=[address.pk])
        self.client.post(delete, {"post": "yes"})
        self.assertFalse(LegacyAddress.objects.filter(pk=address.pk).exists())

    def test_addresses_on_other_sites_are_refused(self):
        for new_path in OFF_SITE:
            with self.subTest(new_path=new_path):
                response = self.client.post(
                    reverse("admin:factsheets_legacyaddress_add"),
                    {"old_path": "/old/", "new_path": new_path},
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("new_path", response.context["adminform"].form.errors)
        self.assertFalse(LegacyAddress.objects.filter(old_path="/old/").exists())

    def test_an_old_address_that_is_not_a_path_is_refused(self):
        for old_path in ["old.htm", "//evil.example/", "/old.htm?x=1"]:
            with self.subTest(old_path=old_path):
                response = self.client.post(
                    reverse("admin:factsheets_legacyaddress_add"),
                    {"old_path": old_path, "new_path": "/fact-sheets/mali/"},
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("old_path", response.context["adminform"].form.errors)

    def test_an_address_leading_to_itself_or_to_another_old_one_is_refused(self):
        for old_path, new_path, field in [
            ("/old/", "/old", "new_path"),
            ("/old/", "/md2828.htm", "new_path"),
            ("/fact-sheets/mali/", "/fact-sheets/", "old_path"),
        ]:
            with self.subTest(old_path=old_path, new_path=new_path):
                response = self.client.post(
                    reverse("admin:factsheets_legacyaddress_add"),
                    {"old_path": old_path, "new_path": new_path},
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["adminform"].form.errors)


class LegacyAddressModelTests(TestCase):
    def test_clean_refuses_addresses_on_other_sites(self):
        for new_path in OFF_SITE:
            with self.subTest(new_path=new_path):
                with self.assertRaises(ValidationError) as caught:
                    LegacyAddress(old_path="/old/", new_path=new_path).full_clean()
                self.assertIn("new_path", caught.exception.message_dict)

    def test_clean_accepts_a_path_with_a_query_string(self):
        LegacyAddress(old_path="/old/", new_path="/search/?q=mali").full_clean()

    def test_the_middleware_refuses_rows_leading_off_the_site(self):
        for n, new_path in enumerate(OFF_SITE):
            LegacyAddress.objects.create(old_path=f"/old/{n}/", new_path=new_path)
        for n, new_path in enumerate(OFF_SITE):
            with self.subTest(new_path=new_path):
                with self.assertLogs("factsheets.legacy", "WARNING"):
                    response = self.client.get(f"/old/{n}/")
                self.assertEqual(response.status_code, 404)

    def test_the_middleware_refuses_rows_that_would_loop(self):
        LegacyAddress.objects.bulk_create(
            [
                LegacyAddress(old_path="/self/", new_path="/self"),
                LegacyAddress(old_path="/ping/", new_path="/pong/"),
                LegacyAddress(old_path="/pong/", new_path="/ping/"),
            ]
        )
        for path in ["/self/", "/ping/", "/pong/"]:
            with self.subTest(path=path), self.assertLogs("factsheets.legacy"):
                self.assertEqual(self.client.get(path).status_code, 404)


class FormerSlugTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    @classmethod
    def setUpTestData(cls):
        cls.admin = User.objects.create_superuser("admin", "admin@example.gov", "pw")
        cls.mali = Country.objects.get(slug="mali")

    def rename(self, country, slug):
        """Change the country's slug through the admin's change form."""
        self.client.force_login(self.admin)
        url = reverse("admin:factsheets_country_change", args=[country.pk])
        response = self.client.post(
            url, change_form_data(self.client.get(url), slug=slug)
        )
        self.assertRedirects(response, reverse("admin:factsheets_country_changelist"))
        self.client.logout()

    def assertMoved(self, old, new):
        response = self.client.get(old)
        self.assertEqual(response.status_code, 301, old)
        self.assertEqual(response["Location"], new)

    def test_after_a_rename_the_old_addresses_lead_to_the_new_ones(self):
        self.rename(self.mali, "republic-of-mali")
        self.assertEqual(
            list(self.mali.former_slugs.values_list("slug", flat=True)), ["mali"]
        )
        new = "/fact-sheets/republic-of-mali"
        self.assertMoved("/fact-sheets/mali/", f"{new}/")
        self.assertMoved("/fact-sheets/mali/2015-10-15/", f"{new}/2015-10-15/")
        self.assertMoved(
            "/fact-sheets/mali/changes/?from=2015-10-15&to=2016-03-01",
            f"{new}/changes/?from=2015-10-15&to=2016-03-01",
        )
        self.assertMoved("/fact-sheets/mali.json", f"{new}.json")
        self.assertMoved("/fact-sheets/mali/feed.atom", f"{new}/feed.atom")
        self.assertEqual(self.client.get(f"{new}/").status_code, 200)

    def test_the_old_sites_addresses_still_arrive_after_a_rename(self):
        self.rename(self.mali, "republic-of-mali")
        response = self.client.get("/md2828.htm", follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.redirect_chain,
            [("/fact-sheets/mali/", 301), ("/fact-sheets/republic-of-mali/", 301)],
        )

    def test_every_former_slug_is_kept_and_renaming_back_releases_it(self):
        self.rename(self.mali, "mali-one")
        self.rename(Country.objects.get(pk=self.mali.pk), "mali-two")
        self.assertEqual(
            list(self.mali.former_slugs.values_list("slug", flat=True)),
            ["mali", "mali-one"],
        )
        self.assertMoved("/fact-sheets/mali-one/", "/fact-sheets/mali-two/")
        self.rename(Country.objects.get(pk=self.mali.pk), "mali")
        self.assertEqual(
            list(self.mali.former_slugs.values_list("slug", flat=True)),
            ["mali-one", "mali-two"],
        )
        self.assertEqual(self.client.get("/fact-sheets/mali/").status_code, 200)
        self.assertMoved("/fact-sheets/mali-two/", "/fact-sheets/mali/")

    def test_a_rename_in_the_shell_is_recorded_too(self):
        self.mali.slug = "mali-shell"
        self.mali.save()
        self.assertTrue(FormerSlug.objects.filter(slug="mali", country=self.mali))
        self.mali.name = "Mali (renamed)"
        self.mali.save(update_fields=["name"])
        self.assertEqual(FormerSlug.objects.count(), 1)

    def test_a_live_slug_wins_over_a_former_one(self):
        self.rename(self.mali, "republic-of-mali")
        other = make_country(name="Another Mali", slug="another")
        self.rename(other, "mali")  # it has no sheet: its pages are not found
        self.assertFalse(FormerSlug.objects.filter(slug="mali").exists())
        self.assertEqual(self.client.get("/fact-sheets/mali/").status_code, 404)
        # Even a former slug left in the table by hand does not take its addresses.
        FormerSlug.objects.create(slug="mali", country=self.mali)
        self.assertEqual(self.client.get("/fact-sheets/mali/").status_code, 404)
        self.assertEqual(self.client.get("/fact-sheets/mali.json").status_code, 404)

    def test_a_former_slug_moves_to_the_country_that_gave_it_up_last(self):
        self.rename(self.mali, "republic-of-mali")
        other = make_country(name="Another Mali", slug="another")
        self.rename(other, "mali")
        self.rename(Country.objects.get(pk=other.pk), "another-two")
        self.assertMoved("/fact-sheets/mali/", "/fact-sheets/another-two/")

    def test_the_country_page_shows_its_former_slugs_read_only(self):
        self.rename(self.mali, "republic-of-mali")
        self.client.force_login(make_editor())
        response = self.client.get(
            reverse("admin:factsheets_country_change", args=[self.mali.pk])
        )
        self.assertContains(response, "Former slugs")
        self.assertContains(
            response, '<td class="field-slug"><p>mali</p></td>', html=True
        )
        self.assertNotContains(response, 'name="former_slugs-0-slug"')

    def test_adding_a_country_has_no_former_slugs_to_send(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:factsheets_country_add"),
            {
                "name": "Atlantis",
                "slug": "atlantis",
                "bureau": str(self.mali.bureau_id),
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(FormerSlug.objects.exclude(country=self.mali).exists())


class GrantMigrationTests(TransactionTestCase):
    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)

    def tearDown(self):
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    def test_editors_and_publishers_may_keep_old_addresses(self):
        self.migrate([("factsheets", "0006_editor_and_publisher_groups")])
        self.migrate([("factsheets", "0007_legacy_addresses")])
        for name in ["Editors", "Publishers"]:
            with self.subTest(group=name):
                codenames = set(
                    Group.objects.get(name=name).permissions.values_list(
                        "codename", flat=True
                    )
                )
                self.assertLessEqual(
                    {
                        "view_legacyaddress",
                        "add_legacyaddress",
                        "change_legacyaddress",
                        "delete_legacyaddress",
                        "view_formerslug",
                    },
                    codenames,
                )
                self.assertNotIn("add_formerslug", codenames)
