"""Pages printed to PDF by Chromium and read back with pdftotext: what the print tests
share. A PrintTestCase prints each paper size once and keeps the result."""

import re
import subprocess
import tempfile
from html import unescape

import pytest

from tests.helpers.browser import BrowserTestCase

PAPERS = ["letter", "a4"]

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


class Printed:
    """One sheet on one paper size: each page's text (laid out) and its words' boxes."""

    def __init__(self, pdf, pdftotext, pages):
        self.pages = pages
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            bbox = subprocess.run(
                [pdftotext, "-bbox", f.name, "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        # Per page: (width, height, [(x0, y0, x1, y1, word), ...]) in points, y downwards.
        self.boxes = [
            (
                float(width),
                float(height),
                [
                    (*map(float, m.groups()[:4]), unescape(m.group(5)))
                    for m in WORD.finditer(body)
                ],
            )
            for width, height, body in PAGE.findall(bbox)
        ]

    @property
    def text(self):
        return "\n".join(self.pages)

    def split(self, number):
        """Page `number` (from 1) as its body lines and its margin line (the last one)."""
        lines = [line.strip() for line in self.pages[number - 1].splitlines()]
        lines = [line for line in lines if line]
        return lines[:-1], lines[-1]


class PrintTestCase(BrowserTestCase):
    path = None
    printed_cache = None

    @pytest.fixture(autouse=True)
    def _pdf(self, pdftotext):
        self.pdftotext = pdftotext

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.printed_cache = {}

    def printed(self, paper):
        if paper not in self.printed_cache:
            self.open(self.path)
            pdf = self.print_pdf(paper)
            pages = self.pdf_pages(pdf, self.pdftotext, "-layout")
            self.printed_cache[paper] = Printed(pdf, self.pdftotext, pages)
        return self.printed_cache[paper]

    def assertPrinted(self, text, printed_text, paper):
        """`text` is in `printed_text`; says so without quoting all of the sheet."""
        if text not in printed_text:
            self.fail(f"{paper}: {text!r} is not in the printed sheet")

    def check_margins_are_numbered_and_titled(self, title):
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                count = len(printed.pages)
                for number in range(1, count + 1):
                    _, margin = printed.split(number)
                    self.assertRegex(
                        margin,
                        rf"^{re.escape(title)}\s+Page {number} of {count}$",
                        f"{paper}, page {number}",
                    )

    def check_no_page_ends_with_a_heading(self, headings):
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                for number in range(1, len(printed.pages)):
                    body, _ = printed.split(number)
                    # The last few lines, so that a heading wrapped over two lines is caught.
                    tail = squash(" ".join(body[-3:]))
                    for heading in headings:
                        self.assertFalse(
                            tail.endswith(squash(heading)),
                            f"{paper}: page {number} ends with the heading {heading!r}",
                        )

    def check_assistance_rows_are_whole(self, sheet):
        lines = list(sheet.assistance_lines.all())
        self.assertTrue(lines)
        for paper in PAPERS:
            with self.subTest(paper=paper):
                printed = self.printed(paper)
                for line in lines:
                    # A row's first printed line holds its year, kind and amount; the note may
                    # wrap, but all of it must be on the same page.
                    start = re.compile(
                        rf"{re.escape(line.period_label)}\s+{line.get_kind_display()}"
                        rf"\s+{re.escape(line.amount_text)}\s"
                    )
                    note = squash(
                        f"{line.agency}: {line.note}" if line.agency else line.note
                    )
                    pages = [
                        number
                        for number, page in enumerate(printed.pages, 1)
                        if start.search(page) and note in squash(page)
                    ]
                    self.assertEqual(
                        len(pages),
                        1,
                        f"{paper}: the row {line} is not whole on one page",
                    )
