"""When things fail: the database, the cache, a request.

The database is made to fail for real: in this process by pointing the connection
where nothing answers, and under gunicorn behind a port of the test's own that
forwards to the test database, hangs (accepts connections, never answers) or
refuses them.
"""

import io
import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.urls import path

from config import urls as site_urls
from operations import Refused
from operations.log import RequestContextFilter
from operations.views import RETRY_AFTER
from tests.helpers.factories import make_user
from tests.helpers.servers import Client as HttpClient
from tests.helpers.servers import Server, database_url, free_port, server_environment

PAGE = "/fact-sheets/mali/"
UNAVAILABLE = "This page is temporarily unavailable"
NEVER_STORED = ["no-cache", "no-store", "must-revalidate", "private", "max-age=0"]


def raise_error(request):
    """A careless error, whose message holds what was posted and sent."""
    user = request.user.pk  # as the admin's views look at the user
    raise RuntimeError(
        f"Could not check password={request.POST.get('password')!r} of {user} "
        f"for {request.COOKIES.get(settings.SESSION_COOKIE_NAME)} with "
        f"{settings.SECRET_KEY} after {request.META.get('HTTP_AUTHORIZATION')} "
        f"and {request.POST.get('csrfmiddlewaretoken')}"
    )


def refuse(request):
    """A public page refused with a reason written for staff."""
    raise Refused("Only publishers may see <b>this</b>.")


# A URLconf for the tests that need an error: the site's, and views that fail.
urlpatterns = [
    path("test-error/", raise_error),
    path("test-refused/", refuse),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler500 = site_urls.handler500


class LogOutput:
    """What the configured console handler writes (its filter and format included)."""

    def __enter__(self):
        self.handler = next(
            handler
            for handler in logging.getLogger().handlers
            if any(isinstance(f, RequestContextFilter) for f in handler.filters)
        )
        self.stream = io.StringIO()
        self.previous = self.handler.setStream(self.stream)
        return self

    def __exit__(self, *exc_info):
        self.handler.setStream(self.previous)

    @property
    def text(self):
        return self.stream.getvalue()


def closed_port():
    """A port on which nothing listens."""
    return free_port()


def assert_styled_page(test, response, status, heading):
    test.assertEqual(response.status_code, status)
    html = response.content.decode()
    test.assertIn(heading, html)
    test.assertIn("/static/css/site.css", html)  # the site's own page, styled
    test.assertIn(settings.DEPARTMENT_NAME, html)  # context processors ran
    test.assertIn('href="/"', html)  # somewhere to go
    for detail in ["Traceback", "Error", "Exception", "OperationalError", "line "]:
        test.assertNotIn(detail, html)


def assert_never_stored(test, response):
    control = response.get("Cache-Control", "")
    for word in NEVER_STORED:
        test.assertIn(word, control)


class ErrorPageTests(TestCase):
    """400, 403, 404 and 500: styled, saying what happened and where to go, and
    nothing about the error itself."""

    def test_page_not_found(self):
        response = self.client.get("/no-such-page/")
        assert_styled_page(self, response, 404, "Page not found")

    def test_bad_request_for_a_host_the_site_does_not_serve(self):
        with self.assertNumQueries(0):
            response = self.client.get(PAGE, HTTP_HOST="intruder.example")
        assert_styled_page(self, response, 400, "The request could not be understood")
        self.assertNotContains(response, "intruder.example", status_code=400)
        assert_never_stored(self, response)

    def test_permission_denied(self):
        user = make_user("nobody")  # staff, in neither group
        self.client.force_login(user)
        response = self.client.get("/admin/factsheets/factsheet/add/")
        assert_styled_page(self, response, 403, "You do not have access to this page")
        assert_never_stored(self, response)

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_public_page_never_states_a_refusals_reason(self):
        staff = make_user("staff", "Publishers")
        for user in (None, staff):
            with self.subTest(user=user):
                if user:
                    self.client.force_login(user)
                with self.assertNumQueries(0):  # the error page needs no database
                    response = self.client.get("/test-refused/")
                assert_styled_page(self, response, 403, "You do not have access")
                self.assertNotContains(response, "Only publishers", status_code=403)
                # The page as it always was, line for line.
                self.assertContains(
                    response,
                    "<h1>You do not have access to this page</h1>\n"
                    "      <p>Your account is not allowed",
                    status_code=403,
                )

    def test_the_admin_states_the_reason_of_our_refusals_only(self):
        user = make_user("editor", "Editors")
        self.client.force_login(user)
        # Django's own refusal (an Editor may not add a user) has no reason to show.
        response = self.client.get("/admin/auth/user/add/")
        self.assertContains(
            response,
            "</h1>\n      <p>Your account is not allowed",
            status_code=403,
        )
        self.assertNotContains(response, "message-page__reason", status_code=403)

    def test_a_form_without_its_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            "/admin/login/", {"username": "someone", "password": "a long password"}
        )
        assert_styled_page(self, response, 403, "Your form could not be sent")
        self.assertContains(response, "reload the page", status_code=403)
        self.assertNotContains(response, "CSRF", status_code=403)
        assert_never_stored(self, response)

    @override_settings(ROOT_URLCONF=__name__)
    def test_server_error_touches_no_database(self):
        client = Client(raise_request_exception=False)
        with self.assertNumQueries(0):
            response = client.post("/test-error/", {"password": "x"})
        assert_styled_page(self, response, 500, "Something went wrong")
        self.assertNotContains(response, "password", status_code=500)
        assert_never_stored(self, response)


class HealthTests(TestCase):
    def test_ok_when_database_and_cache_answer(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok\n")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        assert_never_stored(self, response)
        self.assertEqual(response.cookies, {})
        self.assertEqual(self.client.head("/healthz").status_code, 200)
        self.assertEqual(self.client.post("/healthz").status_code, 405)

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_a_load_balancer_may_ask_over_plain_http(self):
        self.assertEqual(self.client.get("/").status_code, 301)
        self.assertEqual(self.client.get("/healthz").status_code, 200)

    def test_unavailable_when_the_cache_does_not_answer(self):
        redis = {
            "BACKEND": "pagecache.redis.ReusedClientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        with override_settings(CACHES={"default": redis}), LogOutput() as log:
            response = self.client.get("/healthz")
            # Pages are still served, rendered each time.
            self.assertEqual(self.client.get("/").status_code, 200)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content, b"unavailable\n")
        self.assertNotIn("Connection refused", response.content.decode())
        self.assertIn(
            "[GET /healthz] Health check: the cache does not answer", log.text
        )
        self.assertIn("Connection refused", log.text)


class DatabaseUnavailableTests(TransactionTestCase):
    """The database refuses connections, in this process: the connection is pointed
    at a closed port (PostgreSQL) or a file that cannot be opened (SQLite)."""

    def setUp(self):
        call_command("loaddata", "bureaus", "countries", "mali-2015", verbosity=0)
        self.client = Client(raise_request_exception=False)

    def break_database(self):
        saved = dict(connection.settings_dict)
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent/factsheets.sqlite3"
        else:
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))

        def mend():
            connection.close()
            connection.settings_dict.update(saved)

        self.addCleanup(mend)
        return mend

    def test_pages_answer_503_and_recover_when_it_returns(self):
        editor = User.objects.create(username="chief", is_staff=True, is_superuser=True)
        admin = Client(raise_request_exception=False)
        admin.force_login(editor)
        self.assertEqual(self.client.get(PAGE).status_code, 200)  # now stored
        self.assertEqual(admin.get("/admin/").status_code, 200)

        mend = self.break_database()
        with LogOutput() as log:
            cached = self.client.get(PAGE)
            uncached = self.client.get("/bureaus/african-affairs/")
            # No such address, so a middleware asks the database for an old
            # address leading on (factsheets/middleware.py): handler500 answers.
            missing = self.client.get("/no-such-page/")
            signed_in = admin.get("/admin/")
            health = self.client.get("/healthz")

        self.assertEqual(cached.status_code, 200)
        self.assertContains(cached, "U.S. Relations With Mali")
        for response in (uncached, missing, signed_in):
            assert_styled_page(self, response, 503, UNAVAILABLE)
            self.assertEqual(response["Retry-After"], str(RETRY_AFTER))
            assert_never_stored(self, response)
            self.assertEqual(response.cookies, {})
        self.assertEqual(health.status_code, 503)
        self.assertEqual(health.content, b"unavailable\n")
        assert_never_stored(self, health)

        # Logged with the request, the signed-in editor and the cause.
        self.assertIn(
            "ERROR django.request [GET /bureaus/african-affairs/] "
            "Database unavailable: /bureaus/african-affairs/",
            log.text,
        )
        self.assertIn("[GET /admin/] Service Unavailable", log.text)
        self.assertIn("[GET /no-such-page/] Service Unavailable", log.text)
        self.assertIn("OperationalError", log.text)
        self.assertIn("Traceback", log.text)

        mend()  # the database returns: the same process serves again
        self.assertEqual(self.client.get("/bureaus/african-affairs/").status_code, 200)
        self.assertEqual(self.client.get("/no-such-page/").status_code, 404)
        self.assertEqual(admin.get("/admin/").status_code, 200)
        self.assertEqual(self.client.get("/healthz").status_code, 200)


class LoggingTests(TestCase):
    @override_settings(ROOT_URLCONF=__name__)
    def test_errors_are_logged_with_their_request_and_no_secret(self):
        editor = make_user("chief", is_superuser=True)
        client = Client(raise_request_exception=False)
        client.force_login(editor)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        csrf_cookie = "k" * 32
        client.cookies[settings.CSRF_COOKIE_NAME] = csrf_cookie
        password = "correct horse battery staple"
        form_token = "t" * 64
        bearer = "Bearer abcdef0123456789"
        with LogOutput() as log:
            response = client.post(
                "/test-error/",
                {"password": password, "csrfmiddlewaretoken": form_token},
                HTTP_AUTHORIZATION=bearer,
            )
            logging.getLogger("factsheets").warning(
                "Settings: %s; posted: %s; database: %s; preview: %s",
                {"SECRET_KEY": "from-a-dict", "API_TOKEN": "abc123"},
                "password=hunter22&user=chief",
                "postgres://chief:sesame-open@db.example/factsheets",
                "/fact-sheets/shared-preview/a1b2c3d4e5/",
            )
        self.assertEqual(response.status_code, 500)
        text = log.text
        # Enough to act on: the request, the editor, the exception and where.
        self.assertIn(
            f"ERROR django.request [POST /test-error/ user={editor.pk}] "
            "Internal Server Error: /test-error/",
            text,
        )
        self.assertIn("Traceback (most recent call last)", text)
        self.assertIn("in raise_error", text)
        self.assertIn("RuntimeError: Could not check password=[redacted]", text)
        # Nothing secret.
        for secret in [
            password,
            session_key,
            csrf_cookie,
            form_token,
            settings.SECRET_KEY,
            "abcdef0123456789",
            "from-a-dict",
            "abc123",
            "hunter22",
            "sesame-open",
            "a1b2c3d4e5",
        ]:
            self.assertNotIn(secret, text)
        self.assertIn("user=chief", text)  # not secret, kept
        self.assertIn("postgres://chief:[redacted]@db.example/factsheets", text)


# gunicorn, production settings but plain static files (no collectstatic needed).
SERVER_SETTINGS = """\
from config.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
"""
CONNECT_TIMEOUT = 2  # libpq's least


class Database:
    """The database as the server sees it, at a port of the test's own: forwarded
    to the test database, hanging (connections accepted and never answered), or
    refusing connections. Each change cuts the connections open before it, as a
    restart would."""

    def __init__(self, target=None):
        self.target = target
        self.port = free_port()
        self.mode = "refuse"
        self.listener = None
        self.sockets = []
        self.lock = threading.Lock()

    def forward(self):
        self.change("forward")

    def hang(self):
        self.change("hang")

    def refuse(self):
        self.change("refuse")

    def change(self, mode):
        with self.lock:
            self.mode = mode
            for sock in self.sockets:
                close(sock)
            self.sockets = []
            if mode == "refuse" and self.listener is not None:
                close(self.listener)
                self.listener = None
            elif mode != "refuse" and self.listener is None:
                self.listener = socket.socket()
                self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                self.listener.bind(("127.0.0.1", self.port))
                self.listener.listen(16)
                threading.Thread(
                    target=self.accept, args=[self.listener], daemon=True
                ).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                self.sockets.append(client)
                if self.mode != "forward":
                    continue  # hang: held open, never read or answered
                upstream = socket.create_connection(self.target)
                self.sockets.append(upstream)
            for source, sink in [(client, upstream), (upstream, client)]:
                threading.Thread(
                    target=self.pipe, args=[source, sink], daemon=True
                ).start()

    @staticmethod
    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        close(source)
        close(sink)


def close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class UnreachableDatabaseServerTests(TransactionTestCase):
    """gunicorn with production settings, its database behind `Database`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        target = None
        if connection.vendor == "postgresql":
            target = (
                connection.settings_dict["HOST"] or "127.0.0.1",
                int(connection.settings_dict["PORT"] or 5432),
            )
        cls.database = Database(target)
        cls.addClassCleanup(cls.database.refuse)
        workdir = tempfile.mkdtemp(prefix="failures-")
        cls.addClassCleanup(shutil.rmtree, workdir, ignore_errors=True)
        (Path(workdir) / "failures_settings.py").write_text(SERVER_SETTINGS)
        if target:
            url = database_url(
                {
                    **connection.settings_dict,
                    "HOST": "127.0.0.1",
                    "PORT": cls.database.port,
                }
            )
        else:
            url = f"postgres://postgres@127.0.0.1:{cls.database.port}/factsheets"
        env = server_environment(
            workdir,
            "failures_settings",
            SECRET_KEY=settings.SECRET_KEY,  # sessions made here are valid there
            DATABASE_URL=url,
            DB_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
            CACHE_URL="locmemcache://",  # one worker
            LOG_LEVEL="WARNING",
        )
        cls.server = Server("site", env, workdir)
        cls.addClassCleanup(cls.server.stop)
        deadline = time.monotonic() + 20
        while True:  # any answer, 503 included, says it is up
            try:
                HttpClient().request(cls.server.url + "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or cls.server.process.poll():
                    raise AssertionError(cls.server.output()) from None
                time.sleep(0.1)

    def get(self, path, headers=None):
        started = time.monotonic()
        status, headers, body = HttpClient().request(
            self.server.url + path, headers=headers
        )
        return status, headers, body, time.monotonic() - started

    def assert_unavailable(self, path, within, headers=None):
        status, headers, body, took = self.get(path, headers)
        self.assertEqual(status, 503, f"{path}: {body[-2000:]}")
        self.assertEqual(headers["Retry-After"], str(RETRY_AFTER))
        self.assertIn("no-store", headers["Cache-Control"])
        self.assertIn(UNAVAILABLE, body)
        self.assertIn("/static/css/site.css", body)
        self.assertNotIn("Traceback", body)
        self.assertLess(took, within, path)

    def assert_health(self, status, within):
        got, _, body, took = self.get("/healthz")
        self.assertEqual(
            (got, body), (status, "ok\n" if status == 200 else "unavailable\n")
        )
        self.assertLess(took, within)

    def test_a_hanging_or_refusing_database(self):
        self.database.hang()
        self.assert_unavailable("/", within=CONNECT_TIMEOUT + 2)
        self.assert_health(503, within=CONNECT_TIMEOUT + 2)
        self.database.refuse()
        self.assert_unavailable("/fact-sheets/", within=1.5)
        self.assert_health(503, within=1.5)
        self.server.log.seek(0)
        log = self.server.log.read().decode()
        self.assertIn("ERROR django.request [GET /] Database unavailable: /", log)
        self.assertIn("Traceback", log)

    def test_cached_pages_are_served_and_the_site_recovers(self):
        if connection.vendor != "postgresql":
            self.skipTest(
                "needs the test run on PostgreSQL (DATABASE_URL=postgres://...) "
                "for a database to forward to; the hanging and refused parts ran"
            )
        call_command("loaddata", "bureaus", "countries", "mali-2015", verbosity=0)
        editor = User.objects.create(username="chief", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(editor)
        session = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}

        self.database.forward()
        status, _, sheet, _ = self.get(PAGE)
        self.assertEqual(status, 200)
        self.assertEqual(self.get("/admin/", session)[0], 200)
        self.assert_health(200, within=1)

        self.database.hang()
        status, _, body, took = self.get(PAGE)
        self.assertEqual((status, body), (200, sheet))  # from the page cache
        self.assertLess(took, 0.5)
        self.assert_unavailable("/bureaus/african-affairs/", within=CONNECT_TIMEOUT + 2)
        self.assert_unavailable("/admin/", within=CONNECT_TIMEOUT + 2, headers=session)

        self.database.forward()
        self.assertEqual(self.get("/bureaus/african-affairs/")[0], 200)
        self.assertEqual(self.get("/admin/", session)[0], 200)
        self.assert_health(200, within=1)
