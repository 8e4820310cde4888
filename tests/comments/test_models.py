"""The comment's rules in the database: they hold whatever writes the row."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.test import TestCase
from django.utils import timezone

import comments
from comments.models import MAX_LENGTH, Comment
from tests.helpers.factories import make_factsheet, make_section, make_user


class CommentConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_factsheet()
        cls.editor = make_user("editor", "Editors")

    def test_an_empty_body_is_refused(self):
        with self.assertRaises(IntegrityError):
            Comment.objects.create(factsheet=self.sheet, author=self.editor, body="")

    def test_a_body_beyond_the_limit_is_refused(self):
        with self.assertRaises(IntegrityError):
            Comment.objects.create(
                factsheet=self.sheet, author=self.editor, body="x" * (MAX_LENGTH + 1)
            )

    def test_who_resolved_it_needs_when(self):
        with self.assertRaises(IntegrityError):
            Comment.objects.create(
                factsheet=self.sheet,
                author=self.editor,
                body="x",
                resolved_by=self.editor,
            )

    def test_resolved_by_a_deleted_account_stays_resolved(self):
        comment = Comment.objects.create(
            factsheet=self.sheet,
            author=self.editor,
            body="x",
            resolved_at=timezone.now(),
        )
        self.assertTrue(comment.is_resolved)
        self.assertEqual(comment.resolver_name, "a deleted account")


class OperationsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_factsheet()
        cls.section = make_section(cls.sheet, heading="")
        cls.editor = make_user("editor", "Editors")
        cls.outsider = make_user("outsider")

    def test_a_comment_on_the_opening_section_says_so(self):
        comment = comments.add(
            self.sheet, by=self.editor, body="x", section=self.section
        )
        self.assertEqual(comment.where, "On the opening section")
        self.assertEqual(comment.section_heading, "the opening section")

    def test_someone_who_may_not_open_sheets_may_not_comment(self):
        with self.assertRaises(PermissionDenied):
            comments.add(self.sheet, by=self.outsider, body="x")
        self.assertFalse(Comment.objects.exists())

    def test_an_author_whose_account_is_deleted_is_named_so(self):
        comment = comments.add(self.sheet, by=self.editor, body="x")
        self.editor.delete()
        comment.refresh_from_db()
        self.assertIsNone(comment.author)
        self.assertEqual(comment.author_name, "a deleted account")

    def test_a_section_with_the_longest_heading_is_named_when_removed(self):
        section = make_section(self.sheet, heading="H" * 200)
        comment = comments.add(self.sheet, by=self.editor, body="x", section=section)
        section.delete()
        comment.refresh_from_db()
        self.assertEqual(comment.where, f"On “{'H' * 200}” (a section since removed)")
