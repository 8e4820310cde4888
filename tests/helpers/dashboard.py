"""Reads the admin's first page as a person does: each panel's count, the names it
lists, and all its text."""

from html.parser import HTMLParser


class Panels(HTMLParser):
    """The panels of a rendered admin index, by key ("my-drafts")."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.panels = {}
        self._panel = None
        self._depth = 0
        self._in = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and (attrs.get("id") or "").startswith("panel-"):
            self._panel = {"count": None, "rows": [], "text": "", "more": None}
            self.panels[attrs["id"].removeprefix("panel-")] = self._panel
            self._depth = 0
        if self._panel is None:
            return
        if tag == "section":
            self._depth += 1
        if tag == "span" and "desk-count" in (attrs.get("class") or ""):
            self._in.add("count")
        if tag == "a":
            self._in.add("link")
            self._link = ""

    def handle_endtag(self, tag):
        if self._panel is None:
            return
        if tag == "a" and "link" in self._in:
            self._in.discard("link")
            self._panel["rows"].append(self._link.strip())
        if tag == "span":
            self._in.discard("count")
        if tag == "section":
            self._depth -= 1
            if self._depth == 0:
                self._panel = None

    def handle_data(self, data):
        if self._panel is None:
            return
        self._panel["text"] += data
        if "count" in self._in:
            self._panel["count"] = int(data)
        if "link" in self._in:
            self._link += data


def panels(html):
    """{key: {"count": n, "rows": [linked names, the "All n" link last], "text": …}}"""
    return Panels(html if isinstance(html, str) else html.decode()).panels
