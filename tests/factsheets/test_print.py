"""The printed sheet: what Chromium's print-to-PDF makes of print.css, read back with pdftotext.

Each class prints each paper size once and keeps the result; a PDF costs about half a second.
"""

import re
from collections import Counter

from factsheets.models import FactSheet
from tests.helpers.factories import (
    make_assistance_line,
    make_bureau,
    make_country,
    make_factsheet,
    make_official,
    make_related_link,
    make_section,
)
from tests.helpers.printing import PAPERS, PrintTestCase, squash

# Text of the screen's header, footer, contents and buttons: none of it belongs on paper.
SCREEN_ONLY = [
    "Skip to main content",
    "Countries A–Z",
    "Bureaus",
    "Published by the",
    "All fact sheets",
    "Editors’ sign-in",
    "On this page",
    "Back to Top",
    "Print this fact sheet",
]


def unspaced(text):
    """Text without whitespace: pdftotext breaks long addresses over lines."""
    return re.sub(r"\s+", "", text)


class MaliSheetPrintTests(PrintTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]
    path = "/fact-sheets/mali/"

    def sheet(self):
        return FactSheet.objects.for_display().get(country__slug="mali")

    def test_fits_on_three_pages(self):
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                self.assertLessEqual(len(printed.pages), 3, paper)
                self.assertEqual(len(printed.pages), len(printed.boxes), paper)

    def test_first_page_opens_with_the_banner_then_title_bureau_kind_and_date(self):
        expected = [
            "U.S. Department of State",
            "U.S. Relations With Mali",
            "Bureau of African Affairs",
            "Fact Sheet",
            "October 15, 2015",
        ]
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                first = squash(printed.pages[0])
                self.assertTrue(
                    first.startswith("U.S. Department of State"), first[:80]
                )
                positions = [first.find(text) for text in expected]
                self.assertNotIn(-1, positions)
                self.assertEqual(positions, sorted(positions))
                # Then the text: the lead line comes after the date.
                self.assertGreater(
                    first.find("More information about Mali is available on"),
                    positions[-1],
                )

    def test_seal_is_shown_above_the_title_in_print(self):
        self.open(self.path)
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        self.addCleanup(
            self.browser.execute_cdp_cmd, "Emulation.setEmulatedMedia", {"media": ""}
        )
        seal = self.browser.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            const seal = document.querySelector(".print-banner__seal");
            if (!seal) return done(null);
            seal.decode().catch(() => {}).then(() => {
              const box = seal.getBoundingClientRect();
              const title = document.querySelector(".factsheet__title");
              done({
                display: getComputedStyle(seal).display,
                banner: getComputedStyle(seal.closest(".print-banner")).display,
                width: box.width,
                height: box.height,
                bottom: box.bottom,
                natural: seal.naturalWidth,
                complete: seal.complete,
                titleTop: title.getBoundingClientRect().top,
                alt: seal.alt,
              });
            });
            """
        )
        self.assertIsNotNone(seal)
        self.assertNotEqual(seal["display"], "none")
        self.assertNotEqual(seal["banner"], "none")
        self.assertGreater(seal["width"], 0)
        self.assertGreater(seal["height"], 0)
        self.assertTrue(seal["complete"])
        self.assertGreater(seal["natural"], 0)
        self.assertLessEqual(seal["bottom"], seal["titleTop"])
        self.assertTrue(seal["alt"])

    def test_screen_chrome_is_not_printed(self):
        self.open(self.path)
        # Each string is on the page, so its absence from paper means something.
        on_screen = squash(self.js("return document.body.textContent"))
        for text in SCREEN_ONLY:
            self.assertTrue(text in on_screen, f"{text!r} is not on the page at all")
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                on_paper = squash(printed.text)
                for text in SCREEN_ONLY:
                    self.assertFalse(text in on_paper, f"{paper}: {text!r} is printed")

    def test_every_related_link_address_is_printed(self):
        urls = [link.url for link in self.sheet().related_links.all()]
        self.assertEqual(len(urls), 16)
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                on_paper = unspaced(printed.text)
                for url in urls:
                    self.assertPrinted(unspaced(url), on_paper, paper)

    def test_every_page_is_numbered_and_titled_in_its_margin(self):
        self.check_margins_are_numbered_and_titled("U.S. Relations With Mali")

    def test_no_page_ends_with_a_heading(self):
        sheet = self.sheet()
        headings = [s.heading for s in sheet.sections.all() if s.heading]
        self.assertEqual(len(headings), 4)
        self.check_no_page_ends_with_a_heading(
            [*headings, "More information", "U.S. assistance to Mali"]
        )

    def test_no_assistance_row_is_split_across_pages(self):
        self.check_assistance_rows_are_whole(self.sheet())


class FiguresOnPaperTests(PrintTestCase):
    """A sheet's figures and wording on paper: the notice, exact amounts with their
    qualifiers and periods, “the” in generated sentences, and the table and the
    officials at the end of their sections."""

    path = "/fact-sheets/the-gambia/"
    ASSISTANCE_END = "Programs also support fisheries management along the coast."
    REPRESENTATION_END = "The Gambia maintains an embassy in the United States."

    def setUp(self):
        super().setUp()
        bureau = make_bureau(name="Bureau of African Affairs", slug="african-affairs")
        country = make_country(
            name="The Gambia",
            sentence_name="the Gambia",
            slug="the-gambia",
            bureau=bureau,
        )
        sheet = make_factsheet(
            country=country,
            notice="<p>Note to our readers: this series is no longer updated. See "
            '<a href="https://www.state.gov/countries-areas/">the current pages</a>.</p>',
            lead="More information about The Gambia is available on The Gambia page.",
        )
        sections = [
            ("", "<p>The United States and the Gambia have close relations.</p>"),
            (
                "U.S. Assistance to The Gambia",
                "<p>U.S. assistance supports health and good governance.</p>"
                f"<p>{self.ASSISTANCE_END}</p>",
            ),
            ("Bilateral Economic Relations", "<p>Trade is modest.</p>"),
            ("Bilateral Representation", f"<p>{self.REPRESENTATION_END}</p>"),
        ]
        for position, (heading, body) in enumerate(sections):
            make_section(sheet, heading=heading, body=body, position=position)
        lines = [
            ("fiscal", 2014, None, "more than", "135400000"),
            ("calendar", 2017, None, "", "2375000000"),
            ("fiscal", 2016, 2020, "", "999995000"),
            ("none", None, None, "nearly", "900000000"),
        ]
        for position, (period, year, year_end, qualifier, amount) in enumerate(lines):
            make_assistance_line(
                sheet,
                period=period,
                year=year,
                year_end=year_end,
                qualifier=qualifier,
                amount_usd=amount,
                note="Humanitarian and development assistance",
                position=position,
            )
        make_official(sheet, role="U.S. Ambassador to the Gambia", name="A. Diplomat")
        make_official(sheet, role="Deputy Chief of Mission", name="B. Deputy")
        make_related_link(sheet, title="Department of State Gambia Page")
        self.sheet = sheet

    def test_the_notice_is_printed_above_the_lead(self):
        for paper in PAPERS:
            with self.subTest(paper=paper):
                first = squash(self.printed(paper).pages[0])
                notice = first.find("Note to our readers: this series is no longer")
                self.assertGreater(notice, first.find("The Gambia"))
                self.assertLess(notice, first.find("More information about The Gambia"))
                self.assertIn("the current pages (https://www.state.gov/", first)

    def test_amounts_qualifiers_and_periods_are_printed_exactly(self):
        rows = [
            ("FY 2014", "more than $135.4 million"),
            ("2017", "$2.375 billion"),
            ("FY 2016-2020", "$999.995 million"),
            ("Total to date", "nearly $900 million"),
        ]
        for paper in PAPERS:
            with self.subTest(paper=paper):
                text = squash(self.printed(paper).text)
                self.assertIn("U.S. assistance to the Gambia", text)
                self.assertRegex(text, r"Period\s+Kind\s+Amount")
                for period, amount in rows:
                    self.assertRegex(
                        text, rf"{re.escape(period)} Actual {re.escape(amount)}"
                    )
                self.assertIn(
                    "More information about the Gambia is available from the "
                    "Department of State",
                    text,
                )
                self.assertNotIn("Key facts", text)

    def test_the_table_and_the_officials_end_their_sections(self):
        for paper in PAPERS:
            with self.subTest(paper=paper):
                text = squash(self.printed(paper).text)
                order = [
                    self.ASSISTANCE_END,
                    "U.S. assistance to the Gambia",
                    "Bilateral Economic Relations",
                    self.REPRESENTATION_END,
                    "Principal U.S. officials",
                    "U.S. Ambassador to the Gambia: A. Diplomat",
                    "Deputy Chief of Mission: B. Deputy",
                    "More information about the Gambia is available from",
                ]
                positions = [text.find(part) for part in order]
                self.assertNotIn(
                    -1, positions, dict(zip(order, positions, strict=True))
                )
                self.assertEqual(positions, sorted(positions))

    def test_no_assistance_row_is_split_across_pages(self):
        self.check_assistance_rows_are_whole(self.sheet)


# A long sheet, written like a real one: several paragraphs a section, lists, links in the
# text (some of them bare, long addresses) and long related-link addresses.
AREAS = [
    "Trade",
    "Health",
    "Education",
    "Agriculture",
    "Energy",
    "Security",
    "Governance",
    "Water",
    "Climate",
    "Culture",
    "Science",
    "Transport",
    "Finance",
    "Justice",
    "Labor",
    "Migration",
    "Media",
    "Telecommunications",
    "Tourism",
    "Youth",
]
SENTENCES = [
    "The United States and its partners work with national and local institutions to "
    "strengthen {area} programs that reach people in every region of the country.",
    "Since 2010, cooperation on {area} has grown from a handful of pilot projects into a "
    "nationwide effort supported by several U.S. agencies and private partners.",
    "Progress has been uneven: rural districts remain harder to serve, and insecurity in "
    "the north has slowed work that depends on travel and regular visits.",
    "Annual reviews with the government measure results against agreed targets, and the "
    "findings are published so that citizens can follow what has been achieved.",
    "Exchange programs bring officials, teachers and entrepreneurs to the United States "
    "for short courses, and many of them now lead reform efforts at home.",
    "Multilateral partners, including the World Bank and the African Development Bank, "
    "co-finance larger investments, while U.S. funding concentrates on technical advice.",
    "Women and young people are a particular focus, since they make up most of the "
    "population and are the most affected by poverty and conflict.",
    "The embassy's small grants program funds community organizations that propose "
    "practical projects, such as wells, school gardens and vocational training.",
]
LONG_URL = (
    "https://www.state.gov/reports/2015-country-reports-on-human-rights-practices/"
    "sahelia/annex-{n}-detailed-statistical-tables-and-methodology-notes"
    "?utm_source=factsheet&utm_medium=print&section={n}"
)
BARE_URL = "https://data.example.gov/api/v2/datasets/" + "x" * 60 + "/records/{n}.csv"


def long_section(n):
    area = AREAS[n % len(AREAS)]
    heading = f"{area} {'Cooperation' if n < len(AREAS) else 'Programs'}"
    if n == 7:
        heading = (
            "U.S. Support for Regional Security, Counterterrorism and Border "
            f"Management Partnerships Across the Sahel: {area}"
        )
    paragraphs = []
    for p in range(3 + n % 2):
        chosen = [
            SENTENCES[(n + p + k) % len(SENTENCES)].format(area=area.lower())
            for k in range(3 + (n + p) % 3)
        ]
        paragraphs.append(" ".join(chosen))
    if n % 5 == 0:
        paragraphs[1] += (
            f' The latest figures are in the <a href="{LONG_URL.format(n=n)}">annual '
            "report annex</a>."
        )
    if n % 9 == 0:
        url = BARE_URL.format(n=n)
        paragraphs[0] += f' The data are published at <a href="{url}">{url}</a>.'
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    if n % 4 == 0:
        body += (
            "<ul><li>Training for national and regional officials;</li>"
            "<li>equipment and supplies for district services;</li>"
            "<li>research partnerships with universities in both countries.</li></ul>"
        )
    last = (
        f"This note on {area.lower()} was reviewed for the 2015 edition (item {n + 1})."
    )
    return heading, body + f"<p>{last}</p>", last


LONG_SECTIONS = [long_section(n) for n in range(40)]
LONG_LINKS = [
    (
        f"{AREAS[n % len(AREAS)]} {'reports' if n % 2 else 'data and statistics'}",
        LONG_URL.format(n=n) if n % 3 == 0 else f"https://www.state.gov/sahelia/{n}/",
    )
    for n in range(40)
]


def make_long_factsheet():
    bureau = make_bureau(name="Bureau of African Affairs", slug="african-affairs")
    country = make_country(name="Sahelia", slug="sahelia", bureau=bureau)
    sheet = make_factsheet(
        country=country,
        lead="More information about Sahelia is available on the Sahelia page and "
        "from other Department of State publications listed at the end of this sheet.",
    )
    make_section(
        sheet,
        heading="",
        position=0,
        body="<p>The United States established diplomatic relations with Sahelia in "
        "1960, following its independence.</p>",
    )
    for position, (heading, body, _) in enumerate(LONG_SECTIONS, 1):
        make_section(sheet, heading=heading, body=body, position=position)
    for year in range(2006, 2018):
        make_assistance_line(
            sheet,
            year=year,
            amount_usd=100_000_000 + year * 1000,
            agency="USAID" if year % 2 else "",
            note="Bilateral assistance for health, education, agriculture and "
            f"governance programs, as notified to Congress in {year - 1}",
            position=year,
        )
    for n in range(5):
        make_official(sheet, role=f"Principal officer {n + 1}", name=f"Name {n + 1}")
    for position, (title, url) in enumerate(LONG_LINKS):
        make_related_link(sheet, title=title, url=url, position=position)
    return sheet


class LongSheetPrintTests(PrintTestCase):
    path = "/fact-sheets/sahelia/"

    def setUp(self):
        super().setUp()
        self.sheet = make_long_factsheet()

    def test_grows_over_more_pages_and_loses_nothing(self):
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                self.assertGreater(len(printed.pages), 10, paper)
                on_paper = squash(printed.text)
                for heading, _, last in LONG_SECTIONS:
                    self.assertPrinted(heading, on_paper, paper)
                    self.assertPrinted(last, on_paper, paper)
                # Related links, and links in the text (printed after their words).
                on_paper = unspaced(printed.text)
                in_text = [
                    url
                    for _, body, _ in LONG_SECTIONS
                    for url in re.findall(r'href="([^"]+)"', body)
                ]
                self.assertEqual(len(in_text), 13)
                for url in [url for _, url in LONG_LINKS] + in_text:
                    self.assertPrinted(unspaced(url), on_paper, paper)

    def test_no_word_leaves_the_page_or_its_text_column(self):
        """Chromium clips what overflows the page area: a cut word pokes into the margin."""
        tolerance = 1  # point
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                # Most lines start at the left margin; the right margin is as wide.
                starts = Counter(
                    round(w[0], 1) for _, _, words in printed.boxes for w in words
                )
                left = starts.most_common(1)[0][0]
                for number, (width, height, words) in enumerate(printed.boxes, 1):
                    self.assertTrue(words, f"{paper}: page {number} is empty")
                    for x0, y0, x1, y1, word in words:
                        self.assertTrue(
                            0 <= y0 < y1 <= height,
                            f"{paper}: {word!r} on page {number} is off the page",
                        )
                        self.assertTrue(
                            left - tolerance <= x0 < x1 <= width - left + tolerance,
                            f"{paper}: {word!r} on page {number} runs past the margin "
                            f"({x0:.1f} to {x1:.1f} of {width:.1f} pt)",
                        )

    def test_no_two_words_overlap(self):
        tolerance = 0.5  # points
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                for number, (_, _, words) in enumerate(printed.boxes, 1):
                    # Sweep down the page: only words whose boxes share some height can meet.
                    words = sorted(words, key=lambda w: w[1])
                    for i, (x0, y0, x1, y1, word) in enumerate(words):
                        for a0, b0, a1, b1, other in words[i + 1 :]:
                            if b0 >= y1 - tolerance:
                                break
                            overlap_x = min(x1, a1) - max(x0, a0)
                            overlap_y = min(y1, b1) - max(y0, b0)
                            self.assertFalse(
                                overlap_x > tolerance and overlap_y > tolerance,
                                f"{paper}: {word!r} and {other!r} overlap on page {number}",
                            )

    def test_every_page_is_numbered_and_titled_in_its_margin(self):
        self.check_margins_are_numbered_and_titled("U.S. Relations With Sahelia")

    def test_no_page_ends_with_a_heading(self):
        self.check_no_page_ends_with_a_heading(
            [heading for heading, _, _ in LONG_SECTIONS]
            + ["Key facts", "More information", "U.S. assistance to Sahelia"]
        )

    def test_no_assistance_row_is_split_across_pages(self):
        self.check_assistance_rows_are_whole(self.sheet)
