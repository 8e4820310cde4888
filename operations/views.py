"""What the site does when something fails (issue #10).

- A database that refuses connections or does not answer (the settings give the
  connection and each statement a time limit: DB_CONNECT_TIMEOUT,
  DB_STATEMENT_TIMEOUT) makes a page answer 503 with a styled "temporarily
  unavailable" page and a Retry-After header, never stored by any cache. The failed
  connections are closed, so the worker's next request connects afresh and the site
  recovers by itself when the database returns. Pages the page cache holds are
  served before any of this, without the database (factsheets/cache.py).
- /healthz tells a load balancer whether the database and the cache answer.
- The error pages (400, 403 and a refused form, 413, 500) render without the
  database and say nothing of the error itself.
- Log records name their request and the signed-in staff member, and are scrubbed of
  secrets before any handler writes them (LOGGING in config/settings.py).
"""

import contextvars
import logging
import re
import sys
import traceback

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response
from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Errors that mean the database cannot be reached or did not answer in time: refused
# or timed-out connections, a statement cancelled by statement_timeout, a connection
# closed under us. (On SQLite, also "database is locked" after its lock timeout.)
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Seconds a client or load balancer is asked to wait before trying again.
RETRY_AFTER = 30
HEALTH_KEY = "healthz"

# When even the error page cannot be rendered.
BARE_PAGES = {
    500: (
        "<!doctype html><html lang=en><title>Server error</title>"
        "<h1>Server error</h1><p>Something went wrong. Please try again later.</p>"
    ),
    503: (
        "<!doctype html><html lang=en><title>Temporarily unavailable</title>"
        "<h1>Temporarily unavailable</h1>"
        "<p>This page cannot be shown right now. Please try again in a few minutes.</p>"
    ),
}


# Error pages.


def error_page(request, template, status, context=None):
    """A styled error page that says nothing of the error and is never stored.

    It renders without the database: base.html needs only settings and the request
    (the auth and messages context processors are lazy and the templates never ask
    them). `request_path` marks it an error page, with no canonical address."""
    context = {"request_path": request.path, "noindex": True, **(context or {})}
    try:
        response = render(request, template, context, status=status)
    except Exception:
        if status not in BARE_PAGES:
            raise
        logger.exception("Could not render %s", template)
        response = HttpResponse(BARE_PAGES[status], status=status)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception):
    """handler400: a malformed request, or a host name the site does not serve."""
    return error_page(request, "400.html", 400)


def permission_denied(request, exception):
    """handler403."""
    return error_page(request, "403.html", 403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without its token or cookie (the reason is
    logged by Django's CSRF middleware, not shown)."""
    return error_page(request, "403.html", 403, {"form_refused": True})


def server_error(request):
    """handler500; a database that failed anywhere in the request answers 503.

    Django calls it while handling the exception, so sys.exc_info() names it; this
    covers database errors raised by middleware too (say, looking up an old
    address for a page not found), which DatabaseUnavailableMiddleware never sees."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return error_page(request, "500.html", 500)


# The database unavailable.


def close_connections():
    """Closes every connection this thread opened: after a failure it may be broken
    or in the middle of a statement, and CONN_MAX_AGE would keep it for the next
    request. Closing sends no query, so it cannot wait on a hanging server."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            pass


def database_unavailable(request):
    """The 503 page, with Retry-After and never_cache's headers."""
    close_connections()
    response = error_page(request, "503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class DatabaseUnavailableMiddleware:
    """A database error in a view answers 503; log records know their request.

    process_exception sees a view's exceptions even with DEBUG on; server_error()
    handles the rest. Placed right inside the page cache, so a stored page is served
    before this runs, and every other middleware's headers reach the 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        response = database_unavailable(request)
        log_response(
            "Database unavailable: %s",
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response


# Health.


@require_safe
@never_cache
def healthz(request):
    """200 "ok" when the database and the cache both answer, else 503 "unavailable".

    For a load balancer: one trivial query (within DB_CONNECT_TIMEOUT and
    DB_STATEMENT_TIMEOUT) and one cache write, no session; what failed goes to
    the log only."""
    healthy = True
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.error("Health check: the database does not answer", exc_info=True)
        close_connections()
        healthy = False
    try:
        cache.set(HEALTH_KEY, 1, timeout=60)
    except Exception:
        logger.error("Health check: the cache does not answer", exc_info=True)
        healthy = False
    return HttpResponse(
        "ok\n" if healthy else "unavailable\n",
        content_type="text/plain; charset=utf-8",
        status=200 if healthy else 503,
    )


# Logging.

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


def without_statement_timeout(connection):
    """Let the current transaction's statements take as long as they need.

    DB_STATEMENT_TIMEOUT keeps pages from waiting on a hung database; reading or
    writing a whole catalogue (backup, restore, generate_catalogue) takes longer, and
    an operator runs it on purpose, as with `migrate`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
