"""/key-officers/: the officials of all current sheets, by bureau and country."""

import datetime
import re

from django.test import TestCase
from django.utils import timezone

from factsheets.models import FactSheet
from tests.helpers.factories import (
    make_bureau,
    make_country,
    make_factsheet,
    make_official,
    make_section,
)
from tests.helpers.page_cache import count_queries


class KeyOfficersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.africa = make_bureau(
            name="Bureau of African Affairs", slug="african-affairs"
        )
        cls.americas = make_bureau(
            name="Bureau of Western Hemisphere Affairs", slug="western-hemisphere"
        )
        niger = make_factsheet(
            country=make_country(name="Niger", slug="niger", bureau=cls.africa)
        )
        make_official(niger, role="U.S. Ambassador to Niger", name="N. Envoy")
        mali = make_factsheet(
            country=make_country(name="Mali", slug="mali", bureau=cls.africa),
            issued_on=datetime.date(2015, 10, 15),
        )
        make_official(mali, role="U.S. Ambassador to Mali", name="Paul A. Folmsbee")
        make_official(mali, role="Deputy Chief of Mission", name="D. Deputy")
        peru = make_factsheet(
            country=make_country(name="Peru", slug="peru", bureau=cls.americas)
        )
        make_official(peru, role="U.S. Ambassador to Peru", name="P. Envoy")
        # A sheet counts under the bureau printed on it, not the country's bureau now.
        make_factsheet(
            country=make_country(name="Belize", slug="belize", bureau=cls.africa),
            bureau=cls.americas,
        )
        # Not current: none of these officials may be listed.
        old_mali = make_factsheet(
            country=FactSheet.objects.get(pk=mali.pk).country,
            issued_on=datetime.date(2012, 1, 1),
        )
        make_official(old_mali, role="U.S. Ambassador to Mali", name="Old Ambassador")
        draft = make_factsheet(
            country=make_country(name="Draftland", bureau=cls.africa),
            status=FactSheet.Status.DRAFT,
        )
        make_official(draft, name="Draft Official")
        scheduled = make_factsheet(
            country=make_country(name="Laterland", bureau=cls.americas)
        )
        FactSheet.objects.filter(pk=scheduled.pk).update(
            publish_at=timezone.now() + datetime.timedelta(days=1)
        )
        make_official(scheduled, name="Scheduled Official")

    def outline(self, response):
        """Headings and officials in page order: ("h2", text), ("h3", text), ("dt", ...)."""
        html = response.content.decode()
        html = html[html.index("<h1>") :]
        return [
            (tag, re.sub(r"<[^>]+>", "", text).strip())
            for tag, text in re.findall(
                r"<(h2|h3|dt|dd|p class=\"key-officers__none\")[^>]*>(.*?)</",
                html,
                re.S,
            )
        ]

    def test_lists_the_officials_of_current_sheets_by_bureau_then_country(self):
        response = self.client.get("/key-officers/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.outline(response),
            [
                ("h2", "Bureau of African Affairs"),
                ("h3", "Mali"),
                ("dt", "U.S. Ambassador to Mali"),
                ("dd", "Paul A. Folmsbee"),
                ("dt", "Deputy Chief of Mission"),
                ("dd", "D. Deputy"),
                ("h3", "Niger"),
                ("dt", "U.S. Ambassador to Niger"),
                ("dd", "N. Envoy"),
                ("h2", "Bureau of Western Hemisphere Affairs"),
                ("h3", "Belize"),
                (
                    'p class="key-officers__none"',
                    "No officials are named on this sheet.",
                ),
                ("h3", "Peru"),
                ("dt", "U.S. Ambassador to Peru"),
                ("dd", "P. Envoy"),
            ],
        )
        for name in ("Old Ambassador", "Draft Official", "Scheduled Official"):
            self.assertNotContains(response, name)

    def test_each_country_links_to_its_sheet_under_an_id_of_its_slug(self):
        response = self.client.get("/key-officers/")
        self.assertContains(
            response,
            '<h3 id="mali" class="key-officers__country"><a href="/fact-sheets/mali/">Mali</a></h3>',
            html=True,
        )
        self.assertContains(
            response,
            '<h2 id="bureau-african-affairs">Bureau of African Affairs</h2>',
            html=True,
        )
        self.assertContains(response, 'href="#bureau-western-hemisphere"')

    def test_a_sheets_officials_link_to_its_entry(self):
        mali = FactSheet.objects.current().get(country__slug="mali")
        make_section(mali, heading="Bilateral Representation")
        response = self.client.get("/fact-sheets/mali/")
        self.assertContains(
            response,
            '<p class="officials__all"><a href="/key-officers/#mali">All key officers</a></p>',
            html=True,
        )
        self.assertContains(self.client.get("/key-officers/"), 'id="mali"')

    def test_no_sheets(self):
        FactSheet.objects.all().delete()
        response = self.client.get("/key-officers/")
        self.assertContains(response, "No fact sheets have been published yet.")

    def test_queries_do_not_grow_with_the_sheets(self):
        FactSheet.objects.all().delete()

        def add(count):
            for n in range(count):
                bureau = self.africa if n % 2 else self.americas
                sheet = make_factsheet(country=make_country(bureau=bureau))
                make_official(sheet)
                make_official(sheet)

        add(3)
        few = count_queries(self.client, "/key-officers/")
        add(57)
        many = count_queries(self.client, "/key-officers/")
        self.assertEqual(FactSheet.objects.current().count(), 60)
        self.assertEqual(many, few)
        self.assertLessEqual(few, 2)
