"""The sitemap, which robots.txt names (factsheets/views/robots.py).

It lists the public pages and each country's current sheet, never a superseded
edition (those pages say noindex), a draft or a preview. Addresses are on SITE_URL,
whatever host the request named (factsheets/site_url.py).
"""

from django.contrib import sitemaps
from django.urls import reverse

from factsheets import site_url
from factsheets.models import Bureau, FactSheet


class SiteSitemap(sitemaps.Sitemap):
    """Addresses on SITE_URL, not on the host the request named."""

    def get_protocol(self, protocol=None):
        return site_url.scheme()

    def get_domain(self, site=None):
        return site_url.host()


class StaticViewSitemap(SiteSitemap):
    def items(self):
        return [
            "factsheets:home",
            "factsheets:index",
            "factsheets:assistance",
            "factsheets:key_officers",
        ]

    def location(self, item):
        return reverse(item)


class BureauSitemap(SiteSitemap):
    def items(self):
        return Bureau.objects.order_by("name")


class FactSheetSitemap(SiteSitemap):
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
