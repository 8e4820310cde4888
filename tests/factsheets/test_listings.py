"""Lists read the current sheets as light rows (factsheets/listings.py): they must
say exactly what the models say."""

import datetime

from django.test import TestCase
from django.utils import timezone

from factsheets.listings import Neighbours, current_listing, with_their_sheets
from factsheets.models import FactSheet
from tests.helpers.factories import make_bureau, make_country, make_factsheet


class CurrentListingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.af = make_bureau(name="Bureau of African Affairs", slug="af")
        cls.eur = make_bureau(name="Bureau of European Affairs", slug="eur")
        mali = make_country(name="Mali", slug="mali", bureau=cls.af)
        cls.niger = make_country(name="Niger", slug="niger", bureau=cls.af)
        cls.old = make_factsheet(country=mali, issued_on=datetime.date(2012, 1, 1))
        cls.mali = make_factsheet(country=mali, revised_at=timezone.now())
        # Printed by EUR although Niger is AF's: it is listed under EUR.
        cls.niger_sheet = make_factsheet(country=cls.niger, bureau=cls.eur)
        make_factsheet(
            country=make_country(name="Chad", slug="chad", bureau=cls.af),
            status=FactSheet.Status.DRAFT,
        )

    def test_rows_say_what_the_current_sheets_say(self):
        with self.assertNumQueries(1):
            listing = current_listing()
        sheets = list(
            FactSheet.objects.current()
            .select_related("country", "bureau")
            .order_by("country__name")
        )
        self.assertEqual([row.pk for row in listing], [s.pk for s in sheets])
        for row, sheet in zip(listing, sheets, strict=True):
            with self.subTest(sheet=str(sheet)):
                self.assertEqual(
                    (
                        row.title,
                        str(row),
                        row.issued_on,
                        row.issued_on_text,
                        row.issued_month_text,
                        row.public_updated_at,
                        row.country_id,
                        row.country.name,
                        str(row.country),
                        row.country.get_absolute_url(),
                        row.bureau,
                        row.bureau.name,
                        row.bureau.short_name,
                        row.bureau.get_absolute_url(),
                    ),
                    (
                        sheet.title,
                        sheet.title,
                        sheet.issued_on,
                        sheet.issued_on_text,
                        sheet.issued_month_text,
                        sheet.public_updated_at,
                        sheet.country_id,
                        sheet.country.name,
                        sheet.country.name,
                        sheet.country.get_absolute_url(),
                        sheet.bureau,
                        sheet.bureau.name,
                        sheet.bureau.short_name,
                        sheet.bureau.get_absolute_url(),
                    ),
                )

    def test_bureaus_are_shared_and_group_their_sheets(self):
        bureaus = with_their_sheets(current_listing())
        self.assertEqual([b.slug for b in bureaus], ["af", "eur"])
        self.assertEqual([s.country.name for s in bureaus[0].sheets], ["Mali"])
        self.assertEqual([s.country.name for s in bureaus[1].sheets], ["Niger"])
        self.assertEqual([b.sheet_count for b in bureaus], [1, 1])

    def test_filters_narrow_the_listing(self):
        self.assertEqual(
            [s.pk for s in current_listing(bureau=self.eur)], [self.niger_sheet.pk]
        )

    def test_neighbours_come_from_the_same_rows(self):
        neighbours = Neighbours(self.mali)
        self.assertIsNone(neighbours.previous)
        self.assertEqual(neighbours.next.country.name, "Niger")
        # Niger's sheet is printed by EUR: not among AF's other sheets.
        self.assertEqual(neighbours.same_bureau, [])
        self.assertEqual(neighbours.current[self.mali.country_id].pk, self.mali.pk)
