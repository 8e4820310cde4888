from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse

from factsheets import sheet_operations
from notices.models import Email, Kind, Notice, Preference
from tests.helpers.factories import make_user
from tests.helpers.notices import make_draft

URL = reverse("admin:notices_preferences")


class PreferencesPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("ed", "Editors", email="ed@example.org")
        cls.publisher = make_user("pia", "Publishers", email="pia@example.org")

    def setUp(self):
        self.client.force_login(self.publisher)

    def test_every_admin_page_links_to_it_beside_the_password(self):
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, f'<a href="{URL}">Email notices</a>', html=True)

    def test_by_default_everything_comes_at_once(self):
        response = self.client.get(URL)
        self.assertContains(response, "Notices go to <strong>pia@example.org</strong>")
        form = response.context["form"]
        self.assertEqual(form["delivery"].value(), "immediate")
        self.assertEqual(form["kinds"].value(), Kind.values)
        for n, kind in enumerate(Kind.values):
            self.assertContains(
                response,
                f'<input type="checkbox" name="kinds" value="{kind}" id="id_kinds_{n}" '
                "checked>",
                html=True,
            )

    def test_saving_a_daily_digest_without_some_kinds(self):
        response = self.client.post(
            URL,
            {"delivery": "daily", "kinds": [Kind.REVIEW_WAITING, Kind.WENT_LIVE]},
            follow=True,
        )
        self.assertRedirects(response, URL)
        self.assertContains(
            response,
            "Your email notices are saved: once a day, when: a draft is waiting for "
            "review; a sheet i edited went live.",
        )
        preference = Preference.objects.get(user=self.publisher)
        self.assertEqual(preference.delivery, Preference.Delivery.DAILY)
        self.assertEqual(
            preference.kinds_off,
            [Kind.APPROVED, Kind.CHANGES_REQUESTED, Kind.EXPIRED],
        )
        self.assertEqual(
            response.context["form"]["kinds"].value(),
            [Kind.REVIEW_WAITING, Kind.WENT_LIVE],
        )

    def test_everything_off_says_no_notices_will_come_and_none_are_written(self):
        response = self.client.post(URL, {"delivery": "immediate"}, follow=True)
        self.assertContains(response, "none, you will get no notices.")
        sheet_operations.submit_for_review(make_draft(), by=self.editor)
        self.assertFalse(Notice.objects.exists())
        self.assertFalse(Email.objects.exists())

    def test_a_choice_that_is_not_offered_saves_nothing_and_says_so(self):
        response = self.client.post(URL, {"delivery": "weekly", "kinds": ["spam"]})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nothing was saved")
        self.assertContains(response, "Select a valid choice. weekly is not one")
        self.assertFalse(Preference.objects.exists())

    def test_an_account_without_an_address_is_told_no_notice_can_reach_it(self):
        self.client.force_login(make_user("noaddress", "Editors"))
        response = self.client.get(URL)
        self.assertContains(response, "Your account has no email address")

    def test_an_editor_sets_their_own_and_nobody_else_can_without_staff_status(self):
        self.client.force_login(self.editor)
        self.client.post(URL, {"delivery": "daily", "kinds": Kind.values})
        self.assertEqual(
            Preference.objects.get().user, self.editor
        )  # their own, whoever's page they meant
        self.client.force_login(User.objects.create_user("outsider", password="pw"))
        response = self.client.get(URL)
        self.assertRedirects(
            response,
            f"{reverse('admin:login')}?next={URL}",
            fetch_redirect_response=False,
        )


class AdminListsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = make_user("root", is_superuser=True)
        cls.editor = make_user("ed", "Editors", email="ed@example.org")

    def test_administrators_see_the_outbox_and_everyones_choices(self):
        self.client.force_login(self.admin)
        for name in ["notices_email_changelist", "notices_preference_changelist"]:
            with self.subTest(name):
                response = self.client.get(reverse(f"admin:{name}"), {"q": "ed"})
                self.assertEqual(response.status_code, 200)

    def test_editors_see_neither(self):
        self.client.force_login(self.editor)
        for name in ["notices_email_changelist", "notices_preference_changelist"]:
            with self.subTest(name):
                response = self.client.get(reverse(f"admin:{name}"))
                self.assertEqual(response.status_code, 403)

    def test_a_forged_selection_for_trying_again_changes_nothing(self):
        self.client.force_login(self.admin)
        url = reverse("admin:notices_email_changelist")
        for value in ("abc", "99999999999999999999999", "\x00"):
            with self.subTest(value=value):
                response = self.client.post(
                    url, {"action": "try_again", "_selected_action": [value]}
                )
                self.assertIn(response.status_code, (200, 302))
                response = self.client.get(url, {"q": value, "state__exact": value})
                self.assertIn(response.status_code, (200, 302))
