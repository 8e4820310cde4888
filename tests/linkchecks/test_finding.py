"""Which links of a sheet are checked, and the record of where each is used."""

from django.test import SimpleTestCase, TestCase, override_settings

from factsheets.models import FactSheet
from linkchecks import runs
from linkchecks.finding import checkable, links_of
from linkchecks.models import Link, LinkUse
from tests.helpers.factories import make_factsheet, make_related_link, make_section


@override_settings(SITE_URL="https://factsheets.example.gov")
class CheckableTests(SimpleTestCase):
    def test_what_is_fetched_over_http_and_what_is_not(self):
        cases = {
            "https://www.state.gov/mali/": "https://www.state.gov/mali/",
            "HTTP://WWW.State.GOV/Mali/": "http://www.state.gov/Mali/",
            "https://www.state.gov/mali/#relations": "https://www.state.gov/mali/",
            "/fact-sheets/niger/": "https://factsheets.example.gov/fact-sheets/niger/",
            "/fact-sheets/niger/#top": "https://factsheets.example.gov/fact-sheets/niger/",
            "mailto:press@state.gov": None,
            "tel:+12025551234": None,
            "#bilateral-representation": None,
            "": None,
            None: None,
            "ftp://example.org/file": None,
        }
        for href, expected in cases.items():
            with self.subTest(href=href):
                self.assertEqual(checkable(href), expected)


@override_settings(SITE_URL="https://factsheets.example.gov")
class LinksOfTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.sheet = make_factsheet(
            notice='<p>See <a href="https://archive.example.org/mali">the archive</a>.</p>'
        )
        make_section(
            cls.sheet,
            heading="",
            position=1,
            body='<p><a href="https://www.state.gov/mali/">State&#39;s page</a>, '
            '<a href="mailto:press@state.gov">press office</a>, '
            '<a href="#u-s-assistance">below</a> and '
            '<a href="/fact-sheets/niger/">Niger</a>.</p>',
        )
        make_section(
            cls.sheet,
            heading="U.S. Assistance",
            position=2,
            body='<ul><li><a href="https://www.usaid.gov/mali#x">USAID <b>in</b> Mali</a></li></ul>',
        )
        make_related_link(
            cls.sheet, title="Mali page", url="https://www.state.gov/mali/"
        )
        make_related_link(cls.sheet, title="Write to us", url="mailto:press@state.gov")

    def test_links_in_the_notice_the_sections_and_the_related_links(self):
        found = [
            (use.url, use.place, use.where, use.text) for use in links_of(self.sheet)
        ]
        self.assertEqual(
            found,
            [
                ("https://archive.example.org/mali", "text", "Notice", "the archive"),
                (
                    "https://www.state.gov/mali/",
                    "text",
                    "Opening section",
                    "State's page",
                ),
                (
                    "https://factsheets.example.gov/fact-sheets/niger/",
                    "text",
                    "Opening section",
                    "Niger",
                ),
                (
                    "https://www.usaid.gov/mali",
                    "text",
                    "U.S. Assistance",
                    "USAID in Mali",
                ),
                (
                    "https://www.state.gov/mali/",
                    "related_link",
                    "Mali page",
                    "Mali page",
                ),
            ],
        )

    def test_each_address_is_one_link_however_many_places_use_it(self):
        links = runs.record_uses(self.sheet)
        self.assertEqual(
            [link.url for link in links],
            [
                "https://archive.example.org/mali",
                "https://www.state.gov/mali/",
                "https://factsheets.example.gov/fact-sheets/niger/",
                "https://www.usaid.gov/mali",
            ],
        )
        self.assertEqual(Link.objects.count(), 4)
        state = Link.objects.get(url="https://www.state.gov/mali/")
        self.assertEqual(
            sorted(state.uses.values_list("place", "where")),
            [("related_link", "Mali page"), ("text", "Opening section")],
        )

    def test_recording_again_changes_nothing_and_follows_edits(self):
        runs.record_uses(self.sheet)
        before = sorted(LinkUse.objects.values_list("pk", "link__url", "where"))
        runs.record_uses(self.sheet)
        self.assertEqual(
            sorted(LinkUse.objects.values_list("pk", "link__url", "where")), before
        )

        self.sheet.related_links.filter(title="Mali page").update(
            url="https://www.state.gov/countries-areas/mali/"
        )
        sheet = FactSheet.objects.get(pk=self.sheet.pk)
        runs.record_uses(sheet)
        self.assertEqual(
            list(
                LinkUse.objects.filter(place="related_link").values_list(
                    "link__url", flat=True
                )
            ),
            ["https://www.state.gov/countries-areas/mali/"],
        )
        # The old address is still used in the text, so it stays, with one use.
        self.assertEqual(
            list(
                Link.objects.get(url="https://www.state.gov/mali/").uses.values_list(
                    "where", flat=True
                )
            ),
            ["Opening section"],
        )

    def test_a_link_nothing_uses_is_forgotten_by_the_scheduled_run(self):
        runs.record_uses(self.sheet)
        orphan = Link.objects.create(url="https://old.example.org/")
        Link.objects.filter(pk=orphan.pk).update(created_at="2020-01-01T00:00Z")
        runs.forget_unused()
        self.assertFalse(Link.objects.filter(pk=orphan.pk).exists())
        self.assertEqual(Link.objects.count(), 4)
