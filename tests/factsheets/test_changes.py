"""Word-level changes, as the comparison pages mark them."""

import re

from django.test import SimpleTestCase
from django.utils.html import strip_tags

from factsheets.changes import as_text, word_diff


def read(html):
    """The marked text as a reader sees it, without the screen-reader words."""
    return re.sub(r"(removed|added): |, end (removed|added)", "", strip_tags(html))


class WordDiffTests(SimpleTestCase):
    def test_a_changed_name_is_marked_whole_without_its_punctuation(self):
        self.assertEqual(
            read(
                word_diff(
                    "Mali is Paul A. Folmsbee; other",
                    "Mali is Dennis B. Hankins; other",
                )
            ),
            "Mali is [−Paul A. Folmsbee][+Dennis B. Hankins]; other",
        )

    def test_paragraphs_stay_paragraphs(self):
        html = word_diff("One.\nTwo here.", "One.\nTwo there.\nThree.")
        self.assertEqual(html.count("<p>"), 3)
        self.assertEqual(
            [read(p) for p in re.findall(r"<p>(.*?)</p>", html)],
            ["One.", "Two [−here.][+there.]", "[+Three.]"],
        )

    def test_unchanged_text_has_no_marks(self):
        self.assertEqual(
            str(word_diff("Same\ntext", "Same\ntext")), "<p>Same</p><p>text</p>"
        )

    def test_all_removed_and_all_added(self):
        self.assertEqual(read(word_diff("Gone now", "")), "[−Gone now]")
        self.assertEqual(read(word_diff("", "New")), "[+New]")

    def test_text_is_escaped(self):
        html = word_diff("<b>old</b>", '<script>alert("x")</script>')
        self.assertNotIn("<script", html)
        self.assertNotIn("<b>", html)
        self.assertIn("script&gt;alert(&quot;x&quot;)&lt;/script", html)

    def test_marks_are_words_for_screen_readers_too(self):
        html = word_diff("old", "new")
        self.assertIn('<span class="visually-hidden">removed: </span>old', html)
        self.assertIn('<span class="visually-hidden">added: </span>new', html)
        self.assertIn('<del class="diff-del">', html)
        self.assertIn('<ins class="diff-ins">', html)


class AsTextTests(SimpleTestCase):
    def test_rich_text_becomes_one_line_per_block(self):
        self.assertEqual(
            as_text(
                "<p>First <b>bold</b> line.</p><ul><li>One</li><li>Two &amp; three</li></ul>"
            ),
            "First bold line.\nOne\nTwo & three",
        )
