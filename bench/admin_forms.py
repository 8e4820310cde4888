"""The admin's forms over plain HTTP, for bench/load.py: what a browser sends back from
a form on a page, and the admin's words when it refuses a save. Only the standard
library: bench runs outside the test suite and imports nothing from tests/."""

import re
from html.parser import HTMLParser

# Inputs a browser leaves out when the form is sent with its submit button.
NOT_SENT = {"submit", "button", "image", "reset", "file"}
ERRORS = re.compile(r'class="(?:errornote|errorlist)[^"]*"[^>]*>(.*?)</(?:p|ul)>', re.S)
TAG = re.compile(r"<[^>]+>")


class Controls(HTMLParser):
    """The controls of the form with this id, in page order, as [tag, attrs, text]."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = []
        self.reading = None  # the option or textarea whose text comes next

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif self.inside and tag in {"input", "select", "option", "textarea"}:
            self.found.append([tag, attrs, ""])
            self.reading = self.found[-1] if tag in {"option", "textarea"} else None

    def handle_data(self, data):
        if self.reading:
            self.reading[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag in {"option", "select", "textarea"}:
            self.reading = None


def form_data(html, form_id):
    """The form's data as a browser would send it: every named control as rendered,
    less buttons, unticked boxes, disabled controls and the admin's inline templates
    (their names hold __prefix__)."""
    parser = Controls(form_id)
    parser.feed(html)
    parser.close()
    data, options, select = {}, {}, None
    for tag, attrs, text in parser.found:
        if tag == "option":
            if select and "disabled" not in attrs:
                value = attrs.get("value")
                options[select][1].append(
                    (text.strip() if value is None else value, "selected" in attrs)
                )
            continue
        select = None
        name = attrs.get("name")
        if not name or "disabled" in attrs or "__prefix__" in name:
            continue
        kind = (attrs.get("type") or "text").lower()
        if tag == "select":
            select = name
            options[name] = ("multiple" in attrs, [])
        elif tag == "textarea":
            # HTML drops a newline right after <textarea>; Django writes one there.
            data[name] = text.removeprefix("\n")
        elif kind in {"checkbox", "radio"}:
            if "checked" in attrs:
                data[name] = attrs.get("value") or "on"
        elif kind not in NOT_SENT:
            data[name] = attrs.get("value") or ""
    for name, (multiple, choices) in options.items():
        chosen = [value for value, selected in choices if selected]
        # A single select with nothing marked sends its first option.
        if not chosen and not multiple:
            chosen = [value for value, _ in choices[:1]]
        for value in chosen:
            data[name] = value
    return data


def refusal(html):
    """The admin's messages on a refused form, as one line of text."""
    return " | ".join(
        " ".join(TAG.sub(" ", found).split()) for found in ERRORS.findall(html)
    )
