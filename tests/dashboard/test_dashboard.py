"""The admin's first page: each panel's count and first rows, for the account
signed in, in the same number of queries however much is waiting."""

import datetime
from datetime import timedelta

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from factsheets import sheet_operations
from factsheets.models import FactSheet, ImportRecord
from linkchecks.models import Link, LinkUse
from tests.helpers.alerts import make_reader
from tests.helpers.dashboard import panels
from tests.helpers.factories import make_full_factsheet, make_user


class DashboardTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("eve", "Editors")
        cls.other_editor = make_user("otto", "Editors")
        cls.publisher = make_user("paula", "Publishers")
        draft = FactSheet.Status.DRAFT

        cls.mine = make_full_factsheet(status=draft, title="My own draft")
        sheet_operations.save(cls.mine, by=cls.editor)
        cls.theirs = make_full_factsheet(status=draft, title="Their draft")
        sheet_operations.save(cls.theirs, by=cls.other_editor)

        cls.in_review = make_full_factsheet(status=draft, title="Waiting sheet")
        sheet_operations.submit_for_review(
            cls.in_review, by=cls.editor, message="Ready"
        )

        cls.sent_back = make_full_factsheet(status=draft, title="Sent back sheet")
        sheet_operations.submit_for_review(cls.sent_back, by=cls.editor)
        sheet_operations.request_changes(
            cls.sent_back, by=cls.publisher, comment="Check the figures."
        )

        cls.scheduled = make_full_factsheet(status=draft, title="Later sheet")
        cls.later = timezone.now() + timedelta(days=3)
        sheet_operations.publish(cls.scheduled, by=cls.publisher, at=cls.later)

        cls.recent = make_full_factsheet(
            status=draft,
            title="Fresh sheet",
            issued_on=timezone.localdate() - timedelta(days=2),
        )
        sheet_operations.publish(cls.recent, by=cls.publisher)

        # Published by a fixture years ago: current, and old.
        cls.old = make_full_factsheet(
            title="Old sheet", issued_on=datetime.date(2015, 10, 15)
        )

        ImportRecord.objects.create(
            factsheet=cls.mine,
            source="mali.html",
            fingerprint="0" * 64,
            report={"warnings": ["No issue date was found."]},
        )
        # A published sheet's import warnings were dealt with before it went out.
        ImportRecord.objects.create(
            factsheet=cls.old,
            source="old.html",
            fingerprint="1" * 64,
            report={"warnings": ["Something long settled."]},
        )
        broken = Link.objects.create(
            url="https://example.org/gone/",
            result=Link.Result.BROKEN,
            status_code=404,
            checked_at=timezone.now(),
            failing_since=timezone.now(),
        )
        LinkUse.objects.create(
            link=broken,
            factsheet=cls.old,
            place=LinkUse.Place.RELATED_LINK,
            where="Gone page",
        )

    def index(self, user):
        self.client.force_login(user)
        response = self.client.get(reverse("admin:index"))
        self.assertEqual(response.status_code, 200)
        return panels(response.content)

    def test_an_editor_sees_their_desk(self):
        page = self.index(self.editor)
        mine = page["my-drafts"]
        self.assertEqual(mine["count"], 1)
        self.assertEqual(mine["rows"], [str(self.mine)])
        self.assertEqual(page["in-review"]["rows"], [str(self.in_review)])
        self.assertEqual(page["sent-back"]["rows"], [str(self.sent_back)])
        self.assertNotIn("waiting-for-review", page)

    def test_a_publisher_sees_what_waits_for_review_and_what_goes_out(self):
        page = self.index(self.publisher)
        waiting = page["waiting-for-review"]
        self.assertEqual(
            (waiting["count"], waiting["rows"]), (1, [str(self.in_review)])
        )
        self.assertEqual(page["sent-back"]["count"], 0)
        scheduled = page["scheduled"]
        self.assertEqual(scheduled["rows"], [str(self.scheduled)])
        self.assertIn(
            timezone.localtime(self.later).strftime("%B %-d, %Y, %-I:%M %p"),
            scheduled["text"],
        )
        self.assertEqual(page["recently-published"]["rows"], [str(self.recent)])

    def test_a_publisher_is_not_asked_to_review_what_they_changed_last(self):
        sheet_operations.save(self.in_review, by=self.publisher)
        page = self.index(self.publisher)
        self.assertEqual(page["waiting-for-review"]["count"], 0)
        other = make_user("petra", "Publishers")
        self.assertEqual(self.index(other)["waiting-for-review"]["count"], 1)

    def test_old_sheets_imports_links_and_the_queue(self):
        page = self.index(self.editor)
        old = page["old-sheets"]
        self.assertEqual(old["count"], 1)
        self.assertEqual(old["rows"], [self.old.bureau.name])
        imports = page["imports"]
        self.assertEqual(imports["rows"], [str(self.mine)])
        self.assertIn("1 to check", imports["text"])
        links = page["failed-links"]
        self.assertEqual(links["rows"], ["https://example.org/gone/"])
        self.assertIn("Broken (404)", links["text"])
        self.assertIn(str(self.old), links["text"])
        self.assertIn("0 tasks waiting", page["queue"]["text"])

    def test_an_account_without_sheets_sees_no_panels(self):
        nobody = make_user("nobody")
        page = self.index(nobody)
        self.assertEqual(page, {})

    def test_titles_are_escaped(self):
        FactSheet.objects.filter(pk=self.mine.pk).update(title="<script>x</script>")
        self.client.force_login(self.editor)
        html = self.client.get(reverse("admin:index")).content.decode()
        self.assertNotIn("<script>x", html)
        self.assertIn("&lt;script&gt;x&lt;/script&gt;", html)

    def test_a_fixed_number_of_queries_however_much_waits(self):
        self.client.force_login(self.publisher)
        url = reverse("admin:index")
        self.client.get(url)  # the session and permissions, as on any later page
        with self.assertNumQueries(QUERIES) as first:
            self.client.get(url)
        for n in range(8):
            sheet = make_full_factsheet(
                status=FactSheet.Status.DRAFT, title=f"More {n}"
            )
            sheet_operations.submit_for_review(sheet, by=self.editor)
            make_reader(f"reader{n}@example.org", country=sheet.country)
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(url)
        waiting = panels(response.content)["waiting-for-review"]
        self.assertEqual(waiting["count"], 9)
        # Five sheets, then the link to the whole list.
        self.assertEqual(len(waiting["rows"]), 6)
        self.assertEqual(waiting["rows"][-1], "All 9")


# The session, the account, its second factor, its permissions (two) and its
# recent actions: 6. One query for each panel of sheets (five), old sheets and
# imports: 7. Three for the failed links (the links, the sheets using them, their
# count), two for the email alerts (readers per list, readers in all) and two for
# the queue (its tasks, its workers).
QUERIES = 20
