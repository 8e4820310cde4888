"""What is kept about readers, and for how long (README, "Email alerts"): requests
never confirmed go after ALERTS_CONFIRM_DAYS; the record of what was sent, and
addresses marked undeliverable, after ALERTS_RECORDS_DAYS; an address with no list
left goes at once."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from alerts.models import (
    Confirmation,
    Delivery,
    Digest,
    Outgoing,
    Subscriber,
    Subscription,
)


def tidy(now=None):
    """Delete what is no longer kept; return {what: how many}."""
    now = now or timezone.now()
    unconfirmed = now - timedelta(days=settings.ALERTS_CONFIRM_DAYS)
    records = now - timedelta(days=settings.ALERTS_RECORDS_DAYS)
    done = [Outgoing.State.SENT, Outgoing.State.FAILED, Outgoing.State.CANCELLED]
    deleted = {
        "unconfirmed requests": Subscription.objects.pending()
        .filter(created_at__lt=unconfirmed)
        .delete()[0],
        "undeliverable addresses": Subscriber.objects.filter(
            undeliverable_at__lt=records
        ).delete()[0],
    }
    for model in (Delivery, Digest, Confirmation):
        deleted[model._meta.verbose_name_plural] = model.objects.filter(
            state__in=done, created_at__lt=records
        ).delete()[0]
    deleted["addresses with no list"] = (
        Subscriber.objects.without_subscriptions().delete()[0]
    )
    return deleted
