"""Atom feeds of new and updated sheets (issue #8): placeholder until it is built."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed


class SiteFeed(Feed):
    feed_type = Atom1Feed
    title = "Fact sheets"
    link = "/"

    def items(self):
        return []


class BureauFeed(SiteFeed):
    def get_object(self, request, slug):
        return slug


class CountryFeed(SiteFeed):
    def get_object(self, request, country_slug):
        return country_slug
