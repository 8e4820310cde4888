"""What editors see of readers: counts per list, on the dashboard and on the change
form of a sheet ("N readers will be told"), never an address."""

import datetime

from django.test import TestCase
from django.urls import reverse

from alerts.models import Frequency
from factsheets.models import FactSheet
from tests.helpers.alerts import follow, make_live_mali, make_reader
from tests.helpers.dashboard import panels
from tests.helpers.factories import make_country, make_full_factsheet, make_user


class CountsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_user("pia", "Publishers")
        cls.sheet = make_live_mali()
        mali, africa = cls.sheet.country, cls.sheet.bureau
        both = make_reader("both@example.org", country=mali)
        follow(both, bureau=africa, frequency=Frequency.DAILY)
        make_reader("bureau@example.org", bureau=africa)
        make_reader("all@example.org")
        make_reader("waiting@example.org", country=mali, confirmed=False)
        make_reader(
            "niger@example.org",
            country=make_country(name="Niger", slug="niger", bureau=africa),
        )
        cls.draft = make_full_factsheet(
            country=mali,
            issued_on=datetime.date(2016, 3, 1),
            status=FactSheet.Status.DRAFT,
        )

    def form(self, sheet):
        self.client.force_login(self.publisher)
        return self.client.get(
            reverse("admin:factsheets_factsheet_change", args=[sheet.pk])
        )

    def test_a_sheet_about_to_be_published_says_how_many_readers_will_be_told(self):
        # Mali's reader (also a bureau reader, counted once), the bureau's and
        # everything's: not the request waiting for confirmation, not Niger's.
        page = self.form(self.draft)
        self.assertContains(
            page, "3 readers will be told by email when this sheet is published."
        )
        self.assertNotContains(page, "@example.org")

    def test_a_live_sheet_says_who_a_major_change_reaches(self):
        self.assertContains(
            self.form(self.sheet),
            "A major change to this sheet is emailed to 3 readers who follow it",
        )

    def test_the_dashboard_counts_readers_per_list(self):
        self.client.force_login(self.publisher)
        page = self.client.get(reverse("admin:index"))
        panel = panels(page.content)["email-alerts"]
        self.assertEqual(panel["count"], 4)
        africa = "".join(self.sheet.bureau.name.split())
        # Each list's name, then its count on the line below.
        text = "".join(panel["text"].split())
        self.assertIn(
            "".join(
                f"{africa}factsheets2readers"
                "Allfactsheets1reader"
                "Malifactsheet1reader"
                "Nigerfactsheet1reader".split()
            ),
            text.replace(" ", ""),
        )
        self.assertNotIn(b"@example.org", page.content)


class AlertListTests(TestCase):
    def test_administrators_see_how_far_each_alert_has_gone_in_counts(self):
        from alerts.fanout import fan_out
        from alerts.models import Alert, Delivery, Outgoing

        sheet = make_live_mali()
        for n in range(3):
            make_reader(f"r{n}@example.org", country=sheet.country)
        alert = Alert.objects.create(
            key="k",
            kind=Alert.Kind.MAJOR_CHANGE,
            factsheet=sheet,
            country=sheet.country,
            bureau=sheet.bureau,
            note="New figures.",
        )
        fan_out(alert)
        Delivery.objects.filter(subscriber__email="r0@example.org").update(
            state=Outgoing.State.SENT
        )
        Delivery.objects.filter(subscriber__email="r1@example.org").update(
            state=Outgoing.State.FAILED
        )
        admin_user = make_user("root", is_superuser=True)
        self.client.force_login(admin_user)
        page = self.client.get(reverse("admin:alerts_alert_changelist"))
        self.assertContains(page, '<td class="field-readers">3</td>', html=False)
        for column, count in [("sent", 1), ("waiting", 1), ("failed", 1)]:
            self.assertContains(page, f'<td class="field-{column}">{count}</td>')
        self.assertNotContains(page, "@example.org")
