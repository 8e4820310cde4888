"""The 2015 Mali capture the system replaces, and ways to compare a page with it."""

import re
from html.parser import HTMLParser
from pathlib import Path

SEED = Path(__file__).parent.parent / "data" / "mali-2015-seed.txt"


def seed_lines():
    return [
        line.strip()
        for line in SEED.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def content_lines():
    """The seed's content: from the lead line to the last related link."""
    lines = seed_lines()
    start = next(
        i
        for i, line in enumerate(lines)
        if line.startswith("More information about Mali is available on")
    )
    end = lines.index("Travel and Business Information")
    return lines[start : end + 1]


def assert_every_content_sentence_in(test, text):
    """Each sentence of the seed's content, from the lead to the last link, is in `text`."""
    checked = 0
    for paragraph in content_lines():
        for sentence in sentences(paragraph):
            with test.subTest(sentence=sentence[:60]):
                test.assertIn(sentence, text)
            checked += 1
    test.assertGreater(checked, 40)


def sentences(paragraph):
    return [s for s in re.split(r"(?<=[.;:!?])\s+(?=[A-Z“\"(0-9])", paragraph) if s]


class TextOf(HTMLParser):
    """Visible text of a page, whitespace folded."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style", "title")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style", "title")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    @classmethod
    def of(cls, page):
        parser = cls()
        parser.feed(page)
        return re.sub(r"\s+", " ", "".join(parser.parts))
