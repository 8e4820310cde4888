"""Everything done to a reader's subscriptions, by whatever path (the public
forms, one-click unsubscribes, the sender's bounces): the rules live here."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import (
    Confirmation,
    Delivery,
    Digest,
    Outgoing,
    Subscriber,
    Subscription,
    normalised,
)
from background import enqueue_on_commit


def ask(email, frequency, *, country=None, bureau=None):
    """Record that someone asked for alerts of a list at `email`, and queue the
    email asking the address to confirm, unless one was queued today. Whatever the
    address and whatever it follows, the asker learns nothing: only the mailbox is
    told. A list the address follows already keeps its frequency (the manage page
    changes it); one not yet confirmed takes the frequency asked last."""
    from alerts.tasks import send_alerts

    with transaction.atomic():
        subscriber = _subscriber(normalised(email))
        wanted = {"subscriber": subscriber, "country": country, "bureau": bureau}
        subscription = Subscription.objects.filter(**wanted).first()
        if subscription is None:
            _create(Subscription, **wanted, frequency=frequency)
        elif subscription.confirmed_at is None:
            Subscription.objects.filter(pk=subscription.pk).update(
                frequency=frequency, created_at=timezone.now()
            )
        day = timezone.localdate()
        if _create(
            Confirmation,
            key=Confirmation.make_key(subscriber, day),
            subscriber=subscriber,
        ):
            enqueue_on_commit(send_alerts)


def _subscriber(email):
    subscriber = Subscriber.objects.filter(email=email).first()
    return (
        subscriber
        or _create(Subscriber, email=email)
        or Subscriber.objects.get(email=email)
    )


def _create(model, **fields):
    """The new row, or None if another request made it first."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def subscriber_by_key(key):
    if not isinstance(key, str):
        return None
    return Subscriber.objects.filter(key=key).first()


def waiting(subscriber, asked_until):
    """What the subscriber asked for up to the Unix time `asked_until` and has not
    confirmed."""
    until = datetime.fromtimestamp(asked_until + 1, tz=UTC)
    return Subscription.objects.pending().filter(
        subscriber=subscriber, created_at__lt=until
    )


def confirm(subscriber, asked_until):
    """Confirm what was asked up to `asked_until`: alerts start from now. An
    address that confirms receives mail, so any earlier bounces are forgotten.
    Returns how many lists were confirmed."""
    with transaction.atomic():
        confirmed = waiting(subscriber, asked_until).update(confirmed_at=timezone.now())
        if confirmed:
            Subscriber.objects.filter(pk=subscriber.pk).update(
                bounces=0, undeliverable_at=None
            )
    return confirmed


def change_frequency(subscription, frequency):
    """From now on; alerts already waiting for a digest keep their way."""
    Subscription.objects.filter(pk=subscription.pk).update(frequency=frequency)


def leave(subscriber, subscriptions):
    """Leave these lists at once: what was waiting to be sent for them is not sent.
    An address left with no list is deleted, with everything kept about it;
    returns whether it was."""
    with transaction.atomic():
        Subscription.objects.filter(
            subscriber=subscriber, pk__in=[s.pk for s in subscriptions]
        ).delete()
        return forget_if_done(subscriber)


def leave_by_token(subscriber, value):
    """What a one-click unsubscribe asks: one list, or every list at a frequency.
    Returns the names of the lists left, and whether the address went with them."""
    chosen = subscriber.subscriptions.select_related("country", "bureau")
    if "s" in value:
        chosen = chosen.filter(pk=value["s"])
    else:
        chosen = chosen.filter(frequency=value.get("f"))
    chosen = list(chosen)
    forgotten = leave(subscriber, chosen)
    return [subscription.list_name for subscription in chosen], forgotten


def forget_if_done(subscriber):
    """Delete the address if it follows nothing now; return whether it was."""
    return bool(
        Subscriber.objects.without_subscriptions().filter(pk=subscriber.pk).delete()[0]
    )


def bounced(subscriber_id):
    """A permanent refusal of mail to the address: at ALERTS_BOUNCE_LIMIT of them,
    it is marked undeliverable and nothing waiting for it is sent."""
    from django.db.models import F

    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber_id).update(bounces=F("bounces") + 1)
        marked = Subscriber.objects.filter(
            pk=subscriber_id,
            bounces__gte=settings.ALERTS_BOUNCE_LIMIT,
            undeliverable_at__isnull=True,
        ).update(undeliverable_at=timezone.now())
        if marked:
            for model in (Delivery, Digest, Confirmation):
                model.objects.filter(
                    subscriber_id=subscriber_id, state=Outgoing.State.PENDING
                ).update(
                    state=Outgoing.State.CANCELLED,
                    claimed_until=None,
                    last_error="The address was marked undeliverable.",
                )
