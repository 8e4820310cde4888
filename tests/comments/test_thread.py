"""Comments through the real admin: a sheet's thread page, its forms and buttons, who
may do what, and where comments show (the change form and the editors' preview) and
never show (public pages and shared preview links)."""

import datetime

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import comments
from comments.models import MAX_LENGTH, Comment
from factsheets.models import FactSheet, PreviewLink
from tests.helpers.factories import (
    make_country,
    make_factsheet,
    make_section,
    make_user,
)

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def thread_url(sheet):
    return reverse("admin:comments_comment_thread", args=[sheet.pk])


class ThreadTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.country = make_country(name="Mali", slug="mali")
        cls.sheet = make_factsheet(
            country=cls.country,
            title="U.S. Relations With Mali",
            status=FactSheet.Status.DRAFT,
        )
        cls.section = make_section(cls.sheet, heading="Bilateral Relations")
        cls.other_sheet = make_factsheet(issued_on=datetime.date(2016, 1, 1))
        cls.other_section = make_section(cls.other_sheet, heading="Elsewhere")
        cls.editor = make_user("editor", "Editors")
        cls.second_editor = make_user("second", "Editors")
        cls.publisher = make_user("publisher", "Publishers")
        cls.outsider = make_user("outsider")  # staff, in no group

    def post(self, data, sheet=None, user=None):
        self.client.force_login(user or self.editor)
        return self.client.post(thread_url(sheet or self.sheet), data)


class AddingTests(ThreadTestCase):
    def test_a_comment_on_a_section_is_added_and_shown_in_the_thread(self):
        response = self.post(
            {"body": "Check the 2014 figure.", "section": self.section.pk}
        )
        self.assertRedirects(
            response, thread_url(self.sheet), fetch_redirect_response=False
        )
        comment = Comment.objects.get()
        self.assertEqual(
            (comment.factsheet, comment.section, comment.author, comment.body),
            (self.sheet, self.section, self.editor, "Check the 2014 figure."),
        )
        self.assertIsNone(comment.resolved_at)
        page = self.client.get(thread_url(self.sheet))
        self.assertContains(page, "Your comment is added.")
        self.assertContains(page, "1 open, 0 resolved.")
        self.assertContains(page, "On “Bilateral Relations”, by editor")
        self.assertContains(page, "Check the 2014 figure.")

    def test_a_comment_on_the_whole_sheet(self):
        self.post({"body": "Ready for review?", "section": ""})
        self.assertIsNone(Comment.objects.get().section)
        self.assertContains(
            self.client.get(thread_url(self.sheet)), "On the whole sheet, by editor"
        )

    def test_the_section_box_offers_this_sheets_sections_only(self):
        self.client.force_login(self.editor)
        page = self.client.get(thread_url(self.sheet))
        self.assertContains(
            page,
            f'<option value="{self.section.pk}">Bilateral Relations</option>',
            html=True,
        )
        self.assertNotContains(page, "Elsewhere")

    def test_a_section_of_another_sheet_is_refused_with_a_clear_message(self):
        response = self.post({"body": "Wrong place.", "section": self.other_section.pk})
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "That section belongs to another sheet: choose one of this sheet’s "
            "sections, or none.",
        )
        self.assertFalse(Comment.objects.exists())

    def test_the_rule_holds_outside_the_admin_too(self):
        with self.assertRaises(ValidationError):
            comments.add(
                self.sheet, by=self.editor, body="x", section=self.other_section
            )
        self.assertFalse(Comment.objects.exists())

    def test_empty_overlong_and_unknown_input_is_refused_and_nothing_is_written(self):
        cases = [
            ({"body": "   "}, "This field is required."),
            (
                {"body": "x" * (MAX_LENGTH + 1)},
                f"Ensure this value has at most {MAX_LENGTH} characters",
            ),
            ({"body": "Fine.", "section": "abc"}, "There is no such section."),
            ({"body": "Fine.", "section": "99999999"}, "There is no such section."),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.post(data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(Comment.objects.exists())

    def test_line_breaks_are_kept(self):
        self.post({"body": "First line.\nSecond line."})
        self.assertContains(
            self.client.get(thread_url(self.sheet)), "First line.<br>Second line."
        )

    def test_a_comment_on_a_removed_section_says_which_it_was(self):
        self.post({"body": "About this section.", "section": self.section.pk})
        self.section.delete()
        self.assertContains(
            self.client.get(thread_url(self.sheet)),
            "On “Bilateral Relations” (a section since removed), by editor",
        )
        self.section.save()  # setUpTestData's row, for the other tests


class ResolvingTests(ThreadTestCase):
    def setUp(self):
        self.comment = comments.add(self.sheet, by=self.editor, body="Fix the date.")

    def test_the_author_resolves_and_reopens(self):
        response = self.post({"resolve": self.comment.pk})
        self.assertRedirects(
            response, f"{thread_url(self.sheet)}#comment-{self.comment.pk}"
        )
        self.comment.refresh_from_db()
        self.assertEqual(self.comment.resolved_by, self.editor)
        self.assertIsNotNone(self.comment.resolved_at)
        page = self.client.get(thread_url(self.sheet))
        self.assertContains(page, "0 open, 1 resolved.")
        self.assertContains(page, "Resolved by editor")
        self.assertContains(page, "Reopen</button>")
        self.post({"reopen": self.comment.pk})
        self.comment.refresh_from_db()
        self.assertIsNone(self.comment.resolved_at)
        self.assertIsNone(self.comment.resolved_by)

    def test_anyone_who_may_change_the_sheet_resolves(self):
        self.post({"resolve": self.comment.pk}, user=self.second_editor)
        self.comment.refresh_from_db()
        self.assertEqual(self.comment.resolved_by, self.second_editor)

    def test_resolving_twice_keeps_who_resolved_it_first(self):
        self.post({"resolve": self.comment.pk}, user=self.second_editor)
        self.post({"resolve": self.comment.pk}, user=self.publisher)
        self.comment.refresh_from_db()
        self.assertEqual(self.comment.resolved_by, self.second_editor)

    def test_on_a_published_sheet_only_the_author_or_a_publisher_resolves(self):
        FactSheet.objects.filter(pk=self.sheet.pk).update(
            status=FactSheet.Status.PUBLISHED
        )
        response = self.post({"resolve": self.comment.pk}, user=self.second_editor)
        self.assertEqual(response.status_code, 403)
        self.assertContains(
            response,
            "Only the comment’s author, or someone who may change this sheet, may "
            "resolve or reopen it.",
            status_code=403,
        )
        self.comment.refresh_from_db()
        self.assertIsNone(self.comment.resolved_at)
        # The page offers no button to those it would refuse.
        page = self.client.get(thread_url(self.sheet))
        self.assertNotContains(page, 'name="resolve"')
        self.post({"resolve": self.comment.pk}, user=self.publisher)
        self.comment.refresh_from_db()
        self.assertEqual(self.comment.resolved_by, self.publisher)

    def test_a_comment_is_resolved_only_through_its_own_sheets_thread(self):
        response = self.post({"resolve": self.comment.pk}, sheet=self.other_sheet)
        self.assertEqual(response.status_code, 404)
        self.comment.refresh_from_db()
        self.assertIsNone(self.comment.resolved_at)

    def test_forged_keys_are_not_found(self):
        for key in ["abc", "", "²", "1" * 30, "-1", "99999"]:
            with self.subTest(key=key):
                self.assertEqual(self.post({"resolve": key}).status_code, 404)
                self.assertEqual(self.post({"reopen": key}).status_code, 404)
        self.comment.refresh_from_db()
        self.assertIsNone(self.comment.resolved_at)


class AccessTests(ThreadTestCase):
    def setUp(self):
        self.comment = comments.add(self.sheet, by=self.editor, body="Private note.")

    def test_staff_in_no_group_get_403_and_forged_posts_change_nothing(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(thread_url(self.sheet)).status_code, 403)
        for data in [{"body": "Sneaked in."}, {"resolve": self.comment.pk}]:
            with self.subTest(data=data):
                response = self.client.post(thread_url(self.sheet), data)
                self.assertEqual(response.status_code, 403)
        self.assertEqual(Comment.objects.count(), 1)
        self.assertIsNone(Comment.objects.get().resolved_at)
        self.assertEqual(self.client.get("/admin/comments/comment/").status_code, 403)
        change_form = self.client.get(
            reverse("admin:factsheets_factsheet_change", args=[self.sheet.pk])
        )
        self.assertNotContains(change_form, "Private note.", status_code=403)

    def test_the_signed_out_are_sent_to_sign_in(self):
        response = self.client.get(thread_url(self.sheet))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.client.post(thread_url(self.sheet), {"body": "Anonymous."})
        self.assertEqual(Comment.objects.count(), 1)

    def test_an_account_that_may_only_view_sheets_reads_and_adds(self):
        viewer = make_user("viewer")
        viewer.user_permissions.add(
            *Permission.objects.filter(codename="view_factsheet")
        )
        response = self.post({"body": "A reader's question."}, user=viewer)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Comment.objects.count(), 2)
        # ...but may not resolve another's comment: viewing is not changing.
        self.assertEqual(
            self.post({"resolve": self.comment.pk}, user=viewer).status_code, 403
        )

    def test_a_missing_sheet_is_404(self):
        self.client.force_login(self.editor)
        response = self.client.get(
            reverse("admin:comments_comment_thread", args=[999999])
        )
        self.assertEqual(response.status_code, 404)

    def test_forged_posts_without_a_csrf_token_are_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.editor)
        response = client.post(thread_url(self.sheet), {"resolve": self.comment.pk})
        self.assertEqual(response.status_code, 403)
        response = client.post(thread_url(self.sheet), {"body": "Forged."})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Comment.objects.count(), 1)
        self.assertIsNone(Comment.objects.get().resolved_at)

    def test_the_list_of_all_comments_is_read_only(self):
        self.client.force_login(self.editor)
        listing = self.client.get("/admin/comments/comment/?state=open")
        self.assertContains(listing, "Private note.")
        self.assertEqual(
            self.client.get("/admin/comments/comment/add/").status_code, 403
        )
        self.assertEqual(
            self.client.post(
                f"/admin/comments/comment/{self.comment.pk}/change/", {"body": "Edited"}
            ).status_code,
            403,
        )
        self.assertEqual(Comment.objects.get().body, "Private note.")

    def test_a_publisher_deletes_a_sheet_with_its_comments(self):
        self.client.force_login(self.publisher)
        response = self.client.post(
            reverse("admin:factsheets_factsheet_delete", args=[self.sheet.pk]),
            {"post": "yes"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Comment.objects.exists())


class WhereCommentsShowTests(ThreadTestCase):
    def setUp(self):
        comments.add(
            self.sheet,
            by=self.editor,
            body=f"Open {HOSTILE}\nnext line",
            section=self.section,
        )
        settled = comments.add(self.sheet, by=self.editor, body="Settled already.")
        comments.resolve(settled, by=self.editor)

    def assertEscaped(self, response):
        self.assertNotContains(response, HOSTILE)
        self.assertContains(
            response,
            "Open &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x "
            "onerror=alert(1)&gt;<br>next line",
        )

    def test_the_change_form_shows_counts_and_open_comments_escaped(self):
        self.client.force_login(self.editor)
        page = self.client.get(
            reverse("admin:factsheets_factsheet_change", args=[self.sheet.pk])
        )
        self.assertContains(page, "1 open, 1 resolved.")
        self.assertContains(page, "On “Bilateral Relations”, by editor")
        self.assertNotContains(page, "Settled already.")
        self.assertContains(page, f'href="{thread_url(self.sheet)}"')
        self.assertEscaped(page)

    def test_the_thread_page_escapes_every_comment(self):
        self.client.force_login(self.editor)
        page = self.client.get(thread_url(self.sheet))
        self.assertEscaped(page)
        self.assertContains(page, "Settled already.")

    def test_the_editors_preview_shows_them_escaped(self):
        self.client.force_login(self.editor)
        page = self.client.get(reverse("factsheets:preview", args=[self.sheet.pk]))
        self.assertContains(page, "1 open, 1 resolved.")
        self.assertContains(page, f'href="{thread_url(self.sheet)}"')
        self.assertEscaped(page)

    def test_never_on_a_shared_preview_link_even_for_an_editor(self):
        link = PreviewLink.create(self.sheet, days=7, by=self.editor)
        for user in [None, self.editor]:
            with self.subTest(user=user):
                self.client.logout()
                if user:
                    self.client.force_login(user)
                page = self.client.get(link.get_absolute_url())
                self.assertContains(page, "U.S. Relations With Mali")
                self.assert_no_comments(page)

    def test_never_on_public_pages(self):
        FactSheet.objects.filter(pk=self.sheet.pk).update(
            status=FactSheet.Status.PUBLISHED
        )
        self.client.force_login(self.editor)  # even an editor, reading the site
        urls = [
            "/fact-sheets/mali/",
            "/fact-sheets/mali.json",
            "/fact-sheets.json",
            "/fact-sheets/",
            "/",
            "/search/?q=Mali",
            "/feeds/fact-sheets.atom",
        ]
        self.assert_none_on(urls)
        # The commented edition, once superseded, at its own address.
        make_factsheet(country=self.country, issued_on=datetime.date(2016, 3, 1))
        self.assert_none_on(["/fact-sheets/mali/2015-10-15/"])

    def assert_none_on(self, urls):
        for url in urls:
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                self.assert_no_comments(page)

    def assert_no_comments(self, page):
        html = page.content.decode()
        for text in [
            "Open &lt;script",
            "Settled already",
            "sheet-comments",
            "/comments/",
        ]:
            self.assertNotIn(text, html)


class QueryCountTests(ThreadTestCase):
    def test_the_thread_takes_the_same_queries_for_one_comment_or_twenty(self):
        self.client.force_login(self.editor)
        comments.add(self.sheet, by=self.editor, body="One.", section=self.section)
        with self.assertNumQueries(8):
            self.client.get(thread_url(self.sheet))
        for n in range(19):
            comment = comments.add(
                self.sheet,
                by=self.publisher if n % 2 else self.second_editor,
                body=f"Comment {n}.",
                section=self.section if n % 3 else None,
            )
            if n % 4 == 0:
                comments.resolve(comment, by=self.publisher)
        with self.assertNumQueries(8):
            page = self.client.get(thread_url(self.sheet))
        self.assertContains(page, "15 open, 5 resolved.")

    def test_the_change_forms_box_takes_two_queries(self):
        self.client.force_login(self.editor)
        url = reverse("admin:factsheets_factsheet_change", args=[self.sheet.pk])
        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        ours = [q["sql"] for q in queries if '"comments_comment"' in q["sql"]]
        self.assertEqual(len(ours), 2, ours)
