"""The editorial workflow through the real admin and the real public pages: roles,
editions, scheduling, previews, revisions and the public record of changes."""

import datetime
import json
from unittest import mock

from django.contrib.auth.models import User
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from reversion.models import Version

import pagecache
from factsheets import sheet_operations
from factsheets.models import ChangeNote, FactSheet, PreviewLink, Section
from factsheets.revisions import sheet_versions
from factsheets.richtext import sanitize
from tests.helpers.admin_forms import change_data, change_url, snapshot
from tests.helpers.factories import (
    HOSTILE_MARKS,
    HOSTILE_RICH_TEXT,
    make_country,
    make_factsheet,
    make_full_factsheet,
    make_related_link,
    make_user,
)
from tests.helpers.page_cache import count_queries

NOW = timezone.now().replace(microsecond=0)


def at(moment):
    """Runs the code under it as if the clock said `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


class RoleTests(TestCase):
    """Editors write drafts; only publishers decide what the public sees."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", "Editors")
        cls.publisher = make_user("publisher", "Publishers")
        cls.draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, issued_on=datetime.date(2016, 1, 1)
        )
        cls.published = make_full_factsheet()

    def test_an_editor_saves_a_draft_but_it_stays_a_draft(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            change_url(self.draft), change_data(self.draft, title="Edited")
        )
        self.assertEqual(response.status_code, 302)
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.title, self.draft.status), ("Edited", "draft"))

    def test_an_editor_sees_no_publish_button_or_publication_fields(self):
        self.client.force_login(self.editor)
        response = self.client.get(change_url(self.draft))
        self.assertNotContains(response, 'name="_publish"')
        self.assertNotContains(response, 'name="publish_time_0"')
        self.assertNotContains(response, 'name="expires_at_0"')
        self.client.force_login(self.publisher)
        response = self.client.get(change_url(self.draft))
        self.assertContains(response, 'name="_publish"')
        self.assertContains(response, 'name="publish_time_0"')

    def test_an_editors_forged_posts_to_publish_or_schedule_are_refused(self):
        self.client.force_login(self.editor)
        later = timezone.localtime(NOW + datetime.timedelta(days=2))
        forgeries = {
            "publish": {"_publish": "Save and publish"},
            "schedule": {
                "_publish": "Save and publish",
                "publish_time_0": later.date().isoformat(),
                "publish_time_1": "09:00:00",
            },
            "set an expiry": {
                "expires_at_0": later.date().isoformat(),
                "expires_at_1": "09:00:00",
            },
            "unpublish": {"_unpublish": "Save and unpublish"},
        }
        for name, fields in forgeries.items():
            for sheet in (self.draft, self.published):
                with self.subTest(name, sheet=sheet.status):
                    before = snapshot(sheet)
                    response = self.client.post(
                        change_url(sheet), change_data(sheet, title="Forged", **fields)
                    )
                    self.assertContains(
                        response,
                        "<strong>Only publishers may publish or schedule a sheet."
                        "</strong>",
                        status_code=403,
                    )
                    self.assertEqual(snapshot(sheet), before)

    def test_an_editor_cannot_change_a_published_sheet_in_place(self):
        self.client.force_login(self.editor)
        response = self.client.get(change_url(self.published))
        self.assertContains(response, "Only a publisher can change a published sheet")
        self.assertNotContains(response, 'name="_save"')
        before = snapshot(self.published)
        response = self.client.post(
            change_url(self.published), change_data(self.published, title="Forged")
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(snapshot(self.published), before)

    def test_an_editor_cannot_restore_a_published_sheet(self):
        self.client.force_login(self.publisher)
        self.client.post(
            change_url(self.published), change_data(self.published, title="Second")
        )
        first = sheet_versions(self.published).last()
        self.client.force_login(self.editor)
        url = reverse(
            "admin:factsheets_factsheet_restore", args=[self.published.pk, first.pk]
        )
        before = snapshot(self.published)
        self.assertContains(
            self.client.post(url),
            "Only publishers may restore a published sheet.",
            status_code=403,
        )
        self.assertEqual(snapshot(self.published), before)

    def test_an_editor_cannot_delete_a_published_sheet(self):
        self.client.force_login(self.editor)
        url = reverse("admin:factsheets_factsheet_delete", args=[self.published.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertTrue(FactSheet.objects.filter(pk=self.published.pk).exists())

    def test_a_publisher_publishes_and_the_public_sees_it(self):
        self.client.force_login(self.publisher)
        response = self.client.post(
            change_url(self.draft),
            change_data(self.draft, _publish="Save and publish"),
        )
        self.assertEqual(response.status_code, 302)
        self.draft.refresh_from_db()
        self.assertTrue(self.draft.is_live)
        self.assertEqual(self.draft.updated_by, self.publisher)
        public = self.client.get(self.draft.country.get_absolute_url())
        self.assertEqual(public.context["factsheet"], self.draft)

    def test_a_publisher_unpublishes(self):
        self.client.force_login(self.publisher)
        response = self.client.post(
            change_url(self.published),
            change_data(self.published, _unpublish="Save and unpublish"),
        )
        self.assertEqual(response.status_code, 302)
        self.published.refresh_from_db()
        self.assertEqual(self.published.status, "draft")
        self.assertEqual(
            self.client.get(self.published.country.get_absolute_url()).status_code, 404
        )

    def test_an_editor_reading_a_published_sheet_is_not_counted_as_editing_it(self):
        self.client.force_login(self.editor)
        response = self.client.get(change_url(self.published))
        self.assertNotContains(response, "data-editing-url")
        url = reverse("admin:factsheets_factsheet_editing", args=[self.published.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertFalse(self.published.editing_sessions.exists())

    def test_a_refused_post_writes_nothing_at_all(self):
        from reversion.models import Revision

        # Sheets made before revisions were kept have none yet.
        Revision.objects.all().delete()
        self.client.force_login(self.editor)
        self.client.post(change_url(self.published), change_data(self.published))
        self.client.force_login(make_user("clerk"))
        self.client.post(change_url(self.draft), change_data(self.draft))
        self.assertFalse(Revision.objects.exists())

    def test_staff_without_permissions_see_no_sheet(self):
        self.client.force_login(make_user("clerk"))
        self.assertEqual(self.client.get(change_url(self.draft)).status_code, 403)
        self.assertEqual(self.client.get(self.draft.get_preview_url()).status_code, 403)


class CompleteSheetTests(TestCase):
    """Publishing needs a complete sheet; otherwise nothing is published."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")

    def setUp(self):
        self.client.force_login(self.publisher)

    def test_what_is_missing_is_listed_and_nothing_changes(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT, issued_on=None)
        make_related_link(sheet, title="Country page", url="")
        before = snapshot(sheet)
        response = self.client.post(
            change_url(sheet),
            change_data(sheet, title="Changed too", _publish="Save and publish"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.non_field_errors(),
            [
                "This sheet cannot be published yet. It needs an issue date; at least "
                "one section; an address for the related link “Country page”."
            ],
        )
        # The editor's input is still in the form.
        self.assertContains(response, 'value="Changed too"')
        self.assertEqual(snapshot(sheet), before)

    # Completeness is what this is about: the publisher may publish their own
    # change here (review has tests of its own).
    @override_settings(REVIEW_SECOND_PAIR_OF_EYES=False)
    def test_the_rows_sent_with_the_publish_count(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT)
        data = change_data(sheet, _publish="Save and publish")
        data.update(
            {
                "sections-TOTAL_FORMS": "1",
                "sections-0-position": "1",
                "sections-0-heading": "",
                "sections-0-body": "<p>Now complete.</p>",
            }
        )
        self.assertEqual(self.client.post(change_url(sheet), data).status_code, 302)
        sheet.refresh_from_db()
        self.assertTrue(sheet.is_live)

    def test_a_published_sheet_cannot_lose_its_last_section(self):
        sheet = make_full_factsheet()
        data = change_data(sheet)
        data["sections-0-DELETE"] = "on"
        before = snapshot(sheet)
        response = self.client.post(change_url(sheet), data)
        self.assertContains(response, "It needs at least one section.")
        self.assertEqual(snapshot(sheet), before)

    def test_the_rule_holds_outside_the_admin(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT)
        with self.assertRaisesMessage(Exception, "It needs at least one section."):
            sheet_operations.publish(sheet, by=None)
        sheet.status = FactSheet.Status.PUBLISHED
        with self.assertRaisesMessage(Exception, "It needs at least one section."):
            sheet.save()
        self.assertEqual(FactSheet.objects.get(pk=sheet.pk).status, "draft")


class ChangeNoteTests(TestCase):
    """A published sheet changed in place says so: a date, and a note if major."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")

    def setUp(self):
        self.client.force_login(self.publisher)
        self.sheet = make_full_factsheet(country=make_country(slug="mali"))

    def test_a_major_change_needs_a_note_and_shows_it(self):
        data = change_data(self.sheet, title="Renamed", change_kind="major")
        response = self.client.post(change_url(self.sheet), data)
        self.assertEqual(
            response.context["adminform"].form.errors["change_note"],
            ["A major change needs a note for readers."],
        )
        self.assertEqual(
            FactSheet.objects.get(pk=self.sheet.pk).title, self.sheet.title
        )
        data["change_note"] = "Updated the assistance figures."
        with at(NOW):
            self.assertEqual(
                self.client.post(change_url(self.sheet), data).status_code, 302
            )
        later = NOW + datetime.timedelta(days=3)
        with at(later):
            data = change_data(
                self.sheet, change_kind="major", change_note="Named the new ambassador."
            )
            self.client.post(change_url(self.sheet), data)
        page = self.client.get("/fact-sheets/mali/")
        self.assertContains(page, "Last updated")
        self.assertContains(
            page, f"{timezone.localtime(later):%B} {timezone.localtime(later).day}"
        )
        notes = [note.note for note in page.context["factsheet"].change_notes.all()]
        self.assertEqual(
            notes, ["Named the new ambassador.", "Updated the assistance figures."]
        )
        text = page.content.decode()
        self.assertLess(
            text.index("Named the new ambassador."),
            text.index("Updated the assistance figures."),
        )

    def test_a_change_with_no_kind_says_to_choose_minor_or_major(self):
        data = change_data(self.sheet, title="Renamed")
        data.pop("change_kind")
        response = self.client.post(change_url(self.sheet), data)
        message = (
            "Say whether this change is minor or major: the sheet is published, "
            "so readers see it at once."
        )
        self.assertEqual(
            response.context["adminform"].form.errors["change_kind"], [message]
        )
        self.assertContains(response, message)
        self.assertNotContains(response, "This field is required.")
        self.assertEqual(
            FactSheet.objects.get(pk=self.sheet.pk).title, self.sheet.title
        )

    def test_a_minor_change_dates_the_sheet_without_a_note(self):
        self.client.post(
            change_url(self.sheet), change_data(self.sheet, title="Typo fixed")
        )
        self.sheet.refresh_from_db()
        self.assertIsNotNone(self.sheet.revised_at)
        self.assertFalse(ChangeNote.objects.exists())
        self.assertContains(self.client.get("/fact-sheets/mali/"), "Last updated")

    def test_a_scheduled_sheet_is_not_yet_public_so_needs_no_change_kind(self):
        FactSheet.objects.filter(pk=self.sheet.pk).update(
            publish_at=NOW + datetime.timedelta(days=1)
        )
        response = self.client.get(change_url(self.sheet))
        self.assertContains(response, "Scheduled for")
        self.assertNotContains(response, 'name="change_kind"')
        data = change_data(self.sheet, title="Before it appears")
        data.pop("change_kind")
        self.assertEqual(
            self.client.post(change_url(self.sheet), data).status_code, 302
        )
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "Before it appears")
        self.assertIsNone(self.sheet.revised_at)

    def test_a_draft_needs_no_change_kind(self):
        draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, issued_on=datetime.date(2016, 1, 1)
        )
        response = self.client.get(change_url(draft))
        self.assertNotContains(response, 'name="change_kind"')
        self.client.post(change_url(draft), change_data(draft, title="Edited"))
        draft.refresh_from_db()
        self.assertIsNone(draft.revised_at)


class EditionTests(TestCase):
    """A new edition is a draft copy; once published, the older one keeps an address."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")
        # A second pair of eyes publishes the edition the first made.
        cls.reviewer = make_user("reviewer", "Publishers")
        cls.old = make_full_factsheet(
            children=2, country=make_country(name="Mali", slug="mali")
        )

    def setUp(self):
        self.client.force_login(self.publisher)

    def new_edition(self, day=datetime.date(2016, 3, 1)):
        url = reverse("admin:factsheets_factsheet_new_edition", args=[self.old.pk])
        response = self.client.post(url, {"issued_on": day.isoformat()})
        new = FactSheet.objects.get(country=self.old.country, issued_on=day)
        self.assertRedirects(response, change_url(new), fetch_redirect_response=False)
        return new

    def test_the_copy_has_every_row_and_is_a_draft(self):
        new = self.new_edition()
        self.assertEqual(new.status, "draft")
        for name in ("sections", "assistance_lines", "officials", "related_links"):
            fields = [f.attname for f in getattr(new, name).model._meta.concrete_fields]
            fields = [f for f in fields if f not in ("id", "factsheet_id")]
            with self.subTest(name):
                self.assertEqual(
                    list(getattr(new, name).values_list(*fields)),
                    list(getattr(self.old, name).values_list(*fields)),
                )
        # The public still sees the old edition.
        self.assertEqual(
            self.client.get("/fact-sheets/mali/").context["factsheet"], self.old
        )

    def test_a_default_title_follows_the_countrys_new_name(self):
        country = make_country(name="Swaziland", slug="swaziland")
        old = make_full_factsheet(
            country=country, title="U.S. Relations With Swaziland"
        )
        country.name, country.slug, country.other_names = (
            "Eswatini",
            "eswatini",
            "Swaziland",
        )
        country.save()
        url = reverse("admin:factsheets_factsheet_new_edition", args=[old.pk])
        self.client.post(url, {"issued_on": "2019-05-01"})
        new = FactSheet.objects.get(country=country, issued_on="2019-05-01")
        self.assertContains(
            self.client.get(change_url(new)),
            'value="U.S. Relations With Eswatini"',
        )

    def test_a_taken_date_is_refused(self):
        url = reverse("admin:factsheets_factsheet_new_edition", args=[self.old.pk])
        response = self.client.post(url, {"issued_on": "2015-10-15"})
        self.assertContains(response, "Mali already has a sheet dated 2015-10-15.")
        self.assertEqual(FactSheet.objects.count(), 1)

    def test_the_action_makes_editions_dated_today(self):
        response = self.client.post(
            reverse("admin:factsheets_factsheet_changelist"),
            {"action": "make_new_editions", "_selected_action": [self.old.pk]},
        )
        new = FactSheet.objects.get(issued_on=timezone.localdate())
        self.assertRedirects(response, change_url(new), fetch_redirect_response=False)
        self.assertEqual(new.sections.count(), 2)

    def test_publishing_supersedes_the_older_edition(self):
        new = self.new_edition()
        self.client.force_login(self.reviewer)
        self.client.post(change_url(new), change_data(new, _publish="Save and publish"))
        current = self.client.get("/fact-sheets/mali/")
        self.assertEqual(current.context["factsheet"], new)
        self.assertContains(current, 'href="/fact-sheets/mali/2015-10-15/"')
        self.assertContains(current, "Changes since October 15, 2015")
        self.assertNotContains(current, 'name="robots"')

        old = self.client.get("/fact-sheets/mali/2015-10-15/")
        self.assertEqual(old.context["factsheet"], self.old)
        self.assertContains(old, "This edition has been superseded.")
        self.assertContains(
            old,
            'href="/fact-sheets/mali/changes/?from=2015-10-15&amp;to=2016-03-01"',
        )
        self.assertContains(old, 'href="/fact-sheets/mali/"')
        self.assertContains(old, '<meta name="robots" content="noindex">', html=True)
        self.assertEqual(self.old.get_absolute_url(), "/fact-sheets/mali/2015-10-15/")
        self.assertEqual(new.get_absolute_url(), "/fact-sheets/mali/")

        # The current edition's dated address leads to the country's address.
        self.assertRedirects(
            self.client.get("/fact-sheets/mali/2016-03-01/"), "/fact-sheets/mali/"
        )

    def test_home_lists_only_current_editions(self):
        new = self.new_edition()
        self.client.force_login(self.reviewer)
        self.client.post(change_url(new), change_data(new, _publish="Save and publish"))
        home = self.client.get("/")
        self.assertEqual([s.pk for s in home.context["recent_factsheets"]], [new.pk])
        self.assertEqual([s.pk for s in home.context["factsheets"]], [new.pk])

    def test_unknown_and_unpublished_editions_answer_404(self):
        self.new_edition()
        for url in (
            "/fact-sheets/mali/2016-03-01/",  # a draft
            "/fact-sheets/mali/2001-01-01/",
            "/fact-sheets/mali/2015-02-30/",
            "/fact-sheets/atlantis/2015-10-15/",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_query_counts_stay_fixed_as_editions_and_rows_grow(self):
        country = self.old.country
        counts = []
        for n in range(1, 4):
            sheet = make_full_factsheet(
                children=n * 5, country=country, issued_on=datetime.date(2016, n, 1)
            )
            ChangeNote.objects.create(factsheet=sheet, note=f"Note {n}")
            pages = {
                "sheet": "/fact-sheets/mali/",
                "edition": "/fact-sheets/mali/2015-10-15/",
                "changes": "/fact-sheets/mali/changes/?from=2015-10-15&to="
                f"{sheet.issued_on}",
            }
            counts.append(
                {name: count_queries(self.client, url) for name, url in pages.items()}
            )
        # The sheet and its five kinds of rows, its editions, and the current
        # sheets (its neighbours, and on an edition page the current edition); the
        # comparison lists the editions, then loads the two compared with their rows.
        self.assertEqual(counts, [{"sheet": 8, "edition": 8, "changes": 8}] * 3)


class PublicComparisonTests(TestCase):
    """The public comparison of the Mali sheet with an edited new edition."""

    fixtures = ["bureaus", "countries", "mali-2015"]

    @classmethod
    def setUpTestData(cls):
        cls.mali = FactSheet.objects.get(country__slug="mali")
        new = sheet_operations.new_edition(cls.mali, datetime.date(2016, 3, 1), by=None)
        opening = new.sections.get(heading="")
        opening.body = opening.body.replace("Mali", "the Republic of Mali", 1)
        opening.save()
        new.sections.filter(heading__startswith="Bilateral Economic").delete()
        Section.objects.create(
            factsheet=new, position=99, heading="Health", body="<p>A new section.</p>"
        )
        line = new.assistance_lines.first()
        line.amount_usd = 140_000_000
        line.save()
        official = new.officials.first()
        official.name = "A. New Name"
        official.save()
        sheet_operations.publish(new, by=None)
        cls.new = new

    def test_the_comparison_reads_section_by_section(self):
        response = self.client.get(
            "/fact-sheets/mali/changes/?from=2015-10-15&to=2016-03-01"
        )
        self.assertEqual(response.status_code, 200)
        changes = response.context["changes"]
        status = {s.heading: s.status for s in changes.sections}
        self.assertEqual(status[""], "changed")
        self.assertEqual(status["Health"], "added")
        self.assertEqual(
            [h for h, s in status.items() if s == "removed"],
            [
                s.heading
                for s in self.mali.sections.filter(
                    heading__startswith="Bilateral Economic"
                )
            ],
        )
        self.assertContains(
            response,
            '<ins class="diff-ins"><span class="diff-mark" aria-hidden="true">[+</span>'
            '<span class="visually-hidden">added: </span>the Republic of'
            '<span class="diff-mark" aria-hidden="true">]</span>'
            '<span class="visually-hidden">, end added</span></ins>',
        )
        self.assertEqual(
            [(row.status, row.old, row.new) for row in changes.lines],
            [
                (
                    "changed",
                    "more than $135.4 million, actual (Total U.S. foreign assistance)",
                    "more than $140 million, actual (Total U.S. foreign assistance)",
                )
            ],
        )
        official = self.mali.officials.first()
        self.assertEqual(
            [(row.status, row.label, row.old, row.new) for row in changes.officials],
            [("changed", official.role, official.name, "A. New Name")],
        )
        self.assertEqual(changes.links, [])

    def test_the_marks_are_words_not_only_colour(self):
        response = self.client.get("/fact-sheets/mali/changes/")
        text = response.content.decode()
        self.assertIn("[+", text)
        self.assertIn("[−", text)
        self.assertIn("(removed)", text)
        self.assertIn("(added)", text)

    def test_the_default_is_the_latest_change_and_bad_dates_are_explained(self):
        default = self.client.get("/fact-sheets/mali/changes/")
        self.assertEqual(
            (default.context["old"], default.context["new"]), (self.mali, self.new)
        )
        for query in (
            "?from=2015-10-16",
            "?from=nonsense",
            "?to=2016-13-01",
            "?from=" + "9" * 5000,
        ):
            with self.subTest(query[:30]):
                response = self.client.get("/fact-sheets/mali/changes/" + query)
                self.assertContains(
                    response, "There is no published edition dated", status_code=404
                )
        self.assertEqual(
            self.client.get("/fact-sheets/atlantis/changes/").status_code, 404
        )

    def test_a_sheet_with_one_edition_has_nothing_to_compare(self):
        sheet = make_full_factsheet(country=make_country(slug="atlantis"))
        response = self.client.get(f"/fact-sheets/{sheet.country.slug}/changes/")
        self.assertContains(response, "only one published edition", status_code=404)


class SchedulingTests(TestCase):
    """Publish and expiry times take effect at the moment of each request."""

    @classmethod
    def setUpTestData(cls):
        cls.country = make_country(name="Mali", slug="mali")
        cls.bureau = cls.country.bureau
        cls.old = make_full_factsheet(country=cls.country)
        cls.new = make_full_factsheet(
            country=cls.country,
            issued_on=datetime.date(2016, 3, 1),
            status=FactSheet.Status.DRAFT,
        )
        cls.publisher = make_user("publisher", "Publishers")

    def seen(self, when):
        """What the public pages show at `when`."""
        with at(when):
            sheet = self.client.get("/fact-sheets/mali/")
            home = self.client.get("/")
            bureau = self.client.get(self.bureau.get_absolute_url())
            edition = self.client.get("/fact-sheets/mali/2015-10-15/")
            new_edition = self.client.get("/fact-sheets/mali/2016-03-01/")
        return {
            "sheet": sheet.context["factsheet"].issued_on.isoformat()
            if sheet.status_code == 200
            else None,
            "home": [s.issued_on.isoformat() for s in home.context["factsheets"]],
            "bureau": [s.issued_on.isoformat() for s in bureau.context["factsheets"]],
            "old edition": edition.status_code,
            "new edition": new_edition.status_code,
        }

    def test_a_scheduled_edition_appears_on_time_and_expires_on_time(self):
        publish_at = NOW + datetime.timedelta(days=1)
        expires_at = NOW + datetime.timedelta(days=5)
        self.client.force_login(self.publisher)
        local = timezone.localtime(publish_at)
        data = change_data(
            self.new,
            _publish="Save and publish",
            publish_time_0=local.date().isoformat(),
            publish_time_1=local.time().isoformat(),
            expires_at_0=timezone.localtime(expires_at).date().isoformat(),
            expires_at_1=timezone.localtime(expires_at).time().isoformat(),
        )
        with at(NOW):
            response = self.client.post(change_url(self.new), data)
        self.assertEqual(response.status_code, 302)
        self.new.refresh_from_db()
        self.assertEqual(
            (self.new.publish_at, self.new.expires_at), (publish_at, expires_at)
        )
        with at(NOW):
            self.assertTrue(self.new.state_label.startswith("Scheduled for"))
        self.client.logout()

        before = {
            "sheet": "2015-10-15",
            "home": ["2015-10-15"],
            "bureau": ["2015-10-15"],
            "old edition": 302,
            "new edition": 404,
        }
        after = {
            "sheet": "2016-03-01",
            "home": ["2016-03-01"],
            "bureau": ["2016-03-01"],
            "old edition": 200,
            "new edition": 302,
        }
        one_second = datetime.timedelta(seconds=1)
        self.assertEqual(self.seen(publish_at - one_second), before)
        self.assertEqual(self.seen(publish_at), after)
        self.assertEqual(self.seen(expires_at - one_second), after)
        # Expired: the previous edition is current again.
        self.assertEqual(self.seen(expires_at), before)

    def test_when_the_only_edition_expires_the_country_has_no_sheet(self):
        FactSheet.objects.filter(pk=self.old.pk).update(
            expires_at=NOW + datetime.timedelta(hours=1)
        )
        # update() sends no signal: say so to the page cache, as such code must.
        pagecache.invalidate()
        self.assertEqual(self.seen(NOW)["sheet"], "2015-10-15")
        later = self.seen(NOW + datetime.timedelta(hours=1))
        self.assertEqual(
            (later["sheet"], later["home"], later["bureau"]), (None, [], [])
        )
        self.assertEqual(later["old edition"], 404)

    def test_an_expiry_is_checked_against_the_stored_publish_time(self):
        FactSheet.objects.filter(pk=self.new.pk).update(
            status="published", publish_at=NOW + datetime.timedelta(days=30)
        )
        self.client.force_login(self.publisher)
        expiry = timezone.localtime(NOW + datetime.timedelta(days=10))
        before = snapshot(self.new)
        response = self.client.post(
            change_url(self.new),
            change_data(
                self.new,
                expires_at_0=expiry.date().isoformat(),
                expires_at_1="09:00:00",
            ),
        )
        self.assertContains(
            response, "The expiry time must come after the sheet is published."
        )
        self.assertEqual(snapshot(self.new), before)

    def test_times_beyond_the_calendar_are_refused_not_a_server_error(self):
        self.client.force_login(self.publisher)
        for fields in (
            {
                "_publish": "Save and publish",
                "publish_time_0": "9999-12-31",
                "publish_time_1": "23:59:59",
            },
            {"expires_at_0": "9999-12-31", "expires_at_1": "23:59:59"},
        ):
            with self.subTest(fields):
                response = self.client.post(
                    change_url(self.new), change_data(self.new, **fields)
                )
                self.assertContains(response, "Give a time before 2201.")
        self.assertEqual(FactSheet.objects.get(pk=self.new.pk).status, "draft")

    def test_a_publish_time_in_the_past_or_an_expiry_before_it_is_refused(self):
        self.client.force_login(self.publisher)
        past = timezone.localtime(NOW - datetime.timedelta(days=1))
        response = self.client.post(
            change_url(self.new),
            change_data(
                self.new,
                _publish="Save and publish",
                publish_time_0=past.date().isoformat(),
                publish_time_1="09:00:00",
            ),
        )
        self.assertContains(response, "This time has passed.")
        response = self.client.post(
            change_url(self.new),
            change_data(
                self.new,
                _publish="Save and publish",
                expires_at_0=past.date().isoformat(),
                expires_at_1="09:00:00",
            ),
        )
        self.assertContains(
            response, "The expiry time must come after the sheet is published."
        )
        self.assertEqual(FactSheet.objects.get(pk=self.new.pk).status, "draft")


class PreviewTests(TestCase):
    """Editors see drafts as the public will; preview links show them to others."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", "Editors")
        cls.draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, title="Draft edition"
        )

    def test_the_editors_preview_is_the_page_with_a_banner_and_noindex(self):
        self.client.force_login(self.editor)
        response = self.client.get(self.draft.get_preview_url())
        self.assertContains(response, "Preview: not published.")
        self.assertContains(
            response, '<meta name="robots" content="noindex">', html=True
        )
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertTemplateUsed(response, "factsheets/factsheet_detail.html")

    def make_link(self, days="7"):
        self.client.force_login(self.editor)
        url = reverse("admin:factsheets_factsheet_preview_link", args=[self.draft.pk])
        self.assertContains(self.client.get(url), 'value="7"')
        response = self.client.post(url, {"days": days})
        self.assertRedirects(
            response, change_url(self.draft), fetch_redirect_response=False
        )
        self.client.logout()
        return PreviewLink.objects.get()

    def test_a_link_works_without_an_account_and_shows_the_draft_as_it_is_now(self):
        link = self.make_link()
        response = self.client.get(link.get_absolute_url())
        self.assertContains(response, "Draft edition")
        self.assertContains(response, "Preview: not published.")
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertEqual(response["Referrer-Policy"], "no-referrer")
        self.assertIn("no-cache", response["Cache-Control"])
        FactSheet.objects.filter(pk=self.draft.pk).update(title="Retitled draft")
        self.assertContains(self.client.get(link.get_absolute_url()), "Retitled draft")

    def test_the_link_is_listed_on_the_sheets_admin_page(self):
        link = self.make_link()
        self.client.force_login(self.editor)
        response = self.client.get(change_url(self.draft))
        self.assertContains(response, link.get_absolute_url())
        self.assertContains(response, "Revoke")

    @override_settings(TIME_ZONE="America/New_York")
    def test_the_expiry_is_shown_in_the_sites_time_zone(self):
        # Seven days from 02:32 UTC on December 7 is 02:32 UTC on December 14:
        # 9:32 in the evening of December 13 in New York.
        created = datetime.datetime(2026, 12, 7, 2, 32, tzinfo=datetime.UTC)
        self.client.force_login(self.editor)
        url = reverse("admin:factsheets_factsheet_preview_link", args=[self.draft.pk])
        with at(created):
            response = self.client.post(url, {"days": "7"}, follow=True)
            form = self.client.get(change_url(self.draft))
        expiry = "December 13, 2026, 9:32 PM EST"
        self.assertContains(response, f"Preview link created, valid until {expiry}")
        self.assertContains(form, f"valid until {expiry}")
        self.assertNotContains(form, "December 14")
        PreviewLink.objects.update(revoked_at=created)
        with at(created):
            form = self.client.get(change_url(self.draft))
        self.assertContains(form, "Preview link of December 6, 2026: revoked")

    def test_an_expired_link_shows_nothing(self):
        link = self.make_link(days="3")
        self.assertEqual(
            link.expires_at.date(), (timezone.now() + datetime.timedelta(days=3)).date()
        )
        with at(link.expires_at - datetime.timedelta(seconds=1)):
            self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 200)
        with at(link.expires_at):
            response = self.client.get(link.get_absolute_url())
        self.assertContains(
            response, "This preview link does not work", status_code=404
        )
        self.assertNotContains(response, "Draft edition", status_code=404)

    def test_a_revoked_link_shows_nothing(self):
        link = self.make_link()
        self.client.force_login(self.editor)
        url = reverse(
            "admin:factsheets_factsheet_revoke_preview_link",
            args=[self.draft.pk, link.pk],
        )
        self.assertEqual(self.client.post(url).status_code, 302)
        self.client.logout()
        response = self.client.get(link.get_absolute_url())
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Draft edition", status_code=404)

    def test_a_tampered_link_shows_nothing(self):
        link = self.make_link()
        other = make_full_factsheet(status=FactSheet.Status.DRAFT, title="Other draft")
        # A valid link of another draft, whose id the forged token names with this
        # link's signature (another id for sure: a sheet's id may equal the link's).
        other_link = PreviewLink.create(other, 7)
        token = link.token
        value, signature = token.split(":", 1)
        forged = other_link.token.split(":", 1)[0] + ":" + signature
        for bad in (
            token[:-1] + ("A" if token[-1] != "A" else "B"),
            forged,
            "1",
            "x" * 300,
        ):
            with self.subTest(bad[:20]):
                response = self.client.get(
                    reverse("factsheets:preview_link", args=[bad])
                )
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "Other draft", status_code=404)
                self.assertNotContains(response, "Draft edition", status_code=404)

    def test_editors_need_the_permission_to_make_links(self):
        self.client.force_login(make_user("viewer"))
        url = reverse("admin:factsheets_factsheet_preview_link", args=[self.draft.pk])
        self.assertEqual(self.client.post(url, {"days": "7"}).status_code, 403)
        self.assertFalse(PreviewLink.objects.exists())


class FirstRevisionTests(TestCase):
    """A sheet loaded before revisions were kept can still go back to how it was."""

    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_the_first_change_of_a_loaded_sheet_can_be_undone(self):
        mali = FactSheet.objects.get(country__slug="mali")
        original = snapshot(mali)
        self.assertFalse(sheet_versions(mali).exists())
        self.client.force_login(make_user("publisher", "Publishers"))
        data = change_data(mali, title="A mistaken title")
        data["sections-0-body"] = "<p>Overwritten by mistake.</p>"
        self.assertEqual(self.client.post(change_url(mali), data).status_code, 302)
        before, after = sheet_versions(mali).reverse()
        self.assertEqual(
            before.revision.comment, "As it was before revisions were kept."
        )
        url = reverse("admin:factsheets_factsheet_restore", args=[mali.pk, before.pk])
        form = self.client.get(url).context["form"]
        self.client.post(url, {"base_version": form["base_version"].value()})
        fields, rows = snapshot(mali)
        self.assertEqual(rows, original[1])
        changed = {k for k in fields if fields[k] != original[0][k]}
        # Only the record of the saves differs: versions, times and who, never content.
        self.assertEqual(
            changed,
            {
                "version",
                "updated_at",
                "updated_by",
                "revised_at",
                "content_changed_at",
                "content_changed_by",
            },
        )


class DeletedReferenceTests(TestCase):
    """An old revision may name a bureau or country deleted since."""

    def test_it_is_compared_and_its_restore_refused_with_the_reason(self):
        publisher = User.objects.create_superuser("admin", "a@example.gov", "pw")
        self.client.force_login(publisher)
        sheet = make_full_factsheet(status=FactSheet.Status.DRAFT)
        home = sheet.bureau
        passing = make_country().bureau
        for bureau in (passing, home):
            self.client.post(
                change_url(sheet), change_data(sheet, bureau=str(bureau.pk))
            )
        passing.countries.all().delete()
        passing.delete()
        newest, middle = list(sheet_versions(sheet))[:2]
        compare = self.client.get(
            reverse("admin:factsheets_factsheet_compare", args=[sheet.pk]),
            {"from": middle.pk, "to": newest.pk},
        )
        self.assertContains(compare, "(a bureau since deleted)")
        url = reverse("admin:factsheets_factsheet_restore", args=[sheet.pk, middle.pk])
        form = self.client.get(url).context["form"]
        before = snapshot(sheet)
        response = self.client.post(url, {"base_version": form["base_version"].value()})
        self.assertContains(response, "names a bureau that has been deleted since")
        self.assertEqual(snapshot(sheet), before)


class RevisionTests(TestCase):
    """Every save is a revision; any two can be compared; any one restored."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")
        cls.superuser = User.objects.create_superuser("admin", "a@example.gov", "pw")

    def setUp(self):
        self.client.force_login(self.publisher)
        self.sheet = make_full_factsheet(children=2, title="First title")
        self.client.post(change_url(self.sheet), change_data(self.sheet))
        self.first = sheet_versions(self.sheet).first()
        data = change_data(self.sheet, title="Second title")
        data["sections-0-body"] = "<p>Changed words in the first section.</p>"
        data["sections-1-DELETE"] = "on"
        data["officials-0-name"] = "Somebody Else"
        data["related_links-0-DELETE"] = "on"
        data.update(
            {
                "sections-TOTAL_FORMS": "3",
                "sections-2-position": "50",
                "sections-2-heading": "Added section",
                "sections-2-body": "<p>Brand new.</p>",
            }
        )
        response = self.client.post(change_url(self.sheet), data)
        self.assertEqual(response.status_code, 302)
        self.second = sheet_versions(self.sheet).first()

    def test_each_save_is_a_revision_with_who_and_its_rows(self):
        versions = list(sheet_versions(self.sheet))
        # Made in the shell (by the factory), then saved twice in the admin.
        self.assertEqual(
            [v.revision.user for v in versions], [self.publisher, self.publisher, None]
        )
        stored = {v.content_type.model for v in self.second.revision.version_set.all()}
        self.assertEqual(
            stored,
            {"factsheet", "section", "assistanceline", "official", "relatedlink"},
        )
        sections = [
            v
            for v in self.second.revision.version_set.all()
            if v.content_type.model == "section"
        ]
        self.assertEqual(len(sections), 2)

    def test_the_history_lists_revisions(self):
        response = self.client.get(
            reverse("admin:factsheets_factsheet_history", args=[self.sheet.pk])
        )
        self.assertContains(response, "<td>publisher</td>", count=2)
        # Every revision but the current one can be restored.
        self.assertContains(response, "Restore…", count=2)

    def test_the_difference_between_two_revisions(self):
        url = reverse("admin:factsheets_factsheet_compare", args=[self.sheet.pk])
        response = self.client.get(url, {"from": self.first.pk, "to": self.second.pk})
        changes = response.context["changes"]
        self.assertEqual(
            [(c.label, c.old, c.new) for c in changes.fields],
            [("Title", "First title", "Second title")],
        )
        statuses = sorted(s.status for s in changes.sections)
        self.assertEqual(statuses, ["added", "changed", "removed"])
        self.assertEqual([o.status for o in changes.officials], ["changed"])
        self.assertEqual([link.status for link in changes.links], ["removed"])
        changed = next(s for s in changes.sections if s.status == "changed")
        self.assertIn(
            "[+added: Changed words in the first], end added section",
            strip_tags(changed.words),
        )
        self.assertContains(response, "(added)")
        # Reversed order reads the same way: oldest first.
        reverse_order = self.client.get(
            url, {"from": self.second.pk, "to": self.first.pk}
        )
        self.assertEqual(len(reverse_order.context["changes"].fields), 1)
        bad = self.client.get(url, {"from": "x", "to": self.second.pk})
        self.assertRedirects(
            bad, reverse("admin:factsheets_factsheet_history", args=[self.sheet.pk])
        )

    def restore(self, version, **data):
        url = reverse(
            "admin:factsheets_factsheet_restore", args=[self.sheet.pk, version.pk]
        )
        page = self.client.get(url)
        self.assertContains(page, "What restoring changes")
        data.setdefault("base_version", page.context["form"]["base_version"].value())
        return self.client.post(url, data)

    def test_a_restore_over_a_save_made_since_the_page_opened_is_refused(self):
        url = reverse(
            "admin:factsheets_factsheet_restore", args=[self.sheet.pk, self.first.pk]
        )
        opened = self.client.get(url).context["form"]["base_version"].value()
        self.client.post(change_url(self.sheet), change_data(self.sheet, title="Third"))
        before = snapshot(self.sheet)
        response = self.client.post(url, {"base_version": opened}, follow=True)
        self.assertContains(response, "Nothing was restored")
        self.assertEqual(snapshot(self.sheet), before)
        # Without the version it was opened on, nothing is restored either.
        self.assertEqual(self.client.post(url, {}).status_code, 200)
        self.assertEqual(snapshot(self.sheet), before)

    def test_a_restore_brings_back_every_row_as_a_new_revision_and_can_be_undone(self):
        second_state = snapshot(self.sheet)[1]
        self.restore(self.first, change_note="Back to the first text.")
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "First title")
        self.assertEqual(self.sheet.sections.count(), 2)
        self.assertFalse(self.sheet.sections.filter(heading="Added section").exists())
        self.assertEqual(self.sheet.related_links.count(), 2)
        self.assertEqual(self.sheet.status, "published")
        self.assertEqual(
            list(self.sheet.change_notes.values_list("note", flat=True)),
            ["Back to the first text."],
        )
        versions = list(sheet_versions(self.sheet))
        self.assertEqual(len(versions), 4)
        self.assertIn("Restored the revision of", versions[0].revision.comment)
        # Undo the restore: the second revision comes back whole.
        self.restore(versions[1])
        self.assertEqual(FactSheet.objects.get(pk=self.sheet.pk).title, "Second title")
        restored_rows = snapshot(self.sheet)[1]
        for before, after in zip(second_state, restored_rows, strict=True):
            strip = [{k: v for k, v in row.items() if k != "id"} for row in before]
            self.assertEqual(
                strip, [{k: v for k, v in row.items() if k != "id"} for row in after]
            )

    def test_a_revision_altered_in_the_database_comes_back_sanitized(self):
        """django-reversion brings rows back with raw saves, which skip the
        rich-text field's own sanitizing; the same sanitizer runs all the same."""
        rich_text = {"factsheet": "notice", "section": "body"}
        for version in self.first.revision.version_set.select_related("content_type"):
            if name := rich_text.get(version.content_type.model):
                kept = json.loads(version.serialized_data)
                kept[0]["fields"][name] = HOSTILE_RICH_TEXT
                Version.objects.filter(pk=version.pk).update(
                    serialized_data=json.dumps(kept)
                )
        response = self.restore(self.first)
        self.assertRedirects(response, change_url(self.sheet))
        clean = sanitize(HOSTILE_RICH_TEXT)
        sheet = FactSheet.objects.get(pk=self.sheet.pk)
        self.assertEqual(sheet.title, "First title")
        self.assertEqual(sheet.notice, clean)
        self.assertEqual(
            list(sheet.sections.values_list("body", flat=True)), [clean, clean]
        )
        # The restore's own revision keeps what was saved.
        kept = [
            version.field_dict[rich_text[version.content_type.model]]
            for version in sheet_versions(sheet).first().revision.version_set.all()
            if version.content_type.model in rich_text
        ]
        self.assertEqual(kept, [clean] * 3)
        self.client.logout()
        page = self.client.get(sheet.get_absolute_url())
        self.assertContains(page, "Read more</a>", count=3)
        for mark in HOSTILE_MARKS:
            with self.subTest(mark=mark):
                self.assertNotIn(mark, page.content.decode().lower())

    def test_a_restore_never_lowers_the_version(self):
        version = FactSheet.objects.get(pk=self.sheet.pk).version
        self.restore(self.first)
        self.assertEqual(FactSheet.objects.get(pk=self.sheet.pk).version, version + 1)

    def test_a_restore_keeps_the_publication_state(self):
        # The first revision was saved while published; unpublish, then restore it.
        self.client.post(
            change_url(self.sheet),
            change_data(self.sheet, _unpublish="Save and unpublish"),
        )
        self.restore(self.first)
        self.assertEqual(FactSheet.objects.get(pk=self.sheet.pk).status, "draft")


class RevisionCommentTests(TestCase):
    """Each save in the admin is one revision, by the editor, saying what it did."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")

    def setUp(self):
        self.client.force_login(self.publisher)
        self.sheet = make_full_factsheet(
            status=FactSheet.Status.DRAFT, issued_on=datetime.date(2016, 1, 1)
        )

    def revision(self, url, data):
        """The one revision a POST of `data` to `url` made: its comment and user."""
        from reversion.models import Revision

        count = Revision.objects.count()
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(Revision.objects.count(), count + 1)
        revision = Revision.objects.latest("pk")
        return revision.comment, revision.user

    def saved(self, **fields):
        return self.revision(change_url(self.sheet), change_data(self.sheet, **fields))

    def test_each_kind_of_save_says_what_it_did(self):
        from django.utils.formats import date_format

        later = timezone.localtime(NOW + datetime.timedelta(days=2)).replace(second=0)
        by = self.publisher
        self.assertEqual(self.saved(), ("Saved.", by))
        self.assertEqual(self.saved(_publish="Save and publish"), ("Published.", by))
        self.assertEqual(self.saved(), ("Minor change.", by))
        self.assertEqual(
            self.saved(change_kind="major", change_note="Named the ambassador."),
            ("Named the ambassador.", by),
        )
        self.assertEqual(
            self.saved(_unpublish="Save and unpublish"), ("Unpublished.", by)
        )
        self.assertEqual(
            self.saved(
                _publish="Save and publish",
                publish_time_0=later.date().isoformat(),
                publish_time_1=later.time().isoformat(),
            ),
            (f"Scheduled for {date_format(later, 'DATETIME_FORMAT')}", by),
        )

    def test_a_new_edition_says_where_it_was_copied_from(self):
        url = reverse("admin:factsheets_factsheet_new_edition", args=[self.sheet.pk])
        self.assertEqual(
            self.revision(url, {"issued_on": "2016-03-01"}),
            (f"New edition, copied from {self.sheet}.", self.publisher),
        )
