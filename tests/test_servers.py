"""Two app servers on one PostgreSQL database and one Redis behave as one site (#9).

Each server is a separate gunicorn process with production settings, so the test
data must be committed (a TransactionTestCase) and every page read from the second
server shows what an editor saved through the first one on the very next request,
whatever either of them cached before.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone
from django.utils.dateformat import format as date_format

from tests.html_forms import FormFields, form_errors

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A Redis database of this test's own, emptied before and after it.
REDIS_DB = 11
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "two-servers-one-site"
NEW_TITLE = "U.S. Relations With the Republic of Mali"
# Words no page holds before the editor types them.
EDITED_WORD = "Quillfeather"
PUBLISHED_WORD = "Marrowbell"
NEW_TEXTS = [NEW_TITLE, EDITED_WORD, PUBLISHED_WORD]

PAGES = {
    "sheet": "/fact-sheets/mali/",
    "edition": "/fact-sheets/mali/2015-10-15/",
    "changes": "/fact-sheets/mali/changes/",
    "home": "/",
    "index": "/fact-sheets/",
    "bureau": "/bureaus/african-affairs/",
    "sheet json": "/fact-sheets/mali.json",
    "catalogue json": "/fact-sheets.json",
    "feed": "/feeds/fact-sheets.atom",
    "bureau feed": "/bureaus/african-affairs/feed.atom",
    "country feed": "/fact-sheets/mali/feed.atom",
    "sitemap": "/sitemap.xml",
    "search (edited word)": f"/search/?q={EDITED_WORD}",
    "search (published word)": f"/search/?q={PUBLISHED_WORD}",
}

# Production settings but for where collectstatic writes: a folder of the test's
# own. Django's manifest storage gives the hashed names production serves; leaving
# out WhiteNoise's compression saves seconds and is not what this test is about.
SERVER_SETTINGS = """\
from config.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
STORAGES = {{
    **STORAGES,  # noqa: F405
    "staticfiles": {{
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    }},
}}
"""


def redis_client():
    """The test's Redis database, or None with the reason it cannot be had."""
    try:
        import redis
    except ImportError:
        return None, "the redis package is not installed (Django's RedisCache needs it)"
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    try:
        client.ping()
    except redis.RedisError as error:
        return None, f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT} ({error})"
    return client, ""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict):
    """The test database, as the servers' DATABASE_URL."""
    user = urllib.parse.quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        user += ":" + urllib.parse.quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    name = urllib.parse.quote(settings_dict["NAME"], safe="")
    return f"postgres://{user}@{host}:{port}/{name}"


def server_environment(workdir, settings_module, **values):
    """A server process's environment: production settings (DEBUG off, plain http
    on 127.0.0.1) from `settings_module` in `workdir`, with `values` on top, and
    nothing of the test run's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        PYTHONPATH=os.pathsep.join([workdir, str(settings.BASE_DIR)]),
        PYTHONUNBUFFERED="1",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        **values,
    )
    return env


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A reader, or with cookies an editor, talking HTTP to the servers."""

    def __init__(self, cookies=False):
        self.jar = CookieJar() if cookies else None
        handlers = [NoRedirects()]
        if self.jar is not None:
            handlers.append(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, url, data=None, headers=None):
        """(status, headers, body) of one request; redirects are not followed."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read().decode()

    def cookie(self, name):
        return next(cookie.value for cookie in self.jar if cookie.name == name)


class Server:
    """One gunicorn server with production settings, in a process of its own."""

    def __init__(self, name, env, workdir):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(workdir) / f"{name}.log", "w+b")
        command = [
            str(GUNICORN),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
        ]
        if has_control_socket_option():
            # Two servers would otherwise claim the same control socket.
            command.append("--no-control-socket")
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ready(self, deadline):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited:\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.1)
                continue
            status, _, _ = Client().request(self.url + "/robots.txt")
            if status == 200:
                return
            time.sleep(0.1)
        raise AssertionError(f"server {self.name} did not answer:\n{self.output()}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


_control_socket_option = None


def has_control_socket_option():
    """gunicorn 27 gives every server one control socket unless told not to."""
    global _control_socket_option
    if _control_socket_option is None:
        help_text = subprocess.run(
            [str(GUNICORN), "--help"], capture_output=True, text=True, check=False
        ).stdout
        _control_socket_option = "--no-control-socket" in help_text
    return _control_socket_option


class TwoServersTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest(
                "needs the test run on PostgreSQL (DATABASE_URL=postgres://...), "
                "as on CI's second run"
            )
        self.redis, reason = redis_client()
        if self.redis is None:
            self.skipTest(reason)
        self.redis.flushdb()
        self.addCleanup(self.redis.close)
        self.addCleanup(self.redis.flushdb)

        call_command("loaddata", "bureaus", "countries", "mali-2015", verbosity=0)
        # Hashed as the servers hash (the tests' own hasher is not in their settings).
        hasher = PBKDF2PasswordHasher()
        User.objects.create(
            username="chief",
            password=hasher.encode(PASSWORD, hasher.salt()),
            is_staff=True,
            is_superuser=True,
        )

        workdir = tempfile.mkdtemp(prefix="two-servers-")
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        (Path(workdir) / "two_servers_settings.py").write_text(
            SERVER_SETTINGS.format(static_root=str(Path(workdir) / "static"))
        )
        env = server_environment(
            workdir,
            "two_servers_settings",
            SECRET_KEY="the-same-secret-key-on-both-servers-" + "x" * 30,
            DATABASE_URL=database_url(connection.settings_dict),
            CACHE_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
        )
        self.a = Server("A", env, workdir)
        self.addCleanup(self.a.stop)
        self.b = Server("B", env, workdir)
        self.addCleanup(self.b.stop)
        deadline = time.monotonic() + 20
        self.a.wait_until_ready(deadline)
        self.b.wait_until_ready(deadline)

    def read_all(self, server):
        reader = Client()
        return {
            page: reader.request(server.url + path)[::2] for page, path in PAGES.items()
        }

    def post_form(self, editor, server, path, form_id, changes, expect=302):
        """Opens a form in the admin, changes some fields and sends it back."""
        status, _, html = editor.request(server.url + path)
        self.assertEqual(status, 200, f"GET {path} on {server.name}")
        fields = FormFields.of(html, form_id)
        self.assertIn("csrfmiddlewaretoken", fields, f"no form #{form_id} at {path}")
        for name, change in changes.items():
            fields[name] = change(fields.get(name)) if callable(change) else change
        status, headers, html = editor.request(server.url + path, fields)
        self.assertEqual(
            status,
            expect,
            f"POST {path} on {server.name}: {form_errors(html) or html[-2000:]}\n"
            f"{server.output()}",
        )
        return fields, headers

    def test_an_edit_through_one_server_shows_on_the_other_at_once(self):
        editor = Client(cookies=True)
        _, headers = self.post_form(
            editor,
            self.a,
            "/admin/login/?next=/admin/",
            "login-form",
            {"username": "chief", "password": PASSWORD},
        )
        self.assertEqual(headers["Location"], "/admin/")

        # The session made on A signs the editor in on B too.
        session = {"Cookie": f"sessionid={editor.cookie('sessionid')}"}
        status, _, html = Client().request(self.b.url + "/admin/", headers=session)
        self.assertEqual(status, 200)
        self.assertIn("chief", html)
        status, headers, _ = Client().request(self.b.url + "/admin/")
        self.assertEqual(status, 302)  # and without it, B asks to sign in

        # Both servers have read (and may have cached) every page as it was.
        self.read_all(self.a)
        before = self.read_all(self.b)
        for page, (_, body) in before.items():
            if page.startswith("search"):  # which repeats the words looked for
                self.assertNotIn('class="search-result"', body, page)
            else:
                new = [text for text in NEW_TEXTS if text in body]
                self.assertEqual(new, [], page)
        self.assertEqual(before["edition"][0], 302)  # the current edition's address
        self.assertEqual(before["changes"][0], 404)  # one edition: nothing to compare

        # 1. A publisher corrects the published sheet in place, through A.
        sheet = "/admin/factsheets/factsheet/1/change/"
        fields, _ = self.post_form(
            editor,
            self.a,
            sheet,
            "factsheet_form",
            {
                "title": NEW_TITLE,
                "sections-0-body": lambda body: (
                    f"{body}<p>The {EDITED_WORD} programme began in 2015.</p>"
                ),
                "change_kind": "minor",
                "_save": "Save",
            },
        )
        self.assertIn("base_version", fields)
        edited = self.read_all(self.b)
        stale = []
        for page in [
            "sheet",
            "home",
            "sheet json",
            "catalogue json",
            "feed",
            "bureau feed",
            "country feed",
        ]:
            if NEW_TITLE not in edited[page][1]:
                stale.append(f"{page}: old title")
        for page in ["sheet", "sheet json", "search (edited word)"]:
            if EDITED_WORD not in edited[page][1]:
                stale.append(f"{page}: no {EDITED_WORD}")
        if 'class="search-result"' not in edited["search (edited word)"][1]:
            stale.append("search (edited word): no result")
        if last_modified(before["sitemap"][1]) == last_modified(edited["sitemap"][1]):
            stale.append("sitemap: same lastmod for Mali")
        self.assertEqual(stale, [], "served stale by B after an edit on A")

        # 2. A new edition, dated today, made and published through A.
        changelist = "/admin/factsheets/factsheet/"
        _, headers = self.post_form(
            editor,
            self.a,
            changelist,
            "changelist-form",
            {"action": "make_new_editions", "_selected_action": "1", "index": "0"},
        )
        draft = urllib.parse.urlsplit(headers["Location"]).path
        self.assertNotEqual(draft, sheet)
        self.post_form(
            editor,
            self.a,
            draft,
            "factsheet_form",
            {
                "lead": lambda lead: f"{lead} {PUBLISHED_WORD} is new in this edition.",
                "sections-0-body": lambda body: (
                    f"{body}<p>The {PUBLISHED_WORD} talks opened this year.</p>"
                ),
                "_publish": "Save and publish",
            },
        )
        today = timezone.localdate()
        published = self.read_all(self.b)
        stale = []
        for page in [
            "sheet",
            "changes",
            "sheet json",
            "feed",
            "bureau feed",
            "country feed",
            "search (published word)",
        ]:
            if PUBLISHED_WORD not in published[page][1]:
                stale.append(f"{page}: no {PUBLISHED_WORD}")
        dated = {
            "sheet": date_format(today, "F j, Y"),
            "home": f'datetime="{today:%Y-%m-%d}"',
            "index": f'datetime="{today:%Y-%m}"',
            "bureau": f'datetime="{today:%Y-%m-%d}"',
        }
        for page, text in dated.items():
            if text not in published[page][1]:
                stale.append(f"{page}: not dated {today}")
        if (
            published["edition"][0] != 200
            or "superseded" not in published["edition"][1]
        ):
            stale.append("edition: not marked superseded")
        if published["changes"][0] != 200:
            stale.append(f"changes: {published['changes'][0]}")
        if json.loads(published["sheet json"][1])["issued_on"] != today.isoformat():
            stale.append("sheet json: old issued_on")
        catalogue = json.loads(published["catalogue json"][1])["fact_sheets"]
        if [sheet["issued_on"] for sheet in catalogue] != [today.isoformat()]:
            stale.append("catalogue json: old issued_on")
        self.assertEqual(stale, [], "served stale by B after publishing on A")

        statuses = {page: status for page, (status, _) in published.items()}
        self.assertEqual(
            set(statuses.values()), {200}, f"{statuses}\n{self.b.output()}"
        )


def last_modified(sitemap, path="/fact-sheets/mali/"):
    """The sitemap's lastmod of the page at `path`."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    for url in ElementTree.fromstring(sitemap).iterfind("s:url", namespace):
        if url.findtext("s:loc", namespaces=namespace).endswith(path):
            return url.findtext("s:lastmod", namespaces=namespace)
    return None
