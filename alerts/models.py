"""Readers following sheets by email: who (Subscriber), what (Subscription: a
country, a bureau or everything, at a frequency), what there is to tell (Alert),
and the emails that tell it, each sent once (Delivery, Digest, Confirmation).

Nothing here holds more about a reader than their address, what they follow and
what was sent to them; README, "Email alerts", says for how long.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from factsheets import site_url


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "As it happens"
    DAILY = "daily", "Once a day"
    WEEKLY = "weekly", "Once a week"


# The most frequent first: a reader who follows a sheet by two lists is told at the
# pace of the quicker one.
FREQUENCY_ORDER = [Frequency.IMMEDIATE, Frequency.DAILY, Frequency.WEEKLY]


def list_name(country_name=None, bureau_name=None):
    """What readers and editors call a list: “Mali fact sheet”, “Bureau of African
    Affairs fact sheets”, “All fact sheets”."""
    if country_name:
        return f"{country_name} fact sheet"
    if bureau_name:
        return f"{bureau_name} fact sheets"
    return "All fact sheets"


def new_key():
    return secrets.token_urlsafe(18)


def normalised(address):
    """One spelling per mailbox for our records: mail servers treat the domain,
    and in practice the local part, without regard to case."""
    return address.strip().lower()


class SubscriberQuerySet(models.QuerySet):
    def deliverable(self):
        return self.filter(undeliverable_at__isnull=True)

    def without_subscriptions(self):
        return self.exclude(
            models.Exists(Subscription.objects.filter(subscriber=models.OuterRef("pk")))
        )


class Subscriber(models.Model):
    """One email address. Reached from its emails by tokens made from `key`, never
    by the address itself, so no address appears in a link, a log or a URL."""

    email = models.EmailField(unique=True)
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Permanent refusals (5xx) of mail to the address; at ALERTS_BOUNCE_LIMIT it is
    # marked undeliverable and gets nothing more until it confirms again.
    bounces = models.PositiveSmallIntegerField(default=0)
    undeliverable_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    def __str__(self):
        # Never the address: this may end up in a log or a page.
        return f"Subscriber {self.pk}"


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)

    def following(self, country_id, bureau_id):
        """Subscriptions whose list includes a sheet of this country and bureau:
        the country's, the bureau's, and everything."""
        return self.filter(
            Q(country_id=country_id)
            | Q(bureau_id=bureau_id)
            | Q(country__isnull=True, bureau__isnull=True)
        )


class Subscription(models.Model):
    """One list a subscriber follows: a country's sheet, a bureau's sheets, or
    every sheet (neither set). Sends nothing until it is confirmed."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    country = models.ForeignKey(
        "factsheets.Country",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    bureau = models.ForeignKey(
        "factsheets.Bureau",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["subscriber", "country__name", "bureau__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(country__isnull=True) | Q(bureau__isnull=True),
                name="subscription_one_list",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "country"],
                condition=Q(country__isnull=False),
                name="subscription_once_per_country",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "bureau"],
                condition=Q(bureau__isnull=False),
                name="subscription_once_per_bureau",
            ),
            models.UniqueConstraint(
                fields=["subscriber"],
                condition=Q(country__isnull=True, bureau__isnull=True),
                name="subscription_once_to_everything",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "subscriber"], name="subscription_country"),
            models.Index(fields=["bureau", "subscriber"], name="subscription_bureau"),
        ]

    def __str__(self):
        return f"{self.list_name} ({self.get_frequency_display().lower()})"

    @property
    def list_name(self):
        return list_name(
            self.country.name if self.country_id else None,
            self.bureau.name if self.bureau_id else None,
        )

    @property
    def specificity(self):
        """Which of a reader's lists an alert is sent for: the narrowest."""
        return 2 if self.country_id else 1 if self.bureau_id else 0


class Alert(models.Model):
    """Something readers of a sheet are told, once (`key`): a new edition
    published, a major change with its note, or the sheet withdrawn."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", "New edition published"
        MAJOR_CHANGE = "major_change", "Major change"
        WITHDRAWN = "withdrawn", "Withdrawn"

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    factsheet = models.ForeignKey(
        "factsheets.FactSheet", on_delete=models.CASCADE, related_name="+"
    )
    # The lists it goes to, as the sheet stood when it was made.
    country = models.ForeignKey(
        "factsheets.Country", on_delete=models.CASCADE, related_name="+"
    )
    bureau = models.ForeignKey(
        "factsheets.Bureau", on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set once a Delivery exists for every reader it goes to.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.factsheet}"


class OutgoingQuerySet(models.QuerySet):
    def due(self, now=None):
        """Waiting to be sent, its time come, and held by no live worker."""
        now = now or timezone.now()
        return self.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            state=Outgoing.State.PENDING,
            next_attempt_at__lte=now,
        )


class Outgoing(models.Model):
    """What every sent email has: its state, and the lease a worker holds while it
    sends (alerts/sending.py says how each is sent exactly once)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent"

    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The server's reply, with the address taken out.
    last_error = models.CharField(max_length=500, blank=True)

    objects = OutgoingQuerySet.as_manager()

    class Meta:
        abstract = True

    def retry_delay(self):
        """Before try `attempts` + 1: ALERTS_RETRY_SECONDS, doubled each time."""
        seconds = settings.ALERTS_RETRY_SECONDS * 2 ** max(self.attempts - 1, 0)
        return timedelta(seconds=min(seconds, 86400))

    @property
    def message_id(self):
        """Made from the row alone, so every try of an email carries the same one."""
        digest = hashlib.sha256(f"{self._meta.model_name}:{self.pk}".encode())
        return f"<alert.{digest.hexdigest()[:32]}@{site_url.hostname() or 'localhost'}>"


class Delivery(Outgoing):
    """One alert for one reader (at most one, whichever of their lists it comes
    by): an email of its own if they chose `immediate`, else a line of a digest."""

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The list it came by: leaving that list cancels it, if it is not sent yet.
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    frequency = models.CharField(max_length=10, choices=Frequency)
    # Set when the digest carrying it is sent.
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "subscriber"], name="delivery_once_per_reader"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending", frequency="immediate"),
                name="delivery_due",
            ),
            models.Index(
                fields=["frequency", "subscriber", "created_at"],
                condition=Q(state="pending"),
                name="delivery_for_digest",
            ),
        ]

    def __str__(self):
        # Never the address: this may end up in a log or a page.
        return f"Alert {self.alert_id} to subscriber {self.subscriber_id}"


class Digest(Outgoing):
    """One reader's alerts of a day or a week, in one email: those of their
    deliveries at this frequency made before `cutoff` and not yet sent."""

    key = models.CharField(max_length=100, unique=True)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="digests"
    )
    frequency = models.CharField(max_length=10, choices=Frequency)
    cutoff = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="digest_due",
            )
        ]

    def __str__(self):
        # Never the address: this may end up in a log or a page.
        return f"{self.get_frequency_display()} digest {self.key}"


class Confirmation(Outgoing):
    """The email asking a reader to confirm what they asked for: at most one a day
    per address (`key` names the day), whatever is asked meanwhile."""

    key = models.CharField(max_length=100, unique=True)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="confirmations"
    )

    def __str__(self):
        # Never the address: this may end up in a log or a page.
        return f"Confirmation {self.key}"

    @staticmethod
    def make_key(subscriber, day):
        return f"{subscriber.pk}:{day.isoformat()}"
