"""Security headers, cookies and `check --deploy`.

Every response carries a Content-Security-Policy (django-csp) with no inline code
allowed, a Permissions-Policy, and Django's own security headers; the one inline
style of a public page is allowed by its hash, the admin's one inline script by a
nonce. tests/operations/test_csp_browser.py checks in Chromium that nothing is blocked.
"""

import base64
import datetime
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.urls import include, path, reverse

from config import urls as site_urls
from operations.security import editor_style_sources
from tests.helpers.factories import make_country, make_full_factsheet, make_user
from tests.helpers.servers import Client, Server, database_url, server_environment

SOURCE = re.compile(r"'(?:nonce|sha256)-[^']+'")
# An executable inline script (not a JSON or JSON-LD data block), an inline style
# attribute or element, an inline event handler, a javascript: address.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r'type="application/(ld\+)?json"')
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.IGNORECASE | re.DOTALL)


def broken(request):
    raise RuntimeError("A bug.")


# The site's addresses and error pages, and one that fails.
urlpatterns = [path("broken/", broken), path("", include(site_urls))]
handler500 = site_urls.handler500


def policy(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def csp_hash(text):
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class SecurityHeadersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        country = make_country(name="Mali", slug="mali")
        cls.sheet = make_full_factsheet(
            children=2, country=country, title="U.S. Relations With Mali"
        )
        make_full_factsheet(country=country, issued_on=datetime.date(2012, 1, 10))
        cls.bureau = country.bureau
        cls.publisher = make_user("publisher", "Editors", "Publishers")

    def public_urls(self):
        return {
            "home": "/",
            "sheet": "/fact-sheets/mali/",
            "edition": "/fact-sheets/mali/2012-01-10/",
            "changes": "/fact-sheets/mali/changes/",
            "index": "/fact-sheets/",
            "bureau": self.bureau.get_absolute_url(),
            "search": "/search/?q=mali",
            "assistance": "/assistance/",
            "key officers": "/key-officers/",
            "404": "/fact-sheets/atlantis/",
            "feed": "/feeds/fact-sheets.atom",
            "sheet feed": "/fact-sheets/mali/feed.atom",
            "JSON": "/fact-sheets.json",
            "sheet JSON": "/fact-sheets/mali.json",
            "sitemap": "/sitemap.xml",
            "robots.txt": "/robots.txt",
            "CSV": "/assistance.csv",
            "stylesheet": "/static/css/site.css",
        }

    def assert_security_headers(self, response, admin=False):
        csp = policy(response)
        self.assertEqual(csp["default-src"], ["'none'"])
        self.assertEqual(csp["frame-ancestors"], ["'none'"])
        self.assertEqual(csp["object-src"], ["'none'"])
        self.assertEqual(csp["base-uri"], ["'none'"])
        self.assertEqual(csp["form-action"], ["'self'"])
        for directive in ("script-src", "style-src"):
            sources = csp[directive]
            self.assertEqual(sources[0], "'self'")
            self.assertNotIn("'unsafe-eval'", sources)
            self.assertNotIn("'strict-dynamic'", sources)
            self.assertNotIn("'unsafe-hashes'", sources)
            self.assertNotIn("'unsafe-inline'", sources)
            self.assertNotIn("*", " ".join(sources))
            # Nothing from another origin, no data: or blob: scripts.
            self.assertEqual(
                [s for s in sources[1:] if not SOURCE.fullmatch(s)], [], directive
            )
            if not admin:
                self.assertNotIn("'nonce-", " ".join(sources))
        features = dict(
            item.split("=") for item in response["Permissions-Policy"].split(", ")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            self.assertEqual(features[feature], "()")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def assert_no_inline_code(self, html, allowed_styles=()):
        for attributes in SCRIPT_TAG.findall(html):
            self.assertTrue(
                "src=" in attributes or DATA_BLOCK.search(attributes),
                f"inline script <script{attributes}>",
            )
        self.assertIsNone(STYLE_ATTRIBUTE.search(html))
        self.assertIsNone(HANDLER.search(html))
        self.assertNotIn("javascript:", html)
        for text in STYLE_ELEMENT.findall(html):
            self.assertIn(csp_hash(text), allowed_styles)

    def test_every_public_response_carries_the_headers(self):
        for name, url in self.public_urls().items():
            with self.subTest(name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404 if name == "404" else 200)
                self.assert_security_headers(response)
                if response["Content-Type"].startswith("text/html"):
                    csp = policy(response)
                    self.assert_no_inline_code(
                        response.content.decode(), csp["style-src"]
                    )

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_server_error_carries_the_headers(self):
        self.client.raise_request_exception = False
        response = self.client.get("/broken/")
        self.assertEqual(response.status_code, 500)
        self.assert_security_headers(response)
        self.assert_no_inline_code(response.content.decode())

    @override_settings(
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
    )
    def test_the_redirect_to_https_carries_the_headers(self):
        hsts = "max-age=31536000; includeSubDomains; preload"
        for url in ["/fact-sheets/mali/", "/admin/", "/static/css/site.css"]:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], f"https://testserver{url}")
                self.assert_security_headers(response, admin=url == "/admin/")
                self.assertEqual(response["Strict-Transport-Security"], hsts)
        response = self.client.get("/fact-sheets/mali/", secure=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Strict-Transport-Security"], hsts)

    def test_a_page_from_the_cache_keeps_its_headers(self):
        first = self.client.get("/fact-sheets/mali/")
        kept = self.client.get("/fact-sheets/mali/")
        self.assertEqual(kept["ETag"], first["ETag"])  # the stored page
        self.assertEqual(kept.content, first.content)
        for header in ("Content-Security-Policy", "Permissions-Policy"):
            self.assertEqual(kept[header], first[header])
        self.assert_security_headers(kept)

    def test_the_printed_title_style_is_allowed_by_its_hash_only(self):
        response = self.client.get("/fact-sheets/mali/")
        (style,) = STYLE_ELEMENT.findall(response.content.decode())
        self.assertIn("U.S. Relations With Mali", style)
        self.assertIn("@bottom-left", style)
        self.assertEqual(policy(response)["style-src"], ["'self'", csp_hash(style)])
        # Another sheet's title has another hash; pages without the style have none.
        self.assertEqual(policy(self.client.get("/"))["style-src"], ["'self'"])

    def test_a_title_cannot_break_out_of_the_printed_style(self):
        self.sheet.title = 'Mali</style><script>alert(1)</script>"; }'
        self.sheet.save()
        response = self.client.get(f"/fact-sheets/preview/{self.sheet.pk}/")
        self.assertEqual(response.status_code, 302)  # staff only
        self.client.force_login(self.publisher)
        response = self.client.get(f"/fact-sheets/preview/{self.sheet.pk}/")
        html = response.content.decode()
        (style,) = STYLE_ELEMENT.findall(html)
        self.assertNotIn("<", style)
        self.assertNotIn("<script>alert", html)
        self.assertIn(csp_hash(style), policy(response)["style-src"])

    def test_admin_pages_carry_the_headers(self):
        self.client.force_login(self.publisher)
        urls = [
            reverse("admin:index"),
            reverse("admin:factsheets_factsheet_changelist"),
            reverse("admin:factsheets_factsheet_add"),
            reverse("admin:factsheets_factsheet_change", args=[self.sheet.pk]),
        ]
        for url in urls:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assert_security_headers(response, admin=True)
                self.assertIn("no-cache", response["Cache-Control"])
        self.client.logout()
        self.assert_security_headers(self.client.get(reverse("admin:login")), True)

    def test_the_rich_text_editors_import_map_runs_by_a_fresh_nonce(self):
        self.client.force_login(self.publisher)
        url = reverse("admin:factsheets_factsheet_change", args=[self.sheet.pk])
        nonces = []
        for _ in range(2):
            response = self.client.get(url)
            html = response.content.decode()
            (importmap,) = re.findall(r'<script[^>]*type="importmap"[^>]*>', html)
            nonce = re.search(r'nonce="([^"]+)"', importmap).group(1)
            self.assertEqual(
                policy(response)["script-src"], ["'self'", f"'nonce-{nonce}'"]
            )
            # The editor's own base stylesheet, which it adds as a <style>.
            self.assertEqual(
                policy(response)["style-src"], ["'self'", *editor_style_sources()]
            )
            self.assertIsNone(STYLE_ATTRIBUTE.search(html))
            self.assertIsNone(HANDLER.search(html))
            nonces.append(nonce)
        self.assertNotEqual(nonces[0], nonces[1])
        self.assertGreaterEqual(len(nonces[0]), 22)  # 128 random bits

    def test_the_editors_stylesheet_is_read_from_the_installed_editor(self):
        self.assertEqual(len(editor_style_sources()), 1)

    def test_sign_in_cookies_are_http_only_and_same_site(self):
        login = reverse("admin:login")
        page = self.client.get(login)
        self.client.post(
            login,
            {
                "username": "publisher",
                "password": "pw",
                "csrfmiddlewaretoken": page.context["csrf_token"],
                "next": reverse("admin:index"),
            },
        )
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            with self.subTest(name):
                cookie = self.client.cookies[name]
                self.assertTrue(cookie["httponly"])
                self.assertEqual(cookie["samesite"], "Lax")
                # Secure when HTTPS is on (SECURE_COOKIES; see DeployCheckTests).
                self.assertEqual(bool(cookie["secure"]), settings.SESSION_COOKIE_SECURE)


def production_env(**overrides):
    """The environment of a production server as the README describes it."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in ("PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        {
            "DEBUG": "False",
            # 64 random characters; none is "$", which django-environ would read
            # as the name of another variable when first.
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "factsheets.example.gov",
            "SITE_URL": "https://factsheets.example.gov",
            "SECURE_SSL_REDIRECT": "True",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
            "SECURE_HSTS_PRELOAD": "True",
            "SECURE_COOKIES": "True",
            "BEHIND_TLS_PROXY": "True",
        }
    )
    env.update(overrides)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class DeployCheckTests(TestCase):
    def test_production_settings_pass_check_deploy(self):
        result = manage(
            "check", "--deploy", "--fail-level", "DEBUG", env=production_env()
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("System check identified no issues (0 silenced).", result.stdout)

    def test_check_deploy_asks_for_hsts_subdomains_and_preload(self):
        env = production_env(
            SECURE_HSTS_INCLUDE_SUBDOMAINS="False", SECURE_HSTS_PRELOAD="False"
        )
        result = manage("check", "--deploy", env=env)
        self.assertIn("security.W005", result.stderr + result.stdout)
        self.assertIn("security.W021", result.stderr + result.stdout)

    def test_check_deploy_asks_for_the_sites_public_address(self):
        result = manage("check", "--deploy", env=production_env(SITE_URL=""))
        self.assertIn("SITE_URL must be the site's scheme and host", result.stderr)
        self.assertNotEqual(result.returncode, 0)
        env = production_env(SITE_URL="http://factsheets.example.org")
        result = manage("check", "--deploy", env=env)
        self.assertIn("factsheets.W001", result.stderr + result.stdout)
        self.assertIn("factsheets.W002", result.stderr + result.stdout)

    def test_production_settings_make_cookies_secure_and_send_hsts(self):
        script = (
            "from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
            " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
            " s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER,"
            " s.CONTENT_SECURITY_POLICY['DIRECTIVES']['upgrade-insecure-requests'])"
        )
        result = manage("shell", "-c", script, env=production_env())
        self.assertEqual(
            result.stdout.strip().splitlines()[-1],
            "True True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') True",
            result.stderr,
        )


# Production settings, but static files from the app folders (no collectstatic).
SERVER_SETTINGS = """\
from config.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
"""
HSTS = "max-age=31536000; includeSubDomains"


class GunicornTests(TransactionTestCase):
    """What gunicorn hands Django, with HTTPS on behind a proxy: every response,
    whatever its path, is the site's own with every header."""

    def setUp(self):
        make_full_factsheet(country=make_country(name="Mali", slug="mali"))
        workdir = tempfile.mkdtemp(prefix="headers-")
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        (Path(workdir) / "headers_settings.py").write_text(SERVER_SETTINGS)
        if connection.vendor == "postgresql":
            url = database_url(connection.settings_dict)
        else:  # the test database is a file (config/settings.py)
            url = f"sqlite:///{connection.settings_dict['NAME']}"
        env = server_environment(
            workdir,
            "headers_settings",
            SECRET_KEY=settings.SECRET_KEY,
            DATABASE_URL=url,
            CACHE_URL="locmemcache://",  # one worker
            BEHIND_TLS_PROXY="1",
            SECURE_SSL_REDIRECT="1",
            SECURE_HSTS_SECONDS="31536000",
            SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        )
        self.server = Server("site", env, workdir)
        self.addCleanup(self.server.stop)
        deadline = time.monotonic() + 20
        while self.get("/healthz", https=False)[0] != 200:  # exempt from the redirect
            if time.monotonic() > deadline or self.server.process.poll() is not None:
                raise AssertionError(self.server.output())
            time.sleep(0.1)

    def get(self, path, https=True):
        headers = {"X-Forwarded-Proto": "https"} if https else {}
        try:
            return Client().request(self.server.url + path, headers=headers)
        except OSError:
            return None, None, ""

    def assert_headers(self, headers):
        for name in (
            "Content-Security-Policy",
            "Permissions-Policy",
            "Cross-Origin-Opener-Policy",
            "Referrer-Policy",
        ):
            self.assertIn(name, headers)
        self.assertIn("default-src 'none'", headers["Content-Security-Policy"])
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertEqual(headers["Strict-Transport-Security"], HSTS)

    def test_paths_outside_latin_1_get_the_sites_404(self):
        for _ in range(2):  # the worker keeps the page: the front door looks first
            self.assertEqual(self.get("/fact-sheets/mali/")[0], 200)
        for url, expected in [
            ("/%E2%80%8B", 404),
            ("/fact-sheets/%F0%9F%98%80/", 404),
            ("/%C3%A9t%C3%A9/", 404),
            ("/admin/%E3%80%80", 302),  # to the sign-in page, as any admin address
        ]:
            with self.subTest(url):
                status, headers, body = self.get(url)
                self.assertEqual(status, expected, body[-1000:])
                self.assert_headers(headers)
                if status == 404:
                    self.assertIn("<h1>Page not found</h1>", body)
                    self.assertIn("/static/css/site.css", body)
        self.assertNotIn("Traceback", self.server.output())

    def test_the_redirect_to_https_carries_the_headers(self):
        for url in ["/", "/fact-sheets/mali/", "/%E2%80%8B", "/admin/"]:
            with self.subTest(url):
                status, headers, _ = self.get(url, https=False)
                self.assertEqual(status, 301)
                self.assertTrue(headers["Location"].startswith("https://127.0.0.1:"))
                self.assert_headers(headers)
