"""Open data and discovery: the Atom feeds, the sitemap and robots.txt, the JSON,
and the head's canonical address, Open Graph values, feed links and JSON-LD."""

import datetime
import html
import json
from html.parser import HTMLParser
from xml.etree import ElementTree

import feedparser
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from factsheets.feeds import FEED_LENGTH
from factsheets.models import FactSheet
from factsheets.templatetags.meta_tags import page_meta
from tests.helpers.factories import (
    make_assistance_line,
    make_bureau,
    make_country,
    make_factsheet,
    make_official,
    make_related_link,
    make_section,
    make_user,
)
from tests.helpers.page_cache import count_queries

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DEPARTMENT = "U.S. Department of State"


def set_times(factsheet, **times):
    """Set publish/expiry/revision times directly, as a publisher's actions would."""
    FactSheet.objects.filter(pk=factsheet.pk).update(**times)
    factsheet.refresh_from_db()


class PublicRecord:
    """Sheets in every state: only Mali's 2015 sheet and Peru's are current.

    Mali also has a superseded 2012 edition and a newer edition scheduled for next
    month; Niger has only a draft, Chad only an expired sheet.
    """

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.africa = make_bureau(
            name="Bureau of African Affairs", slug="african-affairs", short_name="AF"
        )
        cls.americas = make_bureau(
            name="Bureau of Western Hemisphere Affairs",
            slug="western-hemisphere-affairs",
            short_name="WHA",
        )
        mali = make_country(name="Mali", slug="mali", bureau=cls.africa)
        cls.mali_2012 = make_factsheet(
            country=mali, issued_on=datetime.date(2012, 1, 10), lead="Mali in 2012."
        )
        cls.mali = make_factsheet(
            country=mali,
            issued_on=datetime.date(2015, 10, 15),
            lead="More information about Mali & its <neighbours>.",
        )
        cls.mali_next = make_factsheet(
            country=mali, issued_on=datetime.date(2016, 5, 1), lead="Not yet."
        )
        cls.niger_draft = make_factsheet(
            country=make_country(name="Niger", slug="niger", bureau=cls.africa),
            status=FactSheet.Status.DRAFT,
            lead="A draft.",
        )
        cls.chad_expired = make_factsheet(
            country=make_country(name="Chad", slug="chad", bureau=cls.africa),
            lead="Expired.",
        )
        cls.peru = make_factsheet(
            country=make_country(name="Peru", slug="peru", bureau=cls.americas),
            issued_on=datetime.date(2017, 3, 1),
            lead="Peru and the United States.",
        )
        set_times(cls.mali_2012, publish_at=now - datetime.timedelta(days=40))
        set_times(
            cls.mali,
            publish_at=now - datetime.timedelta(days=20),
            revised_at=now - datetime.timedelta(days=1),
        )
        set_times(cls.mali_next, publish_at=now + datetime.timedelta(days=30))
        set_times(
            cls.chad_expired,
            publish_at=now - datetime.timedelta(days=10),
            expires_at=now - datetime.timedelta(days=2),
        )
        set_times(cls.peru, publish_at=now - datetime.timedelta(days=5))
        for sheet in (cls.mali_2012, cls.mali):
            make_section(sheet, heading="U.S. Assistance to Mali")
            make_assistance_line(sheet, qualifier="more than")
            make_official(sheet, role="U.S. Ambassador to Mali", name="A. Person")
            make_related_link(sheet, title="USAID Mali Page")
            make_related_link(sheet, title="Niger's sheet", url="/fact-sheets/niger/")

    @staticmethod
    def edition(factsheet):
        return f"http://testserver{factsheet.get_edition_url()}"

    @staticmethod
    def country_url(slug):
        return f"http://testserver/fact-sheets/{slug}/"


def add_current_sheets(count, bureau):
    for _ in range(count):
        make_factsheet(country=make_country(bureau=bureau), lead="Another sheet.")


def queries_for_3_and_60_sheets(client, url, bureau):
    """The queries `url` makes with 3 current sheets, then with 60 (Mali, Peru and
    the sheets added to `bureau`)."""
    add_current_sheets(1, bureau)
    few = count_queries(client, url)
    add_current_sheets(57, bureau)
    return few, count_queries(client, url)


class FeedReader:
    def get_feed(self, url="/feeds/fact-sheets.atom"):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        return feed


class SiteFeedTests(FeedReader, PublicRecord, TestCase):
    def test_lists_only_current_sheets_newest_change_first(self):
        feed = self.get_feed()
        self.assertEqual(
            [entry.id for entry in feed.entries],
            [self.edition(self.mali), self.edition(self.peru)],
        )
        self.assertEqual(
            [entry.link for entry in feed.entries],
            [self.country_url("mali"), self.country_url("peru")],
        )

    def test_entries_say_what_a_reader_needs(self):
        entry = self.get_feed().entries[0]
        self.assertEqual(entry.title, "U.S. Relations With Mali")
        # The lead is plain text: its & and <…> come back as written.
        self.assertEqual(
            html.unescape(entry.summary),
            "More information about Mali & its <neighbours>.",
        )
        self.assertEqual(entry.author, DEPARTMENT)
        self.assertEqual(
            datetime.datetime(*entry.updated_parsed[:6], tzinfo=datetime.UTC),
            self.mali.revised_at.replace(microsecond=0),
        )
        self.assertEqual(
            datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC),
            self.mali.publish_at.replace(microsecond=0),
        )
        self.assertEqual(entry.tags[0].term, "Bureau of African Affairs")

    def test_the_feed_names_its_publisher_and_pages(self):
        feed = self.get_feed().feed
        self.assertEqual(feed.author, DEPARTMENT)
        self.assertEqual(feed.link, "http://testserver/")
        self.assertIn(
            {
                "rel": "self",
                "href": "http://testserver/feeds/fact-sheets.atom",
                "type": "application/atom+xml",
            },
            feed.links,
        )

    def test_queries_do_not_grow_with_the_sheets(self):
        url = "/feeds/fact-sheets.atom"
        few, many = queries_for_3_and_60_sheets(self.client, url, self.americas)
        self.assertEqual(many, few)
        self.assertEqual(len(self.get_feed(url).entries), FEED_LENGTH)


class BureauFeedTests(FeedReader, PublicRecord, TestCase):
    def test_lists_only_the_bureaus_current_sheets(self):
        feed = self.get_feed("/bureaus/african-affairs/feed.atom")
        self.assertEqual(
            [entry.id for entry in feed.entries], [self.edition(self.mali)]
        )
        self.assertEqual(feed.feed.title, "Fact sheets: Bureau of African Affairs")
        self.assertEqual(feed.feed.link, "http://testserver/bureaus/african-affairs/")
        feed = self.get_feed("/bureaus/western-hemisphere-affairs/feed.atom")
        self.assertEqual(
            [entry.id for entry in feed.entries], [self.edition(self.peru)]
        )

    def test_unknown_bureau_is_404(self):
        response = self.client.get("/bureaus/atlantis/feed.atom")
        self.assertEqual(response.status_code, 404)

    def test_bureau_queries_do_not_grow_with_the_sheets(self):
        url = "/bureaus/western-hemisphere-affairs/feed.atom"
        few, many = queries_for_3_and_60_sheets(self.client, url, self.americas)
        self.assertEqual(many, few)


class CountryFeedTests(FeedReader, PublicRecord, TestCase):
    def test_lists_the_live_editions_newest_first(self):
        feed = self.get_feed("/fact-sheets/mali/feed.atom")
        self.assertEqual(
            [entry.id for entry in feed.entries],
            [self.edition(self.mali), self.edition(self.mali_2012)],
        )
        self.assertEqual(
            [entry.link for entry in feed.entries],
            [self.country_url("mali"), self.edition(self.mali_2012)],
        )
        self.assertEqual(feed.entries[1].summary, "Mali in 2012.")

    def test_a_country_with_nothing_live_has_an_empty_feed(self):
        for slug in ("niger", "chad"):
            with self.subTest(slug):
                self.assertEqual(
                    self.get_feed(f"/fact-sheets/{slug}/feed.atom").entries, []
                )

    def test_unknown_country_is_404(self):
        response = self.client.get("/fact-sheets/atlantis/feed.atom")
        self.assertEqual(response.status_code, 404)

    def test_country_queries_do_not_grow_with_the_editions(self):
        url = "/fact-sheets/mali/feed.atom"
        few = count_queries(self.client, url)
        for year in range(1990, 2010):
            make_factsheet(
                country=self.mali.country, issued_on=datetime.date(year, 1, 1)
            )
        self.assertEqual(count_queries(self.client, url), few)
        self.assertEqual(len(self.get_feed(url).entries), 22)


class SitemapTests(PublicRecord, TestCase):
    def get_urls(self):
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        root = ElementTree.fromstring(response.content)
        self.assertEqual(root.tag, f"{SITEMAP}urlset")
        return {
            url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
            for url in root.iter(f"{SITEMAP}url")
        }

    def test_lists_the_public_pages_and_current_sheets(self):
        urls = self.get_urls()
        self.assertEqual(
            set(urls),
            {
                "http://testserver/",
                "http://testserver/fact-sheets/",
                "http://testserver/assistance/",
                "http://testserver/key-officers/",
                "http://testserver/bureaus/african-affairs/",
                "http://testserver/bureaus/western-hemisphere-affairs/",
                self.country_url("mali"),
                self.country_url("peru"),
            },
        )

    def test_no_draft_superseded_scheduled_expired_or_preview(self):
        listed = "\n".join(self.get_urls())
        for absent in ("niger", "chad", "2012-01-10", "2016-05-01", "preview", "admin"):
            with self.subTest(absent):
                self.assertNotIn(absent, listed)

    def test_sheets_have_their_last_public_change_as_a_w3c_date(self):
        urls = self.get_urls()
        self.assertEqual(
            urls[self.country_url("mali")],
            timezone.localtime(self.mali.revised_at).date().isoformat(),
        )
        self.assertRegex(urls[self.country_url("peru")], r"^\d{4}-\d{2}-\d{2}$")

    def test_queries_do_not_grow_with_the_sheets(self):
        few, many = queries_for_3_and_60_sheets(
            self.client, "/sitemap.xml", self.americas
        )
        self.assertEqual(many, few)
        self.assertEqual(len(self.get_urls()), 6 + 60)


class RobotsTxtTests(TestCase):
    def test_names_the_sitemap_and_keeps_crawlers_out_of_private_pages(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[0], "User-agent: *")
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)
        for path in (
            "/admin/",
            "/fact-sheets/preview/",
            "/fact-sheets/shared-preview/",
            "/search/",
        ):
            with self.subTest(path):
                self.assertIn(f"Disallow: {path}", lines)


class MaliJsonTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    @classmethod
    def setUpTestData(cls):
        cls.sheet = FactSheet.objects.get(country__slug="mali")

    def setUp(self):
        self.response = self.client.get("/fact-sheets/mali.json")
        self.data = self.response.json()

    def test_is_open_json(self):
        self.assertEqual(self.response.status_code, 200)
        self.assertEqual(self.response["Content-Type"], "application/json")
        self.assertEqual(self.response["Access-Control-Allow-Origin"], "*")
        # Written as UTF-8, not \\u escapes: “USAID/Mali’s”.
        self.assertIn("Mali’s".encode(), self.response.content)

    def test_matches_the_page(self):
        page = html.unescape(self.client.get("/fact-sheets/mali/").content.decode())
        headings = [s["heading"] for s in self.data["sections"] if s["heading"]]
        self.assertEqual(len(headings), 4)
        for heading in headings:
            with self.subTest(heading):
                self.assertIn(heading, page)
        amounts = [line["amount_text"] for line in self.data["assistance_lines"]]
        self.assertIn("more than $135.4 million", amounts)
        self.assertIn("more than $135.4 million", page)
        for official in self.data["officials"]:
            self.assertIn(official["name"], page)
        for link in self.data["related_links"]:
            self.assertIn(link["title"], page)
        self.assertIn(self.data["related_links_intro"], page)
        self.assertIn(self.data["lead"], page)

    def test_says_everything_about_the_sheet(self):
        data = self.data
        self.assertEqual(data["title"], "U.S. Relations With Mali")
        self.assertEqual(data["kind"], "Fact Sheet")
        self.assertEqual(data["country"], {"name": "Mali", "slug": "mali"})
        self.assertEqual(
            data["bureau"],
            {"name": "Bureau of African Affairs", "slug": "african-affairs"},
        )
        self.assertEqual(data["issued_on"], "2015-10-15")
        self.assertIsNone(data["last_updated"])
        self.assertEqual(data["url"], "http://testserver/fact-sheets/mali/")
        self.assertEqual(data["json_url"], "http://testserver/fact-sheets/mali.json")
        self.assertEqual(
            data["editions"],
            [{"issued_on": "2015-10-15", "url": "http://testserver/fact-sheets/mali/"}],
        )
        self.assertEqual(
            data["officials"],
            [{"role": "U.S. Ambassador to Mali", "name": "Paul A. Folmsbee"}],
        )
        self.assertEqual(len(data["related_links"]), 16)
        self.assertEqual(data["sections"][1]["heading"], "U.S. Assistance to Mali")
        self.assertTrue(data["sections"][1]["html"].startswith("<p>"))

    def test_amounts_are_exact_strings(self):
        first, second, planned = self.data["assistance_lines"]
        self.assertEqual(
            first,
            {
                "period": "fiscal",
                "year": 2014,
                "year_end": None,
                "period_label": "FY 2014",
                "kind": "actual",
                "qualifier": "more than",
                "amount_usd": "135400000",
                "amount_text": "more than $135.4 million",
                "agency": "",
                "note": "Total U.S. foreign assistance",
            },
        )
        self.assertEqual(planned["period_label"], "FY 2016-2020")
        self.assertEqual(planned["amount_usd"], "690000000")


class SheetJsonTests(PublicRecord, TestCase):
    def test_lists_the_live_editions_at_their_addresses(self):
        data = self.client.get("/fact-sheets/mali.json").json()
        self.assertEqual(data["issued_on"], "2015-10-15")
        self.assertEqual(data["last_updated"], self.mali.revised_at.isoformat())
        self.assertEqual(
            data["editions"],
            [
                {"issued_on": "2015-10-15", "url": self.country_url("mali")},
                {"issued_on": "2012-01-10", "url": self.edition(self.mali_2012)},
            ],
        )
        # A link to a page of this site is given in full.
        self.assertIn(
            "http://testserver/fact-sheets/niger/",
            [link["url"] for link in data["related_links"]],
        )

    def test_cents_are_kept(self):
        make_assistance_line(self.mali, amount_usd="80000.50", year=2017)
        lines = self.client.get("/fact-sheets/mali.json").json()["assistance_lines"]
        self.assertEqual(lines[-1]["amount_usd"], "80000.50")

    def test_no_current_sheet_is_a_json_404(self):
        for slug in ("niger", "chad", "atlantis"):
            with self.subTest(slug):
                response = self.client.get(f"/fact-sheets/{slug}.json")
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response["Access-Control-Allow-Origin"], "*")
                self.assertIn("error", response.json())

    def test_queries_do_not_grow_with_the_rows(self):
        few = count_queries(self.client, "/fact-sheets/peru.json")
        for _ in range(10):
            make_section(self.peru)
            make_assistance_line(self.peru)
            make_official(self.peru)
            make_related_link(self.peru)
        self.assertEqual(count_queries(self.client, "/fact-sheets/peru.json"), few)


class CatalogueJsonTests(PublicRecord, TestCase):
    def test_lists_only_current_sheets(self):
        response = self.client.get("/fact-sheets.json")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        data = response.json()
        self.assertEqual(data["publisher"], DEPARTMENT)
        self.assertEqual(
            data["fact_sheets"],
            [
                {
                    "title": "U.S. Relations With Mali",
                    "kind": "Fact Sheet",
                    "country": {"name": "Mali", "slug": "mali"},
                    "bureau": {
                        "name": "Bureau of African Affairs",
                        "slug": "african-affairs",
                    },
                    "issued_on": "2015-10-15",
                    "last_updated": self.mali.revised_at.isoformat(),
                    "url": self.country_url("mali"),
                    "json_url": "http://testserver/fact-sheets/mali.json",
                },
                {
                    "title": "U.S. Relations With Peru",
                    "kind": "Fact Sheet",
                    "country": {"name": "Peru", "slug": "peru"},
                    "bureau": {
                        "name": "Bureau of Western Hemisphere Affairs",
                        "slug": "western-hemisphere-affairs",
                    },
                    "issued_on": "2017-03-01",
                    "last_updated": None,
                    "url": self.country_url("peru"),
                    "json_url": "http://testserver/fact-sheets/peru.json",
                },
            ],
        )

    def test_queries_do_not_grow_with_the_sheets(self):
        few, many = queries_for_3_and_60_sheets(
            self.client, "/fact-sheets.json", self.americas
        )
        self.assertEqual(many, few)
        data = self.client.get("/fact-sheets.json").json()
        self.assertEqual(len(data["fact_sheets"]), 60)


class Head(HTMLParser):
    """The <link>, <meta> and JSON-LD of a page's head."""

    def __init__(self, page):
        super().__init__()
        self.links, self.meta, self.json_ld = [], {}, []
        self._in_json_ld = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs["content"]
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True

    def handle_endtag(self, tag):
        self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))

    def hrefs(self, rel, type=None):
        return [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and (type is None or link.get("type") == type)
        ]

    @property
    def canonical(self):
        canonical = self.hrefs("canonical")
        return canonical[0] if len(canonical) == 1 else canonical

    @property
    def feeds(self):
        return self.hrefs("alternate", "application/atom+xml")

    def article(self):
        (article,) = [data for data in self.json_ld if data.get("@type") == "Article"]
        return article


class HeadMetadataTests(PublicRecord, TestCase):
    def head(self, url):
        response = self.client.get(url)
        page = response.content.decode()
        return Head(page[: page.index("</head>")])

    def test_home(self):
        head = self.head("/")
        self.assertEqual(head.canonical, "http://testserver/")
        self.assertEqual(head.meta["og:url"], "http://testserver/")
        self.assertEqual(head.meta["og:type"], "website")
        self.assertEqual(head.meta["og:site_name"], DEPARTMENT)
        self.assertEqual(head.meta["og:locale"], "en_US")
        self.assertTrue(head.meta["og:title"])
        self.assertIn(DEPARTMENT, head.meta["og:description"])
        self.assertEqual(head.feeds, ["/feeds/fact-sheets.atom"])
        self.assertEqual(head.json_ld, [])

    def test_current_sheet(self):
        head = self.head("/fact-sheets/mali/")
        self.assertEqual(head.canonical, self.country_url("mali"))
        self.assertEqual(head.meta["og:url"], self.country_url("mali"))
        self.assertEqual(head.meta["og:title"], "U.S. Relations With Mali")
        self.assertEqual(head.meta["og:type"], "article")
        self.assertEqual(
            head.meta["og:description"],
            "More information about Mali & its <neighbours>.",
        )
        self.assertEqual(
            head.feeds, ["/feeds/fact-sheets.atom", "/fact-sheets/mali/feed.atom"]
        )
        self.assertEqual(
            head.hrefs("alternate", "application/json"), ["/fact-sheets/mali.json"]
        )
        article = head.article()
        self.assertEqual(article["headline"], "U.S. Relations With Mali")
        self.assertEqual(article["url"], self.country_url("mali"))
        self.assertEqual(article["datePublished"], "2015-10-15")
        self.assertEqual(article["about"], {"@type": "Country", "name": "Mali"})
        self.assertEqual(article["publisher"]["name"], DEPARTMENT)
        self.assertEqual(article["isPartOf"]["url"], "http://testserver/")

    def test_json_ld_cannot_end_its_script(self):
        FactSheet.objects.filter(pk=self.peru.pk).update(
            lead="</script><script>alert(1)</script>"
        )
        response = self.client.get("/fact-sheets/peru/")
        self.assertNotContains(response, "<script>alert(1)")
        page = response.content.decode()
        head = Head(page[: page.index("</head>")])
        self.assertEqual(
            head.article()["description"], "</script><script>alert(1)</script>"
        )

    def test_superseded_edition_names_its_own_address(self):
        head = self.head("/fact-sheets/mali/2012-01-10/")
        self.assertEqual(head.canonical, self.edition(self.mali_2012))
        self.assertEqual(head.meta["og:url"], self.edition(self.mali_2012))
        self.assertEqual(head.article()["url"], self.edition(self.mali_2012))
        self.assertEqual(head.hrefs("alternate", "application/json"), [])

    def test_bureau(self):
        head = self.head("/bureaus/african-affairs/")
        self.assertEqual(head.canonical, "http://testserver/bureaus/african-affairs/")
        self.assertEqual(
            head.meta["og:url"], "http://testserver/bureaus/african-affairs/"
        )
        self.assertEqual(head.meta["og:title"], "Bureau of African Affairs")
        self.assertEqual(
            head.feeds,
            ["/feeds/fact-sheets.atom", "/bureaus/african-affairs/feed.atom"],
        )

    def test_preview_has_no_canonical_or_open_graph(self):
        self.client.force_login(make_user("editor", "Editors"))
        head = self.head(f"/fact-sheets/preview/{self.niger_draft.pk}/")
        self.assertEqual(head.canonical, [])
        self.assertEqual(head.meta, {})
        self.assertEqual(head.json_ld, [])
        self.assertEqual(head.feeds, ["/feeds/fact-sheets.atom"])

    def test_not_found_page_has_no_canonical(self):
        head = self.head("/fact-sheets/atlantis/")
        self.assertEqual(head.canonical, [])
        self.assertNotIn("og:url", head.meta)

    def test_adds_no_query(self):
        """The head is made from what the view loaded."""
        factsheet = FactSheet.objects.for_display().get(pk=self.mali_2012.pk)
        context = {
            "request": RequestFactory().get("/fact-sheets/mali/2012-01-10/"),
            "factsheet": factsheet,
            "superseded_by": self.mali,
            "noindex": True,
        }
        with self.assertNumQueries(0):
            meta = page_meta(context)
        self.assertEqual(meta["canonical"], self.edition(self.mali_2012))


# Hosts Django accepts with these settings, each spelt as a client may send it.
SITE = "https://factsheets.example.gov"
OTHER_HOSTS = {
    "HTTP_HOST": [
        "mirror.example.net",
        "MIRROR.EXAMPLE.NET",
        "mirror.example.net.",
        "mirror.example.net:8443",
        "127.0.0.1:54321",
    ]
}


@override_settings(
    SITE_URL=SITE,
    ALLOWED_HOSTS=["factsheets.example.gov", "mirror.example.net", "127.0.0.1"],
)
class SiteAddressTests(FeedReader, PublicRecord, TestCase):
    """Every absolute address is on SITE_URL, whatever allowed host was asked for."""

    def variants(self):
        """Requests naming another allowed host, or a prefix (gunicorn takes
        SCRIPT_NAME from a request header)."""
        for host in OTHER_HOSTS["HTTP_HOST"]:
            yield {"HTTP_HOST": host}
        yield {"HTTP_HOST": "127.0.0.1", "SCRIPT_NAME": "/prefix"}

    def test_pages_name_the_site_not_the_host_asked_for(self):
        for extra in self.variants():
            with self.subTest(**extra):
                page = self.client.get("/fact-sheets/mali/", **extra).content.decode()
                head = Head(page[: page.index("</head>")])
                self.assertEqual(head.canonical, f"{SITE}/fact-sheets/mali/")
                self.assertEqual(head.meta["og:url"], f"{SITE}/fact-sheets/mali/")
                article = head.article()
                self.assertEqual(article["url"], f"{SITE}/fact-sheets/mali/")
                self.assertEqual(article["isPartOf"]["url"], f"{SITE}/")
                self.assertEqual(
                    head.feeds,
                    ["/feeds/fact-sheets.atom", "/fact-sheets/mali/feed.atom"],
                )
                # The printed address and its QR code, the breadcrumbs' JSON-LD,
                # the footer's site name.
                self.assertIn(
                    f'<span class="printed-from__address">{SITE}/fact-sheets/mali/'
                    "</span>",
                    page,
                )
                self.assertIn(f'"item": "{SITE}/"', page)
                self.assertIn(">factsheets.example.gov</span>", page)
                for other in ("mirror", "MIRROR", "127.0.0.1", "/prefix"):
                    self.assertNotIn(other, page)

    def test_feeds_sitemap_robots_and_json_name_the_site(self):
        for extra in self.variants():
            with self.subTest(**extra):
                feed = feedparser.parse(
                    self.client.get("/fact-sheets/mali/feed.atom", **extra).content
                )
                self.assertEqual(feed.feed.link, f"{SITE}/fact-sheets/mali/")
                self.assertEqual(
                    [link.href for link in feed.feed.links if link.rel == "self"],
                    [f"{SITE}/fact-sheets/mali/feed.atom"],
                )
                self.assertEqual(
                    [(entry.link, entry.id) for entry in feed.entries],
                    [
                        (
                            f"{SITE}/fact-sheets/mali/",
                            f"{SITE}{self.mali.get_edition_url()}",
                        ),
                        (
                            f"{SITE}/fact-sheets/mali/2012-01-10/",
                            f"{SITE}{self.mali_2012.get_edition_url()}",
                        ),
                    ],
                )
                sitemap = ElementTree.fromstring(
                    self.client.get("/sitemap.xml", **extra).content
                )
                locations = [loc.text for loc in sitemap.iter(f"{SITEMAP}loc")]
                self.assertIn(f"{SITE}/fact-sheets/mali/", locations)
                self.assertEqual(
                    [loc for loc in locations if not loc.startswith(f"{SITE}/")], []
                )
                robots = self.client.get("/robots.txt", **extra).content.decode()
                self.assertIn(f"Sitemap: {SITE}/sitemap.xml", robots.splitlines())
                data = self.client.get("/fact-sheets/mali.json", **extra).json()
                self.assertEqual(data["url"], f"{SITE}/fact-sheets/mali/")
                self.assertEqual(data["json_url"], f"{SITE}/fact-sheets/mali.json")
                csv = self.client.get("/assistance.csv", **extra).content.decode()
                self.assertIn(f"{SITE}/fact-sheets/mali/", csv)
                for body in (robots, csv, json.dumps(data)):
                    self.assertNotIn("mirror", body.lower())
                    self.assertNotIn("127.0.0.1", body)
