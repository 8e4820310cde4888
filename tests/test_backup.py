"""Backups (issue #10): `manage.py backup` writes one file, `manage.py restore` loads
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
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from unittest import mock

import reversion
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from factsheets import backups
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
)
from tests.factories import make_full_factsheet, make_section, make_user
from tests.seed import TextOf

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

    def restore(self, path):
        out = StringIO()
        call_command("restore", str(path), stdout=out)
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
        make_user("editor", "Editors")
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
        second = mali.new_edition(datetime.date(2016, 5, 1), by=self.publisher)
        make_section(second, heading="Health Cooperation", position=99)
        second.publish(by=self.publisher)
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
        with transaction.atomic():
            make_full_factsheet(title="A sheet of the lost database")
            self.assertContains(self.client.get("/"), "of the lost database")
            # Gone without a signal, as when a database is lost: the page stays kept.
            transaction.set_rollback(True)
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


class RefusalTests(BackupTestCase):
    """Files that must not be restored, and a database that must not be written to."""

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

    def write_backup(self, name, header, payload, checksum=True):
        if checksum:
            header = {**header, "sha256": hashlib.sha256(payload).hexdigest()}
        data = json.dumps(header).encode() + b"\n" + payload
        return self.write(name, gzip.compress(data))

    def assertRefused(self, path, message):
        before = row_counts()
        with self.assertRaises(CommandError) as refused:
            self.restore(path)
        self.assertIn(message, str(refused.exception))
        self.assertNotIn("\n", str(refused.exception))
        self.assertEqual(row_counts(), before, "nothing changed")
        return str(refused.exception)

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

    def test_bad_json_after_rows_were_loaded_rolls_everything_back(self):
        header, payload = self.parts()
        path = self.write_backup("bad-json.jsonl.gz", header, payload + b'{"model": \n')
        self.assertRefused(path, "could not be restored (JSONDecodeError")

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
