"""Two-step verification: codes from an authenticator app at the admin's sign-in,
the page where staff set one up, and OTP_REQUIRED."""

import base64
import re
import shutil
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import TestCase, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from accounts.views import qr_code
from tests.helpers.browser import DJANGO_ADMIN_VIOLATIONS, BrowserTestCase
from tests.helpers.factories import make_factsheet
from tests.helpers.qr import decode_qr
from tests.helpers.tools import missing

PASSWORD = "a-long-passphrase"
SETUP = "/admin/otp_totp/totpdevice/setup/"
# The one message of every refused sign-in, whatever was wrong.
REFUSED = "Enter the username and password of a staff account, and the code"


def code(device, later=0):
    """The code the device's app shows now, or `later` time steps from now."""
    # As the site counts steps now: a code accepted from the step before or after
    # (a new step began between making it and checking it) moves the device's
    # drift in the database (OTP_TOTP_SYNC), not in this copy.
    drift = (
        type(device)
        .objects.filter(pk=device.pk)
        .values_list("drift", flat=True)
        .first()
    )
    drift = device.drift if drift is None else drift
    token = totp(device.bin_key, device.step, device.t0, device.digits, drift + later)
    return f"{token:0{device.digits}d}"


def wrong_code(device):
    return f"{(int(code(device)) + 1) % 1000000:06d}"


def failures():
    return AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] or 0


def page_without_tokens(response):
    """The page's HTML without what differs on every response (CSRF token, nonces)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.text)
    return re.sub(r'nonce="[^"]*"', "", html)


def sign_in(client, username, otp_token="", password=PASSWORD):
    return client.post(
        "/admin/login/",
        {
            "username": username,
            "password": password,
            "otp_token": otp_token,
            "next": "/admin/",
        },
    )


class TwoFactorSignInTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_user(
            "editor", password=PASSWORD, is_staff=True
        )
        cls.device = TOTPDevice.objects.create(user=cls.editor, name="Phone")
        cls.writer = User.objects.create_user(
            "writer", password=PASSWORD, is_staff=True
        )

    def assertNotSignedIn(self):
        self.assertEqual(self.client.get("/admin/").status_code, 302)

    def test_the_right_code_signs_in_and_verifies_the_session(self):
        response = sign_in(self.client, "editor", code(self.device))
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        self.assertEqual(
            self.client.session[DEVICE_ID_SESSION_KEY], self.device.persistent_id
        )

    def test_the_password_alone_is_not_enough(self):
        response = sign_in(self.client, "editor")
        self.assertContains(response, REFUSED)
        self.assertNotSignedIn()

    def test_a_wrong_code_is_refused(self):
        response = sign_in(self.client, "editor", wrong_code(self.device))
        self.assertContains(response, REFUSED)
        self.assertNotSignedIn()

    def test_a_code_without_the_password_is_refused(self):
        response = sign_in(self.client, "editor", code(self.device), password="guess")
        self.assertContains(response, REFUSED)
        self.assertNotSignedIn()

    def refused(self, password, token):
        """The page a refused sign-in gets, as status and HTML; each is one failure."""
        before = failures()
        response = sign_in(self.client, "editor", token, password=password)
        self.assertEqual(failures(), before + 1)
        self.assertNotSignedIn()
        return response.status_code, page_without_tokens(response)

    def test_a_missing_code_gets_the_same_page_as_a_wrong_password(self):
        self.assertEqual(self.refused(PASSWORD, ""), self.refused("wrong password", ""))

    def test_a_wrong_code_gets_the_same_page_as_a_wrong_password(self):
        token = wrong_code(self.device)
        self.assertEqual(
            self.refused(PASSWORD, token), self.refused("wrong password", token)
        )

    def test_a_held_back_code_gets_the_same_page_as_a_wrong_password(self):
        # django-otp holds a device back for a while after wrong codes; even its
        # right code is then refused, and nothing says that the password was right.
        for _ in range(10):
            self.device.throttle_increment()
        token = code(self.device)
        self.assertEqual(
            self.refused(PASSWORD, token), self.refused("wrong password", token)
        )

    def test_wrong_or_missing_codes_count_towards_the_lockout(self):
        statuses = [sign_in(self.client, "editor").status_code for _ in range(2)]
        for _ in range(3):
            statuses.append(sign_in(self.client, "editor", "000000").status_code)
        self.assertEqual(statuses, [200, 200, 200, 200, 429])
        self.assertEqual(AccessAttempt.objects.get().failures_since_start, 5)
        response = sign_in(self.client, "editor", code(self.device))
        self.assertContains(response, "Signing in is paused", status_code=429)
        self.assertNotSignedIn()

    def test_a_code_signs_in_once(self):
        token = code(self.device)
        sign_in(self.client, "editor", token)
        self.client.logout()
        response = sign_in(self.client, "editor", token)
        self.assertContains(response, REFUSED)
        self.assertNotSignedIn()

    def test_staff_without_an_app_sign_in_with_their_password(self):
        response = sign_in(self.client, "writer")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_another_accounts_code_does_not_count(self):
        response = sign_in(self.client, "writer", code(self.device))
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertNotIn(DEVICE_ID_SESSION_KEY, self.client.session)

    def test_a_session_that_skipped_the_code_is_signed_out(self):
        # As for a session begun before the app was set up, in another browser.
        self.client.force_login(self.editor)
        response = self.client.get("/admin/factsheets/factsheet/")
        self.assertRedirects(
            response,
            "/admin/login/?next=/admin/factsheets/factsheet/",
            fetch_redirect_response=False,
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        sheet = make_factsheet()
        response = self.client.get(f"/fact-sheets/preview/{sheet.pk}/")
        self.assertEqual(response.status_code, 302)

    def test_the_sign_in_page_asks_for_the_code(self):
        response = self.client.get("/admin/login/")
        self.assertContains(response, '<label for="id_otp_token">', html=False)
        self.assertContains(response, 'autocomplete="one-time-code"')


class SetupPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_user(
            "editor", password=PASSWORD, is_staff=True
        )

    def setUp(self):
        self.client.force_login(self.editor)

    def start(self, current_code=""):
        response = self.client.post(SETUP, {"action": "start", "code": current_code})
        self.assertRedirects(response, SETUP, fetch_redirect_response=False)
        return TOTPDevice.objects.get(user=self.editor, confirmed=False)

    def confirm(self, device, token):
        return self.client.post(SETUP, {"action": "confirm", "code": token})

    def test_the_page_is_linked_from_every_admin_page(self):
        response = self.client.get("/admin/")
        self.assertContains(response, f'<a href="{SETUP}">Two-step verification</a>')

    def test_turning_it_on(self):
        self.assertContains(self.client.get(SETUP), "Two-step verification is off")
        device = self.start()
        page = self.client.get(SETUP)
        # The app's address as a QR code, and its key to type in.
        self.assertContains(page, qr_code(device.config_url))
        secret = base64.b32encode(device.bin_key).decode()
        shown = re.search(r'<code class="two-factor__secret">([^<]+)</code>', page.text)
        self.assertEqual(shown.group(1).replace(" ", ""), secret)
        query = parse_qs(urlsplit(device.config_url).query)
        self.assertEqual(query["secret"], [secret])
        self.assertEqual(query["issuer"], ["Fact sheets"])
        # Nothing changes at the sign-in until a code confirms the app.
        self.assertFalse(device.confirmed)
        self.assertEqual(sign_in(self.client_class(), "editor").status_code, 302)

        response = self.confirm(device, code(device))
        self.assertRedirects(response, "/admin/")
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(
            self.client.session[DEVICE_ID_SESSION_KEY], device.persistent_id
        )
        # This session showed the code: it goes on.
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        self.assertContains(self.client.get(SETUP), "Two-step verification is on")
        # A new sign-in needs a code.
        other = self.client_class()
        self.assertEqual(sign_in(other, "editor").status_code, 200)
        self.assertEqual(sign_in(other, "editor", code(device, 1)).status_code, 302)

    def test_a_wrong_code_does_not_turn_it_on(self):
        device = self.start()
        response = self.confirm(device, wrong_code(device))
        self.assertContains(response, "That code is wrong or has expired")
        device.refresh_from_db()
        self.assertFalse(device.confirmed)
        self.assertEqual(sign_in(self.client_class(), "editor").status_code, 302)

    def test_cancelling_leaves_it_off(self):
        self.start()
        self.client.post(SETUP, {"action": "cancel"})
        self.assertFalse(TOTPDevice.objects.exists())

    def test_moving_to_another_app(self):
        old = self.start()
        self.confirm(old, code(old))
        new = self.start(code(old, 1))
        # Until the new app is confirmed, the old one stays.
        self.assertContains(self.client.get(SETUP), qr_code(new.config_url))
        self.assertTrue(TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists())
        self.confirm(new, code(new))
        self.assertQuerySetEqual(
            TOTPDevice.objects.filter(user=self.editor),
            [new.pk],
            transform=lambda d: d.pk,
        )
        self.assertEqual(
            sign_in(self.client_class(), "editor", code(new, 1)).status_code, 302
        )

    def test_turning_it_off(self):
        device = self.start()
        self.confirm(device, code(device))
        response = self.client.post(
            SETUP, {"action": "off", "code": code(device, 1)}, follow=True
        )
        self.assertContains(response, "Two-step verification is off.")
        self.assertFalse(TOTPDevice.objects.exists())
        self.assertEqual(sign_in(self.client_class(), "editor").status_code, 302)

    def test_moving_or_turning_it_off_needs_a_code_from_the_current_app(self):
        device = self.start()
        # Kept, not worked out again below: the app may show the next code by then.
        spent = code(device)
        self.confirm(device, spent)
        page = self.client.get(SETUP)
        self.assertContains(page, '<label for="id_code">Code from your current app:')
        for action in ["off", "start"]:
            for token, message in [
                ("", "Enter the code your authenticator app shows now"),
                (wrong_code(device), "That code is wrong or has expired"),
                # The code this session signed in with is spent.
                (spent, "That code is wrong or has expired"),
            ]:
                with self.subTest(action=action, token=token):
                    response = self.client.post(
                        SETUP, {"action": action, "code": token}
                    )
                    self.assertContains(response, message)
                    self.assertQuerySetEqual(
                        TOTPDevice.objects.all(),
                        [(device.pk, True)],
                        transform=lambda d: (d.pk, d.confirmed),
                    )
                    TOTPDevice.objects.filter(pk=device.pk).update(
                        throttling_failure_count=0
                    )
        # Two-step verification is still on: a sign-in still needs a code.
        self.assertEqual(sign_in(self.client_class(), "editor").status_code, 200)

    def test_wrong_codes_for_the_current_app_are_held_back(self):
        device = self.start()
        self.confirm(device, code(device))
        # The clock stands still: the wait after a wrong code has not passed.
        with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
            self.client.post(SETUP, {"action": "off", "code": wrong_code(device)})
            response = self.client.post(
                SETUP, {"action": "off", "code": code(device, 1)}
            )
        self.assertContains(response, "Too many wrong codes")
        self.assertTrue(TOTPDevice.objects.exists())

    def test_a_session_that_skipped_the_code_is_signed_out_here_too(self):
        device = TOTPDevice.objects.create(user=self.editor, name="Phone")
        # As for a session begun before the app was set up, in another browser.
        for response in [
            self.client.get(SETUP),
            self.client.post(SETUP, {"action": "off", "code": code(device)}),
        ]:
            self.assertRedirects(
                response,
                f"/admin/login/?next={SETUP}",
                fetch_redirect_response=False,
            )
            self.client.force_login(self.editor)
        self.assertTrue(TOTPDevice.objects.exists())

    def test_administrators_see_whose_apps_exist_but_not_their_keys(self):
        device = self.start()
        self.confirm(device, code(device))
        chief = self.client_class()
        chief.force_login(User.objects.create_superuser("chief", "c@x.gov", "pw"))
        listing = chief.get("/admin/otp_totp/totpdevice/")
        self.assertContains(listing, "editor")
        change = chief.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
        self.assertEqual(change.status_code, 200)
        self.assertNotContains(change, device.key)
        self.assertNotContains(change, base64.b32encode(device.bin_key).decode())
        self.assertEqual(chief.get("/admin/otp_totp/totpdevice/add/").status_code, 403)
        # Deleting it (a lost phone) lets its owner sign in with the password again.
        chief.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
        self.assertEqual(sign_in(self.client_class(), "editor").status_code, 302)

    def test_the_page_is_for_staff_only(self):
        self.client.logout()
        response = self.client.get(SETUP)
        self.assertRedirects(
            response, f"/admin/login/?next={SETUP}", fetch_redirect_response=False
        )


@override_settings(OTP_REQUIRED=True)
class RequiredSecondFactorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = User.objects.create_user(
            "editor", password=PASSWORD, is_staff=True
        )

    def test_staff_without_an_app_are_taken_to_set_one_up_after_their_password(self):
        response = sign_in(self.client, "editor")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        response = self.client.get("/admin/")
        self.assertRedirects(response, f"{SETUP}?next=%2Fadmin%2F")
        self.assertContains(
            self.client.get(SETUP), "requires two-step verification for all staff"
        )

    def test_nothing_else_in_the_admin_opens_until_then(self):
        self.client.force_login(self.editor)
        sheet = make_factsheet()
        for url in [
            "/admin/",
            "/admin/factsheets/factsheet/",
            f"/admin/factsheets/factsheet/{sheet.pk}/change/",
            "/admin/password_change/",
            f"/fact-sheets/preview/{sheet.pk}/",
        ]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(f"{SETUP}?next="))
        response = self.client.post("/admin/factsheets/factsheet/add/", {})
        self.assertTrue(response["Location"].startswith(f"{SETUP}?next="))
        self.assertEqual(self.client.post("/admin/logout/").status_code, 200)

    def test_once_set_up_the_admin_opens_where_they_were_going(self):
        self.client.force_login(self.editor)
        target = "/admin/factsheets/factsheet/"
        self.client.get(target)
        next_page = f"{SETUP}?next={target}"
        self.client.post(next_page, {"action": "start"})
        device = TOTPDevice.objects.get(user=self.editor)
        response = self.client.post(
            next_page, {"action": "confirm", "code": code(device), "next": target}
        )
        self.assertRedirects(response, target, fetch_redirect_response=False)

    def test_it_cannot_be_turned_off(self):
        device = TOTPDevice.objects.create(user=self.editor, name="Phone")
        sign_in(self.client, "editor", code(device))
        page = self.client.get(SETUP)
        self.assertContains(page, "Two-step verification is on")
        self.assertNotContains(page, "Turn off")
        self.assertEqual(self.client.post(SETUP, {"action": "off"}).status_code, 403)
        self.assertTrue(TOTPDevice.objects.exists())

    def test_a_next_address_elsewhere_is_not_followed(self):
        self.client.force_login(self.editor)
        self.client.post(SETUP, {"action": "start"})
        device = TOTPDevice.objects.get(user=self.editor)
        response = self.client.post(
            SETUP,
            {
                "action": "confirm",
                "code": code(device),
                "next": "https://evil.example/",
            },
        )
        self.assertRedirects(response, "/admin/")


# Records what the Content-Security-Policy blocks, from before any script of the page.
WATCH_CSP = """
window.blocked = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.blocked.push(`${event.effectiveDirective} ${event.blockedURI || "inline"}`);
});
"""


class TwoFactorBrowserTests(BrowserTestCase):
    """What an editor does: scan the code with an app, type its code, sign in with it."""

    @pytest.fixture(autouse=True)
    def _watch_csp(self, _browser):
        watcher = self.browser.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_CSP}
        )
        yield
        self.browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument",
            {"identifier": watcher["identifier"]},
        )

    def setUp(self):
        User.objects.create_user("editor", password=PASSWORD, is_staff=True)

    def wait(self, condition, timeout=5):
        return WebDriverWait(self.browser, timeout).until(condition)

    def find(self, css):
        return self.browser.find_element(By.CSS_SELECTOR, css)

    def sign_in(self, token=""):
        self.open("/admin/login/")
        self.find("#id_username").send_keys("editor")
        self.find("#id_password").send_keys(PASSWORD)
        self.find("#id_otp_token").send_keys(token, Keys.ENTER)
        self.wait(EC.presence_of_element_located((By.ID, "user-tools")))

    def assert_no_violations(self, page):
        self.assertEqual(self.js("return window.blocked"), [], page)
        for violation in self.axe():
            for target in violation["targets"]:
                with self.subTest(page=page, rule=violation["id"], target=target):
                    known = any(
                        rule == violation["id"] and part in str(target)
                        for rule, part in DJANGO_ADMIN_VIOLATIONS
                    )
                    self.assertTrue(known, f"{violation['help']} at {target}")

    def test_an_editor_turns_it_on_with_an_app_and_signs_in_with_it(self):
        zbarimg = shutil.which("zbarimg") or missing("zbarimg is not installed")
        self.open("/admin/login/")
        self.assert_no_violations("sign-in")
        self.sign_in()
        self.find('a[href="/admin/otp_totp/totpdevice/setup/"]').click()
        self.find('button[value="start"]').click()
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".two-factor__qr")))
        self.assert_no_violations("setup")
        shot = self.browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        address = decode_qr(zbarimg, base64.b64decode(shot["data"]))
        self.assertTrue(address.startswith("otpauth://totp/Fact%20sheets%3Aeditor?"))
        secret = parse_qs(urlsplit(address).query)["secret"][0]
        device = TOTPDevice(key=base64.b32decode(secret).hex())
        self.find("#id_code").send_keys(code(device), Keys.ENTER)
        self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".messagelist")))
        self.assertIn("Two-step verification is on", self.find(".messagelist").text)

        self.find("#logout-form button").click()
        self.browser.delete_all_cookies()
        self.sign_in(code(device, 1))
        self.assertIn("editor", self.find("#user-tools").text.lower())

    def test_the_lockout_page(self):
        for _ in range(5):
            self.open("/admin/login/")
            self.find("#id_username").send_keys("editor")
            self.find("#id_password").send_keys("wrong password", Keys.ENTER)
        self.wait(EC.presence_of_element_located((By.TAG_NAME, "time")))
        self.assertIn("Signing in is paused", self.find("h1").text)
        self.assert_no_violations("lockout")
