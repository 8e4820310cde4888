"""Two app servers on one PostgreSQL database and one Redis behave as one site.

Each server is a separate gunicorn process with production settings, so the test
data must be committed (a TransactionTestCase) and every page read from the second
server shows what an editor saved through the first one on the very next request,
whatever either of them cached before.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
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

from tests.helpers.html_forms import FormFields, form_errors
from tests.helpers.servers import Client, Server, database_url, server_environment

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A Redis database of this test's own, emptied before and after it.
REDIS_DB = 11
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
                # The administrator made the edition and publishes it, past the
                # second pair of eyes, as the form offers them.
                "override_review": "on",
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
