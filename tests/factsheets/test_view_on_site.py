"""The admin's "View on site" shortcut, /admin/r/<content type>/<pk>/: it leads only
those whom the object's model admin lets view it, and never to a preview link."""

import re
from unittest import mock
from urllib.parse import urlsplit

from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse

from factsheets.models import ChangeNote, FactSheet, PreviewLink, Section
from tests.helpers.factories import make_full_factsheet, make_user


def shortcut(obj, pk=None):
    return reverse(
        "admin:view_on_site",
        kwargs={
            "content_type_id": ContentType.objects.get_for_model(obj).pk,
            "object_id": obj.pk if pk is None else pk,
        },
    )


def without_nonces(response):
    return re.sub(r'nonce="[^"]*"', "", response.content.decode())


class ViewOnSiteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.clerk = make_user("clerk")
        cls.editor = make_user("editor", "Editors")
        cls.publisher = make_user("publisher", "Publishers")
        cls.chief = User.objects.create_superuser("chief", "chief@x.gov", "pw")
        cls.published = make_full_factsheet()
        cls.draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, title="Secret draft"
        )
        cls.link = PreviewLink.create(cls.draft, days=7, by=cls.editor)
        # Every registered model with a page on the site, and one object of each.
        cls.objects = {
            FactSheet: [cls.published, cls.draft],
            type(cls.published.country): [cls.published.country],
            type(cls.published.bureau): [cls.published.bureau],
        }

    def get(self, user, url):
        self.client.force_login(user)
        return self.client.get(url)

    def test_the_objects_here_cover_every_registered_model_with_a_page(self):
        with_pages = {
            model
            for model, model_admin in admin.site._registry.items()
            if model_admin.view_on_site and hasattr(model, "get_absolute_url")
        }
        self.assertEqual(with_pages, set(self.objects))

    def test_staff_in_no_group_learn_nothing_of_any_object(self):
        for objects in self.objects.values():
            missing = self.get(self.clerk, shortcut(objects[0], pk=987654))
            self.assertEqual(missing.status_code, 404)
            for obj in objects:
                with self.subTest(obj=obj):
                    response = self.get(self.clerk, shortcut(obj))
                    self.assertEqual(response.status_code, 404)
                    # The same answer as for an object that does not exist.
                    self.assertEqual(without_nonces(response), without_nonces(missing))

    def test_those_who_may_view_an_object_are_taken_to_its_page(self):
        expected = {
            self.published: self.published.get_absolute_url(),
            self.draft: self.draft.get_preview_url(),
            self.published.country: self.published.country.get_absolute_url(),
            self.published.bureau: self.published.bureau.get_absolute_url(),
        }
        self.assertEqual(
            self.draft.get_preview_url(), f"/fact-sheets/preview/{self.draft.pk}/"
        )
        for user in [self.editor, self.publisher, self.chief]:
            for obj, url in expected.items():
                with self.subTest(user=user.username, obj=obj):
                    response = self.get(user, shortcut(obj))
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(urlsplit(response["Location"]).path, url)
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_preview_link_is_never_the_destination(self):
        for user in [self.clerk, self.editor, self.publisher, self.chief]:
            with self.subTest(user=user.username):
                response = self.get(user, shortcut(self.link))
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, self.link.token, status_code=404)
                self.assertNotIn("Location", response)

    def test_not_even_a_model_admin_of_preview_links_would_lead_to_one(self):
        registry = {PreviewLink: ModelAdmin(PreviewLink, admin.site)}
        with mock.patch.dict(admin.site._registry, registry):
            response = self.get(self.chief, shortcut(self.link))
        self.assertEqual(response.status_code, 404)

    def test_only_pages_of_this_site_are_destinations(self):
        sheet_admin = admin.site._registry[FactSheet]
        for url in ["https://elsewhere.example/", "//elsewhere.example/", "/nowhere/"]:
            with (
                self.subTest(url=url),
                mock.patch.object(
                    sheet_admin, "view_on_site", lambda obj, url=url: url
                ),
            ):
                response = self.get(self.chief, shortcut(self.published))
                self.assertEqual(response.status_code, 404)

    def test_models_without_a_model_admin_or_a_page_have_no_shortcut(self):
        change_note = ChangeNote.objects.create(factsheet=self.published, note="x")
        section = self.draft.sections.first()
        self.assertIsInstance(section, Section)
        for obj in [self.link, change_note, section, self.chief]:
            with self.subTest(obj=type(obj).__name__):
                self.assertEqual(self.get(self.chief, shortcut(obj)).status_code, 404)

    def test_forged_addresses_are_404_never_a_server_error(self):
        sheets = ContentType.objects.get_for_model(FactSheet).pk
        gone = ContentType.objects.create(app_label="gone", model="thing").pk
        huge = "9" * 25
        for path in [
            f"/admin/r/987654/{self.published.pk}/",
            f"/admin/r/{sheets}/987654/",
            f"/admin/r/{sheets}/-1/",
            f"/admin/r/{sheets}/abc/",
            f"/admin/r/{sheets}/{huge}/",
            f"/admin/r/{sheets}/1%00/",
            f"/admin/r/{sheets}/1/2/",
            f"/admin/r/{huge}/1/",
            "/admin/r/abc/1/",
            "/admin/r/%00/1/",
            "/admin/r/-1/1/",
            f"/admin/r/{gone}/1/",
        ]:
            for user in [self.clerk, self.chief]:
                with self.subTest(path=path, user=user.username):
                    self.assertEqual(self.get(user, path).status_code, 404)

    def test_signed_out_visitors_are_sent_to_sign_in(self):
        url = shortcut(self.draft)
        response = self.client.get(url)
        self.assertRedirects(
            response, f"/admin/login/?next={url}", fetch_redirect_response=False
        )


class ViewOnSiteLinkTests(TestCase):
    """The change form's “View on site” opens for whoever may open the form."""

    @classmethod
    def setUpTestData(cls):
        cls.published = make_full_factsheet()
        cls.draft = make_full_factsheet(status=FactSheet.Status.DRAFT)
        cls.changer = make_user("changer")
        cls.changer.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="factsheets", codename="change_factsheet"
            )
        )
        cls.users = [
            make_user("editor", "Editors"),
            make_user("publisher", "Publishers"),
            User.objects.create_superuser("chief", "chief@x.gov", "pw"),
            cls.changer,
        ]

    def view_on_site(self, url):
        form = self.client.get(url)
        self.assertEqual(form.status_code, 200)
        return re.search(r'<a href="([^"]+)" class="viewsitelink">', form.text).group(1)

    def test_it_opens_for_each_account_that_sees_the_form(self):
        for user in self.users:
            self.client.force_login(user)
            for sheet in [self.published, self.draft]:
                with self.subTest(user=user.username, sheet=sheet):
                    link = self.view_on_site(
                        reverse("admin:factsheets_factsheet_change", args=[sheet.pk])
                    )
                    response = self.client.get(link, follow=True)
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, sheet.title)
