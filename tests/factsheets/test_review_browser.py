"""Review in a real browser, as an editor and a publisher pass a sheet between them:
submitted with a message, sent back with a comment, changed and submitted again,
then scheduled."""

import datetime

from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from factsheets import sheet_operations
from factsheets.models import FactSheet, ReviewStep
from tests.helpers.browser import BrowserTestCase
from tests.helpers.factories import make_user

Action = ReviewStep.Action


class ReviewJourneyTests(BrowserTestCase):
    fixtures = ["bureaus", "countries", "mali-2015"]

    def setUp(self):
        self.editor = make_user("editor", "Editors", first_name="Ann", last_name="Lee")
        self.publisher = make_user(
            "publisher", "Publishers", first_name="Pat", last_name="Ng"
        )
        mali = FactSheet.objects.get(country__slug="mali")
        self.draft = sheet_operations.new_edition(
            mali, datetime.date(2016, 3, 1), by=self.editor
        )

    def sign_in_as(self, user):
        self.sign_in(user.username)
        self.open(f"/admin/factsheets/factsheet/{self.draft.pk}/change/")
        self.wait(EC.presence_of_element_located((By.ID, "factsheet_form")))

    def press(self, name):
        """Press the form's button `name`, and wait for the page that answers."""
        page = self.find("html")
        self.find(f"input[name='{name}']").click()
        self.wait(EC.staleness_of(page))

    def messages(self):
        return self.find(".messagelist").text

    def test_submitted_sent_back_submitted_again_and_scheduled(self):
        # The editor sees who publishes, and submits with a message.
        self.sign_in_as(self.editor)
        self.assertIn("Publishers: Pat Ng.", self.find(".field-who_publishes").text)
        self.assertEqual(self.browser.find_elements(By.NAME, "_publish"), [])
        self.find("#id_review_message").send_keys("New ambassador; please check.")
        self.press("_submit_for_review")
        self.assertIn("Sent for review", self.messages())

        # The publisher reads the submission and sends it back with a comment;
        # without one, the page says what is missing and nothing changes.
        self.sign_in_as(self.publisher)
        submitted = self.find(".field-submission").text
        self.assertIn("By Ann Lee on", submitted)
        self.assertIn("“New ambassador; please check.”", submitted)
        self.press("_request_changes")
        self.assertIn(
            "Say what needs changing", self.find(".field-review_comment").text
        )
        self.assertEqual(
            FactSheet.objects.get(pk=self.draft.pk).status, FactSheet.Status.IN_REVIEW
        )
        self.find("#id_review_comment").send_keys("Add the ambassador's full name.")
        self.press("_request_changes")
        self.assertIn("Changes requested", self.messages())

        # The editor reads the comment, changes the lead and submits again.
        self.sign_in_as(self.editor)
        self.assertIn(
            "Changes requested by Pat Ng on", self.find(".field-last_review").text
        )
        self.assertIn(
            "“Add the ambassador's full name.”", self.find(".field-last_review").text
        )
        lead = self.find("#id_lead")
        lead.clear()
        lead.send_keys("Ambassador Dennis B. Hankins arrived in 2016.")
        self.press("_submit_for_review")
        self.assertIn("Sent for review", self.messages())

        # The publisher schedules it for tomorrow at nine.
        self.sign_in_as(self.publisher)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.find("#id_publish_time_0").send_keys(tomorrow.isoformat())
        self.find("#id_publish_time_1").send_keys("09:00:00")
        self.press("_publish")
        self.assertIn("is scheduled for", self.messages())

        sheet = FactSheet.objects.get(pk=self.draft.pk)
        self.assertEqual(sheet.public_state(), FactSheet.PublicState.SCHEDULED)
        self.assertEqual(sheet.lead, "Ambassador Dennis B. Hankins arrived in 2016.")
        self.assertEqual(
            [(s.action, s.by.username) for s in sheet.review_steps.order_by("pk")],
            [
                (Action.SUBMITTED, "editor"),
                (Action.CHANGES_REQUESTED, "publisher"),
                (Action.SUBMITTED, "editor"),
                (Action.SCHEDULED, "publisher"),
            ],
        )
