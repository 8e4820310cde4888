"""The Content-Security-Policy of every response (issue #10).

django-csp writes the policy in settings.CONTENT_SECURITY_POLICY: scripts and styles
only from our own files, nothing inline. Three exceptions are added here, per response:

- an inline style a template declares with ``{% hashed_style %}`` (the sheet's title
  in the printed page's margin) is allowed by its SHA-256 hash. The hash depends only
  on the page's content, so a public page and its header stay the same for everyone
  and may be stored whole by the page cache (factsheets/cache.py);
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

from csp.constants import NONCE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse

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


def is_admin(request):
    return request.path_info.startswith(reverse("admin:index"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the per-response additions described above."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        extra = {}
        if hashes := getattr(request, "csp_style_hashes", None):
            extra["style-src"] = hashes
        if is_admin(request):
            # Left out of the header unless a template used request.csp_nonce.
            extra["script-src"] = [NONCE]
            extra["style-src"] = [*extra.get("style-src", []), *editor_style_sources()]
        if extra:
            update = dict(parts.update or {})
            for directive, sources in extra.items():
                given = update.get(directive) or []
                given = [given] if isinstance(given, str) else list(given)
                update[directive] = [*given, *sources]
            parts.update = update
        return parts


class RedirectToHttpsHeadersMiddleware:
    """HSTS on SecurityMiddleware's redirect from http to https too.

    Django sends HSTS over https only, as browsers ignore it over plain http; the
    redirect carries it anyway, so that every response has the same headers. Placed
    outside SecurityMiddleware, which answers the redirect before any inner one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.SECURE_HSTS_SECONDS
            and not request.is_secure()
            and isinstance(response, HttpResponsePermanentRedirect)
            and response.url.startswith("https://")
            and "Strict-Transport-Security" not in response
        ):
            header = f"max-age={settings.SECURE_HSTS_SECONDS}"
            if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
                header += "; includeSubDomains"
            if settings.SECURE_HSTS_PRELOAD:
                header += "; preload"
            response["Strict-Transport-Security"] = header
        return response
