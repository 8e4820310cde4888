"""Backups: `manage.py backup` writes one file, `manage.py restore` loads
it into an empty database, after which every public page is the page it was, byte
for byte; a damaged or foreign file is refused and changes nothing.

The database is emptied by rolling back to a savepoint taken before the content was
made: what is left is exactly what `migrate` writes into a new database.
"""

import datetime
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from unittest import mock

import reversion
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

import pagecache
from factsheets import sheet_operations
from factsheets.models import (
    Bureau,
    ChangeNote,
    Country,
    EditingSession,
    FactSheet,
    FormerSlug,
    ImportRecord,
    LegacyAddress,
    PreviewLink,
    Section,
)
from factsheets.richtext import sanitize
from operations import backups
from tests.helpers.factories import (
    HOSTILE_MARKS,
    HOSTILE_RICH_TEXT,
    make_full_factsheet,
    make_section,
    make_user,
)
from tests.helpers.seed import TextOf

FIXTURES = settings.BASE_DIR / "fixtures"
SEARCHES = ["mali", "health", "embassy assistance", "education", "zzzz"]


@contextmanager
def frozen(moment):
    """The clock stands at `moment`, for views and for the printed date alike."""

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch("django.template.defaulttags.datetime", Clock),
    ):
        yield


def public_urls():
    """Every public page the rows of the database make, and the old addresses."""
    urls = [
        "/",
        "/fact-sheets/",
        "/fact-sheets/?by=bureau",
        "/fact-sheets.json",
        "/key-officers/",
        "/assistance/",
        "/assistance.csv",
        "/feeds/fact-sheets.atom",
        "/sitemap.xml",
        "/robots.txt",
        "/search/",
        *[f"/search/?q={words}" for words in SEARCHES],
    ]
    live = FactSheet.objects.live().select_related("country").order_by("issued_on")
    for bureau in Bureau.objects.all():
        urls += [f"/bureaus/{bureau.slug}/", f"/search/?q=health&bureau={bureau.slug}"]
        # An empty feed says it was updated now, by a clock no test can stop.
        if live.filter(bureau=bureau).exists():
            urls.append(f"/bureaus/{bureau.slug}/feed.atom")
    for sheet in live:
        urls.append(sheet.get_edition_url())
    for country in Country.objects.filter(factsheets__in=live).distinct():
        slug = country.slug
        urls += [
            f"/fact-sheets/{slug}/",
            f"/fact-sheets/{slug}.json",
            f"/fact-sheets/{slug}/feed.atom",
            f"/fact-sheets/{slug}/changes/",
        ]
        dates = [sheet.issued_on for sheet in live if sheet.country_id == country.pk]
        if len(dates) > 1:
            urls.append(f"/fact-sheets/{slug}/changes/?from={dates[0]}&to={dates[-1]}")
    urls += [address.old_path for address in LegacyAddress.objects.all()]
    urls += [f"/fact-sheets/{former.slug}/" for former in FormerSlug.objects.all()]
    return urls


def row_counts():
    """How many rows every table holds, many-to-many tables too."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        counts[model._meta.label_lower] = model._base_manager.count()
    return counts


class BackupTestCase(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp(prefix="backup-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.folder)
        super().setUpClass()

    def backup(self, name="backup.jsonl.gz"):
        path = self.folder / name
        path.unlink(missing_ok=True)
        call_command("backup", output=str(path), stdout=StringIO())
        return path

    def restore(self, path, **options):
        out = StringIO()
        call_command("restore", str(path), stdout=out, **options)
        return out.getvalue()

    def pages(self, urls, moment):
        """Each page as rendered (not from the page cache): status, type and bytes."""
        pages = {}
        with override_settings(PAGE_CACHE=False), frozen(moment):
            for url in urls:
                response = self.client.get(url)
                pages[url] = (
                    response.status_code,
                    response.get("Content-Type"),
                    response.get("Location"),
                    response.content,
                )
        return pages

    def restart_sequences(self):
        """Number new rows from 1 again, as a new PostgreSQL database would.

        Rolling back a savepoint leaves sequences where they were, so without this a
        restore that forgot to set them would go unnoticed. Only the tables left empty."""
        if connection.vendor != "postgresql":
            return
        empty = [
            {"table": model._meta.db_table, "column": model._meta.pk.column}
            for model in backups.kept_models()
            if not model._base_manager.exists()
        ]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_by_name_sql(no_style(), empty):
                cursor.execute(sql)

    def round_trip(self, make_content):
        """Make content, render its pages, back it up, empty the database, restore;
        then every page must be as it was. Returns the backup's path and the admin
        history before and after."""
        migrated = row_counts()
        with transaction.atomic():
            make_content()
            moment = timezone.now()
            urls = public_urls()
            before = self.pages(urls, moment)
            history_before = self.history()
            path = self.backup()
            counts = row_counts()
            transaction.set_rollback(True)
        self.assertEqual(row_counts(), migrated, "the database is empty again")
        self.restart_sequences()
        message = self.restore(path)
        self.assertIn("Restored", message)
        after = self.pages(urls, moment)
        for url in urls:
            with self.subTest(url=url):
                self.assertIn(before[url][0], (200, 301, 302), "a page to compare")
                self.assertEqual(after[url][:3], before[url][:3])
                # Compared as digests: a failure would print two whole pages.
                self.assertEqual(
                    hashlib.sha256(after[url][3]).hexdigest(),
                    hashlib.sha256(before[url][3]).hexdigest(),
                )
        kept = {model._meta.label_lower for model in backups.kept_models()}
        restored = row_counts()
        for label, count in counts.items():
            if label in kept:
                with self.subTest(model=label):
                    self.assertEqual(restored[label], count)
        return path, history_before, self.history()

    def history(self):
        return None


class MaliRoundTripTests(BackupTestCase):
    def make_mali(self):
        call_command("load_initial_data", verbosity=0)
        self.publisher = make_user("publisher", "Publishers", email="p@example.gov")
        editor = make_user("editor", "Editors")
        mali = FactSheet.objects.get()
        # A change in place, told to the public, saved as a revision by a named user.
        mali.keep_first_revision()
        with reversion.create_revision():
            reversion.set_user(self.publisher)
            reversion.set_comment("Updated the assistance figures.")
            section = mali.sections.order_by("position")[1]
            section.body += "<p>Assistance rose in 2016.</p>"
            section.save()
            mali.revised_at = timezone.now()
            mali.updated_by = self.publisher
            mali.save()
        ChangeNote.objects.create(
            factsheet=mali, note="Updated the assistance figures."
        )
        # The editor writes the new edition and submits it; the publisher reviews
        # and publishes it: its review steps are part of what a backup keeps.
        second = sheet_operations.new_edition(
            mali, datetime.date(2016, 5, 1), by=editor
        )
        make_section(second, heading="Health Cooperation", position=99)
        sheet_operations.submit_for_review(second, by=editor, message="New figures.")
        sheet_operations.publish(second, by=self.publisher)
        FormerSlug.objects.create(country=mali.country, slug="republic-of-mali")
        LegacyAddress.objects.create(
            old_path="/countries/mali/", new_path="/fact-sheets/mali/2016-05-01/"
        )
        ImportRecord.objects.create(
            factsheet=second,
            source="https://2009-2017.state.gov/r/pa/ei/bgn/2828.htm",
            fingerprint="0" * 64,
            report={"sections": 9},
            imported_by=self.publisher,
        )
        # Transient rows a backup leaves out.
        PreviewLink.create(second, days=3, by=self.publisher)
        EditingSession.opened(second, self.publisher)
        self.mali, self.second = mali, second

    def history(self):
        """The revisions table of the first edition's admin history, and a comparison."""
        user = User.objects.get(username="publisher")
        last_login = user.last_login
        self.client.force_login(user)
        # Signing in sets last_login; put it back, so that the rows still compare.
        User.objects.filter(pk=user.pk).update(last_login=last_login)
        url = reverse("admin:factsheets_factsheet_history", args=[self.mali.pk])
        page = self.client.get(url).content.decode()
        table = re.search(r'<table class="revisions">.*?</table>', page, re.S)
        versions = re.findall(r'name="to" value="(\d+)"', page)
        compare = self.client.get(
            reverse("admin:factsheets_factsheet_compare", args=[self.mali.pk]),
            {"from": versions[-1], "to": versions[0]},
        )
        self.client.logout()
        return (
            table and table.group(0),
            compare.status_code,
            TextOf.of(compare.content.decode()),
        )

    def test_every_public_page_and_the_revisions_come_back_as_they_were(self):
        path, history_before, history_after = self.round_trip(self.make_mali)
        table, status, compared = history_after
        self.assertEqual(history_after, history_before)
        self.assertEqual(status, 200)
        self.assertIn("Updated the assistance figures.", table)
        self.assertIn("publisher", table)
        self.assertEqual(table.count("<tr>"), 3, "a head and two revisions")
        self.assertIn("Assistance rose in 2016.", compared)
        self.assertEqual(
            User.objects.get(username="publisher").groups.get().name, "Publishers"
        )
        self.assertTrue(User.objects.get(username="publisher").check_password("pw"))
        self.assertFalse(PreviewLink.objects.exists())
        self.assertFalse(EditingSession.objects.exists())
        # Every row and field as it was: a backup of the restored database is the same.
        again = backups.read_header(self.backup("again.jsonl.gz"))
        self.assertEqual(again["sha256"], backups.read_header(path)["sha256"])

    def test_the_restored_site_takes_new_rows_and_shows_them(self):
        """New rows get new numbers (PostgreSQL's sequences were set), and a save
        shows on the cached page (the receivers held during the load are back)."""
        self.round_trip(self.make_mali)
        self.assertNotContains(self.client.get("/fact-sheets/mali/"), "Newer text")
        sheet = FactSheet.objects.get(issued_on=datetime.date(2016, 5, 1))
        make_section(sheet, heading="Newer text")
        make_user("newcomer", "Editors")
        sheet.save()  # a new revision and version
        self.assertContains(self.client.get("/fact-sheets/mali/"), "Newer text")
        if connection.vendor == "postgresql":
            self.assertContains(self.client.get("/search/?q=newer"), "Mali")

    def test_pages_kept_from_before_are_not_served_after_a_restore(self):
        with transaction.atomic():
            self.make_mali()
            path = self.backup()
            transaction.set_rollback(True)
        lost = make_full_factsheet(title="A sheet of the lost database")
        self.assertContains(self.client.get("/"), "of the lost database")
        # Gone with the page cache told nothing, as when a database is lost: the
        # page stays kept.
        with pagecache.held():
            lost.delete()
            lost.country.delete()
            lost.bureau.delete()
            Revision.objects.all().delete()
        self.assertContains(self.client.get("/"), "of the lost database")
        self.restore(path)
        page = self.client.get("/")
        self.assertNotContains(page, "of the lost database")
        self.assertContains(page, "Mali")


class CatalogueRoundTripTests(BackupTestCase):
    def make_catalogue(self):
        call_command(
            "generate_catalogue",
            countries=5,
            editions=2,
            sections=3,
            stdout=StringIO(),
        )
        sheet = FactSheet.objects.current().order_by("pk").first()
        ChangeNote.objects.create(factsheet=sheet, note="Corrected a figure.")

    def test_every_public_page_comes_back_as_it_was(self):
        path, *_ = self.round_trip(self.make_catalogue)
        header = backups.read_header(path)
        self.assertEqual(header["counts"]["factsheets.factsheet"], 10)
        self.assertEqual(FactSheet.objects.count(), 10)


class AlteredFileTestCase(BackupTestCase):
    """A good backup of a small site, and ways to write altered copies of it."""

    @classmethod
    def setUpTestData(cls):
        with transaction.atomic():
            make_full_factsheet(children=2)
            make_user("publisher", "Publishers")
            cls.good = cls.folder / "good.jsonl.gz"
            call_command("backup", output=str(cls.good), stdout=StringIO())
            transaction.set_rollback(True)

    def parts(self):
        header, payload = gzip.decompress(self.good.read_bytes()).split(b"\n", 1)
        return json.loads(header), payload

    def write(self, name, data):
        path = self.folder / name
        path.write_bytes(data)
        return path

    def write_backup(self, name, header, payload, checksum=True, sign=True):
        """An altered copy; signed with the site's key unless `sign` is false, as
        only someone who holds the key could (an attacker recomputes the rest)."""
        if checksum:
            header = {**header, "sha256": hashlib.sha256(payload).hexdigest()}
        if sign:
            header = backups.signed(header)
        data = json.dumps(header).encode() + b"\n" + payload
        return self.write(name, gzip.compress(data))

    def edit_rows(self, payload, change):
        """The payload with `change(row)` applied to each row, as a tamperer would."""
        lines = [json.loads(line) for line in payload.splitlines()]
        return b"".join(json.dumps(change(row)).encode() + b"\n" for row in lines)

    def assertRefused(self, path, message, **options):
        before = row_counts()
        with self.assertRaises(CommandError) as refused:
            self.restore(path, **options)
        self.assertIn(message, str(refused.exception))
        self.assertNotIn("\n", str(refused.exception))
        self.assertEqual(row_counts(), before, "nothing changed")
        return str(refused.exception)


class RefusalTests(AlteredFileTestCase):
    """Files that must not be restored, and a database that must not be written to."""

    def test_the_good_file_restores(self):
        """The files below are refused for what was done to them, not for being bad
        copies from the start."""
        self.restore(self.good)
        self.assertEqual(FactSheet.objects.count(), 1)

    def test_a_truncated_file(self):
        data = self.good.read_bytes()
        path = self.write("truncated.jsonl.gz", data[: len(data) // 2])
        self.assertRefused(path, "is damaged: it is cut short (truncated).")

    def test_a_corrupt_compressed_file(self):
        data = bytearray(self.good.read_bytes())
        data[len(data) // 2] ^= 0xFF
        self.assertRefused(self.write("corrupt.jsonl.gz", bytes(data)), "is damaged")

    def test_a_payload_that_does_not_match_its_checksum(self):
        header, payload = self.parts()
        changed = payload.replace(b'"position": 0', b'"position": 7', 1)
        self.assertNotEqual(changed, payload)
        path = self.write_backup("tampered.jsonl.gz", header, changed, checksum=False)
        self.assertRefused(path, "is damaged: its content does not match its checksum.")

    def test_bad_json_is_refused_before_anything_is_loaded(self):
        header, payload = self.parts()
        path = self.write_backup("bad-json.jsonl.gz", header, payload + b'{"model": \n')
        lines = len(payload.splitlines()) + 2  # the header, then the rows
        self.assertRefused(path, f"is damaged: line {lines} is not JSON.")

    def test_a_bad_row_after_rows_were_loaded_rolls_everything_back(self):
        header, payload = self.parts()
        header["counts"]["factsheets.section"] += 1
        orphan = {
            "model": "factsheets.section",
            "pk": 9001,
            "fields": {"factsheet": 9001, "heading": "Orphan", "body": ""},
        }
        payload += json.dumps(orphan).encode() + b"\n"
        path = self.write_backup("orphan.jsonl.gz", header, payload)
        # IntegrityError on SQLite, ForeignKeyViolation on PostgreSQL.
        self.assertRefused(path, "could not be restored (")

    def test_counts_that_do_not_match_the_rows_roll_everything_back(self):
        header, payload = self.parts()
        header["counts"]["factsheets.section"] += 1
        path = self.write_backup("miscounted.jsonl.gz", header, payload)
        self.assertRefused(path, "its rows do not match the counts in its header")

    def test_a_row_of_a_model_backups_never_hold(self):
        header, payload = self.parts()
        session = {
            "model": "sessions.session",
            "pk": "x" * 32,
            "fields": {"session_data": "", "expire_date": "2030-01-01T00:00:00Z"},
        }
        header["counts"]["sessions.session"] = 1
        payload += json.dumps(session).encode() + b"\n"
        path = self.write_backup("sessions.jsonl.gz", header, payload)
        self.assertRefused(path, "it holds rows of sessions.session")

    def test_a_file_that_is_not_gzip(self):
        path = self.write("bureaus.json", (FIXTURES / "bureaus.json").read_bytes())
        self.assertRefused(path, "is not a fact sheets backup (not gzip data).")

    def test_a_compressed_django_fixture(self):
        data = gzip.compress((FIXTURES / "bureaus.json").read_bytes())
        path = self.write("bureaus.json.gz", data)
        self.assertRefused(path, "is not a fact sheets backup (no factsheets-backup")

    def test_another_format_version(self):
        header, payload = self.parts()
        path = self.write_backup("v2.jsonl.gz", {**header, "version": 2}, payload)
        self.assertRefused(path, "of format version 2; this release reads version 1.")

    def test_another_migration_state(self):
        header, payload = self.parts()
        applied = header["migrations"]["factsheets"]
        header["migrations"]["factsheets"] = applied[:-1]
        path = self.write_backup("older.jsonl.gz", header, payload)
        self.assertRefused(
            path,
            f"another migration state (factsheets: backup at {applied[-2]}, "
            f"database at {applied[-1]})",
        )

    def test_a_missing_file(self):
        self.assertRefused(self.folder / "nowhere.jsonl.gz", "No such file")

    def test_a_database_that_is_not_empty(self):
        make_full_factsheet()
        message = self.assertRefused(self.good, "The database is not empty (it holds")
        self.assertIn("1 fact sheet,", message)

    def test_the_command_line_says_it_in_one_line_and_exits_with_1(self):
        """As an operator runs it; its database is a file that must never appear."""
        path = self.write("short.jsonl.gz", self.good.read_bytes()[:100])
        database = self.folder / "untouched.sqlite3"
        ran = subprocess.run(
            [sys.executable, "manage.py", "restore", str(path)],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(ran.returncode, 1)
        self.assertEqual(
            ran.stderr,
            f"CommandError: {path} is damaged: it is cut short (truncated).\n",
        )
        self.assertEqual(ran.stdout, "")
        self.assertFalse(database.exists())

    def test_check_reads_the_whole_file_and_changes_nothing(self):
        out = StringIO()
        before = row_counts()
        call_command("restore", str(self.good), check=True, stdout=out)
        self.assertIn("is a whole backup: 1 fact sheet, 1 user,", out.getvalue())
        self.assertEqual(row_counts(), before)
        data = self.good.read_bytes()
        path = self.write("cut.jsonl.gz", data[: len(data) - 20])
        with self.assertRaisesMessage(CommandError, "is damaged"):
            call_command("restore", str(path), check=True)


def superuser_row(username="mallory", pk=9001):
    """A superuser as a tamperer would add one, with a password of their choosing."""
    return {
        "model": "auth.user",
        "pk": pk,
        "fields": {
            "password": make_password("a password the tamperer knows"),
            "last_login": None,
            "is_superuser": True,
            "username": username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_staff": True,
            "is_active": True,
            "date_joined": "2026-01-01T00:00:00Z",
            "groups": [],
            "user_permissions": [],
        },
    }


def with_permissions(group, *permissions):
    """A row change that gives the named group more permissions."""

    def change(row):
        if row["model"] == "auth.group" and row["fields"]["name"] == group:
            row["fields"]["permissions"] += [list(p) for p in permissions]
        return row

    return change


class SignatureTests(AlteredFileTestCase):
    """A restore trusts only files signed with this site's backup key: a checksum
    and counts are recomputed by whoever alters a file, a signature is not."""

    def superuser_added(self, name="superuser.jsonl.gz", username="mallory"):
        header, payload = self.parts()
        header["counts"]["auth.user"] += 1
        payload += json.dumps(superuser_row(username)).encode() + b"\n"
        # The checksum and counts recomputed, the old signature kept.
        return self.write_backup(name, header, payload, sign=False)

    def editors_given(self, *permissions):
        header, payload = self.parts()
        payload = self.edit_rows(payload, with_permissions("Editors", *permissions))
        return self.write_backup("editors.jsonl.gz", header, payload, sign=False)

    def test_a_backup_is_signed(self):
        header, _ = self.parts()
        self.assertRegex(header["signature"], r"^[\w-]{43}$")  # SHA-256, base64
        self.assertIsNone(backups.signature_problem(header))

    def test_an_added_superuser_is_refused(self):
        path = self.superuser_added()
        message = self.assertRefused(path, "cannot be trusted: its signature does not")
        self.assertIn("--accept-unsigned", message)
        self.assertFalse(User.objects.filter(username="mallory").exists())

    def test_permissions_given_to_editors_are_refused(self):
        for permission in [
            ("change_user", "auth", "user"),
            ("publish_factsheet", "factsheets", "factsheet"),
        ]:
            with self.subTest(permission=permission[0]):
                path = self.editors_given(permission)
                self.assertRefused(path, "its signature does not match")

    def test_a_file_without_a_signature_is_refused_and_says_how_to_restore_it(self):
        header, payload = self.parts()
        del header["signature"]
        path = self.write_backup("unsigned.jsonl.gz", header, payload, sign=False)
        message = self.assertRefused(path, "cannot be trusted: it is not signed.")
        self.assertIn("with restore --accept-unsigned", message)

    def test_a_file_signed_with_another_key_is_refused(self):
        with override_settings(BACKUP_SIGNING_KEY="another site's key " * 3):
            self.assertRefused(self.good, "its signature does not match")
            with self.assertRaisesMessage(CommandError, "signature does not match"):
                call_command("restore", str(self.good), check=True)

    def test_an_older_key_among_the_fallbacks_still_restores(self):
        """A key can change: backups signed with the old one restore while it is
        listed; new backups are signed with the new one."""
        old_key = settings.BACKUP_SIGNING_KEY
        with override_settings(
            BACKUP_SIGNING_KEY="the new key " * 4,
            BACKUP_SIGNING_KEY_FALLBACKS=[old_key],
        ):
            self.assertIn(
                "Signed with this site's backup key.", self.restore(self.good)
            )
        self.assertEqual(FactSheet.objects.count(), 1)

    def test_the_explicit_flag_restores_after_telling_the_accounts_and_permissions(
        self,
    ):
        header, payload = self.parts()
        header["counts"]["auth.user"] += 1
        payload = self.edit_rows(payload, with_permissions("Editors", PUBLISH))
        payload += json.dumps(superuser_row("mallory\x1b[2K")).encode() + b"\n"
        path = self.write_backup("both.jsonl.gz", header, payload, sign=False)
        out = self.restore(path, accept_unsigned=True)
        self.assertIn("Not signed by this site: its signature does not match", out)
        self.assertIn("Accounts it would create (2):", out)
        self.assertIn("  publisher: staff; groups: Publishers\n", out)
        # Escaped, so that the name cannot erase the line it is printed on.
        self.assertIn("  mallory\\x1b[2K: SUPERUSER, staff\n", out)
        self.assertIn("Groups it would create (2), with their permissions:", out)
        self.assertRegex(out, r"  Editors \(\d+\): factsheets\.add_assistanceline, ")
        self.assertIn(
            "    beyond what migrate gives Editors: factsheets.publish_factsheet\n", out
        )
        self.assertNotIn("beyond what migrate gives Publishers", out)
        self.assertIn("Restored", out)
        self.assertTrue(User.objects.get(username="mallory\x1b[2K").is_superuser)

    def test_check_tells_the_accounts_too(self):
        out = StringIO()
        call_command("restore", str(self.good), check=True, stdout=out)
        self.assertIn("Signed with this site's backup key.", out.getvalue())
        self.assertIn("  publisher: staff; groups: Publishers\n", out.getvalue())

    def test_at_a_terminal_it_asks_before_it_writes(self):
        with (
            mock.patch("sys.stdin.isatty", return_value=True),
            mock.patch("builtins.input", return_value="no") as asked,
        ):
            self.assertRefused(self.good, "Not restored; nothing was changed.")
        asked.assert_called_once()
        with (
            mock.patch("sys.stdin.isatty", return_value=True),
            mock.patch("builtins.input", return_value="yes"),
        ):
            self.restore(self.good)
        self.assertEqual(FactSheet.objects.count(), 1)

    def test_a_restore_that_would_fail_is_refused_before_asking(self):
        make_full_factsheet()
        with (
            mock.patch("sys.stdin.isatty", return_value=True),
            mock.patch("builtins.input") as asked,
        ):
            self.assertRefused(self.good, "The database is not empty")
        asked.assert_not_called()

    def test_noinput_does_not_ask(self):
        with (
            mock.patch("sys.stdin.isatty", return_value=True),
            mock.patch("builtins.input") as asked,
        ):
            self.restore(self.good, interactive=False)
        asked.assert_not_called()
        self.assertEqual(FactSheet.objects.count(), 1)


class SizeLimitTests(AlteredFileTestCase):
    """A small file that expands a thousandfold is read as a stream and refused at
    the limit, with memory bounded; the database is left as it was."""

    def write_bomb(self, name, tail, megabytes):
        """The good backup, then `tail` repeated to `megabytes` MB, whole and signed."""
        header, payload = self.parts()
        digest = hashlib.sha256(payload)
        repeats = (megabytes << 20) // len(tail)
        for _ in range(repeats):
            digest.update(tail)
        header = backups.signed({**header, "sha256": digest.hexdigest()})
        path = self.folder / name
        with gzip.open(path, "wb", compresslevel=9) as out:
            out.write(json.dumps(header).encode() + b"\n" + payload)
            block = tail * ((1 << 20) // len(tail))
            for _ in range(repeats // ((1 << 20) // len(tail))):
                out.write(block)
        return path

    def test_a_file_that_expands_past_the_limit_is_refused(self):
        # Blank lines, which a restore skips: only the limit refuses this file.
        path = self.write_bomb("bomb.jsonl.gz", b" " * 1023 + b"\n", 32)
        self.assertLess(path.stat().st_size, 100_000)
        with override_settings(BACKUP_MAX_EXPANDED_MB=8):
            self.assertRefused(path, "expands to more than 8 MB, the most a restore")
        self.assertRefused(path, "expands to more than 16 MB", max_expanded_mb=16)
        self.restore(path, max_expanded_mb=64)  # whole and signed: it restores
        self.assertEqual(FactSheet.objects.count(), 1)

    def test_a_line_longer_than_any_row_is_refused_with_memory_bounded(self):
        path = self.write_bomb("long-line.jsonl.gz", b"0" * 1024, 128)
        tracemalloc.start()
        try:
            self.assertRefused(path, "is longer than 8 MB, no row's")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        self.assertLess(peak, 48 << 20, "a few lines' worth, not the 128 MB line")


PUBLISH = ("publish_factsheet", "factsheets", "factsheet")


class RevisionCheckTests(AlteredFileTestCase):
    """A revision keeps a row of a model django-reversion covers, and its stored data
    is that row; others are refused by restore, not met later in the admin."""

    def with_version(self, name, content_type, stored):
        header, payload = self.parts()
        revision = {
            "model": "reversion.revision",
            "pk": 9001,
            "fields": {
                "date_created": "2026-01-01T00:00:00Z",
                "user": None,
                "comment": "",
            },
        }
        version = {
            "model": "reversion.version",
            "pk": 9001,
            "fields": {
                "revision": 9001,
                "object_id": str(stored["pk"]),
                "content_type": content_type,
                "db": "default",
                "format": "json",
                "serialized_data": json.dumps([stored]),
                "object_repr": "a row",
            },
        }
        for row in (revision, version):
            header["counts"][row["model"]] += 1
            payload += json.dumps(row).encode() + b"\n"
        return self.write_backup(name, header, payload)

    def stored_section(self):
        header, payload = self.parts()
        for line in payload.splitlines():
            row = json.loads(line)
            if row["model"] == "factsheets.section":
                return row

    def test_a_revision_of_a_section_restores(self):
        """The rows below are refused for what they name, not for their shape."""
        path = self.with_version(
            "section.jsonl.gz", ["factsheets", "section"], self.stored_section()
        )
        self.restore(path)
        version = Version.objects.get(pk=9001)
        self.assertEqual(
            version.field_dict["heading"], self.stored_section()["fields"]["heading"]
        )

    def test_a_revision_of_a_user_is_refused(self):
        stored = superuser_row()
        path = self.with_version("user.jsonl.gz", ["auth", "user"], stored)
        self.assertRefused(
            path, "is a revision of auth.user, a model revisions never keep."
        )

    def test_a_revision_whose_data_is_another_model_is_refused(self):
        stored = superuser_row()
        path = self.with_version("mixed.jsonl.gz", ["factsheets", "section"], stored)
        self.assertRefused(
            path,
            "is a revision of factsheets.section whose stored data is not that row",
        )

    def test_a_revision_of_a_model_that_does_not_exist_is_refused(self):
        path = self.with_version(
            "none.jsonl.gz", ["factsheets", "nothing"], self.stored_section()
        )
        self.assertRefused(path, "is a revision of factsheets.nothing, a model")


def with_hostile_rich_text(row):
    """A row change that puts hostile rich text in every section body and notice,
    and in those a revision keeps."""
    if row["model"] == "factsheets.section":
        row["fields"]["body"] = HOSTILE_RICH_TEXT
    elif row["model"] == "factsheets.factsheet":
        row["fields"]["notice"] = HOSTILE_RICH_TEXT
    elif row["model"] == "reversion.version":
        kept = json.loads(row["fields"]["serialized_data"])
        for stored in kept:
            stored["fields"] = with_hostile_rich_text(stored)["fields"]
        row["fields"]["serialized_data"] = json.dumps(kept)
    return row


class SanitizingTests(AlteredFileTestCase):
    """Rows load with raw saves, which skip the rich-text field's own sanitizing: a
    file restored with --accept-unsigned goes through the same sanitizer as an
    editor's save, in rows and in the revisions that keep them."""

    def test_hostile_rich_text_comes_out_sanitized_and_off_the_pages(self):
        header, payload = self.parts()
        payload = self.edit_rows(payload, with_hostile_rich_text)
        path = self.write_backup("hostile.jsonl.gz", header, payload, sign=False)
        out = self.restore(path, accept_unsigned=True)
        clean = sanitize(HOSTILE_RICH_TEXT)
        sheet = FactSheet.objects.get()
        self.assertEqual(sheet.notice, clean)
        self.assertEqual([s.body for s in Section.objects.all()], [clean, clean])
        versions = Version.objects.all()
        kept = [
            v.field_dict["body" if v.content_type.model == "section" else "notice"]
            for v in versions
            if v.content_type.model in ("section", "factsheet")
        ]
        self.assertEqual(kept, [clean], "the sheet as the factory saved it")
        # The sheet, its two sections and the sheet its revision keeps.
        self.assertIn("\nRich text sanitized as it loaded: 4 values changed.\n", out)
        page = self.client.get(sheet.get_absolute_url())
        self.assertContains(page, "Read more</a>")
        for mark in HOSTILE_MARKS:
            with self.subTest(mark=mark):
                self.assertNotIn(mark, page.content.decode().lower())

    def test_a_clean_file_restores_unchanged_and_says_so(self):
        out = self.restore(self.good)
        self.assertIn("\nRich text sanitized as it loaded: 0 values changed.\n", out)
        header, payload = self.parts()
        stored = [json.loads(line) for line in payload.splitlines()]
        data = {
            row["pk"]: row["fields"]["serialized_data"]
            for row in stored
            if row["model"] == "reversion.version"
        }
        self.assertEqual(
            dict(Version.objects.values_list("pk", "serialized_data")), data
        )


class BackupFileTests(BackupTestCase):
    def test_only_its_owner_may_read_it_and_it_is_never_overwritten(self):
        path = self.backup()
        self.assertEqual(path.stat().st_mode & 0o777, 0o600)
        with self.assertRaisesMessage(CommandError, "already exists"):
            call_command("backup", output=str(path), stdout=StringIO())
        self.assertEqual(list(self.folder.iterdir()), [path], "no partial file left")

    def test_every_installed_model_is_kept_or_left_out_on_purpose(self):
        undecided = [
            model._meta.label_lower
            for model in apps.get_models()
            if model._meta.label_lower not in backups.KEPT
            and not backups.is_left_out(model)
        ]
        self.assertEqual(undecided, [])
