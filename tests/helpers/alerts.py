"""For the alerts' tests: a live Mali sheet, a publisher, readers and the lists
they follow, made directly; and a test case that sends in this process to a real
SMTP server, as the notices' SendingTestCase does."""

import datetime

from django.utils import timezone

from alerts.models import Frequency, Subscriber, Subscription
from tests.helpers.factories import make_country, make_full_factsheet, make_user
from tests.helpers.smtp import SMTPTestCase

SITE = "https://factsheets.example.gov"
DAY = datetime.timedelta(days=1)


def make_live_mali(issued_on=datetime.date(2015, 10, 15), country=None):
    """A complete, published Mali sheet: live, as readers see it."""
    return make_full_factsheet(
        title="U.S. Relations With Mali",
        country=country or make_country(name="Mali", slug="mali"),
        issued_on=issued_on,
    )


def make_publisher(username="publisher"):
    return make_user(username, "Publishers", email=f"{username}@example.org")


def follow(
    subscriber, country=None, bureau=None, frequency=Frequency.IMMEDIATE, confirmed=True
):
    """One more list for `subscriber`: a country's sheet, a bureau's sheets, or
    (neither) every sheet; asked and confirmed an hour ago, before any change a
    test makes (an alert goes to readers confirmed before it), unless `confirmed`
    is False."""
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    return Subscription.objects.create(
        subscriber=subscriber,
        country=country,
        bureau=bureau,
        frequency=frequency,
        created_at=an_hour_ago,
        confirmed_at=an_hour_ago if confirmed else None,
    )


def make_reader(
    email, country=None, bureau=None, frequency=Frequency.IMMEDIATE, confirmed=True
):
    """An address following one list (every sheet unless a country or bureau is
    given)."""
    subscriber = Subscriber.objects.create(email=email, created_at=timezone.now() - DAY)
    follow(
        subscriber,
        country=country,
        bureau=bureau,
        frequency=frequency,
        confirmed=confirmed,
    )
    return subscriber


class MailTestCase(SMTPTestCase):
    """Alerts sent in this process (alerts.sending.send_due) to a real SMTP server
    on 127.0.0.1 (self.smtp), with links to SITE and no limit on the rate."""

    mail_settings = {
        "ALERTS_FROM_EMAIL": "Fact sheets <alerts@example.gov>",
        "ALERTS_SEND_RATE": 0,
    }
