from datetime import date

from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter

import pagecache
from factsheets import feeds, page_tags, sitemaps
from factsheets.decorators import read_only_patterns
from factsheets.views import (
    api,
    assistance,
    officers,
    pages,
    previews,
    robots,
    search,
)


class IsoDateConverter:
    """An edition's date in its address: /fact-sheets/mali/2015-10-15/."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        return date.fromisoformat(value)

    def to_url(self, value):
        return value.isoformat() if isinstance(value, date) else value


register_converter(IsoDateConverter, "isodate")

app_name = "factsheets"

urlpatterns = [
    path("", pages.home, name="home"),
    path("favicon.ico", pages.favicon),
    path("robots.txt", robots.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        pagecache.shows(page_tags.CATALOGUE, page_tags.UPDATES)(sitemap),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap",
    ),
    path("search/", search.search, name="search"),
    path("assistance/", assistance.overview, name="assistance"),
    path("assistance.csv", assistance.overview_csv, name="assistance_csv"),
    path("key-officers/", officers.key_officers, name="key_officers"),
    path("feeds/fact-sheets.atom", feeds.SiteFeed(), name="feed"),
    path("bureaus/<slug:slug>/", pages.bureau_detail, name="bureau"),
    path("bureaus/<slug:slug>/feed.atom", feeds.BureauFeed(), name="bureau_feed"),
    path("fact-sheets/", pages.sheet_index, name="index"),
    path("fact-sheets.json", api.catalogue, name="catalogue_json"),
    path("fact-sheets/preview/<int:pk>/", previews.factsheet_preview, name="preview"),
    path(
        "fact-sheets/shared-preview/<str:token>/",
        previews.preview_link,
        name="preview_link",
    ),
    path("fact-sheets/<slug:country_slug>.json", api.sheet, name="sheet_json"),
    path("fact-sheets/<slug:country_slug>/", pages.factsheet_detail, name="detail"),
    path(
        "fact-sheets/<slug:country_slug>/feed.atom",
        feeds.CountryFeed(),
        name="country_feed",
    ),
    path(
        "fact-sheets/<slug:country_slug>/changes/",
        pages.edition_changes,
        name="changes",
    ),
    path(
        "fact-sheets/<slug:country_slug>/<isodate:issued_on>/",
        pages.edition_detail,
        name="edition",
    ),
]

# The public pages are read, never written (factsheets/decorators.py). The previews are
# editors' pages, not public ones, and stay as they are.
urlpatterns = read_only_patterns(urlpatterns, except_names={"preview", "preview_link"})
