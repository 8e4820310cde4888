"""An alert's deliveries: one per reader it goes to, whichever of their lists it
comes by, made in batches from one pass over the lists, so memory stays flat
however many readers a list has."""

from django.db import transaction
from django.utils import timezone

from alerts.models import FREQUENCY_ORDER, Alert, Delivery, Subscription

BATCH = 2000


def fan_out(alert):
    """Make the alert's deliveries; return how many were made. Safe to run again
    (after a worker died in it, say): a reader who has one already is skipped."""
    if alert.fanned_out_at is not None:
        return 0
    readers = (
        Subscription.objects.following(alert.country_id, alert.bureau_id)
        .filter(
            # Told of what happened after they confirmed, not before.
            confirmed_at__lte=alert.created_at,
            subscriber__undeliverable_at__isnull=True,
        )
        .order_by("subscriber_id")
        .values_list("pk", "subscriber_id", "frequency", "country_id", "bureau_id")
    )
    made = 0
    batch = []
    for subscriber_id, lists in by_reader(readers.iterator(chunk_size=BATCH)):
        subscription_id, frequency = chosen(lists)
        batch.append(
            Delivery(
                alert=alert,
                subscriber_id=subscriber_id,
                subscription_id=subscription_id,
                frequency=frequency,
                # Dated as the alert, so that it falls in the digest of its day.
                created_at=alert.created_at,
            )
        )
        if len(batch) >= BATCH:
            made += write(batch)
            batch = []
    made += write(batch)
    Alert.objects.filter(pk=alert.pk).update(fanned_out_at=timezone.now())
    return made


def by_reader(rows):
    """(subscriber id, [(subscription id, frequency, country, bureau)...]) from
    rows ordered by subscriber."""
    current, lists = None, []
    for pk, subscriber_id, frequency, country_id, bureau_id in rows:
        if subscriber_id != current:
            if lists:
                yield current, lists
            current, lists = subscriber_id, []
        lists.append((pk, frequency, country_id, bureau_id))
    if lists:
        yield current, lists


def chosen(lists):
    """The quickest frequency of the reader's lists, and the narrowest list at it:
    the one the alert names, and that its one-click unsubscribe leaves."""
    frequency = min((f for _, f, _, _ in lists), key=FREQUENCY_ORDER.index)
    at_pace = [row for row in lists if row[1] == frequency]
    narrowest = max(at_pace, key=lambda row: (row[2] is not None, row[3] is not None))
    return narrowest[0], frequency


def write(batch):
    if not batch:
        return 0
    with transaction.atomic():
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    return len(batch)
