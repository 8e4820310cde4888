"""/robots.txt: what crawlers may read, and where the sitemap is."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

import pagecache
from factsheets import site_url

# Previews and search results are not for search engines; the admin is for editors.
DISALLOWED = [
    "/admin/",
    "/fact-sheets/preview/",
    "/fact-sheets/shared-preview/",
    "/search/",
]


@require_safe
@pagecache.shows()  # the settings only, which the release follows
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines += [
        "",
        f"Sitemap: {site_url.absolute(reverse('factsheets:sitemap'))}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
