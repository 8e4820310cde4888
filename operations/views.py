"""The site's own error pages and its health check.

- A database that refuses connections or does not answer (the settings give the
  connection and each statement a time limit: DB_CONNECT_TIMEOUT,
  DB_STATEMENT_TIMEOUT) makes a page answer 503 with a styled "temporarily
  unavailable" page and a Retry-After header, never stored by any cache. The failed
  connections are closed, so the worker's next request connects afresh and the site
  recovers by itself when the database returns. Pages the page cache holds are
  served before any of this, without the database (pagecache/).
- /healthz tells a load balancer whether the database and the cache answer.
- The error pages (400, 403 and a refused form, 413, 500) render without the
  database and say nothing of the error itself, except that the 403 page of an
  admin page tells signed-in staff why an action was refused when we wrote the
  reason for them (operations.refusals).
"""

import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_safe

from operations.db import DATABASE_UNAVAILABLE, close_connections
from operations.refusals import reason_to_show

logger = logging.getLogger(__name__)

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
    """handler403: a generic page, with the reason of a `Refused` for staff in the
    admin (escaped like any other value)."""
    return error_page(
        request, "403.html", 403, {"refusal": reason_to_show(request, exception)}
    )


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


def database_unavailable(request):
    """The 503 page, with Retry-After and never_cache's headers."""
    close_connections()
    response = error_page(request, "503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


@xframe_options_deny  # it may answer before the clickjacking middleware is reached
def too_large(request, limit):
    """The 413 page: a body larger than its sender may send (RequestSizeMiddleware)."""
    return error_page(request, "413.html", 413, {"limit": limit})


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
