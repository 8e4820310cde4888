"""What each email says. An alert is written once per send run and copied for each
reader with their own links put in; a digest is put together from the alerts'
parts; each is an EmailMultiAlternatives of Django's email framework, with a plain
text part, an HTML part without images, and the list headers of RFC 2369 and RFC
8058 (one-click unsubscribe)."""

from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from alerts import tokens
from alerts.models import Alert, Frequency, Subscription
from factsheets import site_url
from factsheets.models import FactSheet

# Stand-ins for each reader's own links and list, replaced in the written text:
# characters neither HTML escaping nor a template changes.
LEAVE_URL = "@@leave-url@@"
MANAGE_URL = "@@manage-url@@"
LIST_NAME = "@@list-name@@"


def absolute(name, *args):
    return site_url.absolute(reverse(name, args=args))


def day(moment):
    return date_format(timezone.localtime(moment), "F j, Y")


def envelope(subject, text, html, to, *, message_id, leave_url=None, list_id=None):
    headers = {
        "Message-ID": message_id,
        # Machine-written (RFC 3834): no out-of-office replies, please.
        "Auto-Submitted": "auto-generated",
    }
    if leave_url:
        headers["List-Unsubscribe"] = f"<{leave_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["List-Id"] = (
            f"Fact sheet alerts <{list_id}.alerts.{site_url.hostname() or 'localhost'}>"
        )
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.ALERTS_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


class Letter:
    """One email ready to go: who it is to, and either the EmailMessage itself or
    its bytes as a server reads them, made from an alert's written copy with the
    reader's parts put in (`build` makes the EmailMessage, for backends that take
    no bytes)."""

    def __init__(self, to, *, message=None, data=None, build=None):
        self.to = to
        self._message = message
        self._data = data
        self._build = build

    @property
    def message(self):
        if self._message is None:
            self._message = self._build()
        return self._message

    @property
    def data(self):
        if self._data is None:
            self._data = self.message.message().as_bytes(linesep="\r\n")
        return self._data


# Stand-ins for each reader's own headers in an alert's written copy.
TO = "reader@alerts.invalid"
MESSAGE_ID = "<@@message-id@@>"
DATE = "@@date@@"
LIST_ID = "@@list-id@@"
LIST_NAME_HTML = "@@list-name-html@@"


def recipient(address):
    """The address as a header and an envelope take it: as stored when ASCII (a
    validated address holds no line break), else with its domain in IDNA."""
    if address.isascii():
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


class Writer:
    """Writes the emails of one send run, remembering what every reader shares."""

    def __init__(self):
        self._items = {}
        self._alerts = {}
        self._live = {}

    # Alerts and their parts.

    def item(self, alert):
        """What an alert tells, as the templates show it: a subject, a sentence,
        the note of a major change, and its links."""
        if alert.pk not in self._items:
            self._items[alert.pk] = describe(alert)
        return self._items[alert.pk]

    def still_true(self, alert):
        """Whether the alert still holds when it is sent: a sheet published and
        unpublished again before its readers were told is not news, nor is a
        withdrawal undone."""
        if alert.pk not in self._live:
            live = FactSheet.objects.live().filter(pk=alert.factsheet_id).exists()
            self._live[alert.pk] = live != (alert.kind == Alert.Kind.WITHDRAWN)
        return self._live[alert.pk]

    def alert(self, delivery):
        """The Letter of one alert to one reader, or None if it no longer holds."""
        alert = delivery.alert
        if not self.still_true(alert):
            return None
        if alert.pk not in self._alerts:
            self._alerts[alert.pk] = self.written(alert)
        subject, text, html, copy = self._alerts[alert.pk]
        subscriber, subscription = delivery.subscriber, delivery.subscription
        leave_url = absolute(
            "alerts:leave", tokens.leave(subscriber, subscription=subscription)
        )
        manage_url = absolute("alerts:manage", tokens.manage(subscriber))
        name = subscription.list_name

        def build():
            return envelope(
                subject,
                personal(text, leave_url, manage_url, name),
                personal(
                    html, escape(leave_url), escape(manage_url), escape(name)
                ).replace(LIST_NAME_HTML, escape(name)),
                subscriber.email,
                message_id=delivery.message_id,
                leave_url=leave_url,
                list_id=list_id(subscription),
            )

        to = recipient(subscriber.email)
        if copy is None or not (to.isascii() and name.isascii()) and b"7bit" in copy:
            return Letter(to, build=build)
        data = copy
        for stand_in, value in (
            (TO, to),
            (MESSAGE_ID, delivery.message_id),
            (DATE, formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
            (LIST_ID, list_id(subscription)),
            (LEAVE_URL, leave_url),
            (MANAGE_URL, manage_url),
            (LIST_NAME_HTML, escape(name)),
            (LIST_NAME, name),
        ):
            data = data.replace(stand_in.encode(), value.encode())
        return Letter(to, data=data, build=build)

    def written(self, alert):
        """An alert written once for all its readers: its subject, text and HTML
        with stand-ins, and its whole email as bytes with stand-ins for each
        reader's headers and links (None if some stand-in did not come through
        as written, when each reader's email is made whole instead)."""
        item = self.item(alert)
        context = {
            "items": [item],
            "digest": False,
            "leave_url": LEAVE_URL,
            "manage_url": MANAGE_URL,
            "list_name": LIST_NAME,
        }
        text = render_to_string("alerts/email/alerts.txt", context)
        html = render_to_string(
            "alerts/email/alerts.html", {**context, "list_name": LIST_NAME_HTML}
        )
        message = envelope(
            item["subject"],
            text,
            html,
            TO,
            message_id=MESSAGE_ID,
            leave_url=LEAVE_URL,
            list_id=LIST_ID,
        )
        message.extra_headers["Date"] = DATE
        copy = message.message().as_bytes(linesep="\r\n")
        stand_ins = [TO, MESSAGE_ID, DATE, LIST_ID, LEAVE_URL, MANAGE_URL]
        stand_ins += [LIST_NAME, LIST_NAME_HTML]
        if not all(stand_in.encode() in copy for stand_in in stand_ins):
            copy = None
        return item["subject"], text, html, copy

    def digest(self, digest, deliveries):
        """A reader's digest of `deliveries`, or None if none still holds."""
        items = [self.item(d.alert) for d in deliveries if self.still_true(d.alert)]
        if not items:
            return None
        subscriber = digest.subscriber
        lists = sorted({d.subscription.list_name for d in deliveries})
        period = "week" if digest.frequency == Frequency.WEEKLY else "day"
        count = len(items)
        subject = (
            f"Fact sheets: {count} update{'s' if count != 1 else ''}, "
            f"{'week to ' if period == 'week' else ''}{day(digest.cutoff)}"
        )
        leave_url = absolute(
            "alerts:leave", tokens.leave(subscriber, frequency=digest.frequency)
        )
        context = {
            "items": items,
            "digest": True,
            "period": period,
            "leave_url": leave_url,
            "manage_url": absolute("alerts:manage", tokens.manage(subscriber)),
            "list_name": ", ".join(lists),
            "frequency": digest.get_frequency_display().lower(),
        }
        return Letter(
            recipient(subscriber.email),
            message=envelope(
                subject,
                render_to_string("alerts/email/alerts.txt", context),
                render_to_string("alerts/email/alerts.html", context),
                subscriber.email,
                message_id=digest.message_id,
                leave_url=leave_url,
                list_id=f"{digest.frequency}-digest",
            ),
        )

    def confirmation(self, confirmation, subscriptions):
        """The email asking the address to confirm what it asked for, or, if
        nothing waits, telling it what it follows; None if it follows nothing."""
        waiting = [s for s in subscriptions if s.confirmed_at is None]
        following = [s for s in subscriptions if s.confirmed_at is not None]
        if not subscriptions:
            return None
        subscriber = confirmation.subscriber
        context = {
            "waiting": waiting,
            "following": following,
            "confirm_url": absolute("alerts:confirm", tokens.confirm(subscriber)),
            "manage_url": absolute("alerts:manage", tokens.manage(subscriber)),
            "days": settings.ALERTS_CONFIRM_DAYS,
            "site": site_url.hostname(),
        }
        subject = (
            "Confirm your email alerts"
            if waiting
            else "You already get these email alerts"
        )
        return Letter(
            recipient(subscriber.email),
            message=envelope(
                f"{subject} from {settings.DEPARTMENT_NAME}",
                render_to_string("alerts/email/confirm.txt", context),
                render_to_string("alerts/email/confirm.html", context),
                subscriber.email,
                message_id=confirmation.message_id,
            ),
        )


def personal(written, leave_url, manage_url, name):
    return (
        written.replace(LEAVE_URL, leave_url)
        .replace(MANAGE_URL, manage_url)
        .replace(LIST_NAME, name)
    )


def list_id(subscription):
    if subscription.country_id:
        return subscription.country.slug
    if subscription.bureau_id:
        return f"bureau-{subscription.bureau.slug}"
    return "all"


def describe(alert):
    sheet = alert.factsheet
    title = sheet.title or sheet.default_title()
    dated = f"dated {sheet.issued_on_text}" if sheet.issued_on else ""
    when = day(alert.created_at)
    compare_url = comparison(sheet)
    if alert.kind == Alert.Kind.PUBLISHED:
        subject = f"New edition: {title}"
        sentence = f"A new edition of {title}, {dated}, was published on {when}."
        url = site_url.absolute(sheet.get_absolute_url())
    elif alert.kind == Alert.Kind.MAJOR_CHANGE:
        subject = f"Updated: {title}"
        sentence = f"{title}, {dated}, was updated on {when}."
        url = site_url.absolute(sheet.get_absolute_url())
    else:
        subject = f"Withdrawn: {title}"
        sentence = (
            f"{title}, {dated}, was withdrawn on {when} and is no longer published."
        )
        url = absolute("factsheets:index")
        compare_url = ""
    return {
        "kind": alert.kind,
        "subject": subject,
        "title": title,
        "sentence": sentence,
        "note": alert.note,
        "url": url,
        "link_text": "Read the fact sheets"
        if alert.kind == Alert.Kind.WITHDRAWN
        else f"Read {title}",
        "compare_url": compare_url,
    }


def comparison(sheet):
    """The public comparison of this edition with the one before it, if there is
    one before it."""
    if sheet.issued_on is None:
        return ""
    earlier = (
        sheet.editions()
        .filter(issued_on__lt=sheet.issued_on)
        .values_list("issued_on", flat=True)
        .first()
    )
    if earlier is None:
        return ""
    base = absolute("factsheets:changes", sheet.country.slug)
    return f"{base}?from={earlier.isoformat()}&to={sheet.issued_on.isoformat()}"


def subscriptions_of(subscriber_ids):
    """{subscriber id: [their subscriptions]}, in one query."""
    found = {}
    for subscription in Subscription.objects.filter(
        subscriber_id__in=subscriber_ids
    ).select_related("country", "bureau"):
        found.setdefault(subscription.subscriber_id, []).append(subscription)
    return found
