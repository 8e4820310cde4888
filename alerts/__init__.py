"""Email alerts for readers: following a country's sheet, a bureau's sheets or
every sheet, confirmed by email, as it happens or in daily or weekly digests, each
alert delivered once by the worker.

Other apps use what is here and the `alerts_tags` template tags (the subscribe form
and the count an editor sees); the rest is the app's own. The content app knows
nothing of alerts: they follow its signals (apps.py).
"""


def readers_told(factsheet):
    """How many readers an alert about `factsheet` would go to now."""
    from alerts.models import Subscription

    return (
        Subscription.objects.confirmed()
        .following(factsheet.country_id, factsheet.bureau_id)
        .filter(subscriber__undeliverable_at__isnull=True)
        .values("subscriber")
        .distinct()
        .count()
    )


def reader_count():
    """How many addresses get alerts of any list."""
    from alerts.models import Subscriber

    return (
        Subscriber.objects.deliverable()
        .filter(subscriptions__confirmed_at__isnull=False)
        .distinct()
        .count()
    )


def list_counts():
    """[(list name, confirmed readers)] for every list with any, largest first."""
    from django.db.models import Count

    from alerts.models import Subscription, list_name

    rows = (
        Subscription.objects.confirmed()
        .filter(subscriber__undeliverable_at__isnull=True)
        .values("country__name", "bureau__name")
        .annotate(readers=Count("pk"))
        .order_by()
    )
    named = [
        (list_name(row["country__name"], row["bureau__name"]), row["readers"])
        for row in rows
    ]
    # Ties by name, in Python: databases sort the empty names apart differently.
    return sorted(named, key=lambda pair: (-pair[1], pair[0]))


__all__ = ["list_counts", "reader_count", "readers_told"]
