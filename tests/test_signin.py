"""Signing in to the admin: lockouts after failed attempts, the password rules, and no
indexing (issue #10). Two-step verification is in test_two_factor.py."""

import datetime
import io
import re
from unittest import mock

from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_factsheet

PASSWORD = "a-long-passphrase"
HOME = "198.51.100.10"
ELSEWHERE = "203.0.113.20"
# The one message of every refused sign-in, whatever was wrong.
REFUSED = (
    "Enter the username and password of a staff account, and the code your "
    "authenticator app shows now if you have turned on two-step verification. "
    "The username and password are case-sensitive."
)
TOO_SHORT = "This password is too short. It must contain at least 12 characters."


def sign_in(client, username, password=PASSWORD, address=HOME, **meta):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **meta,
    )


class SignInLockoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_user(
            "editor", password=PASSWORD, is_staff=True
        )
        cls.writer = User.objects.create_user(
            "writer", password=PASSWORD, is_staff=True
        )

    def assertSignedIn(self, response, client=None):
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertEqual((client or self.client).get("/admin/").status_code, 200)

    def assertLockedOut(self, response):
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Signing in is paused", status_code=429)

    def fail(self, times, username="editor", address=HOME):
        return [
            sign_in(self.client, username, "wrong password", address).status_code
            for _ in range(times)
        ]

    def test_five_wrong_passwords_lock_the_account_out_even_with_the_right_one(self):
        self.assertEqual(self.fail(5), [200, 200, 200, 200, 429])
        response = sign_in(self.client, "editor")
        self.assertLockedOut(response)
        self.assertEqual(self.client.get("/admin/").status_code, 302)

    def test_the_lockout_page_says_what_happened_when_to_retry_and_whom_to_ask(self):
        self.fail(5)
        response = sign_in(self.client, "editor")
        self.assertContains(response, "Fact sheets administration", status_code=429)
        self.assertContains(
            response, "There have been 5 failed attempts", status_code=429
        )
        self.assertContains(response, "administrator of this site", status_code=429)
        self.assertContains(response, "(in 15 minutes)", status_code=429)
        self.assertNotContains(response, "Traceback", status_code=429)
        last_failure = AccessAttempt.objects.get().attempt_time
        until = re.search(r'<time datetime="([^"]+)"', response.text).group(1)
        self.assertEqual(
            datetime.datetime.fromisoformat(until),
            last_failure + datetime.timedelta(minutes=15),
        )
        self.assertIn(int(response["Retry-After"]), range(899, 902))
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")

    def test_an_account_is_locked_out_whatever_address_the_attempts_come_from(self):
        for n in range(5):
            self.fail(1, address=f"192.0.2.{n}")
        self.assertLockedOut(sign_in(self.client, "editor", address=ELSEWHERE))
        self.assertSignedIn(sign_in(self.client, "writer", address=ELSEWHERE))

    def test_an_address_is_locked_out_whatever_accounts_it_tries(self):
        for name in ["admin", "root", "editor", "chief", "webmaster"]:
            self.fail(1, username=name)
        self.assertLockedOut(sign_in(self.client, "writer"))
        self.assertSignedIn(sign_in(self.client, "writer", address=ELSEWHERE))

    def test_a_locked_out_attempt_hashes_no_password(self):
        verify = mock.patch.object(
            MD5PasswordHasher,
            "verify",
            autospec=True,
            side_effect=MD5PasswordHasher.verify,
        )
        encode = mock.patch.object(
            MD5PasswordHasher,
            "encode",
            autospec=True,
            side_effect=MD5PasswordHasher.encode,
        )
        with verify as verified, encode as encoded:
            self.fail(5)
            self.fail(1, username="nobody", address=ELSEWHERE)
            # Each costs a hash until the lockout, even for an unknown account.
            self.assertEqual(verified.call_count, 5)
            self.assertEqual(encoded.call_count, 6)  # MD5's verify encodes too
            verified.reset_mock()
            encoded.reset_mock()
            for password in ["wrong", PASSWORD] * 10:
                self.assertLockedOut(sign_in(self.client, "editor", password))
            self.assertEqual((verified.call_count, encoded.call_count), (0, 0))

    def test_every_refused_sign_in_reads_the_same(self):
        User.objects.create_user("reader", password=PASSWORD)
        User.objects.create_user(
            "gone", password=PASSWORD, is_staff=True, is_active=False
        )
        TOTPDevice.objects.create(user=self.writer, name="Phone")
        attempts = {
            "unknown account": ("nobody", PASSWORD),
            "wrong password": ("editor", "wrong password"),
            "not staff": ("reader", PASSWORD),
            "inactive": ("gone", PASSWORD),
            "right password, no code": ("writer", PASSWORD),
        }
        pages = {}
        for n, (case, (username, password)) in enumerate(attempts.items()):
            response = sign_in(self.client, username, password, f"192.0.2.{n}")
            self.assertEqual(self.client.get("/admin/").status_code, 302)
            errors = re.findall(r'<p class="errornote">\s*(.*?)\s*</p>', response.text)
            pages[case] = (response.status_code, tuple(errors))
        self.assertEqual(
            set(pages.values()),
            {(200, (REFUSED,))},
            pages,
        )

    def test_attempts_during_the_lockout_neither_count_nor_extend_it(self):
        self.fail(5)
        before = AccessAttempt.objects.get()
        self.fail(10)
        after = AccessAttempt.objects.get()
        self.assertEqual(after.failures_since_start, 5)
        self.assertEqual(after.attempt_time, before.attempt_time)

    def test_the_lockout_ends_fifteen_minutes_after_the_last_failure(self):
        self.fail(5)
        attempts = AccessAttempt.objects.all()
        now = timezone.now()
        attempts.update(attempt_time=now - datetime.timedelta(minutes=14))
        self.assertLockedOut(sign_in(self.client, "editor"))
        attempts.update(attempt_time=now - datetime.timedelta(minutes=16))
        self.assertSignedIn(sign_in(self.client, "editor"))

    @override_settings(
        AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=datetime.timedelta(minutes=60)
    )
    def test_the_limit_and_the_wait_are_settings(self):
        self.assertEqual(self.fail(3), [200, 200, 429])
        self.assertContains(
            sign_in(self.client, "editor"), "(in 60 minutes)", status_code=429
        )

    def test_an_administrator_unlocks_an_account_with_a_command(self):
        self.fail(5)
        call_command("axes_reset_username", "editor", stdout=io.StringIO())
        self.assertSignedIn(sign_in(self.client, "editor"))

    def test_an_administrator_unlocks_an_address_with_a_command(self):
        for name in ["a", "b", "c", "d", "e"]:
            self.fail(1, username=name)
        call_command("axes_reset_ip", HOME, stdout=io.StringIO())
        self.assertSignedIn(sign_in(self.client, "writer"))

    def test_an_administrator_unlocks_an_account_in_the_admin(self):
        self.fail(5)
        chief = Client()
        chief.force_login(User.objects.create_superuser("chief", "c@x.gov", "pw"))
        listing = chief.get("/admin/axes/accessattempt/")
        self.assertContains(listing, "editor")
        attempt = AccessAttempt.objects.get(username="editor")
        response = chief.post(
            f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertSignedIn(sign_in(self.client, "editor"))

    @override_settings(PROXY_COUNT=1)
    def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(self):
        proxy = "10.0.0.2"
        for name in ["a", "b", "c", "d", "e"]:
            self.fail(1, username=name, address=proxy)  # no header: the proxy's own
        self.client.logout()
        # The client wrote the first address itself; the proxy appended the second.
        spoofed = {"HTTP_X_FORWARDED_FOR": f"{proxy}, {ELSEWHERE}"}
        self.assertSignedIn(sign_in(self.client, "writer", address=proxy, **spoofed))
        self.client.logout()
        for name in ["a", "b", "c", "d", "e"]:
            sign_in(
                self.client,
                name,
                "wrong",
                address=proxy,
                HTTP_X_FORWARDED_FOR=HOME,
            )
        self.assertLockedOut(
            sign_in(self.client, "writer", address=proxy, HTTP_X_FORWARDED_FOR=HOME)
        )
        self.assertSignedIn(
            sign_in(
                self.client, "writer", address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.9"
            )
        )

    def test_without_a_proxy_a_forwarded_address_is_ignored(self):
        for n in range(5):
            sign_in(self.client, "nobody", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        self.assertLockedOut(sign_in(self.client, "writer"))


class PasswordRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.chief = User.objects.create_superuser("chief", "chief@example.gov", "pw")
        cls.editor = User.objects.create_user(
            "editor", password=PASSWORD, is_staff=True
        )

    def setUp(self):
        self.client.force_login(self.chief)

    def test_a_password_needs_twelve_characters(self):
        with self.assertRaisesMessage(ValidationError, TOO_SHORT):
            validate_password("plover-gull")  # 11
        validate_password("plover-gulls")  # 12

    def test_the_admin_adds_no_user_with_a_short_password(self):
        data = {"username": "newcomer", "usable_password": "true"}
        short = {"password1": "plover-gull", "password2": "plover-gull"}
        response = self.client.post("/admin/auth/user/add/", {**data, **short})
        self.assertContains(response, TOO_SHORT)
        self.assertFalse(User.objects.filter(username="newcomer").exists())
        long = {"password1": "plover-gulls", "password2": "plover-gulls"}
        response = self.client.post("/admin/auth/user/add/", {**data, **long})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            User.objects.get(username="newcomer").check_password(long["password1"])
        )

    def test_the_admin_sets_no_short_password(self):
        url = f"/admin/auth/user/{self.editor.pk}/password/"
        data = {"usable_password": "true"}
        response = self.client.post(
            url, {**data, "password1": "plover-gull", "password2": "plover-gull"}
        )
        self.assertContains(response, TOO_SHORT)
        self.editor.refresh_from_db()
        self.assertTrue(self.editor.check_password(PASSWORD))
        response = self.client.post(
            url, {**data, "password1": "plover-gulls", "password2": "plover-gulls"}
        )
        self.assertEqual(response.status_code, 302)
        self.editor.refresh_from_db()
        self.assertTrue(self.editor.check_password("plover-gulls"))

    def test_staff_change_their_own_password_only_to_a_long_one(self):
        self.client.force_login(self.editor)
        data = {"old_password": PASSWORD}
        response = self.client.post(
            "/admin/password_change/",
            {**data, "new_password1": "plover-gull", "new_password2": "plover-gull"},
        )
        self.assertContains(response, TOO_SHORT)
        response = self.client.post(
            "/admin/password_change/",
            {**data, "new_password1": "plover-gulls", "new_password2": "plover-gulls"},
        )
        self.assertRedirects(response, "/admin/password_change/done/")

    def test_createsuperuser_asks_again_for_a_short_password(self):
        class Terminal(io.StringIO):
            def isatty(self):
                return True

        passwords = ["plover-gull", "plover-gull", "plover-gulls", "plover-gulls"]
        stderr = io.StringIO()
        with (
            mock.patch("getpass.getpass", side_effect=passwords),
            mock.patch("builtins.input", return_value="n") as asked,
        ):
            call_command(
                "createsuperuser",
                username="founder",
                email="founder@example.gov",
                stdin=Terminal(),
                stdout=io.StringIO(),
                stderr=stderr,
            )
        self.assertIn(TOO_SHORT, stderr.getvalue())
        asked.assert_called_once_with(
            "Bypass password validation and create user anyway? [y/N]: "
        )
        self.assertTrue(
            User.objects.get(username="founder").check_password("plover-gulls")
        )


class NoIndexTests(TestCase):
    def test_the_sign_in_page_is_not_indexed(self):
        response = self.client.get("/admin/login/")
        self.assertContains(
            response, '<meta name="robots" content="noindex, nofollow">', html=True
        )
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")

    def test_no_admin_page_is_indexed(self):
        self.client.force_login(User.objects.create_superuser("chief", "c@x.gov", "pw"))
        sheet = make_factsheet()
        for url in [
            "/admin/",
            "/admin/factsheets/factsheet/",
            f"/admin/factsheets/factsheet/{sheet.pk}/change/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url, follow=True)
                self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
                self.assertContains(
                    response,
                    '<meta name="robots" content="noindex, nofollow">',
                    html=True,
                    status_code=response.status_code,
                )

    def test_not_even_a_missing_admin_page_is_indexed(self):
        response = self.client.get("/admin/no-such-page/", follow=True)
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")

    def test_public_pages_stay_indexable(self):
        sheet = make_factsheet()
        response = self.client.get(sheet.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("X-Robots-Tag", response)
