import datetime
import html
import re

from django.test import RequestFactory, TestCase
from django.urls import reverse

from factsheets.models import FactSheet
from operations.views import server_error
from tests.helpers.factories import (
    make_assistance_line,
    make_bureau,
    make_country,
    make_factsheet,
    make_full_factsheet,
    make_official,
    make_related_link,
    make_section,
    make_user,
)
from tests.helpers.page_cache import empty_cache


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
            year=2016,
            year_end=2020,
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
            url = sheet.get_absolute_url()
            empty_cache()
            # From nothing kept: the current sheets (which says which is this
            # country's, and which it links to: its bureau's, the previous and next),
            # the sheet, its four kinds of rows, its change notes, its editions.
            with (
                self.subTest(children=sheet.sections.count()),
                self.assertNumQueries(8),
            ):
                response = self.client.get(url)
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


def ids_and_targets(page):
    """Every id on `page`, and every in-page link's target."""
    return re.findall(r'\sid="([^"]*)"', page), re.findall(r'href="#([^"]*)"', page)


class SheetPartsTests(TestCase):
    """Where the notice, the assistance table and the officials go, and the anchors."""

    def sheet(self, *headings, **kwargs):
        country = make_country(name="The Gambia", sentence_name="the Gambia")
        sheet = make_factsheet(country=country, **kwargs)
        for position, heading in enumerate(headings):
            make_section(sheet, heading=heading, position=position)
        return sheet

    def page(self, sheet):
        response = self.client.get(sheet.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def section_of(self, page, text):
        """The heading of the section in which `text` stands, or None outside any."""
        at = page.index(text)
        opened = page.rfind('<section class="factsheet__section"', 0, at)
        closed = page.rfind("</section>", 0, at)
        if opened < closed or opened == -1:
            return None
        return re.search(r"<h2[^>]*>([^<]*)</h2>", page[opened:]).group(1)

    def test_table_ends_the_assistance_section_and_officials_the_representation(self):
        sheet = self.sheet(
            "",
            "U.S. Security Assistance to the Gambia",
            "Bilateral Economic Relations",
            "Bilateral Representation",
        )
        make_assistance_line(sheet, qualifier="more than", amount_usd="135400000")
        make_official(sheet, role="U.S. Ambassador to the Gambia", name="A. Diplomat")
        page = self.page(sheet)
        self.assertEqual(
            self.section_of(page, 'class="assistance-table"'),
            "U.S. Security Assistance to the Gambia",
        )
        self.assertEqual(
            self.section_of(page, "<dd>A. Diplomat</dd>"), "Bilateral Representation"
        )
        self.assertNotIn('id="key-facts"', page)
        self.assertNotIn("Key facts", page)
        self.assertInHTML(
            '<caption id="assistance-caption">U.S. assistance to the Gambia</caption>',
            page,
        )
        self.assertInHTML(
            '<data value="135400000.00">more than $135.4 million</data>', page
        )

    def test_headings_in_capitals_are_found_too(self):
        sheet = self.sheet("U.S. ASSISTANCE TO THE GAMBIA", "BILATERAL REPRESENTATION")
        make_assistance_line(sheet)
        make_official(sheet)
        page = self.page(sheet)
        self.assertEqual(
            self.section_of(page, 'class="assistance-table"'),
            "U.S. ASSISTANCE TO THE GAMBIA",
        )
        self.assertEqual(
            self.section_of(page, 'class="officials"'), "BILATERAL REPRESENTATION"
        )

    def test_the_section_the_editor_ticks_wins(self):
        sheet = self.sheet("U.S. Assistance to the Gambia", "Bilateral Representation")
        chosen = make_section(sheet, heading="Development", position=9)
        chosen.shows_assistance = chosen.shows_officials = True
        chosen.save()
        make_assistance_line(sheet)
        make_official(sheet)
        page = self.page(sheet)
        self.assertEqual(
            self.section_of(page, 'class="assistance-table"'), "Development"
        )
        self.assertEqual(self.section_of(page, 'class="officials"'), "Development")

    def test_key_facts_is_the_fallback_and_takes_only_what_no_section_took(self):
        sheet = self.sheet("", "History", "Bilateral Representation")
        make_assistance_line(sheet)
        make_official(sheet)
        page = self.page(sheet)
        self.assertEqual(self.section_of(page, "<dd>"), "Bilateral Representation")
        facts = page[page.index('id="key-facts"') : page.index("back-to-top")]
        self.assertIn('class="assistance-table"', facts)
        self.assertNotIn("<dd>", facts)
        self.assertInHTML('<li><a href="#key-facts">Key facts</a></li>', page)

    def test_several_officials_are_a_labelled_list_and_one_is_a_line(self):
        sheet = self.sheet("Bilateral Representation")
        make_official(sheet, role="U.S. Ambassador", name="A. Diplomat")
        page = self.page(sheet)
        self.assertNotIn("Principal U.S. officials", page)
        self.assertInHTML(
            '<div class="officials"><dl class="officials__list"><div '
            'class="officials__row"><dt>U.S. Ambassador</dt><dd>A. Diplomat</dd></div>'
            "</dl></div>",
            page,
        )
        make_official(sheet, role="Deputy Chief of Mission", name="B. Deputy")
        page = self.page(sheet)
        self.assertInHTML(
            '<h3 class="officials__heading">Principal U.S. officials</h3>', page
        )
        self.assertLess(page.index("A. Diplomat"), page.index("B. Deputy"))

    def test_period_forms_and_the_column_heading(self):
        cases = [
            ([("fiscal", 2014, None)], "Fiscal year", ["FY 2014"]),
            ([("calendar", 2017, None)], "Year", ["2017"]),
            (
                [("fiscal", 2016, 2020), ("calendar", 2019, None)],
                "Year",
                ["FY 2016-2020", "2019"],
            ),
            (
                [("fiscal", 2014, None), ("none", None, None)],
                "Period",
                ["FY 2014", "Total to date"],
            ),
        ]
        for lines, heading, labels in cases:
            with self.subTest(heading=heading, labels=labels):
                sheet = make_factsheet()
                for period, year, year_end in lines:
                    make_assistance_line(
                        sheet, period=period, year=year, year_end=year_end
                    )
                page = self.page(sheet)
                self.assertInHTML(f'<th scope="col">{heading}</th>', page)
                for label in labels:
                    self.assertInHTML(f'<th scope="row">{label}</th>', page)

    def test_amounts_show_the_precision_entered(self):
        sheet = make_factsheet()
        for amount in ["2375000000", "4125000000", "999995000", "80000"]:
            make_assistance_line(sheet, amount_usd=amount)
        page = self.page(sheet)
        for label in [
            "$2.375 billion",
            "$4.125 billion",
            "$999.995 million",
            "$80,000",
        ]:
            self.assertIn(f">{label}</data>", page)

    def test_the_notice_is_above_the_lead_and_not_part_of_it(self):
        sheet = self.sheet(
            "History",
            lead="More information about the Gambia is available on the Gambia Page.",
            notice='<p>This series is no longer updated. See <a href="https://www.'
            'state.gov/u-s-relations-with-the-gambia/">the current sheet</a>.</p>',
        )
        page = self.page(sheet)
        self.assertInHTML(
            '<div class="factsheet__notice rich-text" role="note"><p>This series is no '
            'longer updated. See <a href="https://www.state.gov/u-s-relations-with-the'
            '-gambia/" rel="noopener noreferrer">the current sheet</a>.</p></div>',
            page,
        )
        self.assertLess(page.index("factsheet__notice"), page.index("factsheet__lead"))
        lead = re.search(r'<p class="factsheet__lead">(.*?)</p>', page).group(1)
        self.assertNotIn("no longer updated", lead)

    def test_anchors_are_unique_and_non_empty(self):
        headings = [
            "Key Facts",
            "More Information",
            "Main",
            "Top",
            "Отношения с США",
            "Отношения с США!",
            "关系",
            "!!!",
            "U.S.-Gambia Relations",
            "U.S. Gambia Relations",
        ]
        sheet = self.sheet("", *headings)
        make_assistance_line(sheet)
        make_official(sheet)
        make_related_link(sheet)
        page = self.page(sheet)
        ids, targets = ids_and_targets(page)
        self.assertEqual(len(ids), len(set(ids)), sorted(ids))
        self.assertNotIn("", ids)
        self.assertIn("key-facts", ids)
        for target in targets:
            self.assertIn(target, ids)
        # Every heading's link in the contents leads to that heading.
        for heading in headings:
            href = re.search(
                rf'<a href="#([^"]+)">{re.escape(html.escape(heading))}</a>', page
            )
            self.assertIsNotNone(href, heading)
            self.assertIn(f'<h2 id="{href.group(1)}">', page)

    def test_a_sheet_without_an_issue_date_can_be_previewed(self):
        sheet = make_factsheet(issued_on=None, status=FactSheet.Status.DRAFT)
        self.client.force_login(make_user("e", "Editors"))
        response = self.client.get(sheet.get_preview_url())
        self.assertContains(response, "No issue date yet")


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
        cls.staff = make_user("editor", "Editors")

    def test_the_current_sheet_is_the_newest_published(self):
        response = self.client.get("/fact-sheets/mali/")
        self.assertContains(response, "Current edition")
        self.assertNotContains(response, "Old edition")
        self.assertNotContains(response, "Draft edition")

    def test_a_country_with_only_drafts_answers_404(self):
        sheet = make_factsheet(status=FactSheet.Status.DRAFT)
        response = self.client.get(sheet.country.get_absolute_url())
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

    def test_preview_needs_the_permission_to_view_sheets(self):
        self.client.force_login(make_user("clerk"))
        response = self.client.get(self.draft.get_preview_url())
        self.assertEqual(response.status_code, 403)
        self.assertNotContains(response, "Draft edition", status_code=403)

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
            [s.country.name for s in response.context["factsheets"]], ["Mali", "Niger"]
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
        # A bureau with nothing published is not listed as if it were content.
        self.assertNotContains(response, "Bureau of Western Hemisphere Affairs")
        self.assertNotContains(response, "0 sheets")

    def test_lists_recently_updated_current_sheets_only(self):
        # The 2012 Mali sheet is edited last, but the 2015 one is current.
        old = FactSheet.objects.get(issued_on=datetime.date(2012, 1, 1))
        old.lead = "A correction to an old edition."
        old.save()
        recent = self.client.get("/").context["recent_factsheets"]
        self.assertEqual(
            [(s.country.name, s.issued_on.year) for s in recent],
            [("Mali", 2015), ("Niger", 2014)],
        )

    def test_query_count(self):
        # The current sheets with their countries and bureaus, in one query.
        with self.assertNumQueries(1):
            self.client.get("/")

    def test_bureau_page_lists_its_countries(self):
        response = self.client.get(
            reverse("factsheets:bureau", args=["african-affairs"])
        )
        self.assertEqual(
            [s.country.name for s in response.context["factsheets"]], ["Mali", "Niger"]
        )
        self.assertContains(response, "<h1>Bureau of African Affairs</h1>", html=True)
        self.assertEqual(self.client.get("/bureaus/nowhere/").status_code, 404)


class BureauRuleTests(TestCase):
    """A sheet belongs to the bureau printed on it, on every page that lists it."""

    @classmethod
    def setUpTestData(cls):
        cls.af = make_bureau(name="Bureau of African Affairs", slug="af")
        cls.nea = make_bureau(name="Bureau of Near Eastern Affairs", slug="nea")
        # Printed by NEA although the country is AF's today.
        cls.sheet = make_factsheet(
            country=make_country(name="Sudan", slug="sudan", bureau=cls.af),
            bureau=cls.nea,
        )

    def test_the_sheet_is_on_the_page_of_the_bureau_printed_on_it(self):
        nea = self.client.get(self.nea.get_absolute_url())
        af = self.client.get(self.af.get_absolute_url())
        self.assertEqual([s.pk for s in nea.context["factsheets"]], [self.sheet.pk])
        self.assertEqual(list(af.context["factsheets"]), [])

    def test_home_counts_it_for_that_bureau_and_the_sheet_links_there(self):
        home = self.client.get("/")
        counts = {b.slug: b.sheet_count for b in home.context["bureaus"]}
        self.assertEqual(counts, {"nea": 1})
        page = self.client.get(self.sheet.get_absolute_url())
        self.assertContains(
            page,
            '<a class="factsheet__bureau" href="/bureaus/nea/">Bureau of Near Eastern '
            "Affairs</a>",
            html=True,
        )

    def test_a_new_sheet_takes_the_country_bureau(self):
        sheet = make_factsheet(country=make_country(bureau=self.af))
        self.assertEqual(sheet.bureau, self.af)


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

        with mock.patch("operations.views.render", side_effect=RuntimeError("db down")):
            response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Server error", response.content)
        self.assertNotIn(b"db down", response.content)
