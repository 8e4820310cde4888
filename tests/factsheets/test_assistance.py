"""Assistance figures: the sheet's chart, /assistance/ and /assistance.csv, and the
printed-from line with its QR code."""

import csv
import datetime
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone
from django.utils.formats import date_format

from factsheets import sheet_operations
from factsheets.assistance import total_qualifier
from factsheets.charts import WIDTH, Figure, bar_chart, sheet_chart
from factsheets.models import AssistanceLine, FactSheet
from factsheets.templatetags.qr_tags import qr_code
from tests.helpers.factories import (
    make_assistance_line,
    make_bureau,
    make_country,
    make_factsheet,
    make_section,
    make_user,
)
from tests.helpers.page_cache import count_queries

SVG = re.compile(r'<svg class="assistance-chart__svg".*?</svg>', re.S)
PRINTED_FROM = re.compile(r'<div class="printed-from print-only">.*?</div>', re.S)


def chart_of(response):
    """The page's chart, parsed as XML (it is written well-formed), or None."""
    match = SVG.search(response.content.decode())
    return ET.fromstring(match.group()) if match else None


def bars(svg):
    return [
        g.find("rect")
        for g in svg.findall("g")
        if "assistance-chart__bar" in g.get("class")
    ]


def texts(element):
    return ["".join(t.itertext()) for t in element.iter("text")]


def add_sheets(count, bureau, **line):
    """`count` current sheets of new countries in `bureau`, each with two lines."""
    for _ in range(count):
        sheet = make_factsheet(country=make_country(bureau=bureau), bureau=bureau)
        make_assistance_line(sheet, year=2014, amount_usd="1000000.10", **line)
        make_assistance_line(sheet, year=2015, amount_usd="2", kind="requested")


class MaliChartTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def setUp(self):
        self.response = self.client.get("/fact-sheets/mali/")
        self.svg = chart_of(self.response)

    def test_the_chart_has_a_bar_per_line_in_year_order_with_its_label(self):
        self.assertIsNotNone(self.svg)
        self.assertEqual(
            texts(self.svg)[3:],
            [
                "FY 2014: more than $135.4 million (actual)",
                "FY 2015: $130 million (requested)",
                "FY 2016-2020: $690 million (planned)",
            ],
        )
        self.assertEqual(len(bars(self.svg)), 3)
        # The largest figure fills the width; the others are in proportion.
        widths = [float(bar.get("width")) for bar in bars(self.svg)]
        self.assertEqual(widths[2], WIDTH - 2)
        self.assertAlmostEqual(widths[0], (WIDTH - 2) * 135.4 / 690, places=0)

    def test_kinds_are_told_apart_by_pattern_and_legend_not_by_colour(self):
        patterns = {p.get("id"): p for p in self.svg.iter("pattern")}
        self.assertEqual(
            set(patterns),
            {
                "assistance-chart-actual",
                "assistance-chart-requested",
                "assistance-chart-planned",
            },
        )
        # Hatched and dotted, drawn in the text colour: black on paper.
        self.assertIsNotNone(patterns["assistance-chart-requested"].find("line"))
        self.assertIsNotNone(patterns["assistance-chart-planned"].find("circle"))
        fills = [rect.get("fill") for rect in bars(self.svg)]
        self.assertEqual(
            fills,
            [
                "url(#assistance-chart-actual)",
                "url(#assistance-chart-requested)",
                "url(#assistance-chart-planned)",
            ],
        )
        legend = self.svg.find("./g[@class='assistance-chart__legend']")
        self.assertEqual(texts(legend), ["Actual", "Requested", "Planned"])
        self.assertEqual(
            [rect.get("fill") for rect in legend.iter("rect")],
            fills,
        )
        colours = {
            el.get(attr)
            for el in self.svg.iter()
            for attr in ("fill", "stroke")
            if el.get(attr) and not el.get(attr).startswith("url(")
        }
        self.assertEqual(colours, {"currentColor", "#fff"})

    def test_the_chart_is_an_image_named_by_its_title_and_description(self):
        self.assertEqual(self.svg.get("role"), "img")
        self.assertEqual(
            self.svg.get("aria-labelledby"),
            "assistance-chart-title assistance-chart-desc",
        )
        self.assertEqual(
            self.svg.find("title").text, "Bar chart: U.S. assistance to Mali, by year"
        )
        description = self.svg.find("desc").text
        self.assertIn("FY 2014: more than $135.4 million (actual).", description)
        self.assertIn("FY 2016-2020: $690 million (planned).", description)
        self.assertRegex(self.svg.get("viewBox"), rf"^0 0 {WIDTH} \d+$")
        self.assertNotIn("width", self.svg.attrib)

    def test_the_table_stays_before_the_chart(self):
        html = self.response.content.decode()
        self.assertLess(
            html.index('class="assistance-table"'), html.index("assistance-chart__svg")
        )
        self.assertContains(
            self.response, '<data value="135400000.00">more than $135.4 million</data>'
        )


class ChartTests(TestCase):
    def figure(self, period_key, amount, kind="actual", label=None):
        return Figure(
            period_key=period_key,
            period_label=label or str(period_key),
            kind=kind,
            amount=Decimal(amount),
            amount_text=f"${amount}",
        )

    def test_no_chart_for_none_or_one_figure(self):
        self.assertIsNone(sheet_chart([], "U.S. assistance to X"))
        self.assertIsNone(bar_chart([self.figure((0, 2014, 2014, 0), 5)], "c", "C"))
        self.assertIsNotNone(
            bar_chart([self.figure((0, 2014, 2014, 0), 5)], "c", "C", min_bars=1)
        )

    def test_years_then_ranges_then_amounts_with_no_period(self):
        sheet = make_factsheet()
        for period, year, year_end in [
            ("none", None, None),
            ("fiscal", 2016, 2020),
            ("calendar", 2017, None),
            ("fiscal", 2014, None),
            ("fiscal", 2017, None),
        ]:
            make_assistance_line(sheet, period=period, year=year, year_end=year_end)
        chart = sheet_chart(sheet.assistance_lines.all(), "U.S. assistance")
        self.assertEqual(
            [bar.figure.period_label for bar in chart.bars],
            ["FY 2014", "FY 2017", "2017", "FY 2016-2020", "Total to date"],
        )
        steps = [b.y - a.y for a, b in zip(chart.bars, chart.bars[1:], strict=False)]
        # A gap before the range and before the amount with no period.
        self.assertEqual(steps[0], steps[1])
        self.assertGreater(steps[2], steps[1])
        self.assertGreater(steps[3], steps[1])
        self.assertGreater(chart.height, chart.bars[-1].y)

    def test_zero_amounts_have_no_bar_and_small_ones_stay_visible(self):
        chart = bar_chart(
            [
                self.figure((0, 2014, 2014, 0), 0),
                self.figure((0, 2015, 2015, 0), "0.01"),
                self.figure((0, 2016, 2016, 0), 10**9),
            ],
            "c",
            "C",
        )
        self.assertEqual([bar.width for bar in chart.bars], [0.0, 2.0, WIDTH - 2])
        all_zero = bar_chart(
            [self.figure((0, 2014, 2014, 0), 0), self.figure((0, 2015, 2015, 0), 0)],
            "c",
            "C",
        )
        self.assertEqual([bar.width for bar in all_zero.bars], [0.0, 0.0])

    def test_a_sheet_with_one_line_has_its_table_and_no_chart(self):
        sheet = make_factsheet(country=make_country(slug="solo"))
        make_section(sheet, heading="U.S. Assistance to Solo")
        make_assistance_line(sheet, period="none", year=None, amount_usd="5")
        response = self.client.get("/fact-sheets/solo/")
        self.assertContains(response, 'class="assistance-table"')
        self.assertContains(response, "Total to date")
        self.assertNotContains(response, "assistance-chart__svg")

    def test_a_sheet_with_no_lines_has_neither(self):
        sheet = make_factsheet(country=make_country(slug="none-at-all"))
        make_section(sheet, heading="U.S. Assistance")
        response = self.client.get("/fact-sheets/none-at-all/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "assistance-table")
        self.assertNotContains(response, "assistance-chart")


class TotalQualifierTests(TestCase):
    def test_one_amount_keeps_its_words(self):
        self.assertEqual(total_qualifier(["nearly"]), "nearly")
        self.assertEqual(total_qualifier([""]), "")

    def test_a_total_is_a_bound_only_when_all_its_parts_agree(self):
        self.assertEqual(total_qualifier(["", ""]), "")
        self.assertEqual(total_qualifier(["more than", ""]), "at least")
        self.assertEqual(total_qualifier(["more than", "at least", ""]), "at least")
        self.assertEqual(total_qualifier(["nearly", "up to"]), "up to")
        self.assertEqual(total_qualifier(["more than", "nearly"]), "about")
        self.assertEqual(total_qualifier(["about", ""]), "about")


class OverviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.africa = make_bureau(name="Bureau of African Affairs", slug="af")
        cls.asia = make_bureau(name="Bureau of East Asian Affairs", slug="eap")
        cls.mali = make_country(name="Mali", slug="mali", bureau=cls.africa)
        cls.niger = make_country(name="Niger", slug="niger", bureau=cls.africa)
        cls.laos = make_country(name="Laos", slug="laos", bureau=cls.asia)
        mali = make_factsheet(country=cls.mali, issued_on=datetime.date(2015, 10, 15))
        make_assistance_line(
            mali, year=2014, qualifier="more than", amount_usd="135400000"
        )
        make_assistance_line(mali, year=2015, kind="requested", amount_usd="130000000")
        make_assistance_line(
            mali, year=2016, year_end=2020, kind="planned", amount_usd="690000000"
        )
        niger = make_factsheet(country=cls.niger, issued_on=datetime.date(2016, 1, 1))
        make_assistance_line(niger, year=2014, amount_usd="0.10", agency="USAID")
        make_assistance_line(niger, period="none", year=None, amount_usd="1000")
        laos = make_factsheet(country=cls.laos)
        make_assistance_line(laos, year=2014, amount_usd="50000000.25")
        make_assistance_line(laos, period="calendar", year=2014, amount_usd="7")
        # None of these is current: their figures must not count.
        old_mali = make_factsheet(country=cls.mali, issued_on=datetime.date(2012, 1, 1))
        make_assistance_line(old_mali, year=2014, amount_usd="999")
        draft = make_factsheet(
            country=make_country(name="Draftland", bureau=cls.africa),
            status=FactSheet.Status.DRAFT,
        )
        make_assistance_line(draft, year=2014, amount_usd="888")
        scheduled = make_factsheet(
            country=make_country(name="Laterland", bureau=cls.asia)
        )
        FactSheet.objects.filter(pk=scheduled.pk).update(
            publish_at=timezone.now() + datetime.timedelta(days=3)
        )
        make_assistance_line(scheduled, year=2014, amount_usd="777")
        expired = make_factsheet(country=make_country(name="Goneland", bureau=cls.asia))
        FactSheet.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - datetime.timedelta(days=1)
        )
        make_assistance_line(expired, year=2014, amount_usd="666")
        old_niger = make_factsheet(country=cls.niger)
        make_assistance_line(old_niger, year=2015, amount_usd="555")

    def table_rows(self, response):
        """Each row of the overview table as [header, cell, ...], with bureau rows."""
        html = response.content.decode()
        table = html[
            html.index('<table class="assistance-table assistance-overview">') :
        ]
        table = table[: table.index("</table>")]
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
        return rows

    def test_totals_by_bureau_period_and_kind_of_current_sheets_only(self):
        response = self.client.get("/assistance/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["sheet_count"], 3)
        self.assertEqual(
            self.table_rows(response),
            [
                ["Period", "Actual", "Requested", "Planned", "Countries"],
                ["Bureau of African Affairs"],
                ["FY 2014", "at least $135,400,000.10", "—", "—", "2"],
                ["FY 2015", "—", "$130 million", "—", "1"],
                ["FY 2016-2020", "—", "—", "$690 million", "1"],
                ["No year given", "$1,000", "—", "—", "1"],
                ["Bureau of East Asian Affairs"],
                ["FY 2014", "$50,000,000.25", "—", "—", "1"],
                ["2014", "$7", "—", "—", "1"],
                ["All bureaus"],
                ["FY 2014", "at least $185,400,000.35", "—", "—", "3"],
                ["2014", "$7", "—", "—", "1"],
                ["FY 2015", "—", "$130 million", "—", "1"],
                ["FY 2016-2020", "—", "—", "$690 million", "1"],
                ["No year given", "$1,000", "—", "—", "1"],
            ],
        )
        self.assertContains(
            response, '<data value="185400000.35">at least $185,400,000.35</data>'
        )
        for left_out in ("999", "888", "777", "666", "555"):
            self.assertNotContains(response, f"${left_out}")

    def test_the_chart_shows_the_totals_by_year_and_kind(self):
        response = self.client.get("/assistance/")
        svg = chart_of(response)
        self.assertEqual(svg.find("title").text[:11], "Bar chart: ")
        self.assertEqual(
            texts(svg)[3:],
            [
                "FY 2014: at least $185,400,000.35 (actual)",
                "2014: $7 (actual)",
                "FY 2015: $130 million (requested)",
                "FY 2016-2020: $690 million (planned)",
                "No year given: $1,000 (actual)",
            ],
        )
        self.assertEqual(
            texts(svg.find("./g[@class='assistance-chart__legend']")),
            ["Actual", "Requested", "Planned"],
        )

    def test_the_page_says_how_to_read_the_figures(self):
        response = self.client.get("/assistance/")
        self.assertContains(response, "How to read these figures")
        self.assertContains(response, "obligated")
        self.assertContains(response, "lower bound")
        self.assertContains(response, "Requested and planned amounts are not spending")
        self.assertContains(response, 'href="/assistance.csv"')

    def test_no_figures_at_all(self):
        AssistanceLine.objects.all().delete()
        response = self.client.get("/assistance/")
        self.assertContains(response, "No current fact sheet gives assistance figures.")
        self.assertNotContains(response, "assistance-chart__svg")

    def test_csv_text_is_never_read_as_a_formula(self):
        line = AssistanceLine.objects.get(agency="USAID")
        line.agency = '=HYPERLINK("http://attacker.example","USAID")'
        line.note = "@SUM(1+1)"
        line.save()
        rows = list(
            csv.DictReader(
                io.StringIO(self.client.get("/assistance.csv").content.decode())
            )
        )
        row = next(row for row in rows if "HYPERLINK" in row["agency"])
        self.assertEqual(
            row["agency"], '\'=HYPERLINK("http://attacker.example","USAID")'
        )
        self.assertEqual(row["note"], "'@SUM(1+1)")
        self.assertEqual(row["amount_usd"], "0.10")

    def test_csv_has_a_row_per_line_of_current_sheets_with_exact_amounts(self):
        response = self.client.get("/assistance.csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual(
            list(rows[0]),
            [
                "country",
                "bureau",
                "period",
                "year",
                "year_end",
                "kind",
                "qualifier",
                "amount_usd",
                "agency",
                "note",
                "sheet_issued_on",
                "sheet_url",
            ],
        )
        self.assertEqual(
            [(r["country"], r["amount_usd"]) for r in rows],
            [
                ("Laos", "50000000.25"),
                ("Laos", "7.00"),
                ("Mali", "135400000.00"),
                ("Mali", "130000000.00"),
                ("Mali", "690000000.00"),
                ("Niger", "0.10"),
                ("Niger", "1000.00"),
            ],
        )
        self.assertEqual(
            rows[2],
            {
                "country": "Mali",
                "bureau": "Bureau of African Affairs",
                "period": "fiscal",
                "year": "2014",
                "year_end": "",
                "kind": "actual",
                "qualifier": "more than",
                "amount_usd": "135400000.00",
                "agency": "",
                "note": "",
                "sheet_issued_on": "2015-10-15",
                "sheet_url": "http://testserver/fact-sheets/mali/",
            },
        )
        self.assertEqual(rows[4]["year_end"], "2020")
        self.assertEqual(rows[5]["sheet_issued_on"], "2016-01-01")
        self.assertEqual((rows[6]["period"], rows[6]["year"]), ("none", ""))
        self.assertEqual(
            sum(Decimal(r["amount_usd"]) for r in rows), Decimal("1005401007.35")
        )


class OverviewQueryTests(TestCase):
    def test_queries_do_not_grow_with_the_sheets(self):
        bureaus = [make_bureau(), make_bureau()]
        for url in ("/assistance/", "/assistance.csv"):
            with self.subTest(url=url):
                FactSheet.objects.all().delete()
                add_sheets(2, bureaus[0])
                add_sheets(1, bureaus[1], qualifier="more than")
                few = count_queries(self.client, url)
                add_sheets(30, bureaus[0])
                add_sheets(27, bureaus[1])
                self.assertEqual(FactSheet.objects.current().count(), 60)
                many = count_queries(self.client, url)
                self.assertEqual(many, few)
                self.assertLessEqual(few, 3)


class PrintedFromTests(TestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def test_the_sheet_ends_with_the_date_its_address_and_a_qr_code_on_paper(self):
        response = self.client.get("/fact-sheets/mali/")
        html = response.content.decode()
        block = PRINTED_FROM.search(html).group()
        today = timezone.localdate()
        self.assertIn(
            f'Printed <time datetime="{today:%Y-%m-%d}">'
            f"{date_format(today, 'F j, Y')}</time>. The current version is at "
            '<span class="printed-from__address">http://testserver/fact-sheets/mali/</span>',
            block,
        )
        self.assertIn('<span class="qr-code" aria-hidden="true"><svg viewBox=', block)
        # The last of the sheet's body, after the related links.
        self.assertGreater(html.index("printed-from"), html.index("more-information"))

    def test_a_superseded_edition_names_the_current_address(self):
        mali = FactSheet.objects.get()
        new = sheet_operations.new_edition(mali, datetime.date(2016, 5, 1), by=None)
        sheet_operations.publish(new, by=None)
        response = self.client.get("/fact-sheets/mali/2015-10-15/")
        self.assertContains(
            response,
            'The current version is at <span class="printed-from__address">'
            "http://testserver/fact-sheets/mali/</span>",
        )

    def test_a_preview_has_no_printed_from_line(self):
        self.client.force_login(make_user("editor", "Editors"))
        response = self.client.get(FactSheet.objects.get().get_preview_url())
        self.assertContains(response, "Preview: published")
        self.assertNotContains(response, "printed-from")
        self.assertNotContains(response, "All key officers")

    def test_the_qr_code_is_segnos_svg_and_nothing_of_the_address(self):
        html = qr_code('http://x.test/"><script>alert(1)</script>')
        self.assertRegex(
            html,
            r'^<span class="qr-code" aria-hidden="true"><svg viewBox="0 0 \d+ \d+">'
            r'<path stroke="#000" d="[Mmhv0-9 .-]+"/></svg></span>$',
        )
        self.assertNotIn("script", html)
