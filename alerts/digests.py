"""Daily and weekly digests: at ALERTS_DIGEST_HOUR (site time), and for weekly ones
on ALERTS_DIGEST_WEEKDAY, one Digest for each reader with alerts waiting at that
frequency, made in one pass over the waiting deliveries, never a query per reader."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from alerts.models import Delivery, Digest, Frequency, Outgoing

BATCH = 2000


def last_cutoff(frequency, now=None):
    """The latest digest time of `frequency` at or before `now`: a worker that was
    down at that hour makes the digest when it comes back."""
    local = timezone.localtime(now or timezone.now())
    cutoff = local.replace(
        hour=settings.ALERTS_DIGEST_HOUR, minute=0, second=0, microsecond=0
    )
    if cutoff > local:
        cutoff -= timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        cutoff -= timedelta(
            days=(cutoff.weekday() - settings.ALERTS_DIGEST_WEEKDAY) % 7
        )
    return cutoff


def make_due(now=None):
    """Make the digests whose time has come; return how many. Safe to run at any
    time and by several workers: a digest's key names its reader, frequency and
    day, so each is made once."""
    made = 0
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        cutoff = last_cutoff(frequency, now)
        day = timezone.localtime(cutoff).date().isoformat()
        readers = (
            Delivery.objects.filter(
                state=Outgoing.State.PENDING, frequency=frequency, created_at__lt=cutoff
            )
            # One digest at a time per reader and frequency: an earlier one still
            # being tried carries these alerts, and the next takes what follows.
            .exclude(
                Exists(
                    Digest.objects.filter(
                        subscriber=OuterRef("subscriber"),
                        frequency=frequency,
                        state=Outgoing.State.PENDING,
                    )
                )
            )
            .values_list("subscriber_id", flat=True)
            .distinct()
            .order_by("subscriber_id")
        )
        batch = []
        for subscriber_id in readers.iterator(chunk_size=BATCH):
            batch.append(
                Digest(
                    key=f"{frequency}:{day}:{subscriber_id}",
                    subscriber_id=subscriber_id,
                    frequency=frequency,
                    cutoff=cutoff,
                    created_at=cutoff,
                )
            )
            if len(batch) >= BATCH:
                made += len(Digest.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        if batch:
            made += len(Digest.objects.bulk_create(batch, ignore_conflicts=True))
    return made
