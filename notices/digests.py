"""Daily digests: at NOTICES_DIGEST_HOUR (site time), one email per person listing
the notices they chose to get once a day, made once a day (its key names the day)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notices.models import Email, Notice


def make_due(now=None):
    """Make today's digests once the digest hour has come; return how many."""
    local = timezone.localtime(now or timezone.now())
    if local.hour < settings.NOTICES_DIGEST_HOUR:
        return 0
    cutoff = local.replace(
        hour=settings.NOTICES_DIGEST_HOUR, minute=0, second=0, microsecond=0
    )
    waiting = Notice.objects.filter(email__isnull=True, created_at__lte=cutoff)
    made = 0
    for user_id in waiting.values_list("recipient", flat=True).distinct().order_by():
        with transaction.atomic():
            email, created = Email.objects.get_or_create(
                key=f"digest:{user_id}:{local.date().isoformat()}",
                defaults={
                    "recipient_id": user_id,
                    "message_id": Email.make_message_id(
                        f"digest:{user_id}:{local.date().isoformat()}"
                    ),
                    "created_at": cutoff,
                },
            )
            if created:
                # Notices written after today's digest wait for tomorrow's.
                waiting.filter(recipient=user_id).update(email=email)
                made += 1
    return made
