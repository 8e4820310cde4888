"""The sitemap and robots.txt.

The sitemap lists the public pages and each country's current sheet, never a
superseded edition (those pages say noindex), a draft or a preview. With no sites
framework installed, addresses are made with the host of the request.
"""

from django.contrib import sitemaps
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from factsheets.models import Bureau, FactSheet


class StaticViewSitemap(sitemaps.Sitemap):
    def items(self):
        return [
            "factsheets:home",
            "factsheets:index",
            "factsheets:assistance",
            "factsheets:key_officers",
        ]

    def location(self, item):
        return reverse(item)


class BureauSitemap(sitemaps.Sitemap):
    def items(self):
        return Bureau.objects.order_by("name")


class FactSheetSitemap(sitemaps.Sitemap):
    """Each country's current sheet, at the country's address."""

    def items(self):
        return (
            FactSheet.objects.current()
            .select_related("country")
            .order_by("country__name")
        )

    def location(self, item):
        return reverse("factsheets:detail", kwargs={"country_slug": item.country.slug})

    def lastmod(self, item):
        return item.public_updated_at


SITEMAPS = {
    "pages": StaticViewSitemap,
    "bureaus": BureauSitemap,
    "factsheets": FactSheetSitemap,
}

# Previews and search results are not for search engines; the admin is for editors.
DISALLOWED = [
    "/admin/",
    "/fact-sheets/preview/",
    "/fact-sheets/shared-preview/",
    "/search/",
]


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines += [
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('factsheets:sitemap'))}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
