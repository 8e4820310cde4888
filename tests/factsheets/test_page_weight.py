"""The Mali sheet's page weight, compressed, stays at most 40 KB, and nothing it
loads comes from another host."""

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import TestCase

try:
    import brotli
except ImportError:  # optional: gzip is what every client accepts
    brotli = None

BUDGET = 40 * 1024
# Links that load something; alternates, canonical and the like only point.
LOADING_RELS = {
    "stylesheet",
    "icon",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
}
CSS_REFERENCES = re.compile(
    r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]"""
)


class Resources(HTMLParser):
    """The addresses of everything a page makes the browser fetch."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rels = set((attrs.get("rel") or "").lower().split())
        if tag == "link" and rels & LOADING_RELS:
            self.urls.append(attrs.get("href"))
        elif tag in {"script", "img", "iframe", "embed", "audio", "source"}:
            self.urls.append(attrs.get("src"))
        elif tag == "input" and (attrs.get("type") or "").lower() == "image":
            self.urls.append(attrs.get("src"))
        elif tag == "video":
            self.urls += [attrs.get("src"), attrs.get("poster")]
        elif tag == "object":
            self.urls.append(attrs.get("data"))
        elif tag == "use":
            href = attrs.get("href") or attrs.get("xlink:href") or ""
            self.urls.append(None if href.startswith("#") else href)
        for candidate in (attrs.get("srcset") or "").split(","):
            self.urls.append(candidate.split()[0] if candidate.strip() else None)

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        parser.close()
        return [url for url in parser.urls if url and not url.startswith("data:")]


def compressed_sizes(content):
    sizes = {"gzip": len(gzip.compress(content, compresslevel=9, mtime=0))}
    if brotli is not None:
        sizes["brotli"] = len(brotli.compress(content, quality=11))
    return sizes


class MaliPageWeightTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]
    page = "/fact-sheets/mali/"

    def content_of(self, url):
        """What the browser receives for a local address: a static file from disk,
        anything else from the site."""
        path = urlsplit(url).path
        if path.startswith(settings.STATIC_URL):
            found = finders.find(path.removeprefix(settings.STATIC_URL))
            self.assertIsNotNone(found, f"{url} is not a static file")
            with open(found, "rb") as file:
                return file.read()
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return b"".join(response) if response.streaming else response.content

    def loaded_by(self, html):
        """Every address the page loads, with those its style sheets load."""
        base = f"http://testserver{self.page}"
        pending = [urljoin(base, url) for url in Resources.of(html)]
        seen = {}
        while pending:
            url = pending.pop(0)
            if url in seen:
                continue
            if urlsplit(url).netloc != "testserver":
                seen[url] = None
                continue
            seen[url] = content = self.content_of(url)
            if urlsplit(url).path.endswith(".css"):
                for found in CSS_REFERENCES.findall(content.decode()):
                    reference = next(part for part in found if part)
                    if not reference.startswith(("data:", "#")):
                        pending.append(urljoin(url, reference))
        return seen

    def test_the_mali_sheet_weighs_at_most_40_kb_compressed(self):
        response = self.client.get(self.page)
        self.assertEqual(response.status_code, 200)
        loaded = self.loaded_by(response.content.decode())
        foreign = [url for url, content in loaded.items() if content is None]
        self.assertTrue(any(url.endswith(".css") for url in loaded), loaded.keys())
        self.assertEqual(foreign, [], "loaded from another host")

        rows = [(self.page, response.content)] + [
            (urlsplit(url).path, content) for url, content in loaded.items()
        ]
        sizes = {path: compressed_sizes(content) for path, content in rows}
        totals = {
            method: sum(size[method] for size in sizes.values())
            for method in sizes[self.page]
        }
        breakdown = "\n".join(
            f"  {path}: {len(content)} bytes, "
            + ", ".join(f"{method} {size}" for method, size in sizes[path].items())
            for path, content in rows
        )
        for method, total in totals.items():
            with self.subTest(method=method):
                self.assertLessEqual(
                    total,
                    BUDGET,
                    f"{method}: {total} bytes, over {BUDGET}\n{breakdown}",
                )
