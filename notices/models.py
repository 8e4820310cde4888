"""The outbox: what each person is told (Notice) and the emails that carry it
(Email), each made once under a unique key, so a step signalled twice, a send task
run twice or two workers sending at once still make one email."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from factsheets import site_url


class Kind(models.TextChoices):
    """What a notice tells, each of which a person may turn off."""

    REVIEW_WAITING = "review_waiting", "A draft is waiting for review"
    APPROVED = "approved", "My submission was published or scheduled"
    CHANGES_REQUESTED = "changes_requested", "My submission was sent back"
    WENT_LIVE = "went_live", "A sheet I edited went live"
    EXPIRED = "expired", "A sheet I edited expired"


class Preference(models.Model):
    """How one person wants to be told. Without a row: everything, at once."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "One email per notice, as it happens"
        DAILY = "daily", "One email a day listing the day's notices"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_preference",
    )
    delivery = models.CharField(
        max_length=10, choices=Delivery, default=Delivery.IMMEDIATE
    )
    kinds_off = models.JSONField(
        default=list, blank=True, help_text="The kinds of notice not to send."
    )

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"Email notices of {self.user}"

    def wants(self, kind):
        return kind not in self.kinds_off


class EmailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Waiting to be sent, its time come, and held by no live worker."""
        now = now or timezone.now()
        return self.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            state=Email.State.PENDING,
            next_attempt_at__lte=now,
        )


class Email(models.Model):
    """One outgoing email: a single notice, or a person's digest of a day.

    A worker holds it (claimed_by, claimed_until: a lease committed before sending)
    while it sends, and records `sent_at` as soon as the server has accepted it. A
    worker that dies holding it lets the lease run out and another takes it again;
    its Message-ID, made from the unique key, is the same on every try.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Nothing left to send"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="notice:<kind>:<step>:<user> for one notice, "
        "digest:<user>:<date> for a day's digest.",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    message_id = models.CharField(max_length=200, unique=True)
    # Written when a worker first takes it, then kept, so every try is the same email.
    to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="email_pending_next_attempt",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="email_sent_has_sent_at",
            )
        ]

    def __str__(self):
        return self.subject or self.key

    @classmethod
    def new(cls, *, key, recipient):
        return cls(key=key, recipient=recipient, message_id=cls.make_message_id(key))

    @staticmethod
    def make_message_id(key):
        """Made from the key alone, so every try of an email carries the same one: a
        copy sent twice (the server accepted it and the worker died before
        recording it) is recognisably one message to mail systems that drop
        duplicates."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"<notice.{digest}@{site_url.hostname() or 'localhost'}>"

    def retry_delay(self):
        """Before try `attempts` + 1: NOTICES_RETRY_SECONDS, doubled each time."""
        seconds = settings.NOTICES_RETRY_SECONDS * 2 ** max(self.attempts - 1, 0)
        return timedelta(seconds=min(seconds, 86400))


class Notice(models.Model):
    """One thing one person is told about one review step, made once (`key`)."""

    key = models.CharField(
        max_length=200, unique=True, help_text="<kind>:<step>:<user>"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    step = models.ForeignKey(
        "factsheets.ReviewStep", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set at once for immediate delivery; for a digest, when the day's digest is made.
    email = models.ForeignKey(
        Email,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(email__isnull=True),
                name="notice_awaiting_digest",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @staticmethod
    def make_key(kind, step_id, user_id):
        return f"{kind}:{step_id}:{user_id}"
