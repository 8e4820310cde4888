"""Every public page is valid HTML, by the Nu Html Checker (the W3C validator's engine)."""

from datetime import date

import pytest
from django.test import TestCase

from factsheets import sheet_operations
from factsheets.models import FactSheet
from tests.helpers.html_checker import html_checker_errors

# Every public page, by name; the one that is meant to be missing, and any page still
# being built, are checked as the 404 page they render.
PAGES = {
    "home": "/",
    "index": "/fact-sheets/",
    "sheet": "/fact-sheets/mali/",
    "superseded-edition": "/fact-sheets/mali/2015-10-15/",
    "changes": "/fact-sheets/mali/changes/?from=2015-10-15&to=2016-03-01",
    "bureau": "/bureaus/african-affairs/",
    "index-by-bureau": "/fact-sheets/?by=bureau",
    "search": "/search/?q=mali",
    "search-empty": "/search/",
    "search-nothing-found": "/search/?q=%22zzz%22+-mali",
    "assistance": "/assistance/",
    "key-officers": "/key-officers/",
    "invalid-preview-link": "/fact-sheets/shared-preview/x/",
    "404": "/fact-sheets/atlantis/",
}


class HtmlConformanceTests(TestCase):
    # One JVM run checks every page; the database engine behind them does not matter.
    pytestmark = pytest.mark.checker
    fixtures = ["bureaus", "countries", "mali-2015"]

    @classmethod
    def setUpTestData(cls):
        # A second edition, so the first is superseded and there are changes to show.
        new = sheet_operations.new_edition(
            FactSheet.objects.get(), date(2016, 3, 1), by=None
        )
        sheet_operations.publish(new, by=None)

    def test_every_public_page_is_valid_html(self):
        pages = {}
        for name, path in PAGES.items():
            response = self.client.get(path)
            self.assertIn(response.status_code, [200, 404], path)
            pages[name] = (f"{name} ({path}, {response.status_code})", response.content)
        errors = html_checker_errors(pages)
        self.assertEqual(errors, [], "\n" + "\n".join(errors))
