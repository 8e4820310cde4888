"""The editorial record around a sheet: its review and publication steps, public
change notes, preview links for people without an account, and who has a sheet
open in the admin."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from factsheets import wording
from factsheets.models.sheets import FactSheet


class ReviewStep(models.Model):
    """One step of a sheet's way to the public: submitted, sent back, published,
    scheduled, unpublished, or (recorded by the worker) gone live or expired.

    Written only by sheet_operations, which sends factsheets.signals.review_step
    for each one inside the transaction that records it.
    """

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        WENT_LIVE = "went_live", "Went live"
        EXPIRED = "expired", "Expired"

    # What the worker records at a sheet's publish or expiry time.
    TIMED = (Action.WENT_LIVE, Action.EXPIRED)

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="review_steps"
    )
    action = models.CharField(max_length=20, choices=Action)
    # Empty for what happened at its time with nobody acting (went live, expired).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # For a timed step, the publish or expiry time it records, not when the worker
    # noticed: the same moment is recorded once (see the constraint).
    at = models.DateTimeField(default=timezone.now)
    message = models.TextField(
        blank=True,
        help_text="The submitter's message, or the reviewer's comment.",
    )
    overridden = models.BooleanField(
        default=False,
        help_text="Published by an administrator past the second-pair-of-eyes rule.",
    )
    answers = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answered_by",
        help_text="The submission this step answers.",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(
                fields=["factsheet", "action", "-at"], name="reviewstep_sheet_action"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["factsheet", "action", "at"],
                condition=Q(action__in=["went_live", "expired"]),
                name="reviewstep_timed_once",
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.factsheet}"

    @property
    def who(self):
        """The person, as the admin names them, or “the system”."""
        if self.by is None:
            return "the system"
        return wording.person(self.by)


class ChangeNote(models.Model):
    """A major change made to a published sheet in place, told to the public."""

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="change_notes"
    )
    note = models.CharField(max_length=300)
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self):
        return self.note


class PreviewLinkQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """A signed address that shows one sheet, as it is now, to anyone holding it."""

    SALT = "factsheets.preview-link"

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="preview_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Preview link for {self.factsheet}"

    def get_absolute_url(self):
        return reverse("factsheets:preview_link", kwargs={"token": self.token})

    @classmethod
    def create(cls, factsheet, days, by=None):
        return cls.objects.create(
            factsheet=factsheet,
            created_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )

    @property
    def token(self):
        # The same address for the link's whole life; its expiry is kept in the row.
        return signing.Signer(salt=self.SALT).sign_object(self.pk)

    @classmethod
    def from_token(cls, token):
        """The valid link a token names, or None: tampered, revoked or expired."""
        try:
            pk = signing.Signer(salt=cls.SALT).unsign_object(token)
        except signing.BadSignature:
            return None
        if not isinstance(pk, int):
            return None
        return cls.objects.valid().filter(pk=pk).first()

    @property
    def is_valid(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self):
        PreviewLink.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


class EditingSession(models.Model):
    """Someone has this sheet's change form open; others are told, nobody is blocked."""

    # A form not refreshed for this long is taken as closed.
    STALE_AFTER = timedelta(minutes=15)

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="editing_sessions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    opened_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["factsheet", "user"], name="editingsession_one_per_user"
            )
        ]

    def __str__(self):
        return f"{self.user} editing {self.factsheet}"

    @classmethod
    def opened(cls, factsheet, user):
        """Record that `user` has the form open; return the others who have it open."""
        now = timezone.now()
        session, created = cls.objects.get_or_create(factsheet=factsheet, user=user)
        if not created:
            if session.seen_at < now - cls.STALE_AFTER:
                session.opened_at = now
            session.seen_at = now
            session.save(update_fields=["opened_at", "seen_at"])
        return (
            cls.objects.filter(factsheet=factsheet, seen_at__gte=now - cls.STALE_AFTER)
            .exclude(user=user)
            .select_related("user")
            .order_by("opened_at")
        )

    @classmethod
    def closed(cls, factsheet, user):
        cls.objects.filter(factsheet=factsheet, user=user).delete()
