"""For the notices' tests: a test case that sends to a real SMTP server, about
drafts taken through their review by sheet_operations, as the admin takes them."""

import datetime

from factsheets import sheet_operations
from factsheets.models import FactSheet
from tests.helpers.factories import make_country, make_full_factsheet, make_user
from tests.helpers.smtp import SMTPTestCase


def make_draft(**kwargs):
    """A complete draft, ready to be submitted."""
    return make_full_factsheet(status=FactSheet.Status.DRAFT, **kwargs)


def make_mali_draft(issued_on=datetime.date(2015, 10, 15)):
    country = make_country(name="Mali", slug="mali")
    return make_draft(
        title="U.S. Relations With Mali", country=country, issued_on=issued_on
    )


class SendingTestCase(SMTPTestCase):
    """Notices sent in this process to a real SMTP server on 127.0.0.1 (self.smtp),
    about a draft of the Mali sheet, between an editor and a publisher."""

    mail_settings = {"DEFAULT_FROM_EMAIL": "Fact sheets <factsheets@example.gov>"}

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user(
            "ed", "Editors", email="ed@example.org", first_name="Edna", last_name="Ito"
        )
        cls.publisher = make_user(
            "pia",
            "Publishers",
            email="pia@example.org",
            first_name="Pia",
            last_name="Ode",
        )
        cls.sheet = make_mali_draft()

    def submit(self, message="Ready for a look.", sheet=None):
        sheet = FactSheet.objects.get(pk=(sheet or self.sheet).pk)
        return sheet_operations.submit_for_review(
            sheet, by=self.editor, message=message
        )

    def request_changes(self, comment, sheet=None):
        sheet = FactSheet.objects.get(pk=(sheet or self.sheet).pk)
        return sheet_operations.request_changes(
            sheet, by=self.publisher, comment=comment
        )
