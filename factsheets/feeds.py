"""Atom feeds of new and updated sheets: the whole site's, a bureau's, a country's.

Entries come only from FactSheet.objects.current() (site, bureau) or live()
(country): drafts, scheduled and expired sheets never appear. Every address in a feed
is on SITE_URL, whatever host the request named (factsheets/site_url.py): Django's
Feed leaves full addresses as they are.
"""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

import pagecache
from factsheets import page_tags
from factsheets.models import PUBLIC_UPDATED_AT, Bureau, Country, FactSheet
from factsheets.site_url import absolute

# A reader polls the feed for what is new; the whole list is on the index page.
FEED_LENGTH = 50
# Characters XML 1.0 cannot carry. A form feed or vertical tab pasted into a title
# shows as a space on a page, but would stop the whole feed from being written.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value):
    if isinstance(value, str):
        return NOT_XML.sub(" ", value)
    if isinstance(value, (list, tuple)):
        return [xml_safe(part) for part in value]
    return value


def newest_first(factsheets):
    """Sheets by FactSheet.public_updated_at, newest first, worked out in SQL."""
    return factsheets.select_related("country", "bureau").order_by(
        PUBLIC_UPDATED_AT.desc(), "-pk"
    )


class AtomFeed(Atom1Feed):
    def latest_post_date(self):
        """When the newest entry was updated; for a feed with no entries, the start
        of today rather than Django's "now", so that the feed is the same all day
        (and its stored copy exact)."""
        if any(item["updateddate"] or item["pubdate"] for item in self.items):
            return super().latest_post_date()
        return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


class SiteFeed(Feed):
    """The current sheets, newest change first."""

    feed_type = AtomFeed

    def get_object(self, request):
        pagecache.depends_on(request, page_tags.CATALOGUE, page_tags.UPDATES)

    def title(self, obj):
        return f"Fact sheets: {settings.DEPARTMENT_NAME}"

    def subtitle(self, obj):
        return (
            "New and updated bilateral relations fact sheets of the "
            f"{settings.DEPARTMENT_NAME}."
        )

    def link(self, obj):
        return absolute(reverse("factsheets:home"))

    def feed_url(self, obj):
        return absolute(reverse("factsheets:feed"))

    def author_name(self, obj):
        return settings.DEPARTMENT_NAME

    def items(self, obj):
        return newest_first(FactSheet.objects.current())[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        """The lead, as plain text; or what the page's description says."""
        # Atom1Feed marks the summary as HTML, so the text is escaped once more.
        if item.lead:
            return escape(item.lead)
        issued = date_format(item.issued_on, "F j, Y")
        return escape(f"{item.title}: {item.kind} by the {item.bureau.name}, {issued}.")

    def item_link(self, item):
        if getattr(item, "is_superseded", False):
            return absolute(item.get_edition_url())
        return absolute(
            reverse("factsheets:detail", kwargs={"country_slug": item.country.slug})
        )

    def item_guid(self, item):
        # The edition's lasting address: the same entry while the sheet changes in
        # place, a new entry for a new edition. Made absolute in get_feed().
        return item.get_edition_url()

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.publish_at or item.created_at

    def item_updateddate(self, item):
        return item.public_updated_at

    def item_author_name(self, item):
        return settings.DEPARTMENT_NAME

    def item_categories(self, item):
        return [item.bureau.name]

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed = {key: xml_safe(value) for key, value in feed.feed.items()}
        for item in feed.items:
            item["unique_id"] = absolute(item["unique_id"])
            item.update({key: xml_safe(value) for key, value in item.items()})
        return feed


class BureauFeed(SiteFeed):
    """The current sheets printed with the bureau's name, newest change first."""

    def get_object(self, request, slug):
        bureau = get_object_or_404(Bureau, slug=slug)
        pagecache.depends_on(
            request, page_tags.CATALOGUE, page_tags.updates_of(bureau.pk)
        )
        return bureau

    def title(self, obj):
        return f"Fact sheets: {obj.name}"

    def subtitle(self, obj):
        return f"New and updated fact sheets of the {obj.name} ({obj.short_name})."

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute(reverse("factsheets:bureau_feed", kwargs={"slug": obj.slug}))

    def items(self, obj):
        return newest_first(FactSheet.objects.current().filter(bureau=obj))[
            :FEED_LENGTH
        ]


class CountryFeed(SiteFeed):
    """A country's published editions, the newest edition first."""

    def get_object(self, request, country_slug):
        country = get_object_or_404(Country, slug=country_slug)
        pagecache.depends_on(request, page_tags.country(country.pk))
        return country

    def title(self, obj):
        return f"Fact sheets: {obj.name}"

    def subtitle(self, obj):
        return f"The editions of the fact sheet on {obj.in_sentence}."

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute(
            reverse("factsheets:country_feed", kwargs={"country_slug": obj.slug})
        )

    def items(self, obj):
        editions = list(
            FactSheet.objects.live()
            .filter(country=obj)
            .select_related("country", "bureau")
            .order_by("-issued_on", "-pk")[:FEED_LENGTH]
        )
        # The newest live edition is the current one (FactSheetQuerySet.current());
        # every other lives at its dated address.
        for edition in editions[1:]:
            edition.is_superseded = True
        return editions
