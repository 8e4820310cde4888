"""Old addresses lead to the sheets' new ones.

Like django.contrib.redirects' RedirectFallbackMiddleware, this looks only at pages
that were not found, so a live page always wins over an old address, and the pages
that exist pay nothing for it.
"""

import logging
import re

from django.http import HttpResponsePermanentRedirect

from factsheets.models import Country, FormerSlug, LegacyAddress
from factsheets.models.addresses import is_local_path, path_variants

# Named as before this module was renamed: log filters may know it.
logger = logging.getLogger("factsheets.legacy")

# A sheet's own addresses and those under it: /fact-sheets/<slug>/,
# .../<date>/, .../changes/, .../feed.atom, and /fact-sheets/<slug>.json.
SHEET_PATH = re.compile(r"^/fact-sheets/(?P<slug>[-a-zA-Z0-9_]+)(?P<rest>/.*|\.json)?$")


class LegacyAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        target = legacy_target(request) or former_slug_target(request)
        if target is None:
            return response
        if not is_local_path(target) or leads_on(target, request.path):
            logger.warning("Refused to redirect %s to %s", request.path, target)
            return response
        return HttpResponsePermanentRedirect(target)


def legacy_target(request):
    """Where an old address of the old sites leads, as an editor entered it.

    The path is matched as given (case included), with or without its trailing
    slash. The query string is neither matched nor passed on: the old sites'
    parameters mean nothing to the new pages, and new_path may carry its own."""
    if not is_local_path(request.path):
        # No old address has a space or a control character (LegacyAddress.clean);
        # and PostgreSQL refuses to look for a NUL.
        return None
    candidates = path_variants(request.path)
    found = dict(
        LegacyAddress.objects.filter(old_path__in=candidates).values_list(
            "old_path", "new_path"
        )
    )
    return next((found[path] for path in candidates if path in found), None)


def former_slug_target(request):
    """The same address with the country's slug of today, query string kept."""
    path, _, query = request.get_full_path().partition("?")
    match = SHEET_PATH.match(path)
    if not match:
        return None
    slug = match["slug"]
    former = FormerSlug.objects.select_related("country").filter(slug=slug).first()
    # A country that has the slug now owns its addresses (its page may 404 only
    # because it has no sheet yet).
    if former is None or Country.objects.filter(slug=slug).exists():
        return None
    target = f"/fact-sheets/{former.country.slug}{match['rest'] or ''}"
    return f"{target}?{query}" if query else target


def leads_on(target, path):
    """Whether redirecting `path` to `target` could start a loop: the target is the
    path itself, or an old address that leads on again."""
    target_path = target.partition("?")[0]
    return target_path in path_variants(path) or (
        LegacyAddress.objects.filter(old_path__in=path_variants(target_path)).exists()
    )
