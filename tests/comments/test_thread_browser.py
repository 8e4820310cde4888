"""A comment added and resolved with the keyboard alone, and the thread page's
accessibility, in a real browser."""

from selenium.webdriver.common.keys import Keys

import comments
from comments.models import Comment
from factsheets.models import FactSheet
from tests.helpers.browser import BrowserTestCase
from tests.helpers.factories import (
    make_country,
    make_factsheet,
    make_section,
    make_user,
)


class ThreadBrowserTests(BrowserTestCase):
    def setUp(self):
        self.sheet = make_factsheet(
            country=make_country(name="Mali", slug="mali"),
            title="U.S. Relations With Mali",
            status=FactSheet.Status.DRAFT,
        )
        self.section = make_section(self.sheet, heading="Bilateral Relations")
        self.editor = make_user("editor", "Editors")

    def test_a_comment_is_added_and_resolved_with_the_keyboard(self):
        self.sign_in("editor")
        self.open(f"/admin/comments/comment/thread/{self.sheet.pk}/")
        self.assertNoAxeViolations()
        # Into the form from the link before it, as a keyboard user goes.
        self.js("document.querySelector('#content-main a[href*=preview]').focus()")
        self.focused().send_keys(Keys.TAB)
        self.assertEqual(self.focused().get_attribute("id"), "id_body")
        self.focused().send_keys("Check the 2014 figure.")
        self.focused().send_keys(Keys.TAB)
        self.assertEqual(self.focused().get_attribute("id"), "id_section")
        self.focused().send_keys(Keys.ARROW_DOWN)
        self.focused().send_keys(Keys.TAB)
        self.assertEqual(self.focused().get_attribute("value"), "Add the comment")
        self.focused().send_keys(Keys.ENTER)
        self.wait_for(".messagelist")
        comment = Comment.objects.get()
        self.assertEqual(
            (comment.body, comment.section), ("Check the 2014 figure.", self.section)
        )
        self.assertIn("1 open, 0 resolved.", self.find("#content-main").text)
        self.assertNoAxeViolations()

        resolve = self.find(f"button[name=resolve][value='{comment.pk}']")
        self.js("arguments[0].focus()", resolve)
        self.focused().send_keys(Keys.SPACE)
        self.wait_for(f"button[name=reopen][value='{comment.pk}']")
        comment.refresh_from_db()
        self.assertIsNotNone(comment.resolved_at)
        self.assertIn("0 open, 1 resolved.", self.find("#content-main").text)
        self.assertNoAxeViolations()

    def test_the_preview_with_comments_has_no_violations(self):
        self.sign_in("editor")
        comments.add(
            self.sheet,
            by=self.editor,
            body="First line <b>not bold</b>\nsecond line",
            section=self.section,
        )
        self.open(f"/fact-sheets/preview/{self.sheet.pk}/")
        box = self.find(".sheet-comments")
        self.assertIn("1 open, 0 resolved.", box.text)
        self.assertIn("First line <b>not bold</b>\nsecond line", box.text)
        self.assertNoAxeViolations()
        self.set_viewport(375)
        self.assertNoAxeViolations()
