"""The page cache: exact, cheap on a hit, conditional, compressed.

The suite runs with the page cache on (tests/conftest.py empties it before each test),
so every other test exercises it too. Exactness is checked the strictest way: after
each kind of change, every public page served with the cache on is byte for byte the
page rendered with it off, and the pages that show the change did change.
"""

import datetime
import gzip
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from unittest import mock

import brotli
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pagecache
from factsheets import sheet_operations
from factsheets.importers import read_source
from factsheets.importers.store import save_draft
from factsheets.models import (
    ChangeNote,
    EditingSession,
    FactSheet,
    ImportRecord,
    LegacyAddress,
    PreviewLink,
)
from factsheets.revisions import sheet_versions
from factsheets.sheet_operations import restore
from pagecache import conditional, invalidation, registry, storage, tags
from tests.helpers.admin_forms import change_data, change_url
from tests.helpers.factories import (
    make_assistance_line,
    make_bureau,
    make_country,
    make_full_factsheet,
    make_official,
    make_related_link,
    make_section,
    make_user,
)
from tests.helpers.page_cache import was_rendered

NOW = timezone.now().replace(microsecond=0)
SEED = Path(__file__).parent.parent / "data" / "mali-2015-seed.txt"


def at(moment):
    """Runs the code under it as if the clock said `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def digest(page):
    status, body = page
    return status, hashlib.sha256(body).hexdigest()


def public_urls(country="mali", bureau="african-affairs", edition="2012-01-10"):
    """Every public page that shows a sheet of `country`, as the cache stores them."""
    return [
        "/",
        "/fact-sheets/",
        "/fact-sheets/?by=bureau",
        f"/bureaus/{bureau}/",
        f"/fact-sheets/{country}/",
        f"/fact-sheets/{country}/{edition}/",
        f"/fact-sheets/{country}/changes/",
        f"/fact-sheets/{country}/changes/?from={edition}&to=2015-10-15",
        "/search/",
        "/key-officers/",
        "/assistance/",
        "/assistance.csv",
        "/feeds/fact-sheets.atom",
        f"/bureaus/{bureau}/feed.atom",
        f"/fact-sheets/{country}/feed.atom",
        "/sitemap.xml",
        "/robots.txt",
        "/fact-sheets.json",
        f"/fact-sheets/{country}.json",
    ]


class PageChecks:
    def get(self, url, **headers):
        return self.client.get(url, headers=headers)

    def warm(self, urls=None):
        """Fetch every page twice: the second time from the cache, at no cost."""
        bodies = {}
        for url in urls or public_urls():
            first = self.get(url)
            with CaptureQueriesContext(connection) as queries:
                second = self.get(url)
            bodies[url] = (first.status_code, first.content)
            if first.status_code == 200:
                with self.subTest(url=url):
                    self.assertEqual(len(queries), 0, "a hit runs no query")
                    self.assertEqual(second.templates, [], "a hit renders nothing")
                    self.assertEqual(second.content, first.content)
        return bodies

    def assertFresh(self, urls=None):
        """Every page as the cache serves it is the page as rendered now."""
        served = {}
        for url in urls or public_urls():
            cached = self.get(url)
            # Rendered whole: no stored page, no kept part (factsheets/fragments.py).
            with override_settings(PAGE_CACHE=False, PAGE_FRAGMENTS=False):
                rendered = self.get(url)
            with self.subTest(url=url):
                self.assertEqual(
                    (cached.status_code, cached.content),
                    (rendered.status_code, rendered.content),
                )
            served[url] = (cached.status_code, cached.content)
        return served

    def assertChanged(self, before, after, urls):
        for url in urls:
            with self.subTest(url=url):
                # Compared as digests: a failure would print two whole pages.
                self.assertNotEqual(
                    digest(before[url]), digest(after[url]), "the change shows"
                )


class CacheTestCase(PageChecks, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.bureau = make_bureau(
            name="Bureau of African Affairs", slug="african-affairs"
        )
        cls.country = make_country(bureau=cls.bureau, name="Mali", slug="mali")
        cls.old = make_full_factsheet(
            country=cls.country, issued_on=datetime.date(2012, 1, 10)
        )
        cls.sheet = make_full_factsheet(country=cls.country, children=2)
        cls.publisher = make_user("publisher", "Publishers")


class ExactInvalidationTests(CacheTestCase):
    """Each kind of change shows on the very next request to every page."""

    SHEET_PAGES = [
        "/fact-sheets/mali/",
        "/fact-sheets/mali.json",
        "/fact-sheets/mali/changes/",
    ]
    LISTS = [
        "/",
        "/fact-sheets/",
        "/fact-sheets/?by=bureau",
        "/bureaus/african-affairs/",
    ]

    def test_publishing_a_new_edition(self):
        new = make_full_factsheet(
            country=self.country,
            issued_on=datetime.date(2016, 3, 1),
            status=FactSheet.Status.DRAFT,
        )
        before = self.warm()
        sheet_operations.publish(new, by=None)
        after = self.assertFresh()
        self.assertChanged(
            before,
            after,
            [
                *self.SHEET_PAGES,
                *self.LISTS,
                "/fact-sheets.json",
                "/feeds/fact-sheets.atom",
                "/fact-sheets/mali/feed.atom",
                "/key-officers/",
                "/assistance/",
            ],
        )
        self.assertContains(self.get("/fact-sheets/mali/"), "March 1, 2016")

    def test_editing_a_published_sheet_in_place(self):
        before = self.warm()
        self.sheet.title = "U.S. Relations With the Republic of Mali"
        self.sheet.revised_at = timezone.now()
        self.sheet.save()
        after = self.assertFresh()
        self.assertChanged(
            before,
            after,
            [*self.SHEET_PAGES, "/", "/feeds/fact-sheets.atom"],
        )

    def test_unpublishing(self):
        before = self.warm()
        sheet_operations.unpublish(self.sheet, by=None)
        after = self.assertFresh()
        self.assertChanged(before, after, [*self.SHEET_PAGES, *self.LISTS])
        self.assertEqual(self.get("/fact-sheets/mali/2012-01-10/").status_code, 302)

    def test_deleting_a_sheet(self):
        before = self.warm()
        self.sheet.delete()
        after = self.assertFresh()
        self.assertChanged(before, after, [*self.SHEET_PAGES, *self.LISTS])

    def test_editing_the_bureau(self):
        before = self.warm()
        self.bureau.name = "Bureau of Sahel Affairs"
        self.bureau.save()
        after = self.assertFresh()
        self.assertChanged(
            before,
            after,
            [
                "/fact-sheets/mali/",
                "/",
                "/fact-sheets/?by=bureau",
                "/bureaus/african-affairs/",
                "/key-officers/",
            ],
        )

    def test_renaming_the_country_and_its_address(self):
        before = self.warm()
        self.country.name = "Republic of Mali"
        self.country.slug = "republic-of-mali"
        self.country.save()
        self.assertChanged(before, self.assertFresh(), self.LISTS)
        self.assertFresh(public_urls(country="republic-of-mali"))
        # The old addresses lead to the new ones (a former slug).
        self.assertRedirects(
            self.get("/fact-sheets/mali/"),
            "/fact-sheets/republic-of-mali/",
            status_code=301,
        )

    def test_every_kind_of_row(self):
        def edit(**fields):
            def change(row):
                for name, value in fields.items():
                    setattr(row, name, value)
                row.save()

            return change

        kinds = {
            "section": (
                lambda: make_section(self.sheet, heading="Trade and Investment"),
                edit(heading="Trade", body="<p>Trade grew.</p>"),
                self.SHEET_PAGES,
            ),
            "assistance line": (
                lambda: make_assistance_line(self.sheet, year=2015, agency="USAID"),
                edit(amount_usd=Decimal("246800000")),
                [*self.SHEET_PAGES, "/assistance/", "/assistance.csv"],
            ),
            "official": (
                lambda: make_official(self.sheet, role="Ambassador", name="A. Envoy"),
                edit(name="B. Envoy"),
                [*self.SHEET_PAGES, "/key-officers/"],
            ),
            "related link": (
                lambda: make_related_link(self.sheet, title="Travel Advisory"),
                edit(title="Travel Advisories"),
                self.SHEET_PAGES,
            ),
            "change note": (
                lambda: ChangeNote.objects.create(
                    factsheet=self.sheet, note="Added the 2015 figures."
                ),
                edit(note="Added the 2015 and 2016 figures."),
                ["/fact-sheets/mali/", "/fact-sheets/mali.json"],
            ),
        }
        for kind, (add, change, shown_on) in kinds.items():
            with self.subTest(kind=kind, step="added"):
                before = self.warm()
                row = add()
                self.assertChanged(before, self.assertFresh(), shown_on)
            with self.subTest(kind=kind, step="edited"):
                before = self.warm(shown_on)
                change(row)
                self.assertChanged(before, self.assertFresh(shown_on), shown_on)
            with self.subTest(kind=kind, step="deleted"):
                before = self.warm(shown_on)
                row.delete()
                self.assertChanged(before, self.assertFresh(shown_on), shown_on)

    def test_an_old_address_added(self):
        self.warm(["/r/pa/ei/bgn/9999.htm"])
        LegacyAddress.objects.create(
            old_path="/r/pa/ei/bgn/9999.htm", new_path="/fact-sheets/mali/"
        )
        self.assertEqual(self.get("/r/pa/ei/bgn/9999.htm").status_code, 301)

    def test_restoring_a_revision(self):
        section = self.sheet.sections.first()
        self.sheet.save()
        first = sheet_versions(self.sheet).first()
        section.body = "<p>Text written later.</p>"
        section.save()
        self.sheet.save()
        before = self.warm()
        self.assertContains(self.get("/fact-sheets/mali/"), "Text written later.")
        restore(FactSheet.objects.get(pk=self.sheet.pk), first, by=self.publisher)
        after = self.assertFresh()
        self.assertChanged(before, after, self.SHEET_PAGES)
        self.assertNotContains(self.get("/fact-sheets/mali/"), "Text written later.")

    def test_an_edit_through_the_admin_shows_to_the_reader_next(self):
        before = self.warm()
        self.client.force_login(self.publisher)
        data = change_data(self.sheet, lead="Edited in the admin.")
        response = self.client.post(change_url(self.sheet), data)
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        after = self.assertFresh()
        self.assertChanged(
            before, after, ["/fact-sheets/mali/", "/fact-sheets/mali.json"]
        )
        self.assertContains(self.get("/fact-sheets/mali/"), "Edited in the admin.")


class ImportTests(PageChecks, TestCase):
    @classmethod
    def setUpTestData(cls):
        bureau = make_bureau(name="Bureau of African Affairs", slug="african-affairs")
        make_country(bureau=bureau, name="Mali", slug="mali")
        niger = make_country(bureau=bureau, name="Niger", slug="niger")
        make_full_factsheet(country=niger)

    def test_an_imported_sheet_shows_once_published(self):
        urls = [
            "/",
            "/fact-sheets/",
            "/bureaus/african-affairs/",
            "/fact-sheets.json",
            "/sitemap.xml",
            "/feeds/fact-sheets.atom",
        ]
        before = self.warm(urls)
        sheet, fingerprint = read_source(SEED.read_bytes(), SEED.name)
        draft = save_draft(sheet, source=SEED.name, fingerprint=fingerprint)
        self.assertEqual(self.assertFresh(urls), before, "a draft shows nowhere")
        self.warm(urls)
        for link in draft.factsheet.related_links.filter(url=""):
            link.url = "https://example.org/"  # as an editor completes it
            link.save()
        self.warm(urls)
        sheet_operations.publish(FactSheet.objects.get(pk=draft.factsheet.pk), by=None)
        self.assertChanged(before, self.assertFresh(urls), urls)
        self.assertContains(self.get("/fact-sheets/mali/"), "U.S. Relations With Mali")


class RolledBack(Exception):
    pass


class SchedulingTests(CacheTestCase):
    """Publish and expiry times show on time, with nobody saving anything then."""

    def seen(self, when, urls):
        """The pages at `when`, the second fetch from the cache at no cost."""
        with at(when):
            return self.warm(urls)

    def current_edition(self):
        return json.loads(self.get("/fact-sheets/mali.json").content)["issued_on"]

    def test_a_scheduled_edition_appears_and_expires_on_time(self):
        publish_at = NOW + datetime.timedelta(days=1)
        expires_at = NOW + datetime.timedelta(days=5)
        new = make_full_factsheet(
            country=self.country,
            issued_on=datetime.date(2016, 3, 1),
            status=FactSheet.Status.DRAFT,
        )
        with at(NOW):
            sheet_operations.publish(new, by=None, at=publish_at)
            new.expires_at = expires_at
            new.save()
        urls = public_urls()
        second = datetime.timedelta(seconds=1)
        for moment, edition in (
            (publish_at - second, "2015-10-15"),
            (publish_at, "2016-03-01"),
            (expires_at - second, "2016-03-01"),
            (expires_at, "2015-10-15"),
        ):
            with self.subTest(moment=moment):
                before = self.seen(moment - second, urls)
                with at(moment):
                    after = self.assertFresh(urls)
                    self.assertEqual(self.current_edition(), edition)
                if moment in (publish_at, expires_at):
                    self.assertChanged(before, after, self.LISTS_AND_SHEET)

    LISTS_AND_SHEET = [
        "/",
        "/fact-sheets/",
        "/bureaus/african-affairs/",
        "/fact-sheets/mali/",
        "/fact-sheets.json",
        "/fact-sheets/mali.json",
    ]

    def test_an_expiry_set_in_place(self):
        expires_at = NOW + datetime.timedelta(hours=2)
        self.sheet.expires_at = expires_at
        with at(NOW):
            self.sheet.save()
        before = self.seen(expires_at - datetime.timedelta(seconds=1), public_urls())
        with at(expires_at):
            after = self.assertFresh()
        self.assertChanged(before, after, self.LISTS_AND_SHEET)

    def test_a_rolled_back_change_does_not_lose_a_scheduled_time(self):
        publish_at = NOW + datetime.timedelta(hours=1)
        new = make_full_factsheet(
            country=self.country,
            issued_on=datetime.date(2016, 3, 1),
            status=FactSheet.Status.DRAFT,
        )
        with at(NOW):
            sheet_operations.publish(new, by=None, at=publish_at)
        with at(NOW), self.assertRaises(RolledBack), transaction.atomic():
            sheet_operations.unpublish(new, by=None)
            self.get("/")  # a page stored meanwhile
            raise RolledBack
        urls = self.LISTS_AND_SHEET
        before = self.seen(publish_at - datetime.timedelta(seconds=1), urls)
        with at(publish_at):
            self.assertChanged(before, self.assertFresh(urls), urls)

    def test_no_page_outlives_the_day_it_was_rendered_on(self):
        """A printed sheet says the day it was printed ({% now %})."""
        evening = timezone.make_aware(datetime.datetime(2026, 3, 2, 23, 59, 59))
        self.seen(evening, ["/fact-sheets/mali/", "/"])
        for url in ("/fact-sheets/mali/", "/"):
            with self.subTest(url=url), at(evening + datetime.timedelta(seconds=1)):
                self.assertTrue(
                    was_rendered(self.client, url), "rendered again at midnight"
                )


class TransactionTests(CacheTestCase):
    def generation(self):
        return cache.get(storage.GENERATION_KEY)[0]

    def test_rows_no_public_page_shows_leave_the_cache_alone(self):
        self.warm(["/fact-sheets/mali/"])
        start = self.generation()
        PreviewLink.create(self.sheet, days=7)
        self.assertEqual(self.generation(), start)

    def test_writes_that_send_no_signal_call_invalidate(self):
        self.warm(["/fact-sheets/mali/"])
        FactSheet.objects.filter(pk=self.sheet.pk).update(title="Bulk-updated title")
        pagecache.invalidate()
        self.assertContains(self.get("/fact-sheets/mali/"), "Bulk-updated title")

    def test_a_changed_setting_is_not_served_from_before(self):
        self.warm(["/"])
        with override_settings(DEPARTMENT_NAME="Ministry of Foreign Affairs"):
            self.assertContains(self.get("/"), "Ministry of Foreign Affairs")
        self.assertNotContains(self.get("/"), "Ministry of Foreign Affairs")

    def test_an_unavailable_cache_serves_pages_uncached(self):
        with mock.patch.object(cache, "get_many", side_effect=ConnectionError):
            response = self.get("/fact-sheets/mali/")
        self.assertEqual(response.status_code, 200)


class RegistrationTests(CacheTestCase):
    """Only the rows of the apps that watch the page cache count, through real saves."""

    url = "/fact-sheets/mali/"

    def generation(self):
        return cache.get(storage.GENERATION_KEY)[0]

    def assertUnchanged(self, change):
        self.warm([self.url])
        start = self.generation()
        change()
        self.assertEqual(self.generation(), start)
        with self.assertNumQueries(0):
            self.get(self.url)  # still the stored page

    def test_rows_of_an_app_nobody_watches_leave_the_cache_alone(self):
        def change():
            user = make_user("newcomer", "Editors")  # auth: saved, and groups added
            user.first_name = "New"
            user.save()
            user.groups.clear()
            Group.objects.create(name="Readers").delete()

        self.assertUnchanged(change)

    def test_rows_of_ignored_models_leave_the_cache_alone(self):
        user = make_user("editor", "Editors")

        def change():
            EditingSession.opened(self.sheet, user)
            EditingSession.objects.get().delete()
            PreviewLink.create(self.sheet, days=7).delete()
            ImportRecord.objects.create(
                factsheet=self.sheet, source="mali.htm", fingerprint="0" * 64
            ).delete()

        self.assertUnchanged(change)

    def test_every_other_model_of_a_watched_app_counts(self):
        permission = Permission.objects.get(codename="view_group")
        with mock.patch.dict(registry._watched):
            pagecache.watch(apps.get_app_config("auth"), ignore=["permission"])
            self.assertUnchanged(permission.save)
            start = self.generation()
            Group.objects.create(name="Readers")
            self.assertNotEqual(self.generation(), start)
        start = self.generation()
        Group.objects.create(name="Writers")
        self.assertEqual(self.generation(), start, "no longer watched")

    def test_a_model_the_app_does_not_have_is_refused(self):
        factsheets = apps.get_app_config("factsheets")
        with mock.patch.dict(registry._watched):
            for arguments in (
                {"ignore": ["editingsessions"]},
                {"next_change": {"sheet": lambda after, using: None}},
            ):
                with self.subTest(arguments), self.assertRaises(LookupError):
                    pagecache.watch(factsheets, **arguments)

    def test_held_saves_change_nothing_until_invalidate(self):
        self.warm([self.url])
        start = self.generation()
        with pagecache.held():
            self.sheet.lead = "A lead saved while held."
            self.sheet.save()
            make_section(self.sheet, heading="A section saved while held")
        self.assertEqual(self.generation(), start)
        self.assertNotContains(self.get(self.url), "A lead saved while held.")
        pagecache.invalidate()
        self.assertContains(self.get(self.url), "A lead saved while held.")
        self.sheet.lead = "A lead saved after."
        self.sheet.save()
        self.assertContains(self.get(self.url), "A lead saved after.")


class RecordingPurge(pagecache.PurgeBackend):
    purged = []

    def purge_all(self):
        self.purged.append(connection.in_atomic_block)


class FailingPurge(pagecache.PurgeBackend):
    def purge_all(self):
        raise ConnectionError("the CDN's API does not answer")


@override_settings(PAGE_CACHE_PURGE_BACKENDS=[f"{__name__}.RecordingPurge"])
class PurgeBackendTests(PageChecks, TransactionTestCase):
    """A CDN's purge, plugged in by a setting, follows each invalidation once it has
    committed: real commits."""

    def setUp(self):
        self.sheet = make_full_factsheet(children=3)
        self.url = self.sheet.get_absolute_url()
        RecordingPurge.purged = []

    def test_a_committed_change_purges_once_after_the_commit(self):
        self.warm([self.url])
        with transaction.atomic():
            for section in self.sheet.sections.all():
                section.save()
            self.sheet.lead = "A new lead."
            self.sheet.save()
            self.assertEqual(RecordingPurge.purged, [], "not before the commit")
        self.assertEqual(RecordingPurge.purged, [False], "once, after the commit")
        self.assertContains(self.get(self.url), "A new lead.")

    def test_a_save_outside_a_transaction_purges(self):
        self.sheet.lead = "A new lead."
        self.sheet.save()
        self.assertEqual(RecordingPurge.purged, [False])

    def test_invalidate_purges_once_committed(self):
        pagecache.invalidate()
        self.assertEqual(RecordingPurge.purged, [False])
        with transaction.atomic():
            pagecache.invalidate()
            pagecache.invalidate()
            self.assertEqual(RecordingPurge.purged, [False])
        self.assertEqual(RecordingPurge.purged, [False, False])

    def test_nothing_is_purged_for_what_no_page_shows_or_a_rollback(self):
        PreviewLink.create(self.sheet, days=7)
        make_user("newcomer", "Editors")
        with self.assertRaises(RolledBack), transaction.atomic():
            self.sheet.lead = "Never committed."
            self.sheet.save()
            raise RolledBack
        self.assertEqual(RecordingPurge.purged, [])

    @override_settings(
        PAGE_CACHE_PURGE_BACKENDS=[
            f"{__name__}.FailingPurge",
            f"{__name__}.RecordingPurge",
        ]
    )
    def test_a_failing_purge_is_logged_and_the_save_stands(self):
        with self.assertLogs("pagecache.invalidation", "ERROR") as logs:
            self.sheet.lead = "Saved despite the CDN."
            self.sheet.save()
        self.assertIn("Could not purge FailingPurge", logs.output[0])
        self.assertEqual(RecordingPurge.purged, [False])
        self.assertContains(self.get(self.url), "Saved despite the CDN.")

    @override_settings(PAGE_CACHE_PURGE_BACKENDS=[])
    def test_no_backend_no_purge(self):
        self.sheet.save()
        self.assertEqual(RecordingPurge.purged, [])


class CommitTests(PageChecks, TransactionTestCase):
    """With real commits: what the rows show moves again once they are committed."""

    def setUp(self):
        self.sheet = make_full_factsheet(children=3)
        self.url = self.sheet.get_absolute_url()

    def version(self):
        return pagecache.version(f"sheet:{self.sheet.pk}")

    def test_a_page_stored_before_the_commit_is_stale_after_it(self):
        self.warm([self.url])
        start = self.version()
        with transaction.atomic():
            for section in self.sheet.sections.all():
                section.save()
            self.sheet.lead = "Committed lead."
            self.sheet.save()
            inside = self.version()
            self.assertNotEqual(inside, start, "a new version at once")
            pending = [
                func
                for _, func, _ in connection.run_on_commit
                if isinstance(func, invalidation._Stale)
            ]
            self.assertEqual(len(pending), 1, "once on commit however many rows")
            # A page stored meanwhile, under the transaction's version...
            self.get(self.url)
        # ...is stale once the rows are committed.
        self.assertNotEqual(self.version(), inside)
        with CaptureQueriesContext(connection) as queries:
            self.assertContains(self.get(self.url), "Committed lead.")
        self.assertGreater(len(queries), 0, "rendered again")

    def test_a_rolled_back_save_changes_nothing_after(self):
        self.warm([self.url])
        with self.assertRaises(RolledBack), transaction.atomic():
            self.sheet.lead = "Never committed."
            self.sheet.save()
            raise RolledBack
        self.assertNotContains(self.get(self.url), "Never committed.")


class ConditionalRequestTests(CacheTestCase):
    def test_etag_and_last_modified_answer_304_from_the_cache(self):
        first = self.get("/fact-sheets/mali/")
        etag, modified = first["ETag"], first["Last-Modified"]
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')  # strong
        for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
            with self.subTest(headers=headers), self.assertNumQueries(0):
                response = self.get("/fact-sheets/mali/", **headers)
            self.assertEqual(response.status_code, 304)
            self.assertEqual(response.content, b"")
            self.assertEqual(response.templates, [])
            self.assertEqual(response["ETag"], etag)
            self.assertEqual(response["Vary"], "Accept-Encoding")
            self.assertIn("s-maxage=", response["Cache-Control"])

    def test_a_change_answers_200_to_the_old_validators(self):
        first = self.get("/fact-sheets/mali/")
        self.sheet.lead = "A new lead line."
        self.sheet.save()
        with at(timezone.now() + datetime.timedelta(seconds=2)):
            for headers in (
                {"If-None-Match": first["ETag"]},
                {"If-Modified-Since": first["Last-Modified"]},
            ):
                with self.subTest(headers=headers):
                    response = self.get("/fact-sheets/mali/", **headers)
                    self.assertContains(response, "A new lead line.")

    def test_the_same_bytes_keep_their_last_modified(self):
        first = self.get("/fact-sheets/mali/")
        self.bureau.save()  # a new generation, the same page
        with at(timezone.now() + datetime.timedelta(seconds=5)):
            again = self.get("/fact-sheets/mali/")
        self.assertEqual(again["Last-Modified"], first["Last-Modified"])

    def test_304_on_a_miss_and_without_the_page_cache(self):
        etag = self.get("/fact-sheets/mali/")["ETag"]
        cache.clear()
        self.assertEqual(
            self.get("/fact-sheets/mali/", **{"If-None-Match": etag}).status_code, 304
        )
        with override_settings(PAGE_CACHE=False):
            self.assertEqual(
                self.get("/fact-sheets/mali/", **{"If-None-Match": etag}).status_code,
                304,
            )

    def test_head_is_served_from_the_cache(self):
        body = self.get("/fact-sheets/mali/").content
        with self.assertNumQueries(0):
            response = self.client.head("/fact-sheets/mali/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Length"], str(len(body)))


class HeaderTests(CacheTestCase):
    def test_public_pages_are_for_a_cdn_and_vary_only_by_encoding(self):
        for url in public_urls() + ["/search/?q=mali", "/fact-sheets/atlantis/"]:
            for attempt in ("miss", "hit"):
                with self.subTest(url=url, attempt=attempt):
                    response = self.get(url)
                    self.assertEqual(
                        response["Cache-Control"],
                        "public, max-age=0, s-maxage=60, stale-while-revalidate=30",
                    )
                    self.assertEqual(response["Vary"], "Accept-Encoding")
                    self.assertNotIn("Set-Cookie", response)
                    self.assertEqual(response.cookies, {})

    @override_settings(CDN_MAX_AGE=300, CDN_STALE_WHILE_REVALIDATE=600)
    def test_the_cdn_times_are_settings(self):
        self.assertEqual(
            self.get("/")["Cache-Control"],
            "public, max-age=0, s-maxage=300, stale-while-revalidate=600",
        )

    def test_no_secret_on_a_public_page_even_for_a_signed_in_editor(self):
        anonymous = {url: self.get(url).content for url in public_urls()}
        cache.clear()
        self.client.force_login(self.publisher)
        for url in public_urls():
            with self.subTest(url=url):
                response = self.get(url)
                self.assertEqual(response.content, anonymous[url])
                self.assertNotIn(b"csrfmiddlewaretoken", response.content)
                self.assertNotIn("Set-Cookie", response)
                self.assertNotIn("Cookie", response.get("Vary", ""))

    def test_admin_and_previews_are_never_cached(self):
        link = PreviewLink.create(self.sheet, days=7)
        self.client.force_login(self.publisher)
        urls = [
            reverse("admin:index"),
            reverse("admin:factsheets_factsheet_changelist"),
            reverse("admin:factsheets_factsheet_change", args=[self.sheet.pk]),
            reverse("factsheets:preview", args=[self.sheet.pk]),
            link.get_absolute_url(),
            reverse("factsheets:preview_link", args=["tampered"]),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertTrue(url.startswith(tuple(settings.PAGE_CACHE_NEVER_CACHED)))
                response = self.get(url, **{"Accept-Encoding": "gzip, br"})
                for word in ("private", "no-cache", "no-store"):
                    self.assertIn(word, response["Cache-Control"])
                self.assertNotIn("Content-Encoding", response)
                with CaptureQueriesContext(connection) as queries:
                    self.get(url)
                self.assertGreater(len(queries), 0)

    def test_only_known_query_strings_are_stored(self):
        stored = [
            "/fact-sheets/?by=bureau",
            "/fact-sheets/mali/changes/?from=2012-01-10&to=2015-10-15",
            "/fact-sheets/mali/changes/?to=2015-10-15&from=2012-01-10",
        ]
        rendered_each_time = [
            "/?utm_source=news",
            "/fact-sheets/?by=bureau&by=bureau",
            "/fact-sheets/?by=country",
            "/search/?q=mali",
            "/fact-sheets/mali/changes/?from=yesterday",
        ]
        for url in stored + rendered_each_time:
            self.get(url)
            with self.subTest(url=url):
                self.assertEqual(not was_rendered(self.client, url), url in stored, url)
                self.assertEqual(self.get(url)["Vary"], "Accept-Encoding")

    def test_other_methods_pass_through(self):
        self.get("/")
        response = self.client.post("/")
        self.assertNotIn("ETag", response)

    @override_settings(PAGE_CACHE=False)
    def test_the_page_cache_can_be_turned_off(self):
        self.get("/fact-sheets/mali/")
        self.assertTrue(was_rendered(self.client, "/fact-sheets/mali/"))
        response = self.get("/fact-sheets/mali/")
        self.assertIn("ETag", response)
        self.assertNotIn("Last-Modified", response)


@override_settings(
    SITE_URL="https://factsheets.example.gov",
    ALLOWED_HOSTS=["factsheets.example.gov", "mirror.example.net", "127.0.0.1"],
)
class BoundedTests(CacheTestCase):
    """No request stores a page beyond the real pages: not another allowed host,
    spelling or port, not a prefix, not a query string or coding of its own."""

    HOST = {"HTTP_HOST": "factsheets.example.gov"}
    VARIANTS = [
        {"HTTP_HOST": "FACTSHEETS.EXAMPLE.GOV"},
        {"HTTP_HOST": "factsheets.example.gov."},
        {"HTTP_HOST": "factsheets.example.gov:8443"},
        {"HTTP_HOST": "mirror.example.net"},
        {"HTTP_HOST": "127.0.0.1:54321"},
        # gunicorn takes SCRIPT_NAME from a request header.
        {"HTTP_HOST": "127.0.0.1", "SCRIPT_NAME": "/junk"},
        {"HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_HOST": "attacker.example"},
        {"HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT_ENCODING": "gzip;q=0.5, br;q=0.1"},
        {"HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT_ENCODING": "identity, x-junk"},
    ]

    def stored_keys(self, calls):
        return {
            call.args[0] for call in calls if call.args[0].startswith("pagecache:page:")
        }

    def test_hosts_prefixes_and_codings_share_the_real_pages(self):
        urls = public_urls()
        with mock.patch.object(cache, "set", wraps=cache.set) as stored:
            pages = {url: self.client.get(url, **self.HOST) for url in urls}
        real = self.stored_keys(stored.call_args_list)
        ok = [url for url, response in pages.items() if response.status_code == 200]
        self.assertEqual(len(real), len(ok))
        with mock.patch.object(cache, "set", wraps=cache.set) as stored:
            for extra in self.VARIANTS:
                for url in ok:
                    with (
                        self.subTest(url=url, **extra),
                        CaptureQueriesContext(connection) as queries,
                    ):
                        response = self.client.get(url, **extra)
                        self.assertEqual(response.status_code, 200)
                        self.assertEqual(len(queries), 0, "served from the cache")
                        self.assertEqual(response["ETag"][:33], pages[url]["ETag"][:33])
        self.assertEqual(self.stored_keys(stored.call_args_list), set())

    def test_query_strings_no_page_reads_store_nothing(self):
        junk = [
            "/?utm_source=news",
            "/fact-sheets/?by=bureau&by=bureau",
            "/fact-sheets/?by=country",
            "/fact-sheets/mali/?&",
            "/fact-sheets/mali/?x=1",
            "/fact-sheets/mali/changes/?from=2000-01-01",
            "/fact-sheets/mali/changes/?from=2012-01-10&to=2099-12-31",
            "/sitemap.xml?p=9999",
            "/search/?q=mali",
        ]
        with mock.patch.object(cache, "set", wraps=cache.set) as stored:
            for url in junk:
                for n in range(3):
                    self.client.get(
                        f"{url}{'&' if '?' in url else '?'}n={n}", **self.HOST
                    )
                    self.client.get(url, **self.HOST)
        self.assertEqual(self.stored_keys(stored.call_args_list), set())

    def test_the_same_address_spelt_otherwise_is_the_same_page(self):
        spellings = [
            "/fact-sheets/?by=bureau",
            "/fact-sheets/?by=bureau&",
            "/fact-sheets/?&by=bureau",
            "/fact-sheets/mali/changes/?from=2012-01-10&to=2015-10-15",
            "/fact-sheets/mali/changes/?to=2015-10-15&from=2012-01-10",
            "/fact-sheets/mal%69/",
            "/fact-sheets/mali/?",
        ]
        with mock.patch.object(cache, "set", wraps=cache.set) as stored:
            for url in spellings:
                self.assertEqual(self.client.get(url, **self.HOST).status_code, 200)
        self.assertEqual(len(self.stored_keys(stored.call_args_list)), 3)


class CompressionTests(CacheTestCase):
    def test_gzip_and_brotli_decode_to_the_page(self):
        urls = [
            "/",
            "/fact-sheets/mali/",
            "/fact-sheets.json",
            "/feeds/fact-sheets.atom",
            "/sitemap.xml",
            "/assistance.csv",
            "/search/?q=mali",
        ]
        decode = {"gzip": gzip.decompress, "br": brotli.decompress}
        for url in urls:
            identity = self.get(url)
            self.assertNotIn("Content-Encoding", identity)
            for coding, header in (("gzip", "gzip, deflate"), ("br", "gzip, br")):
                for attempt in ("first", "again"):
                    with self.subTest(url=url, coding=coding, attempt=attempt):
                        response = self.get(url, **{"Accept-Encoding": header})
                        self.assertEqual(response["Content-Encoding"], coding)
                        self.assertEqual(
                            decode[coding](response.content), identity.content
                        )
                        self.assertLess(len(response.content), len(identity.content))
                        self.assertEqual(
                            response["Content-Length"], str(len(response.content))
                        )
                        self.assertEqual(
                            response["ETag"], identity["ETag"][:-1] + f'-{coding}"'
                        )

    def test_a_page_rendered_ahead_of_readers_gets_the_best_compression(self):
        url = "/fact-sheets/mali/"
        reader = self.get(url, **{"Accept-Encoding": "br"})  # a miss: quickly
        cache.clear()
        storage.recent.clear()
        self.client.get(url, **{pagecache.AHEAD: True})
        ahead = self.get(url, **{"Accept-Encoding": "br"})
        self.assertEqual(
            brotli.decompress(ahead.content), brotli.decompress(reader.content)
        )
        self.assertLess(len(ahead.content), len(reader.content))

    def test_a_hit_does_not_compress_again(self):
        self.get("/fact-sheets/mali/", **{"Accept-Encoding": "br"})
        with mock.patch("pagecache.conditional.compress") as compress:
            response = self.get("/fact-sheets/mali/", **{"Accept-Encoding": "br"})
        compress.assert_not_called()
        self.assertEqual(response["Content-Encoding"], "br")

    def test_the_best_accepted_coding(self):
        cases = {
            "": "identity",
            "identity": "identity",
            "gzip": "gzip",
            "gzip, deflate, br": "br",
            "br;q=0, gzip": "gzip",
            "gzip;q=0": "identity",
            "*": "br",
            "*, br;q=0": "gzip",
            "BR;q=0.5": "br",
        }
        for header, coding in cases.items():
            with self.subTest(header=header):
                request = mock.Mock(META={"HTTP_ACCEPT_ENCODING": header})
                self.assertEqual(conditional.accepted_coding(request), coding)


class KeptPagesTests(PageChecks, TransactionTestCase):
    """A process keeps the pages it served, but the shared tokens still decide. With
    real commits: inside a test's transaction, its own versions would hide another
    server's."""

    def setUp(self):
        self.sheet = make_full_factsheet(children=2)
        self.country = self.sheet.country

    def test_a_kept_page_is_dropped_when_another_server_changes_what_it_shows(self):
        url = self.sheet.get_absolute_url()
        for change in (
            lambda: storage.start_generation(),
            lambda: tags.bump({f"sheet:{self.sheet.pk}"}),
        ):
            self.client.get(url)
            with self.assertNumQueries(0):
                self.assertEqual(self.client.get(url).status_code, 200)
            # Another server saves a change: it writes only the shared tokens, and
            # this process's kept page must not be served against them.
            title = f"Changed elsewhere {tags.new_token()}"
            FactSheet.objects.filter(pk=self.sheet.pk).update(title=title)
            change()
            self.assertContains(self.client.get(url), title)

    def test_a_hit_reads_one_token_while_nothing_changes(self):
        url = self.sheet.get_absolute_url()
        self.client.get(url)
        with mock.patch.object(cache, "get_many", wraps=cache.get_many) as many:
            self.client.get(url)
        # Found current: the last change's token, the generation and the versions
        # of what the page shows, in one round trip...
        (keys,), _ = many.call_args
        self.assertEqual(many.call_count, 1)
        self.assertEqual(
            sorted(keys),
            sorted(
                [
                    tags.CHANGED_KEY,
                    storage.GENERATION_KEY,
                    f"pagecache:tag:sheet:{self.sheet.pk}",
                    f"pagecache:tag:country:{self.country.pk}",
                    f"pagecache:tag:nav:{self.country.pk}",
                ]
            ),
        )
        # ...then only the token, while no change comes.
        with (
            mock.patch.object(cache, "get_many", wraps=cache.get_many) as many,
            mock.patch.object(cache, "get", wraps=cache.get) as one,
        ):
            self.client.get(url)
            self.client.get(url)
        many.assert_not_called()
        self.assertEqual(
            [call.args[0] for call in one.call_args_list], [tags.CHANGED_KEY] * 2
        )
        # A change anywhere: the tags are read again.
        tags.bump({"elsewhere"})
        with mock.patch.object(cache, "get_many", wraps=cache.get_many) as many:
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(many.call_count, 1)


class EvictionTests(CacheTestCase):
    """A cache bounded in memory (Redis's maxmemory with allkeys-lru) may drop any
    key, the generation too; no stale page is ever served for it."""

    def evict(self, *keys):
        cache.delete_many(keys)

    def test_a_change_whose_generation_was_evicted_still_shows(self):
        url = self.sheet.get_absolute_url()
        self.warm([url])
        FactSheet.objects.filter(pk=self.sheet.pk).update(title="Changed, then evicted")
        pagecache.invalidate()
        token = cache.get(storage.GENERATION_KEY)[0]
        # The new generation and its transition go; the page stored before stays.
        self.evict(storage.GENERATION_KEY, storage.next_key(token))
        self.assertContains(self.get(url), "Changed, then evicted")
        self.assertNotEqual(cache.get(storage.GENERATION_KEY)[0], token)
        self.assertFresh([url])

    def test_an_evicted_generation_is_never_matched_by_an_old_page(self):
        url = self.sheet.get_absolute_url()
        self.warm([url])
        for _ in range(3):
            old = cache.get(storage.GENERATION_KEY)[0]
            self.evict(storage.GENERATION_KEY)
            storage.recent.clear()  # a process that has not kept the page
            with CaptureQueriesContext(connection) as queries:
                self.get(url)
            self.assertGreater(len(queries), 0, "rendered again, not matched")
            self.assertNotEqual(cache.get(storage.GENERATION_KEY)[0], old)
        self.assertFresh()

    def test_a_kept_page_is_not_served_once_its_generation_was_evicted(self):
        url = self.sheet.get_absolute_url()
        wsgi_get(url)
        FactSheet.objects.filter(pk=self.sheet.pk).update(title="Changed, then evicted")
        pagecache.invalidate()
        self.evict(storage.GENERATION_KEY)
        self.assertIn(b"Changed, then evicted", wsgi_get(url)[2])

    def test_a_full_cache_serves_the_page_without_storing_it(self):
        """Redis at maxmemory with no eviction policy refuses every write."""
        from redis.exceptions import OutOfMemoryError

        url = self.sheet.get_absolute_url()
        full = OutOfMemoryError("command not allowed when used memory > 'maxmemory'")
        with mock.patch.object(cache, "set", side_effect=full):
            response = self.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.sheet.lead)


def wsgi_get(path, **environ):
    """A GET through the WSGI application gunicorn serves, front door included."""
    import io
    import sys

    from config.wsgi import application

    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
    started = []
    # As Django's test client does: the test's transaction keeps its connection.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = application(
            {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80",
                "HTTP_HOST": "127.0.0.1",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(),
                "wsgi.errors": sys.stderr,
                **environ,
            },
            lambda status, headers, exc_info=None: started.append((status, headers)),
        )
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    status, headers = started[0]
    return int(status.split()[0]), dict(headers), content


class FrontDoorTests(CacheTestCase):
    """A page a process kept is served before Django's handler, exactly as Django
    would serve it: same bytes, same headers, and never once it is stale."""

    def setUp(self):
        from django.core.signals import request_started

        self.handled = []
        receiver = lambda **kwargs: self.handled.append(1)  # noqa: E731
        request_started.connect(receiver, weak=False, dispatch_uid="front-door-test")
        self.addCleanup(request_started.disconnect, dispatch_uid="front-door-test")

    def test_a_kept_page_is_served_without_entering_django(self):
        url = self.sheet.get_absolute_url()
        first = wsgi_get(url)
        self.assertEqual(len(self.handled), 1, "the first request is Django's")
        with self.assertNumQueries(0):
            second = wsgi_get(url)
        self.assertEqual(len(self.handled), 1, "the second never reached Django")
        self.assertEqual(second, first)
        status, headers, _ = second
        self.assertEqual(status, 200)
        # The security middleware's headers were stored with the page.
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["Referrer-Policy"], "same-origin")
        self.assertEqual(headers["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertIn("ETag", headers)

    def test_compressed_and_conditional_at_the_front_door(self):
        url = self.sheet.get_absolute_url()
        wsgi_get(url, HTTP_ACCEPT_ENCODING="br")
        status, headers, body = wsgi_get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        self.assertEqual((status, headers["Content-Encoding"]), (200, "br"))
        self.assertIn(self.sheet.lead.encode(), brotli.decompress(body))
        status, _, body = wsgi_get(
            url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=headers["ETag"]
        )
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(len(self.handled), 1)

    def test_a_change_elsewhere_reaches_the_front_door(self):
        url = self.sheet.get_absolute_url()
        wsgi_get(url)
        FactSheet.objects.filter(pk=self.sheet.pk).update(title="Changed elsewhere")
        cache.set(storage.GENERATION_KEY, ("another-server", timezone.now()), None)
        self.assertIn(b"Changed elsewhere", wsgi_get(url)[2])
        self.assertEqual(len(self.handled), 2, "the stale page went to Django")

    def test_a_host_not_allowed_is_still_refused(self):
        url = self.sheet.get_absolute_url()
        wsgi_get(url)
        status, headers, _ = wsgi_get(url, HTTP_HOST="attacker.example")
        self.assertEqual(status, 400)
        # Answered by Django further in, with the headers every response has.
        self.assertIn("Content-Security-Policy", headers)
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")

    def test_paths_outside_latin_1_reach_django_as_sent(self):
        """gunicorn gives PATH_INFO as the path's bytes read as Latin-1, and Django
        reads them as UTF-8; the front door, which looks first, changes nothing."""
        LegacyAddress.objects.create(
            old_path="/r/côte-d’ivoire.htm", new_path=self.sheet.get_absolute_url()
        )
        wsgi_get(self.sheet.get_absolute_url())  # a kept page: the front door looks
        for path, expected in [
            ("/\u200b", 404),
            ("/fact-sheets/\U0001f600/", 404),
            ("/fact-sheets/é/", 404),
            ("/admin/\u3000", 302),  # to the sign-in page, as any admin address
            ("/r/côte-d’ivoire.htm", 301),
        ]:
            with self.subTest(path):
                status, headers, body = wsgi_get(path.encode().decode("latin-1"))
                self.assertEqual(status, expected)
                self.assertIn("Content-Security-Policy", headers)
                self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
                if status == 404:
                    self.assertIn(b"Page not found", body)
        self.assertEqual(headers["Location"], self.sheet.get_absolute_url())

    def test_editors_pages_never_pass_the_front_door(self):
        with mock.patch.object(storage, "recent", {"any": None}):
            for url in ["/admin/login/", "/static/css/site.css"]:
                with self.subTest(url=url):
                    wsgi_get(url)
        self.assertEqual(len(self.handled), 2)

    def test_an_unreachable_cache_leaves_the_page_to_django(self):
        url = self.sheet.get_absolute_url()
        wsgi_get(url)
        with mock.patch.object(cache, "get", side_effect=ConnectionError("down")):
            status, _, body = wsgi_get(url)
        self.assertEqual(status, 200)
        self.assertIn(self.sheet.lead.encode(), body)
        self.assertEqual(len(self.handled), 2)


class RedisClientTests(TestCase):
    """Django's Redis backend, with one client per pool (pagecache/redis.py)."""

    def test_one_client_per_pool_and_the_cache_works(self):
        import redis

        from pagecache.redis import ReusedClientRedisCache
        from tests.helpers.tools import missing

        backend = ReusedClientRedisCache("redis://127.0.0.1:6379/12", {})
        try:
            backend.get("probe")
        except redis.RedisError as error:
            missing(f"Redis is not reachable on 127.0.0.1:6379 ({error})")
        self.addCleanup(backend.clear)
        client = backend._cache
        self.assertIs(client.get_client(write=True), client.get_client(write=True))
        backend.set("page", {"body": b"x" * 100}, 60)
        backend.set_many({"a": 1, "b": 2}, 60)
        self.assertEqual(backend.get("page"), {"body": b"x" * 100})
        self.assertEqual(backend.get_many(["a", "b", "c"]), {"a": 1, "b": 2})
        backend.delete("page")
        self.assertIsNone(backend.get("page"))
