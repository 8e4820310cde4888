"""The importer's small parts: dates, names, headings, figures in single sentences."""

import codecs
import datetime
from decimal import Decimal

from django.test import SimpleTestCase, TestCase

from factsheets.importers import decode
from factsheets.importers.blocks import blocks_from_html, blocks_from_text
from factsheets.importers.figures import FigureReader
from factsheets.importers.header import header_parts, parse_date
from factsheets.importers.names import Names, title_case
from factsheets.importers.text import looks_like_heading


class DateTests(SimpleTestCase):
    def test_the_usual_forms(self):
        day = datetime.date(2015, 10, 15)
        for text in [
            "October 15, 2015",
            "OCTOBER 15, 2015",
            "Oct. 15, 2015",
            "Oct 15, 2015",
            "Thursday, October 15, 2015",
            "15 October 2015",
            "2015-10-15",
            "10/15/2015",
        ]:
            with self.subTest(text=text):
                self.assertEqual(parse_date(text), day)

    def test_not_dates(self):
        for text in ["October 2015", "February 30, 2015", "Fact Sheet", "2015"]:
            with self.subTest(text=text):
                self.assertIsNone(parse_date(text))

    def test_header_lines_run_together_in_one_line(self):
        self.assertEqual(
            header_parts(
                "Bilateral Relations Fact Sheet Bureau of South and Central Asian "
                "Affairs March 4, 2020"
            ),
            [
                ("kind", "Bilateral Relations Fact Sheet"),
                ("date", "March 4, 2020"),
                ("bureau", "Bureau of South and Central Asian Affairs"),
            ],
        )
        self.assertEqual(header_parts("Fact Sheets and reports of 2015"), [])

    def test_a_news_wire_line_gives_the_bureau_and_the_date(self):
        self.assertEqual(
            header_parts(
                "The following bilateral relations fact sheet was published by the "
                "U.S. Department of State, Bureau of African Affairs on Jan. 2, 2020. It "
                "is reproduced in full below."
            ),
            [("bureau", "Bureau of African Affairs"), ("date", "Jan. 2, 2020")],
        )
        self.assertEqual(parse_date("Jan. 2, 2020"), datetime.date(2020, 1, 2))

    def test_a_title_loses_a_site_suffix(self):
        self.assertEqual(
            header_parts(
                "U.S. Relations With the Holy See - United States Department of State "
                "(2024)"
            ),
            [("title", "U.S. Relations With the Holy See")],
        )


class HeadingShapeTests(SimpleTestCase):
    def test_headings(self):
        for text in [
            "Bilateral Representation",
            "U.S.-PERU RELATIONS",
            "U.S. Assistance to Côte d’Ivoire",
            "Mali's Membership in International Organizations",
            "U.S. Assistance to Bosnia and Herzegovina",
        ]:
            with self.subTest(text=text):
                self.assertTrue(looks_like_heading(text))

    def test_not_headings(self):
        for text in [
            "Mali continues to face security challenges.",
            "Principal U.S. Officials include:",
            "the peace process moved on",
            "",
        ]:
            with self.subTest(text=text):
                self.assertFalse(looks_like_heading(text))

    def test_title_case_keeps_the_country_spelling_and_acronyms(self):
        self.assertEqual(title_case("U.S.-PERU RELATIONS"), "U.S.-Peru Relations")
        self.assertEqual(
            title_case("U.S. ASSISTANCE TO THE DPRK"), "U.S. Assistance to the DPRK"
        )
        self.assertEqual(
            title_case("U.S.-CÔTE D’IVOIRE RELATIONS"), "U.S.-Côte d’Ivoire Relations"
        )


class BlockTests(SimpleTestCase):
    def test_a_hard_wrapped_capture_is_rejoined_but_headings_and_titles_stay(self):
        paragraph = (
            "The United States established diplomatic relations with the country in "
            "1991, after its independence, and the two work together on security, "
            "trade, health, education and the rule of law in the whole region today."
        )
        lines = []
        words, line = paragraph.split(), ""
        for word in words:
            if len(line) + len(word) + 1 > 70:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        text = "\n".join(
            [
                "Bilateral Representation",
                *lines,
                "",
                *lines,
                "",
                *lines,
                "",
                "Human Rights Reports",
            ]
        )
        blocks = [b.text for b in blocks_from_text(text).blocks]
        self.assertEqual(
            blocks,
            [
                "Bilateral Representation",
                paragraph,
                paragraph,
                paragraph,
                "Human Rights Reports",
            ],
        )

    def test_a_wrapped_repost_without_blank_lines_keeps_its_paragraphs_apart(self):
        text = (
            "More information about Ruritania is available on the Ruritania Page and\n"
            "from other Department of State publications and other sources listed\n"
            "at the end of this fact sheet.\n"
            "U.S.-RURITANIA RELATIONS\n"
            "The United States established diplomatic relations with Ruritania in\n"
            "1991. Relations are close, and the two countries cooperate on long-\n"
            "term goals in security, trade, health, and education across the region.\n"
            "Ruritania and the United States belong to the same international\n"
            "organizations, including the United Nations and the World Bank, and\n"
            "the two governments meet every year to review their cooperation in full.\n"
        )
        blocks = [b.text for b in blocks_from_text(text).blocks]
        self.assertEqual(len(blocks), 4, blocks)
        self.assertTrue(blocks[0].endswith("listed at the end of this fact sheet."))
        self.assertEqual(blocks[1], "U.S.-RURITANIA RELATIONS")
        self.assertIn("cooperate on long-term goals", blocks[2])
        self.assertTrue(blocks[3].startswith("Ruritania and the United States"))

    def test_html_keeps_links_lists_and_headings_and_drops_the_site(self):
        page = blocks_from_html(
            "<html><head><title>T</title><base href='https://2009-2017.state.gov/'>"
            "<script>x()</script></head><body><nav><a href='/'>Home</a></nav>"
            "<div class='content has-sidebar'><h3>U.S. Assistance</h3>"
            "<p>Text with <a href='/r/pa/'>a link</a>.<br>Second line"
            "<ul><li>One<li>Two</ul></div>"
            "<div class='site-footer'><a href='/privacy'>Privacy</a></div></body></html>"
        )
        self.assertEqual(page.base, "https://2009-2017.state.gov/")
        self.assertEqual(
            [(b.kind, b.text) for b in page.blocks],
            [
                ("heading", "U.S. Assistance"),
                ("text", "Text with a link."),
                ("text", "Second line"),
                ("item", "One"),
                ("item", "Two"),
            ],
        )
        self.assertEqual(page.blocks[1].links, [("a link", "/r/pa/")])


class HostileHTMLTests(SimpleTestCase):
    """Markup Python's own parser cannot take (or takes in quadratic time) is read
    as browsers show it: as text."""

    def test_markup_that_never_closes_is_text(self):
        for tail in ["<![ junk", "<![if x", "<!-- never closed", "<a href='x", "</p"]:
            with self.subTest(tail=tail):
                page = blocks_from_html(f"<p>Kept.</p><p>Also {tail}")
                self.assertEqual(
                    [b.text for b in page.blocks], ["Kept.", f"Also {tail}"]
                )

    def test_nesting_deeper_than_any_page_keeps_its_text(self):
        page = blocks_from_html("<div>" + "<b>x" * 2_000 + "</i>" * 2_000)
        self.assertEqual(page.blocks[0].text, "x" * 2_000)
        self.assertEqual(page.blocks[0].kind, "heading")  # bold only

    def test_a_page_is_read_up_to_its_ten_thousandth_paragraph(self):
        page = blocks_from_html(
            "".join(f"<p>Paragraph {n}.</p>" for n in range(12_000))
        )
        self.assertEqual(len(page.blocks), 10_000)
        self.assertEqual(page.unread_limit, "10,000 paragraphs")
        self.assertTrue(
            page.unread_from.startswith("Paragraph 10000."), page.unread_from
        )


class NameTests(TestCase):
    fixtures = ["bureaus", "countries"]

    def test_countries_by_any_of_their_names(self):
        names = Names()
        cases = {
            "Mali": "Mali",
            "the Democratic Republic of the Congo": "Democratic Republic of the Congo",
            "Congo, Democratic Republic of the": "Democratic Republic of the Congo",
            "The Gambia": "The Gambia",
            "Gambia": "The Gambia",
            "Côte d’Ivoire": "Cote d'Ivoire",
            "St. Kitts and Nevis": "Saint Kitts and Nevis",
            "Swaziland": "Eswatini",
            "the Republic of Korea": "South Korea",
            "Democratic People’s Republic of Korea": "North Korea",
            "Kyrgyz Republic": "Kyrgyzstan",
            "Burma Page": "Burma",
        }
        for text, name in cases.items():
            with self.subTest(text=text):
                self.assertEqual(names.country(text).name, name)
        self.assertIsNone(names.country("Atlantis"))
        self.assertIsNone(names.country("Palestinian Territories"))

    def test_bureaus_in_any_case(self):
        names = Names()
        self.assertEqual(
            names.bureau("BUREAU OF EAST ASIAN AND PACIFIC AFFAIRS").slug,
            "east-asian-and-pacific-affairs",
        )


class FigureTests(SimpleTestCase):
    """One sentence each, in the assistance section of a sheet about Ruritania."""

    def read(self, sentence, heading="U.S. Assistance to Ruritania"):
        reader = FigureReader(["Ruritania"], ["Syldavia", "China", "Japan"])
        reader.read_section(heading, [sentence])
        return [
            (f.amount_usd, f.qualifier, f.period, f.year, f.year_end, f.kind)
            for f in reader.figures
        ], reader.left_out

    def test_assistance_with_its_period(self):
        million = Decimal(10**6)
        cases = {
            "U.S. foreign assistance to Ruritania totaled more than $135.4 million in "
            "FY 2014 with $130 million officially requested for FY 2015.": [
                (
                    Decimal("135.4") * million,
                    "more than",
                    "fiscal",
                    2014,
                    None,
                    "actual",
                ),
                (130 * million, "", "fiscal", 2015, None, "requested"),
            ],
            "The United States provided $2.1 billion in assistance in 2019.": [
                (2100 * million, "", "calendar", 2019, None, "actual"),
            ],
            "In Fiscal Year 2016, $40 million in U.S. assistance supported health.": [
                (40 * million, "", "fiscal", 2016, None, "actual"),
            ],
            "USAID's projected $690 million investment for FY 2016-2020 will help.": [
                (690 * million, "", "fiscal", 2016, 2020, "planned"),
            ],
            "The United States will provide $4.2 billion over five years.": [
                (4200 * million, "", "none", None, None, "planned"),
            ],
            "The United States has provided nearly $900 million in humanitarian "
            "assistance since the crisis began.": [
                (900 * million, "nearly", "none", None, None, "actual"),
            ],
            "U.S. assistance totaled $91 million and $96 million in FY 2018 and FY "
            "2019, respectively.": [
                (91 * million, "", "fiscal", 2018, None, "actual"),
                (96 * million, "", "fiscal", 2019, None, "actual"),
            ],
        }
        for sentence, expected in cases.items():
            with self.subTest(sentence=sentence[:50]):
                self.assertEqual(self.read(sentence)[0], expected)

    def test_money_that_is_not_us_assistance_is_left_out_and_named(self):
        cases = {
            "Two-way trade in goods and services totaled $3.2 billion in 2018.": "trade",
            "The stock of U.S. foreign direct investment was $1.1 billion in 2017.": "trade",
            "Remittances reached $400 million in 2016.": "trade",
            "The Government of Ruritania has committed $130 million of its own funds, "
            "for a program total of $630 million.": "another government's money",
            "China pledged $500 million in aid in 2018.": "another donor's money: China",
            "The United States provides $21 million per year to the region.": "yearly",
            "Secretary Jones announced $40 million in new U.S. assistance.": "no year",
            "U.S. assistance reached $1.5 billion in 2017, including $1.2 billion in "
            "economic aid.": "a part of the total",
        }
        for sentence, reason in cases.items():
            with self.subTest(sentence=sentence[:50]):
                figures, left_out = self.read(sentence)
                self.assertTrue(
                    any(reason in line for line in left_out), (left_out, figures)
                )
        figures, _ = self.read(
            "U.S. assistance reached $1.5 billion in 2017, including $1.2 billion in "
            "economic aid."
        )
        self.assertEqual([f[0] for f in figures], [Decimal("1500000000.00")])

    def test_givers_and_words_as_written(self):
        figures, _ = self.read(
            "In 2018, the U.S Department of Agriculture announced a $26 million, "
            "five-year nutrition program for Ruritania."
        )
        self.assertEqual(
            figures, [(26 * Decimal(10**6), "", "none", None, None, "planned")]
        )
        figures, _ = self.read(
            "The United States has provided well over $1 billion in assistance since "
            "1991."
        )
        self.assertEqual(figures[0][1], "well over")
        figures, left_out = self.read(
            "Since the 2006 war, the U.S. Government has pledged more than $1 billion "
            "in assistance."
        )
        self.assertEqual(figures, [])
        self.assertIn("a pledge over past years", left_out[0])

    def test_a_place_named_like_a_country_does_not_make_the_money_another_donors(self):
        figures, _ = self.read(
            "In the Syldavia border region, the United States provided $38 million "
            "in food assistance in FY 2013."
        )
        self.assertEqual(len(figures), 1)


class DecodeTests(SimpleTestCase):
    """Pages decoded as browsers decode them, whatever charset they declare."""

    def page(self, charset, body="Côte d’Ivoire"):
        return f'<html><head><meta charset="{charset}"></head><p>{body}</p>'

    def test_an_unknown_charset_name_is_ignored(self):
        for label in [
            "undefined",
            "no-such-charset",
            "unicode_escape",
            "utf-7",
            "rot13",
        ]:
            with self.subTest(label=label):
                data = self.page(label).encode("utf-8")
                self.assertIn("<p>Côte d’Ivoire</p>", decode(data))
                data = self.page(label).encode("cp1252")
                self.assertIn("<p>Côte d’Ivoire</p>", decode(data))

    def test_a_charset_browsers_refuse_is_ignored_too(self):
        data = self.page("iso-2022-kr").encode("utf-8")
        self.assertIn("<p>Côte d’Ivoire</p>", decode(data))

    def test_a_declared_charset_that_is_wrong_for_the_bytes(self):
        # UTF-8 declared, Windows-1252 bytes: read as Windows-1252.
        self.assertIn("Côte d’Ivoire", decode(self.page("utf-8").encode("cp1252")))
        # A page cannot be UTF-16 if it says so in ASCII: UTF-8, as browsers do.
        self.assertIn("Côte d’Ivoire", decode(self.page("utf-16").encode("utf-8")))
        # Bytes that are no text in any: each shown as the replacement character.
        self.assertIn(
            "<p>C\ufffdte</p>", decode(self.page("utf-8", "C\x81te").encode("latin-1"))
        )

    def test_browser_labels_name_the_encoding(self):
        self.assertIn("Côte", decode(self.page("latin1").encode("cp1252")))
        self.assertIn("Côte", decode(self.page(" ISO-8859-1").encode("cp1252")))
        text = "Москва"
        self.assertIn(text, decode(self.page("koi8-r", text).encode("koi8-r")))

    def test_a_byte_order_mark_wins_over_the_declaration(self):
        page = self.page("windows-1252")
        self.assertIn("Côte d’Ivoire", decode(codecs.BOM_UTF8 + page.encode("utf-8")))
        self.assertIn("Côte d’Ivoire", decode(page.encode("utf-16")))  # LE, with BOM
        self.assertIn(
            "Côte d’Ivoire", decode(codecs.BOM_UTF16_BE + page.encode("utf-16-be"))
        )
