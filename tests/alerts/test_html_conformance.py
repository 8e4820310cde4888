"""The pages of email alerts are valid HTML, by the Nu Html Checker (the W3C
validator's engine)."""

import pytest
from django.test import TestCase

from alerts import tokens
from factsheets.models import Bureau, Country
from tests.helpers.alerts import follow, make_reader
from tests.helpers.html_checker import html_checker_errors


class AlertPagesHtmlTests(TestCase):
    # One JVM run checks every page; the database engine behind them does not matter.
    pytestmark = pytest.mark.checker
    fixtures = ["bureaus", "countries", "mali-2015"]

    @classmethod
    def setUpTestData(cls):
        cls.reader = make_reader(
            "reader@example.org", country=Country.objects.get(slug="mali")
        )
        cls.mali_list = cls.reader.subscriptions.get()
        # A list still to be confirmed: the confirm page has a button, and the
        # manage page says it waits.
        follow(
            cls.reader,
            bureau=Bureau.objects.get(slug="african-affairs"),
            confirmed=False,
        )

    def test_every_alerts_page_is_valid_html(self):
        confirm = f"/alerts/confirm/{tokens.confirm(self.reader)}/"
        leave = (
            f"/alerts/leave/{tokens.leave(self.reader, subscription=self.mali_list)}/"
        )
        manage = f"/alerts/manage/{tokens.manage(self.reader)}/"
        not_an_address = {"email": "not an address", "frequency": "immediate"}
        # Each page: how it is asked for, its status, and words that show it is in
        # the state it is checked for. The last two change the rows, so come last.
        pages = {
            "sheet": ("GET", "/fact-sheets/mali/", None, 200, "Get email alerts"),
            "alerts": ("GET", "/alerts/", None, 200, "any fact sheet"),
            "check-your-email": (
                "GET",
                "/alerts/check-your-email/",
                None,
                200,
                "Check your email",
            ),
            "confirm": ("GET", confirm, None, 200, "Confirm my email alerts"),
            "manage": ("GET", manage, None, 200, "Waiting for you to confirm it"),
            "leave": ("GET", leave, None, 200, "Stop these emails"),
            "bad-link": (
                "GET",
                "/alerts/confirm/not-a-token/",
                None,
                404,
                "This link does not work",
            ),
            "form-error": (
                "POST",
                "/alerts/",
                {**not_an_address, "country": "mali"},
                400,
                "Enter an email address like name@example.com.",
            ),
            "confirmed": ("POST", confirm, {}, 200, "You’re subscribed"),
            "left": ("POST", leave, {}, 200, "no more alerts for Mali fact sheet"),
        }
        rendered = {}
        for name, (method, path, data, status, shown) in pages.items():
            response = getattr(self.client, method.lower())(path, data)
            self.assertContains(response, shown, status_code=status, msg_prefix=name)
            rendered[name] = (f"{name} ({method} {path})", response.content)
        errors = html_checker_errors(rendered)
        self.assertEqual(errors, [], "\n" + "\n".join(errors))
