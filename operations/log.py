"""Log records that name their request and the signed-in staff member, scrubbed of
secrets before any handler writes them (LOGGING in config/settings.py).

DatabaseUnavailableMiddleware (operations/middleware.py) sets `current_request`, so
that records made outside a request's own log calls still know it.
"""

import contextvars
import logging
import re
import traceback

from django.conf import settings
from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

current_request = contextvars.ContextVar("current_request", default=None)

REDACTED = "[redacted]"
# Names whose values are secret: Django's own list for error reports, and more.
SECRET_NAME = (
    rf"[\w-]*(?:{SafeExceptionReporterFilter.hidden_settings.pattern}"
    r"|COOKIE|CSRF|SESSION|PWD)[\w-]*"
)
SCRUBBED = [
    # Headers written out: "Cookie: sessionid=...", "Authorization: Bearer ...".
    (
        re.compile(
            r"^(\s*(?:proxy-)?(?:authorization|cookie|set-cookie)\s*:).*$",
            re.I | re.M,
        ),
        rf"\1 {REDACTED}",
    ),
    # name=value, name: value, 'name': 'value', 'name': ['value', ...].
    (
        re.compile(
            rf"""(['"]?\b{SECRET_NAME}['"]?\s*[:=]\s*)"""
            r"""(\[[^\]]*\]|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&;,'")\]}]+)""",
            re.I,
        ),
        rf"\1{REDACTED}",
    ),
    # A password in an address: postgres://user:password@host/name.
    (re.compile(r"(\b[a-z][\w+.-]*://[^:/@\s]*:)[^@\s]+@", re.I), rf"\1{REDACTED}@"),
    # A shared preview link opens a draft to whoever holds it.
    (re.compile(r"(/shared-preview/)[^/\s?'\"]+"), rf"\1{REDACTED}"),
]
# Values inside SQL (logged with DEBUG on), which may be session keys or hashes.
SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
MIN_SECRET_LENGTH = 4


def scrub(text, secrets=()):
    for value in secrets:
        text = text.replace(value, REDACTED)
    for pattern, replacement in SCRUBBED:
        text = pattern.sub(replacement, text)
    return text


def scrub_traceback(text, secrets=()):
    """A traceback's indented lines are code, which holds no values: only the known
    secrets are taken out of them, so that they stay legible."""
    lines = []
    for line in text.split("\n"):
        if line.startswith("  "):
            for value in secrets:
                line = line.replace(value, REDACTED)
        else:
            line = scrub(line, secrets)
        lines.append(line)
    return "\n".join(lines)


def known_secrets(request):
    """Values that must never be written out, wherever they turn up."""
    values = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    values += [
        getattr(settings, "BACKUP_SIGNING_KEY", ""),
        *getattr(settings, "BACKUP_SIGNING_KEY_FALLBACKS", []),
    ]
    values += [db.get("PASSWORD") for db in settings.DATABASES.values()]
    if request is not None:
        values += request.COOKIES.values()
        values += [
            request.META.get(name)
            for name in ("HTTP_AUTHORIZATION", "HTTP_X_CSRFTOKEN", "HTTP_COOKIE")
        ]
        # A form's fields, if it was read (never read here: that could block).
        posted = request.__dict__.get("_post")
        if posted is not None:
            for name, posted_values in posted.lists():
                if re.fullmatch(SECRET_NAME, name, re.I):
                    values += posted_values
    values = {str(value) for value in values if value}
    # The longest first, so that no part of one is left behind by a shorter one.
    return sorted(
        (value for value in values if len(value) >= MIN_SECRET_LENGTH),
        key=len,
        reverse=True,
    )


def describe(request):
    """'GET /admin/... user=3': the request and, for signed-in staff, who sent it.

    Uses the user only if the request already loaded it: a log record must not
    query the database (which may be what failed)."""
    if request is None:
        return "-"
    parts = [request.method or "-", scrub(request.path)]
    user = request.__dict__.get("_cached_user")
    if user is not None and user.is_authenticated and user.is_staff:
        parts.append(f"user={user.pk}")
    return " ".join(parts)


class RequestContextFilter(logging.Filter):
    """Adds `context` (the request and staff user) to every record, and removes
    secrets from its message and traceback before any handler sees them."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):  # django.server's is a socket
            request = current_request.get()
        record.context = describe(request)
        secrets = known_secrets(request)
        message = record.getMessage()
        if record.name.startswith("django.db.backends"):
            message = SQL_LITERAL.sub("'?'", message)
            if hasattr(record, "params"):
                record.params = REDACTED
        record.msg, record.args = scrub(message, secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(
                traceback.format_exception(*record.exc_info)
            ).rstrip("\n")
        if record.exc_text:
            record.exc_text = scrub_traceback(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = scrub_traceback(record.stack_info, secrets)
        return True
