"""Forms read from the HTML of a page, as a browser would send them: for tests that
drive the admin over HTTP, against a real server or through the test client."""

import re
from html.parser import HTMLParser


class FormFields(HTMLParser):
    """What a browser submits for the form with this id: every named input, select
    and textarea as rendered, less buttons, unticked boxes and inline templates."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self.select = self.option = self.textarea = None

    def add(self, name, value):
        if "__prefix__" not in name:
            self.fields.append((name, value))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.add(name, attrs.get("value") or "on")
                return
            self.add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = (name, "multiple" in attrs, [])
        elif tag == "option" and self.select:
            self.option = [attrs.get("value"), "selected" in attrs, ""]
            self.select[2].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data
        elif self.option:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            name, text = self.textarea
            # HTML drops a newline right after <textarea>; Django writes one there.
            self.add(name, text.removeprefix("\n"))
            self.textarea = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select:
            name, multiple, options = self.select
            chosen = [option for option in options if option[1]]
            if not chosen and not multiple:
                chosen = options[:1]
            for value, _, text in chosen:
                self.add(name, text.strip() if value is None else value)
            self.select = self.option = None

    @classmethod
    def of(cls, html, form_id):
        parser = cls(form_id)
        parser.feed(html)
        parser.close()
        return dict(parser.fields)


def form_errors(html):
    """The admin's messages about a refused form, as text."""
    found = re.findall(
        r'<(?:p|ul) class="(?:errornote|errorlist[^"]*)"[^>]*>(.*?)</(?:p|ul)>',
        html,
        re.S,
    )
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", text).strip() for text in found)
