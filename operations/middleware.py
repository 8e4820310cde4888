"""How large a request may be: a body larger than its sender may send is refused
with 413 and the site's page, on its Content-Length, before any of it is read.

- Anyone not signed in as staff (the sign-in form among them): PUBLIC_REQUEST_MAX_BYTES.
- Staff: Django's limit for a form, DATA_UPLOAD_MAX_MEMORY_SIZE.
- Staff who may import, on the import page: IMPORT_MAX_BYTES, and room for the rest
  of the form.

Who sent a request is known only once the session is read, so a body over every
limit, or over the public one with no session cookie, is refused before the session
is looked at; the rest when the view is known, before CSRF's check reads the form.
Django never reads more of a body than its Content-Length says, and nothing of a
body without one (a chunked request's is read as empty), so a body that goes on
past what it declared is never read or stored: gunicorn drops it with the
connection. The proxy in front refuses large bodies earlier still (README).
"""

from django.conf import settings
from django.views.decorators.clickjacking import xframe_options_deny

from factsheets import roles
from factsheets.failures import error_page

IMPORT_VIEW = "admin:factsheets_factsheet_import"
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


def body_limit(request):
    """The largest body this request may have, once its user and view are known."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return settings.PUBLIC_REQUEST_MAX_BYTES
    if request.resolver_match.view_name == IMPORT_VIEW and roles.can_import(user):
        return import_limit()
    return staff_limit()


@xframe_options_deny  # it may answer before the clickjacking middleware is reached
def too_large(request, limit):
    return error_page(request, "413.html", 413, {"limit": limit})


class RequestSizeMiddleware:
    """Refuses a body larger than its sender may send, before it is read. Below the
    security headers' middleware, above the session's and CSRF's."""

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
        limit = body_limit(request)
        return too_large(request, limit) if length > limit else None
