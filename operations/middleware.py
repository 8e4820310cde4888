"""The site-wide middleware of operations, in the order MIDDLEWARE runs it
(config/settings.py): trusted forwarding, the 503 for a database that fails, the
security headers, and the request size limits."""

from csp.constants import NONCE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.log import log_response

from operations.db import DATABASE_UNAVAILABLE
from operations.log import current_request
from operations.proxies import forget_untrusted_forwarding
from operations.security import editor_style_sources
from operations.views import database_unavailable, too_large


class UntrustedForwardingMiddleware:
    """forget_untrusted_forwarding() for every request Django handles, however it
    reaches Django (operations/proxies.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forget_untrusted_forwarding(request.META)
        return self.get_response(request)


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


# Security headers.


def is_admin(request):
    return request.path_info.startswith(reverse("admin:index"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the per-response additions that
    operations/security.py describes: hashed inline styles, and on admin pages the
    nonce and the rich-text editor's style."""

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


# Request sizes.

# The import form's other fields and the multipart framing around the file.
FORM_ALLOWANCE = 64 * 1024


def content_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body then


def staff_limit():
    return max(
        settings.PUBLIC_REQUEST_MAX_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    )


def import_limit():
    return max(staff_limit(), settings.IMPORT_MAX_BYTES + FORM_ALLOWANCE)


def body_limit(request, view_func):
    """The largest body this request may have, once its user and view are known."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return settings.PUBLIC_REQUEST_MAX_BYTES
    allowed = getattr(view_func, "accepts_import_upload", None)
    if allowed is not None and allowed(user):
        return import_limit()
    return staff_limit()


class RequestSizeMiddleware:
    """Refuses a body larger than its sender may send, before it is read: 413 and the
    site's page, on its Content-Length. Below the security headers' middleware,
    above the session's and CSRF's.

    - Anyone not signed in as staff (the sign-in form among them):
      PUBLIC_REQUEST_MAX_BYTES.
    - Staff: Django's limit for a form, DATA_UPLOAD_MAX_MEMORY_SIZE.
    - Staff who may import, on a view marked with `accepts_import_upload` (the
      import page): IMPORT_MAX_BYTES, and room for the rest of the form.

    Who sent a request is known only once the session is read, so a body over every
    limit, or over the public one with no session cookie, is refused before the
    session is looked at; the rest when the view is known, before CSRF's check reads
    the form. Django never reads more of a body than its Content-Length says, and
    nothing of a body without one (a chunked request's is read as empty), so a body
    that goes on past what it declared is never read or stored: gunicorn drops it
    with the connection. The proxy in front refuses large bodies earlier still
    (README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = content_length(request)
        if length > import_limit():
            return too_large(request, import_limit())
        if (
            length > settings.PUBLIC_REQUEST_MAX_BYTES
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            return too_large(request, settings.PUBLIC_REQUEST_MAX_BYTES)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        length = content_length(request)
        # Within the public limit, the session is not read: a public page stays
        # the same for everyone, and costs no query.
        if length <= settings.PUBLIC_REQUEST_MAX_BYTES:
            return None
        limit = body_limit(request, view_func)
        return too_large(request, limit) if length > limit else None
