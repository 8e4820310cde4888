"""What an email says: its subject and its plain-text and HTML parts, made from its
notices (templates/notices/). Written into the outbox row when a worker first takes
it, so every try sends the same email."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from factsheets import site_url
from factsheets.models import ReviewStep
from factsheets.wording import person
from notices.models import Kind, Notice


def contents(emails):
    """{email pk: {to, subject, text, html}} for the emails, None for one with
    nothing left to send (its notices are gone with their sheet, or its recipient
    has no address). One query for all of them."""
    notices = {}
    for notice in (
        Notice.objects.filter(email__in=emails)
        .select_related("recipient", "step__factsheet", "step__by")
        .order_by("created_at", "pk")
    ):
        notices.setdefault(notice.email_id, []).append(notice)
    return {email.pk: content(email, notices.get(email.pk, [])) for email in emails}


def content(email, notices):
    if not notices or not notices[0].recipient.email:
        return None
    recipient = notices[0].recipient
    items = [describe(notice) for notice in notices]
    if email.key.startswith("digest:"):
        day = date_format(timezone.localtime(email.created_at), "l, F j")
        count = len(items)
        subject = f"Fact sheets: {count} notice{'s' if count != 1 else ''} for {day}"
    else:
        subject = items[0]["subject"]
    context = {
        "recipient": recipient,
        "name": person(recipient),
        "items": items,
        "digest": email.key.startswith("digest:"),
        "preferences_url": site_url.absolute(reverse("admin:notices_preferences")),
    }
    return {
        "to": recipient.email,
        # One line, whatever a title holds: a header may not break.
        "subject": " ".join(subject.split()),
        "text": render_to_string("notices/email.txt", context).strip() + "\n",
        "html": render_to_string("notices/email.html", context),
    }


def describe(notice):
    """One notice as the templates show it: a subject, a sentence, the message
    or comment if any, and the admin page it is about."""
    step = notice.step
    sheet = step.factsheet
    by = person(step.by) if step.by else "The site"
    when = local(step.at)
    quote_label = ""
    if notice.kind == Kind.REVIEW_WAITING:
        subject = f"Waiting for your review: {sheet}"
        sentence = f"{by} submitted {sheet} for review on {when}."
        quote_label = "Their message"
    elif notice.kind == Kind.APPROVED and step.action == ReviewStep.Action.SCHEDULED:
        goes_live = local(sheet.publish_at) if sheet.publish_at else "a set time"
        subject = f"Scheduled: {sheet}"
        sentence = f"{by} approved {sheet} on {when}. It goes live on {goes_live}."
        quote_label = "Their comment"
    elif notice.kind == Kind.APPROVED:
        subject = f"Published: {sheet}"
        sentence = f"{by} approved and published {sheet} on {when}."
        quote_label = "Their comment"
    elif notice.kind == Kind.CHANGES_REQUESTED:
        subject = f"Changes requested: {sheet}"
        sentence = f"{by} sent {sheet} back to draft on {when}, asking for changes."
        quote_label = "Their comment"
    elif notice.kind == Kind.WENT_LIVE:
        subject = f"Now live: {sheet}"
        sentence = f"{sheet}, which you edited, went live on the public site on {when}."
    else:
        subject = f"Expired: {sheet}"
        sentence = (
            f"{sheet}, which you edited, expired on {when} and is no longer on the "
            "public site."
        )
    return {
        "kind": notice.kind,
        "subject": subject,
        "sentence": sentence,
        "quote_label": quote_label,
        "quote": step.message.strip() if quote_label else "",
        "url": site_url.absolute(
            reverse("admin:factsheets_factsheet_change", args=[sheet.pk])
        ),
        "sheet": str(sheet),
    }


def local(moment):
    """In the site's time zone, named, as an email may be read anywhere:
    "December 8, 2026, 9:00 AM EST"."""
    return date_format(timezone.localtime(moment), "F j, Y, g:i A T")
