"""Migrations keep the rows a site already has."""

import datetime

from tests.helpers.migrations import MigrationTestCase


class RealSheetsMigrationTests(MigrationTestCase):
    before = [("factsheets", "0001_initial")]
    after = [("factsheets", "0002_real_sheets")]

    def test_assistance_lines_and_links_survive_with_their_values(self):
        apps = self.migrate(self.before)
        Bureau = apps.get_model("factsheets", "Bureau")
        Country = apps.get_model("factsheets", "Country")
        FactSheet = apps.get_model("factsheets", "FactSheet")
        bureau = Bureau.objects.create(name="B", slug="b", short_name="B")
        country = Country.objects.create(name="Mali", slug="mali", bureau=bureau)
        sheet = FactSheet.objects.create(
            country=country,
            bureau=bureau,
            title="U.S. Relations With Mali",
            issued_on=datetime.date(2015, 10, 15),
            status="published",
        )
        sheet.assistance_lines.create(
            fiscal_year=2016, fiscal_year_end=2020, amount_usd="690000000.00"
        )
        sheet.sections.create(heading="Bilateral Representation", body="<p>x</p>")
        sheet.related_links.create(title="State", url="https://www.state.gov/")
        # The old rule let a backslash through; browsers read it as another site.
        sheet.related_links.create(title="Odd", url="/\\evil.example/x", position=2)

        apps = self.migrate(self.after)
        AssistanceLine = apps.get_model("factsheets", "AssistanceLine")
        RelatedLink = apps.get_model("factsheets", "RelatedLink")
        self.assertEqual(
            list(
                AssistanceLine.objects.values_list(
                    "period", "year", "year_end", "qualifier", "amount_usd"
                )
            ),
            [("fiscal", 2016, 2020, "", 690_000_000)],
        )
        self.assertEqual(
            list(RelatedLink.objects.order_by("position").values_list("title", "url")),
            [("State", "https://www.state.gov/"), ("Odd", "/%5Cevil.example/x")],
        )
        Section = apps.get_model("factsheets", "Section")
        self.assertEqual(
            list(Section.objects.values_list("heading", "shows_assistance")),
            [("Bilateral Representation", False)],
        )


class ReviewMigrationTests(MigrationTestCase):
    before = [("factsheets", "0008_search")]
    after = [("factsheets", "0009_review")]

    def test_a_drafts_last_saver_becomes_the_author_of_its_content(self):
        apps = self.migrate(self.before)
        User = apps.get_model("auth", "User")
        Bureau = apps.get_model("factsheets", "Bureau")
        Country = apps.get_model("factsheets", "Country")
        FactSheet = apps.get_model("factsheets", "FactSheet")
        writer = User.objects.create(username="writer")
        bureau = Bureau.objects.create(name="B", slug="b", short_name="B")
        sheets = {}
        for number, status in enumerate(["draft", "published"]):
            country = Country.objects.create(
                name=f"C{number}", slug=f"c{number}", bureau=bureau
            )
            sheets[status] = FactSheet.objects.create(
                country=country,
                bureau=bureau,
                issued_on=datetime.date(2015, 10, 15),
                status=status,
                updated_by=writer,
            )

        apps = self.migrate(self.after)
        FactSheet = apps.get_model("factsheets", "FactSheet")
        draft = FactSheet.objects.get(pk=sheets["draft"].pk)
        published = FactSheet.objects.get(pk=sheets["published"].pk)
        self.assertEqual(
            (draft.content_changed_by_id, draft.content_changed_at),
            (writer.pk, draft.updated_at),
        )
        # Who saved a published sheet last may only have published it.
        self.assertEqual(
            (published.content_changed_by_id, published.content_changed_at),
            (None, None),
        )
