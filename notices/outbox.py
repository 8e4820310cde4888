"""Notices and the emails that carry them, written in the step's own transaction."""

from background import enqueue_on_commit
from notices.models import Email, Notice, Preference
from notices.recipients import who_is_told
from notices.tasks import send_notices


def record(step):
    """Write what the step tells whom, once however often it is called for the
    step, and have the worker send what is to go at once after commit."""
    told = who_is_told(step)
    if not told:
        return
    preferences = {
        preference.user_id: preference
        for preference in Preference.objects.filter(
            user__in=[user.pk for _, user in told]
        ).order_by()
    }
    notices, emails = [], []
    for kind, user in told:
        preference = preferences.get(user.pk)
        if preference and not preference.wants(kind):
            continue
        notice = Notice(
            key=Notice.make_key(kind, step.pk, user.pk),
            recipient=user,
            kind=kind,
            step=step,
        )
        notices.append(notice)
        if preference is None or preference.delivery == Preference.Delivery.IMMEDIATE:
            emails.append(Email.new(key=f"notice:{notice.key}", recipient=user))
    if emails:
        # A key already there (the step signalled again) is left as it is.
        Email.objects.bulk_create(emails, ignore_conflicts=True)
        email_ids = dict(
            Email.objects.filter(key__in=[email.key for email in emails])
            .order_by()
            .values_list("key", "pk")
        )
        for notice in notices:
            notice.email_id = email_ids.get(f"notice:{notice.key}")
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    if emails:
        enqueue_on_commit(send_notices)
