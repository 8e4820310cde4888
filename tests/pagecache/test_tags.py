"""Tags: a stored page is current while what it shows has the versions it was
rendered under (pagecache/tags.py). What each change makes stale on the real pages
is tests/factsheets/test_page_tags.py."""

from unittest import mock

from django.core.cache import cache
from django.db import transaction
from django.test import TransactionTestCase, override_settings

import pagecache
from pagecache import storage, tags
from tests.helpers.factories import make_full_factsheet
from tests.helpers.page_cache import not_fresh, rendered_again


class RenderingTests(TransactionTestCase):
    """With real commits: inside a test's transaction, its own versions would hide
    the changes these tests make in the shared cache."""

    def setUp(self):
        self.sheet = make_full_factsheet(children=2)
        self.url = self.sheet.get_absolute_url()

    def test_a_page_rendered_while_a_change_came_is_served_not_stored(self):
        from factsheets.views import pages

        real = pages.render_sheet

        def changed_meanwhile(*args, **kwargs):
            tags.bump({"somewhere-else"})
            return real(*args, **kwargs)

        with mock.patch.object(pages, "render_sheet", changed_meanwhile):
            self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(rendered_again(self.client, [self.url]), {self.url})
        self.assertEqual(rendered_again(self.client, [self.url]), set(), "stored now")

    def test_a_change_to_what_a_page_does_not_show_does_not_stop_its_storing(self):
        """Rendering again a page whose stale copy said what it shows, only a change
        to that, while it renders, leaves it unstored."""
        from factsheets.views import pages

        real = pages.render_sheet
        own = f"sheet:{self.sheet.pk}"
        for changed, stored in (("somewhere-else", True), (own, False)):
            with self.subTest(changed=changed):
                self.client.get(self.url)
                tags.bump({own})  # the stored copy is stale

                def changed_meanwhile(*args, changed=changed, **kwargs):
                    tags.bump({changed})
                    return real(*args, **kwargs)

                with mock.patch.object(pages, "render_sheet", changed_meanwhile):
                    self.client.get(self.url)
                again = rendered_again(self.client, [self.url])
                self.assertEqual(again, set() if stored else {self.url})

    def test_an_evicted_tag_never_matches_a_page_stored_before(self):
        for tag in (f"sheet:{self.sheet.pk}", f"nav:{self.sheet.country_id}"):
            with self.subTest(tag=tag):
                self.client.get(self.url)
                self.client.get(self.url)  # kept, and found current
                cache.delete(tags.tag_key(tag))
                # A process that checked its kept page since the last change
                # serves it (nothing changed); one that has not kept it renders.
                self.assertEqual(rendered_again(self.client, [self.url]), set())
                storage.recent.clear()
                self.assertEqual(rendered_again(self.client, [self.url]), {self.url})
                self.assertEqual(rendered_again(self.client, [self.url]), set())
                # A change evicted with its tag still shows.
                tags.bump({tag})
                cache.delete(tags.tag_key(tag))
                self.assertEqual(rendered_again(self.client, [self.url]), {self.url})

    def test_a_version_is_new_at_each_change_and_steady_between(self):
        tag = f"sheet:{self.sheet.pk}"
        first = pagecache.version(tag)
        self.assertEqual(pagecache.version(tag), first)
        section = self.sheet.sections.first()
        section.save()
        second = pagecache.version(tag)
        self.assertNotEqual(second, first)
        self.sheet.country.save()  # the country: its sheet's text is the same
        self.assertEqual(pagecache.version(tag), second)

    @override_settings(ROOT_URLCONF="tests.helpers.undeclared_urls")
    def test_a_page_whose_view_names_nothing_goes_stale_at_every_change(self):
        url = "/counted/"
        self.client.get(url)
        self.assertEqual(rendered_again(self.client, [url]), set())
        self.sheet.sections.first().delete()
        self.assertEqual(rendered_again(self.client, [url]), {url})
        self.assertEqual(not_fresh(self.client, [url]), [])


class PathPurge(pagecache.PurgeBackend):
    purged = []

    def purge(self, paths):
        self.purged.append(("paths", paths))

    def purge_all(self):
        self.purged.append(("all", None))


@override_settings(PAGE_CACHE_PURGE_BACKENDS=[f"{__name__}.PathPurge"])
class AfterTheCommitTests(TransactionTestCase):
    """Purge backends and renderers hear of what went stale once, after the commit."""

    def setUp(self):
        self.sheet = make_full_factsheet(children=3)
        self.told = []
        PathPurge.purged = []

        def receiver(tags, using, **kwargs):
            self.told.append(tags)

        pagecache.pages_stale.connect(receiver, weak=False, dispatch_uid="tag-tests")
        self.addCleanup(pagecache.pages_stale.disconnect, dispatch_uid="tag-tests")

    def test_a_section_edit_names_its_sheet_and_its_pages(self):
        slug = self.sheet.country.slug
        with transaction.atomic():
            for section in self.sheet.sections.all():
                section.body = "<p>Edited.</p>"
                section.save()
            self.assertEqual(self.told, [], "not before the commit")
        self.assertEqual(self.told, [frozenset({f"sheet:{self.sheet.pk}"})])
        ((kind, paths),) = PathPurge.purged
        self.assertEqual(kind, "paths")
        self.assertIn(f"/fact-sheets/{slug}/", paths)
        self.assertIn(f"/fact-sheets/{slug}.json", paths)
        self.assertNotIn("/", paths)

    def test_invalidate_names_every_page(self):
        pagecache.invalidate()
        self.assertEqual(self.told, [None])
        self.assertEqual(PathPurge.purged, [("all", None)])


class EpochTests(TransactionTestCase):
    """pagecache.epoch() moves when every page goes stale with no change to tell."""

    def test_it_moves_only_when_every_page_went_stale(self):
        import datetime

        from django.utils import timezone

        now = timezone.now()
        sheet = make_full_factsheet()
        start = pagecache.epoch()
        sheet.sections.first().delete()  # a change to some pages
        self.assertEqual(pagecache.epoch(), start)
        pagecache.invalidate()
        moved = pagecache.epoch()
        self.assertNotEqual(moved, start)
        with override_settings(DEPARTMENT_TAGLINE="A new release"):
            self.assertNotEqual(pagecache.epoch(), moved)
        tomorrow = now + datetime.timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=tomorrow):
            self.assertNotEqual(pagecache.epoch(), moved)
        sheet.expires_at = now + datetime.timedelta(minutes=5)
        sheet.save()
        before = pagecache.epoch()
        later = now + datetime.timedelta(minutes=6)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertNotEqual(pagecache.epoch(), before)
