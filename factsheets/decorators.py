"""The public pages are read, never written: GET and HEAD; OPTIONS says so and shows
nothing; every other method gets 405 with the same Allow header."""

from functools import wraps

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

ALLOWED = ["GET", "HEAD", "OPTIONS"]


def read_only(view):
    """`view` for GET and HEAD only.

    Exempt from the CSRF check, which would otherwise refuse a POST with 403 before
    this says 405: nothing here acts on a POST, so there is nothing to forge.
    """

    @wraps(view)
    def read_only_view(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if request.method == "OPTIONS":
            response = HttpResponse()
            response["Allow"] = ", ".join(ALLOWED)
            return response
        return HttpResponseNotAllowed(ALLOWED)

    return csrf_exempt(read_only_view)


def read_only_patterns(patterns, *, except_names=()):
    """`patterns` with every view made read-only but those named in `except_names`."""
    for pattern in patterns:
        if pattern.name not in except_names:
            pattern.callback = read_only(pattern.callback)
    return patterns
