"""What the Content-Security-Policy of a response allows beyond the settings.

django-csp writes the policy in settings.CONTENT_SECURITY_POLICY: scripts and styles
only from our own files, nothing inline. Three exceptions are added per response, by
ContentSecurityPolicyMiddleware (operations/middleware.py):

- an inline style a template declares with ``{% hashed_style %}`` (the sheet's title
  in the printed page's margin) is allowed by its SHA-256 hash. The hash depends only
  on the page's content, so a public page and its header stay the same for everyone
  and may be stored whole by the page cache (pagecache/);
- admin pages, which are never cached, may run inline scripts carrying this
  response's nonce: the rich-text editor's import map is one (js_asset renders it
  inline, and browsers accept import maps only inline);
- admin pages allow the rich-text editor's base stylesheet by its hash: Tiptap,
  inside django-prose-editor, adds ProseMirror's essential rules (white-space and
  the like) as a <style> element it creates itself, with no way to give it a nonce.
"""

import base64
import functools
import hashlib
import re
from pathlib import Path

from django.contrib.staticfiles import finders

EDITOR_SCRIPT = "django_prose_editor/editor.js"
# The stylesheet as a template literal in the shipped script (no escapes or ${} in
# it, so its text is the literal's); read from the installed version, so an upgrade
# that changes it keeps working.
EDITOR_STYLE = re.compile(r"`(\.ProseMirror \{\n  position: relative;\n\}[^`\\$]*)`")


def source_hash(text):
    """The CSP source expression that allows an inline element with this text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def allow_inline_style(request, css):
    """Allow a <style> element whose text is exactly `css` in this response."""
    if not hasattr(request, "csp_style_hashes"):
        request.csp_style_hashes = []
    source = source_hash(css)
    if source not in request.csp_style_hashes:
        request.csp_style_hashes.append(source)


@functools.cache
def editor_style_sources():
    """The hash of the rich-text editor's own <style>, or nothing if not found."""
    path = finders.find(EDITOR_SCRIPT)
    found = path and EDITOR_STYLE.search(Path(path).read_text(encoding="utf-8"))
    return [source_hash(found.group(1))] if found else []
