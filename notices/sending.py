"""Sending the outbox: each email taken under a lease that is committed before it is
sent, and recorded as sent as soon as the server has accepted it.

A worker killed before the server accepted the email leaves it held until the
lease runs out (NOTICES_LEASE_SECONDS); then any worker takes it again. The one
window left is between the server's acceptance and the row's update: a worker
killed there sends the email again after the lease, with the same Message-ID.
"""

import logging
import os
import smtplib
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notices.compose import contents
from notices.models import Email

logger = logging.getLogger(__name__)

# Emails taken at a time: one commit takes them all; each is then sent, and
# recorded as sent, on its own.
BATCH = 20


class Temporary(Exception):
    """The server could not take the email now; try again later."""


class Permanent(Exception):
    """The server refused the email for good."""


def send_due(*, limit=None):
    """Send the emails that are due, until none is left or `limit` were tried;
    return how many the server accepted."""
    sent = tried = 0
    connection = None
    try:
        while limit is None or tried < limit:
            size = BATCH if limit is None else min(BATCH, limit - tried)
            candidates = list(
                Email.objects.due().order_by("next_attempt_at", "pk")[:size]
            )
            if not candidates:
                break
            if connection is None:
                connection = connect()
                if connection is None:
                    break
            took_any, taken, until = claim(candidates)
            if not took_any:
                break  # the rest are another worker's
            for number, email in enumerate(taken):
                if timezone.now() > until - lease() / 2:
                    # Half the lease gone: give the rest back and take them anew,
                    # so no lease runs out while its email is being sent.
                    release(taken[number:])
                    break
                tried += 1
                try:
                    deliver(connection, email)
                except Temporary as error:
                    put_off(email, error)
                    # The connection may be what failed: the next email opens another.
                    connection = close(connection)
                    if (connection := connect()) is None:
                        release(taken[number + 1 :])
                        return sent
                except Permanent as error:
                    give_up(email, error)
                else:
                    sent += mark_sent(email)
    finally:
        close(connection)
    return sent


def lease():
    return timedelta(seconds=settings.NOTICES_LEASE_SECONDS)


def connect():
    """An open connection to the mail server, or None when it cannot be reached:
    then nothing is taken, and the sweep tries again in a while. An unreachable
    server is not the emails' fault, so it uses up none of their tries."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("The mail server cannot be reached: %s", error)
        return None
    return connection


def claim(candidates):
    """Take those of the candidates still due, in one committed transaction before
    anything is sent: (whether any was taken, [emails to send], lease end). Emails
    not yet written are written now and kept for every later try; one with nothing
    to send is cancelled.

    The claim's own mark (host, process, a random part) is what every later write
    of this worker checks, so none of them touches an email another has taken since.
    """
    claimed_by = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    now = timezone.now()
    until = now + lease()
    written = contents([email for email in candidates if not email.subject])
    with transaction.atomic():
        Email.objects.due(now).filter(pk__in=[email.pk for email in candidates]).update(
            claimed_by=claimed_by, claimed_until=until, attempts=F("attempts") + 1
        )
        taken = list(
            Email.objects.filter(
                pk__in=[email.pk for email in candidates], claimed_by=claimed_by
            ).order_by("next_attempt_at", "pk")
        )
        changed, to_send = [], []
        for email in taken:
            if email.subject:
                to_send.append(email)
                continue
            fields = written.get(email.pk)
            if fields is None:
                email.state = Email.State.CANCELLED
                email.claimed_until = None
                email.last_error = "Nothing to send: no notice left, or no address."
            else:
                for name, value in fields.items():
                    setattr(email, name, value)
                to_send.append(email)
            changed.append(email)
        Email.objects.bulk_update(
            changed,
            ["to", "subject", "text", "html", "state", "claimed_until", "last_error"],
        )
    return bool(taken), to_send, until


def deliver(connection, email):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={
            "Message-ID": email.message_id,
            # Machine-written (RFC 3834): no out-of-office replies, please.
            "Auto-Submitted": "auto-generated",
        },
        connection=connection,
    )
    message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise (Permanent if all(code >= 500 for code in codes) else Temporary)(
            f"Recipient refused: {error.recipients}"
        ) from error
    except smtplib.SMTPResponseException as error:
        said = error.smtp_error
        if isinstance(said, bytes):
            said = said.decode(errors="replace")
        reply = f"{error.smtp_code} {said}"
        raise (Permanent if error.smtp_code >= 500 else Temporary)(reply) from error
    except (smtplib.SMTPException, OSError) as error:
        raise Temporary(f"{type(error).__name__}: {error}") from error
    except ValueError as error:
        # Django's refusal of an address it cannot write (“a@b@c”): no try will
        # do better, and the rest of the batch must not wait behind it.
        raise Permanent(str(error)) from error


def release(emails):
    """Give back emails taken (by one claim) but not tried, as if never taken."""
    if emails:
        Email.objects.filter(
            pk__in=[email.pk for email in emails], claimed_by=emails[0].claimed_by
        ).update(claimed_until=None, attempts=F("attempts") - 1)


def mark_sent(email):
    recorded = held(email).update(
        state=Email.State.SENT,
        sent_at=timezone.now(),
        claimed_until=None,
        last_error="",
    )
    if not recorded:
        logger.warning("Email %s was sent after its lease ran out", email.key)
    return 1


def put_off(email, error):
    """Try again later, or give up after NOTICES_MAX_ATTEMPTS tries."""
    if email.attempts >= settings.NOTICES_MAX_ATTEMPTS:
        give_up(email, error)
        return
    logger.warning("Email %s not sent (%s); trying again later", email.key, error)
    held(email).update(
        claimed_until=None,
        next_attempt_at=timezone.now() + email.retry_delay(),
        last_error=str(error),
    )


def give_up(email, error):
    logger.error("Email %s failed for good: %s", email.key, error)
    held(email).update(
        state=Email.State.FAILED, claimed_until=None, last_error=str(error)
    )


def held(email):
    """The email, as long as this worker's claim on it stands."""
    return Email.objects.filter(pk=email.pk, claimed_by=email.claimed_by)


def close(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:  # a connection already broken has nothing to close
            logger.debug("Closing the mail connection failed", exc_info=True)
    return None
