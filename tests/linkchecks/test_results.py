"""What the checks found, where editors see it: the sheet's change form through the
real admin, and the API the dashboard and the publish choice use."""

import datetime

from django.test import TestCase, override_settings
from django.utils import timezone
from django.utils.formats import date_format

import linkchecks
from factsheets.models import FactSheet
from linkchecks import checking, runs
from linkchecks.models import Link
from tests.helpers.admin_forms import change_data, change_url
from tests.helpers.factories import (
    make_factsheet,
    make_full_factsheet,
    make_related_link,
    make_section,
    make_user,
)
from tests.helpers.http_server import LocalServer, answer

HOSTILE = '"><script>alert(1)</script>'


def record(url, outcome, at=None):
    link, _ = Link.objects.get_or_create(url=url)
    link.record(outcome, at=at)
    return link


@override_settings(LINK_CHECK_HOST_INTERVAL=0, LINK_CHECK_TIMEOUT=2)
class ChangeFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("publisher", "Publishers")

    def setUp(self):
        self.client.force_login(self.publisher)
        self.server = LocalServer(
            {"/ok": answer(200), "/bad": answer(302, location="/x" + HOSTILE)}
        ).start()
        self.addCleanup(self.server.stop)
        self.sheet = make_factsheet()
        make_section(
            self.sheet,
            heading="Relations",
            body=f'<p><a href="{self.server.url("/bad")}">Read <b>this</b></a></p>',
        )
        make_related_link(
            self.sheet, title="<img src=x onerror=alert(2)>", url=self.server.url("/ok")
        )
        make_related_link(
            self.sheet, title="Hostile", url=self.server.url("/gone" + HOSTILE)
        )

    def check_sheet(self):
        checker = checking.Checker(runs.wait_for_turn)
        for link in runs.record_uses(FactSheet.objects.get(pk=self.sheet.pk)):
            link.record(checker.check(link.url))

    def test_failed_links_show_with_status_redirects_and_time_all_escaped(self):
        self.check_sheet()
        response = self.client.get(change_url(self.sheet))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for mark in [
            "<script>alert",
            "<img src=x",
            'href="' + self.server.url("/gone") + '"',
        ]:
            self.assertNotIn(mark, html)
        gone = Link.objects.get(url__startswith=self.server.url("/gone"))
        bad = Link.objects.get(url=self.server.url("/bad"))
        self.assertEqual(
            bad.redirects, [{"status": 302, "url": self.server.url("/x" + HOSTILE)}]
        )
        escaped_gone = (
            self.server.url("/gone") + "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        )
        self.assertContains(
            response,
            "3 links on this sheet: 1 working, 2 failed, 0 not checked yet.",
        )
        self.assertContains(
            response,
            f'<a href="{escaped_gone}" rel="noopener noreferrer">{escaped_gone}</a>',
            html=True,
        )
        self.assertContains(response, "Related link “Hostile”")
        self.assertContains(
            response,
            f"<li>302 to {self.server.url('/x')}&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</li>",
            html=True,
        )
        self.assertContains(response, "Relations: “Read this”")
        self.assertContains(response, "<strong>Broken</strong> (404)", html=True)
        # Times in the site's time zone, as the admin shows them.
        for link in (bad, gone):
            moment = timezone.localtime(link.checked_at)
            self.assertContains(
                response,
                f'<time datetime="{moment.isoformat()}">'
                f"{date_format(moment, 'DATETIME_FORMAT')}</time>",
                html=True,
            )
        last = timezone.localtime(max(link.checked_at for link in Link.objects.all()))
        self.assertContains(
            response, f'Last checked: <time datetime="{last.isoformat()}">'
        )
        # The working link's place is not listed, and its hostile title nowhere raw.
        self.assertNotContains(response, "Related link “&lt;img")

    def test_before_any_check_the_links_are_counted_as_not_checked(self):
        response = self.client.get(change_url(self.sheet))
        self.assertContains(
            response, "3 links on this sheet: 0 working, 0 failed, 3 not checked yet."
        )
        self.assertNotContains(response, "Links that failed their last check")
        # What the form's own checkbox does, not "never".
        self.assertContains(
            response, "A failed link holds a sheet back only if its publisher ticks"
        )

    def test_a_broken_link_does_not_stop_publishing(self):
        draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, issued_on=datetime.date(2016, 1, 1)
        )
        draft.related_links.update(url=self.server.url("/gone"))
        self.check_sheet()
        for link in runs.record_uses(FactSheet.objects.get(pk=draft.pk)):
            link.record(checking.Checker(runs.wait_for_turn).check(link.url))
        self.assertEqual(len(linkchecks.broken_links(draft)), 1)
        response = self.client.post(
            change_url(draft), change_data(draft, _publish="Save and publish")
        )
        self.assertEqual(response.status_code, 302)
        draft.refresh_from_db()
        self.assertTrue(draft.is_live)
        # Published, with the broken link named for the publisher to follow up.
        shown = [str(m) for m in self.client.get(change_url(draft)).context["messages"]]
        self.assertIn(
            f"To follow up: The link to {self.server.url('/gone')} in "
            f"{draft.related_links.get().title} failed its last check: Broken (404).",
            shown,
        )

    def test_a_publisher_who_chooses_holds_a_sheet_with_a_broken_link_back(self):
        draft = make_full_factsheet(
            status=FactSheet.Status.DRAFT, issued_on=datetime.date(2016, 1, 1)
        )
        draft.related_links.update(url=self.server.url("/gone"))
        for link in runs.record_uses(FactSheet.objects.get(pk=draft.pk)):
            link.record(checking.Checker(runs.wait_for_turn).check(link.url))
        version = FactSheet.objects.get(pk=draft.pk).version
        response = self.client.post(
            change_url(draft),
            change_data(draft, _publish="Save and publish", hold_if_problems="on"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Held back, as you chose: The link to")
        self.assertContains(response, "Nothing was published.")
        draft.refresh_from_db()
        self.assertEqual(
            (draft.status, draft.version), (FactSheet.Status.DRAFT, version)
        )
        # Once the link works, the same choice publishes it.
        draft.related_links.update(url=self.server.url("/ok"))
        for link in runs.record_uses(FactSheet.objects.get(pk=draft.pk)):
            link.record(checking.Checker(runs.wait_for_turn).check(link.url))
        response = self.client.post(
            change_url(draft),
            change_data(draft, _publish="Save and publish", hold_if_problems="on"),
        )
        self.assertEqual(response.status_code, 302)
        draft.refresh_from_db()
        self.assertTrue(draft.is_live)

    def test_an_editor_cannot_send_the_publishers_choice(self):
        editor = make_user("editor", "Editors")
        self.client.force_login(editor)
        draft = make_full_factsheet(status=FactSheet.Status.DRAFT)
        response = self.client.post(
            change_url(draft), change_data(draft, hold_if_problems="on")
        )
        self.assertContains(
            response,
            "Only publishers may publish or schedule a sheet.",
            status_code=403,
        )


class ApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        broken = checking.Outcome("broken", 404, [], "", "")
        unreachable = checking.Outcome("unreachable", None, [], "", "No answer.")
        ok = checking.Outcome("ok", 200, [], "", "")
        cls.first = make_factsheet()
        cls.second = make_factsheet()
        cls.draft = make_factsheet(status=FactSheet.Status.DRAFT)
        make_related_link(cls.first, title="Shared", url="https://a.example/gone")
        make_related_link(cls.second, title="Shared too", url="https://a.example/gone")
        make_related_link(cls.draft, title="Also", url="https://a.example/gone")
        make_section(
            cls.second, body='<p><a href="https://b.example/">B</a></p>', heading="B"
        )
        make_related_link(cls.first, title="Fine", url="https://c.example/")
        make_related_link(cls.draft, title="Draft's", url="https://d.example/gone")
        for sheet in (cls.first, cls.second, cls.draft):
            runs.record_uses(FactSheet.objects.get(pk=sheet.pk))
        record("https://a.example/gone", broken, now - datetime.timedelta(hours=2))
        record("https://b.example/", unreachable, now)
        record("https://c.example/", ok, now)
        record("https://d.example/gone", broken, now)

    def test_failed_lists_links_of_current_sheets_with_their_uses_in_two_queries(self):
        with self.assertNumQueries(1):
            self.assertEqual(linkchecks.failed().count(), 2)
        with self.assertNumQueries(2):
            rows = [
                (
                    link.url,
                    link.result,
                    [
                        (use.factsheet.country.name, use.where)
                        for use in link.current_uses
                    ],
                )
                for link in linkchecks.failed()
            ]
        self.assertEqual(
            rows,
            [
                (
                    "https://b.example/",
                    "unreachable",
                    [(self.second.country.name, "B")],
                ),
                (
                    "https://a.example/gone",
                    "broken",
                    sorted(
                        [
                            (self.first.country.name, "Shared"),
                            (self.second.country.name, "Shared too"),
                        ],
                        key=lambda row: row[0],
                    ),
                ),
            ],
        )

    def test_the_query_count_does_not_grow_with_the_rows(self):
        for n in range(5):
            sheet = make_factsheet()
            make_related_link(sheet, url=f"https://e.example/{n}")
            runs.record_uses(FactSheet.objects.get(pk=sheet.pk))
            record(f"https://e.example/{n}", checking.Outcome("broken", 500))
        with self.assertNumQueries(2):
            self.assertEqual(
                sum(len(link.current_uses) for link in linkchecks.failed()), 8
            )

    def test_broken_links_of_a_sheet_as_it_is_now(self):
        sheet = FactSheet.objects.get(pk=self.draft.pk)
        with self.assertNumQueries(3):
            broken = linkchecks.broken_links(sheet)
        self.assertEqual(
            [(link.url, [place.where for place in link.places]) for link in broken],
            [
                ("https://a.example/gone", ["Also"]),
                ("https://d.example/gone", ["Draft's"]),
            ],
        )
        sheet.related_links.filter(title="Also").delete()
        sheet = FactSheet.objects.get(pk=self.draft.pk)
        self.assertEqual(
            [link.url for link in linkchecks.broken_links(sheet)],
            ["https://d.example/gone"],
        )
