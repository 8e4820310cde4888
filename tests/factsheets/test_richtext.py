from django.test import SimpleTestCase, TestCase

from factsheets.richtext import sanitize
from tests.helpers.factories import make_factsheet, make_section

HOSTILE = (
    '<p onclick="steal()" style="color:red">Hello <script>alert("x")</script>'
    '<a href="javascript:alert(1)">bad link</a> '
    '<a href="JaVaScRiPt:alert(1)">mixed case</a> '
    '<a href="https://www.state.gov/" onmouseover="steal()" target="_blank">good link</a>'
    '<img src="x" onerror="alert(1)"><iframe src="https://evil.example/"></iframe></p>'
    "<svg><script>alert(2)</script></svg><style>body{display:none}</style>"
    "<ol><li><strong>bold</strong> and <em>italic</em></li></ol><ul><li>bullet</li></ul>"
)


class SanitizeTests(SimpleTestCase):
    def test_keeps_paragraphs_lists_links_and_emphasis(self):
        html = (
            '<p>Text with <a href="https://www.state.gov/">a link</a>, '
            "<strong>bold</strong> and <em>italic</em>.</p>"
            "<ol><li>one</li><li>two</li></ol><ul><li>bullet</li></ul>"
        )
        self.assertHTMLEqual(
            sanitize(html),
            html.replace(
                'href="https://www.state.gov/"',
                'href="https://www.state.gov/" rel="noopener noreferrer"',
            ),
        )

    def test_removes_scripts_handlers_styles_and_javascript_urls(self):
        cleaned = sanitize(HOSTILE).lower()
        for forbidden in [
            "<script",
            "alert",
            "onclick",
            "onmouseover",
            "onerror",
            "javascript:",
            "<img",
            "<iframe",
            "<svg",
            "<style",
            "style=",
            "target=",
        ]:
            with self.subTest(forbidden=forbidden):
                self.assertNotIn(forbidden, cleaned)
        self.assertIn('<a href="https://www.state.gov/"', cleaned)
        self.assertIn("<strong>bold</strong>", cleaned)

    def test_relative_and_mailto_links_survive(self):
        cleaned = sanitize(
            '<p><a href="/fact-sheets/niger/">Niger</a> <a href="mailto:a@b.gov">mail</a></p>'
        )
        self.assertIn('href="/fact-sheets/niger/"', cleaned)
        self.assertIn('href="mailto:a@b.gov"', cleaned)

    def test_links_follow_the_same_rule_as_related_links(self):
        cleaned = sanitize(
            '<p><a href="//2009-2017.state.gov/r/pa/ei/bgn/">old pages</a> '
            '<a href="/\\evil.example/x">one</a> <a href="/&#9;/evil.example/y">two</a> '
            '<a href="/\n/evil.example/z">three</a></p>'
        )
        self.assertIn('href="https://2009-2017.state.gov/r/pa/ei/bgn/"', cleaned)
        self.assertNotIn("evil.example", cleaned)
        self.assertIn(">one</a>", cleaned)
        self.assertEqual(cleaned.count("href="), 1)

    def test_an_empty_document_is_empty(self):
        self.assertEqual(sanitize("<p></p>"), "")
        self.assertEqual(sanitize(None), "")


class SanitizedRenderingTests(TestCase):
    def test_hostile_body_renders_without_any_of_it(self):
        sheet = make_factsheet()
        make_section(sheet, heading="Hostile", body=HOSTILE)
        response = self.client.get(sheet.get_absolute_url())
        body = response.content.decode().lower()
        section = body[body.index('id="hostile"') :]
        section = section[: section.index("</section>")]
        for forbidden in [
            "<script>alert",
            "alert(",
            "onclick",
            "onmouseover",
            "onerror",
            "javascript:",
            "<iframe",
            "<svg",
        ]:
            with self.subTest(forbidden=forbidden):
                self.assertNotIn(forbidden, section)
        self.assertInHTML(
            "<li><strong>bold</strong> and <em>italic</em></li>",
            response.content.decode(),
        )
