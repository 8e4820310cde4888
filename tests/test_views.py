import datetime

from django.contrib.auth.models import User
from django.test import RequestFactory, TestCase
from django.urls import reverse

from factsheets.models import FactSheet
from factsheets.views import server_error
from tests.factories import (
    make_assistance_line,
    make_bureau,
    make_country,
    make_factsheet,
    make_full_factsheet,
    make_official,
    make_related_link,
    make_section,
)


class FactSheetDetailViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.bureau = make_bureau(
            name="Bureau of African Affairs", slug="african-affairs"
        )
        cls.country = make_country(name="Mali", slug="mali", bureau=cls.bureau)
        cls.sheet = make_factsheet(
            country=cls.country, lead="More information about Mali is available."
        )
        make_section(cls.sheet, heading="", body="<p>Opening words.</p>", position=0)
        make_section(cls.sheet, heading="Bilateral Representation", position=2)
        make_section(cls.sheet, heading="U.S. Assistance to Mali", position=1)
        make_assistance_line(
            cls.sheet,
            fiscal_year=2016,
            fiscal_year_end=2020,
            amount_usd=690_000_000,
            kind="planned",
            agency="USAID",
        )
        make_official(
            cls.sheet, role="U.S. Ambassador to Mali", name="Paul A. Folmsbee"
        )
        make_related_link(
            cls.sheet, title="USAID Mali Page", url="https://www.usaid.gov/mali"
        )
        make_related_link(cls.sheet, title="Another sheet", url="/fact-sheets/niger/")

    def get(self):
        return self.client.get("/fact-sheets/mali/")

    def test_renders_the_sheet(self):
        response = self.get()
        self.assertContains(
            response,
            '<h1 id="factsheet-title" class="factsheet__title">U.S. Relations With Mali</h1>',
            html=True,
        )
        self.assertContains(
            response,
            '<time class="factsheet__date" datetime="2015-10-15">October 15, 2015</time>',
            html=True,
        )
        self.assertContains(response, "Bureau of African Affairs")
        self.assertContains(
            response, '<span class="factsheet__kind">Fact Sheet</span>', html=True
        )
        self.assertContains(response, "More information about Mali is available.")
        self.assertContains(response, "<p>Opening words.</p>", html=True)

    def test_masthead_comes_from_settings(self):
        with self.settings(
            DEPARTMENT_NAME="Ministry of Foreign Affairs", DEPARTMENT_TAGLINE="Together"
        ):
            response = self.get()
        self.assertContains(
            response,
            '<span class="masthead__name">Ministry of Foreign Affairs</span>',
            html=True,
        )
        self.assertContains(response, "Together")
        self.assertNotContains(response, "Diplomacy in Action")

    def test_sections_are_in_position_order_with_anchors_and_contents(self):
        content = self.get().content.decode()
        self.assertLess(
            content.index('id="us-assistance-to-mali"'),
            content.index('id="bilateral-representation"'),
        )
        self.assertInHTML(
            '<a href="#us-assistance-to-mali">U.S. Assistance to Mali</a>', content
        )
        self.assertInHTML(
            '<a href="#bilateral-representation">Bilateral Representation</a>', content
        )

    def test_one_h1(self):
        self.assertEqual(self.get().content.decode().count("<h1"), 1)

    def test_assistance_table_and_officials(self):
        response = self.get()
        self.assertContains(response, '<th scope="col">Fiscal year</th>', html=True)
        self.assertContains(response, '<th scope="row">FY 2016-2020</th>', html=True)
        self.assertContains(
            response, '<data value="690000000.00">$690 million</data>', html=True
        )
        self.assertContains(response, "<td>Planned</td>", html=True)
        self.assertContains(response, "<dt>U.S. Ambassador to Mali</dt>", html=True)
        self.assertContains(response, "<dd>Paul A. Folmsbee</dd>", html=True)

    def test_related_links_are_links_with_their_address_for_print(self):
        response = self.get()
        self.assertContains(
            response,
            '<a href="https://www.usaid.gov/mali">USAID Mali Page</a>',
            html=True,
        )
        self.assertContains(
            response, '<a href="/fact-sheets/niger/">Another sheet</a>', html=True
        )
        self.assertContains(response, "http://testserver/fact-sheets/niger/")
        self.assertContains(response, '<a href="#top">Back to Top</a>', html=True)

    def test_print_stylesheet_and_script_are_linked(self):
        response = self.get()
        self.assertContains(
            response,
            '<link rel="stylesheet" href="/static/css/print.css" media="print">',
            html=True,
        )
        self.assertContains(
            response, '<script src="/static/js/print.js" defer></script>', html=True
        )
        self.assertContains(response, "data-print hidden")
        self.assertContains(response, 'content: "U.S. Relations With Mali"')

    def test_title_in_the_print_margin_cannot_break_out_of_its_style(self):
        sheet = make_factsheet(title='Say "hi" </style><script>')
        response = self.client.get(sheet.get_absolute_url())
        self.assertContains(
            response, 'content: "Say \\22 hi\\22  \\3c \\2f style\\3e \\3c script\\3e "'
        )
        self.assertNotContains(response, "<script>")

    def test_query_count_does_not_grow_with_children(self):
        small = make_full_factsheet(children=1)
        large = make_full_factsheet(children=40)
        for sheet in (small, large):
            with (
                self.subTest(children=sheet.sections.count()),
                self.assertNumQueries(5),
            ):
                response = self.client.get(sheet.get_absolute_url())
            self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.client.get(large.get_absolute_url())
            .content.decode()
            .count('class="related-links__item"'),
            40,
        )

    def test_other_values_are_escaped(self):
        sheet = make_factsheet(title="<script>alert(1)</script>", lead="<b>lead</b>")
        response = self.client.get(sheet.get_absolute_url())
        self.assertNotContains(response, "<script>alert(1)")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(response, "&lt;b&gt;lead&lt;/b&gt;")


class PublishingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.country = make_country(slug="mali")
        cls.old = make_factsheet(
            country=cls.country,
            title="Old edition",
            issued_on=datetime.date(2012, 1, 1),
        )
        cls.current = make_factsheet(
            country=cls.country,
            title="Current edition",
            issued_on=datetime.date(2015, 10, 15),
        )
        cls.draft = make_factsheet(
            country=cls.country,
            title="Draft edition",
            issued_on=datetime.date(2016, 1, 1),
            status=FactSheet.Status.DRAFT,
        )
        cls.staff = User.objects.create_user("editor", password="pw", is_staff=True)

    def test_the_current_sheet_is_the_newest_published(self):
        response = self.client.get("/fact-sheets/mali/")
        self.assertContains(response, "Current edition")
        self.assertNotContains(response, "Old edition")
        self.assertNotContains(response, "Draft edition")

    def test_a_country_with_only_drafts_answers_404(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT)
        response = self.client.get(sheet.get_absolute_url())
        self.assertEqual(response.status_code, 404)

    def test_unknown_country_answers_a_styled_404(self):
        response = self.client.get("/fact-sheets/atlantis/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, "Skip to main content", status_code=404)

    def test_preview_shows_drafts_to_staff_uncached(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.draft.get_preview_url())
        self.assertContains(response, "Draft edition")
        self.assertContains(response, "the public cannot see this sheet")
        self.assertIn("no-cache", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])

    def test_preview_is_not_for_the_public(self):
        response = self.client.get(self.draft.get_preview_url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class HomeViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.af = make_bureau(name="Bureau of African Affairs", slug="african-affairs")
        cls.wha = make_bureau(name="Bureau of Western Hemisphere Affairs", slug="wha")
        make_factsheet(
            country=make_country(name="Niger", bureau=cls.af),
            issued_on=datetime.date(2014, 3, 1),
        )
        mali = make_country(name="Mali", slug="mali", bureau=cls.af)
        make_factsheet(country=mali, issued_on=datetime.date(2012, 1, 1))
        make_factsheet(country=mali, issued_on=datetime.date(2015, 10, 15))
        make_factsheet(
            country=mali,
            issued_on=datetime.date(2016, 1, 1),
            status=FactSheet.Status.DRAFT,
        )
        make_factsheet(
            country=make_country(name="Chile", bureau=cls.wha),
            status=FactSheet.Status.DRAFT,
        )

    def test_lists_countries_with_a_published_sheet_a_to_z_with_the_current_date(self):
        response = self.client.get("/")
        self.assertEqual(
            [c.name for c in response.context["countries"]], ["Mali", "Niger"]
        )
        self.assertContains(
            response, '<a href="/fact-sheets/mali/">Mali</a>', html=True
        )
        self.assertContains(
            response, '<time datetime="2015-10-15">October 15, 2015</time>', html=True
        )
        self.assertNotContains(response, "Chile")

    def test_lists_bureaus_with_their_published_sheet_counts(self):
        response = self.client.get("/")
        self.assertContains(
            response,
            '<a href="/bureaus/african-affairs/">Bureau of African Affairs</a>',
            html=True,
        )
        self.assertContains(
            response, '<span class="bureau-list__count">2 sheets</span>', html=True
        )
        self.assertContains(
            response, '<span class="bureau-list__count">0 sheets</span>', html=True
        )

    def test_lists_recently_updated_published_sheets(self):
        recent = self.client.get("/").context["recent_factsheets"]
        self.assertTrue(recent)
        self.assertTrue(all(sheet.is_published for sheet in recent))

    def test_query_count(self):
        with self.assertNumQueries(3):
            self.client.get("/")

    def test_bureau_page_lists_its_countries(self):
        response = self.client.get(
            reverse("factsheets:bureau", args=["african-affairs"])
        )
        self.assertEqual(
            [c.name for c in response.context["countries"]], ["Mali", "Niger"]
        )
        self.assertContains(response, "<h1>Bureau of African Affairs</h1>", html=True)
        self.assertEqual(self.client.get("/bureaus/nowhere/").status_code, 404)


class FaviconTests(TestCase):
    def test_favicon_redirects_to_the_seal(self):
        response = self.client.get("/favicon.ico")
        self.assertRedirects(
            response,
            "/static/img/seal.svg",
            status_code=301,
            fetch_redirect_response=False,
        )


class ServerErrorTests(TestCase):
    def test_server_error_page_is_styled(self):
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Something went wrong", response.content)
        self.assertIn(b"U.S. Department of State", response.content)

    def test_server_error_falls_back_when_rendering_fails(self):
        from unittest import mock

        with mock.patch("factsheets.views.render", side_effect=RuntimeError("db down")):
            response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Server error", response.content)
        self.assertNotIn(b"db down", response.content)
