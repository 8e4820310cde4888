"""Signing in to the admin: lockouts after failed attempts, the password rules, and no
indexing. Two-step verification is in test_two_factor.py."""

import datetime
import io
import re
from unittest import mock

from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers.factories import make_factsheet
from tests.helpers.html_forms import FormFields
from tests.helpers.servers import Client as HttpClient
from tests.helpers.servers import production_server

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

    def test_without_a_proxy_a_forwarded_address_is_ignored(self):
        for n in range(5):
            sign_in(self.client, "nobody", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        self.assertLockedOut(sign_in(self.client, "writer"))


# Production behind a load balancer: its network is trusted, and it says https.
BEHIND_A_BALANCER = override_settings(
    TRUSTED_PROXIES=["10.0.0.0/24"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
PROXY = "10.0.0.2"


@BEHIND_A_BALANCER
class ForwardedAddressTests(TestCase):
    """Lockouts by address count the client's real address: the one a trusted proxy
    saw, or the one that reached gunicorn directly, never one the client wrote."""

    @classmethod
    def setUpTestData(cls):
        User.objects.create_user("writer", password=PASSWORD, is_staff=True)

    def assertLockedOut(self, response):
        self.assertContains(response, "Signing in is paused", status_code=429)

    def fail_as(self, names, address, forwarded):
        """One failed sign-in for each name, each with its own X-Forwarded-For."""
        for n, name in enumerate(names):
            response = sign_in(
                self.client,
                name,
                "wrong",
                address,
                HTTP_X_FORWARDED_FOR=forwarded.format(n=n),
            )
            self.assertIn(response.status_code, [200, 429])  # 429: the fifth

    def test_a_direct_client_is_locked_out_by_its_address_whatever_it_forwards(self):
        self.fail_as(["a", "b", "c", "d"], HOME, "192.0.2.{n}")
        # Even a chain that looks as if it came through the balancer.
        self.fail_as(["e"], HOME, f"192.0.2.99, {PROXY}")
        for forwarded in ["192.0.2.200", f"198.51.100.1, {PROXY}", ""]:
            with self.subTest(forwarded=forwarded):
                self.assertLockedOut(
                    sign_in(
                        self.client,
                        "writer",
                        address=HOME,
                        HTTP_X_FORWARDED_FOR=forwarded,
                    )
                )
        self.assertEqual(
            set(AccessAttempt.objects.values_list("ip_address", flat=True)), {HOME}
        )

    def test_through_a_trusted_proxy_the_address_it_saw_counts(self):
        self.fail_as(["a", "b", "c", "d", "e"], PROXY, HOME)
        self.assertLockedOut(
            sign_in(self.client, "writer", address=PROXY, HTTP_X_FORWARDED_FOR=HOME)
        )
        # Other clients behind the same balancer still sign in.
        response = sign_in(
            self.client, "writer", address=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE
        )
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)

    def test_a_proxy_on_a_unix_socket_is_trusted(self):
        # gunicorn bound to a Unix socket gives no REMOTE_ADDR.
        self.fail_as(["a", "b", "c", "d", "e"], "", "192.0.2.{n}, " + HOME)
        self.assertEqual(
            set(AccessAttempt.objects.values_list("ip_address", flat=True)), {HOME}
        )

    def test_addresses_left_of_the_trusted_proxies_are_not_believed(self):
        # The client wrote the first entry; the proxies appended HOME, then each
        # other's addresses (10.0.0.3 is the balancer in front of PROXY).
        self.fail_as(["a", "b", "c"], PROXY, "192.0.2.{n}, " + HOME)
        self.fail_as(["d", "e"], PROXY, "192.0.2.{n}, " + HOME + ", 10.0.0.3")
        self.assertLockedOut(
            sign_in(
                self.client,
                "writer",
                address=PROXY,
                HTTP_X_FORWARDED_FOR=f"192.0.2.77, {HOME}",
            )
        )
        self.assertEqual(
            set(AccessAttempt.objects.values_list("ip_address", flat=True)), {HOME}
        )

    def test_a_forwarded_entry_that_is_no_address_stops_at_the_proxy(self):
        self.fail_as(["a", "b", "c", "d", "e"], PROXY, "not-an-address-{n}")
        self.assertLockedOut(
            sign_in(
                self.client, "writer", address=PROXY, HTTP_X_FORWARDED_FOR="nor-this"
            )
        )
        self.assertEqual(
            set(AccessAttempt.objects.values_list("ip_address", flat=True)), {PROXY}
        )

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_only_a_trusted_proxy_may_say_a_request_came_over_https(self):
        https = {"HTTP_X_FORWARDED_PROTO": "https"}
        direct = self.client.get("/admin/login/", REMOTE_ADDR=HOME, **https)
        self.assertRedirects(
            direct,
            "https://testserver/admin/login/",
            status_code=301,
            fetch_redirect_response=False,
        )
        proxied = self.client.get("/admin/login/", REMOTE_ADDR=PROXY, **https)
        self.assertEqual(proxied.status_code, 200)


class DirectClientOfProductionServerTests(TransactionTestCase):
    """gunicorn with production settings behind a TLS proxy (BEHIND_TLS_PROXY, the
    proxy at 192.0.2.1), reached directly by a client on 127.0.0.1 that writes the
    forwarding headers itself."""

    def setUp(self):
        hasher = PBKDF2PasswordHasher()  # as the server hashes
        User.objects.create(
            username="writer",
            password=hasher.encode(PASSWORD, hasher.salt()),
            is_staff=True,
        )
        self.server = production_server(
            self,
            "signin",
            BEHIND_TLS_PROXY="true",
            TRUSTED_PROXIES="192.0.2.1",
            SECURE_HSTS_SECONDS="3600",
        )

    def sign_in(self, username, password, forwarded):
        client = HttpClient(cookies=True)
        url = self.server.url + "/admin/login/?next=/admin/"
        status, _, html = client.request(url)
        self.assertEqual(status, 200, self.server.output())
        fields = FormFields.of(html, "login-form")
        fields.update(username=username, password=password)
        status, _, _ = client.request(
            url, fields, headers={"X-Forwarded-For": forwarded}
        )
        return status

    def test_a_new_forwarded_address_each_try_does_not_escape_the_lockout(self):
        statuses = [
            self.sign_in(name, "wrong", f"192.0.2.{n}")
            for n, name in enumerate(["a", "b", "c", "d", "e"])
        ]
        self.assertEqual(statuses, [200, 200, 200, 200, 429])
        self.assertEqual(self.sign_in("writer", PASSWORD, "192.0.2.200"), 429)

    def test_the_client_cannot_say_it_came_over_https(self):
        client = HttpClient()
        status, headers, _ = client.request(
            self.server.url + "/admin/login/", headers={"X-Forwarded-Proto": "https"}
        )
        self.assertEqual(status, 200)
        # Sent only on requests that came over https (SECURE_HSTS_SECONDS).
        self.assertNotIn("Strict-Transport-Security", headers)


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
