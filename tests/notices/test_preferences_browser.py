"""The notice preferences, reached from the admin's top links and set with the
keyboard alone, in a real browser."""

import pytest
from selenium.webdriver.common.keys import Keys

from notices.models import Kind, Preference
from tests.helpers.browser import BrowserTestCase
from tests.helpers.factories import make_user


@pytest.mark.browser
class PreferencesBrowserTests(BrowserTestCase):
    def setUp(self):
        self.publisher = make_user("publisher", "Publishers", email="pub@example.org")

    def test_a_publisher_chooses_a_daily_digest_with_the_keyboard(self):
        self.sign_in("publisher")
        link = self.find("#user-tools a[href='/admin/notices/preference/mine/']")
        self.assertEqual(link.get_attribute("textContent"), "Email notices")
        self.js("arguments[0].focus()", link)
        self.focused().send_keys(Keys.ENTER)
        self.wait_for("#id_delivery_0")
        self.assertEqual(self.browser.title, "Email notices | Fact sheets")
        self.assertNoAxeViolations()

        # The radio group is one stop; an arrow key moves the choice.
        self.js("document.getElementById('id_delivery_0').focus()")
        self.focused().send_keys(Keys.ARROW_DOWN)
        self.assertEqual(self.focused().get_attribute("id"), "id_delivery_1")
        self.focused().send_keys(Keys.TAB)
        self.assertEqual(self.focused().get_attribute("id"), "id_kinds_0")
        self.focused().send_keys(Keys.SPACE)  # no “waiting for review”
        self.find("input[type=submit][value=Save]").send_keys(Keys.ENTER)
        self.wait_for(".messagelist")
        self.assertIn(
            "Your email notices are saved: once a day", self.find(".messagelist").text
        )
        preference = Preference.objects.get(user=self.publisher)
        self.assertEqual(
            (preference.delivery, preference.kinds_off),
            (Preference.Delivery.DAILY, [Kind.REVIEW_WAITING]),
        )
        self.assertNoAxeViolations()
