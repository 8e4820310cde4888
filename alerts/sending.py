"""Sending alerts, digests and confirmations, each exactly once, at the rate
ALERTS_SEND_RATE allows.

Rows are taken a batch at a time under a lease committed before anything is sent,
as the notices' outbox takes its emails. Each email then goes over SMTP in two
steps. First everything but the end of its data, on one of ALERTS_CONNECTIONS
connections (each command written on every connection of the group before any
reply is read, so their round trips overlap); then, once the group is recorded as
sent in one commit, the final "." that has the server accept each.

A worker killed before that commit leaves its emails unfinished on connections
that die with it: a server drops a message whose data never ended (RFC 5321,
4.1.1.4), and once the lease has run out another worker sends it. Killed after
the commit, the dots are written already or a few microseconds away, and the
kernel delivers what was written. Either way nothing is doubled, and the one
window left, those microseconds, loses at most a group rather than sending it
twice. A server that refuses an email at its end (a 4xx or 5xx reply to the ".")
has it put back as not sent.

Backends other than SMTP (the console of `make run`, the test's memory) have no
second step: each email is handed over once its row is recorded as sent.
"""

import logging
import os
import re
import smtplib
import socket
import time
import uuid
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from alerts import subscriptions
from alerts.compose import Writer, subscriptions_of
from alerts.models import Confirmation, Delivery, Digest, Frequency, Outgoing

logger = logging.getLogger(__name__)

State = Outgoing.State

# Rows taken at a time, by one commit; sent a group (one per connection) at a time.
BATCH = 200


class Refusal(Exception):
    """The server answered an email with an error."""

    def __init__(self, code, text):
        if isinstance(text, bytes):
            text = text.decode(errors="replace")
        super().__init__(f"{code} {text}")
        self.code = code

    @property
    def permanent(self):
        return self.code >= 500


class Unreachable(Exception):
    """No connection to the mail server could be made."""


def sources():
    """What is sent, most urgent first: a reader waits on a confirmation."""
    return (Confirmations(), Alerts(), Digests())


def send_due(*, seconds=None):
    """Send what is due (confirmations, then alerts, then digests) until nothing is
    left or `seconds` have passed; return how many emails the server took."""
    deadline = None if seconds is None else time.monotonic() + seconds
    postbox = Postbox()
    try:
        for source in sources():
            while deadline is None or time.monotonic() < deadline:
                rows = claim(source, BATCH)
                if not rows:
                    break
                postbox.send(source, rows)
    except Unreachable as error:
        logger.warning("The mail server cannot be reached: %s", error)
    finally:
        postbox.close()
    return postbox.sent


def anything_due():
    return any(source.due().exists() for source in sources())


# What is sent, and what recording it as sent (or not) means for each kind.


class Source:
    model = None
    related = ()

    def due(self):
        return self.model.objects.due()

    def write(self, writer, rows):
        raise NotImplementedError

    def sent(self, rows, now):
        """Record what else follows from `rows` having been sent (in the commit)."""

    def unsent(self, row):
        """Undo sent() for a row the server refused after all."""


class Confirmations(Source):
    model = Confirmation
    related = ("subscriber",)

    def write(self, writer, rows):
        lists = subscriptions_of([row.subscriber_id for row in rows])
        return [
            (row, writer.confirmation(row, lists.get(row.subscriber_id, [])))
            for row in rows
        ]


class Alerts(Source):
    model = Delivery
    related = (
        "alert__factsheet__country",
        "subscriber",
        "subscription__country",
        "subscription__bureau",
    )

    def due(self):
        return super().due().filter(frequency=Frequency.IMMEDIATE)

    def write(self, writer, rows):
        return [(row, writer.alert(row)) for row in rows]


class Digests(Source):
    model = Digest
    related = ("subscriber",)

    def write(self, writer, rows):
        """Each digest's alerts, read for the whole batch in one query."""
        waiting = (
            Delivery.objects.filter(
                subscriber_id__in=[row.subscriber_id for row in rows],
                frequency__in={row.frequency for row in rows},
                state=State.PENDING,
                created_at__lt=max(row.cutoff for row in rows),
            )
            .select_related(
                "alert__factsheet__country",
                "subscription__country",
                "subscription__bureau",
            )
            .order_by("created_at", "pk")
        )
        found = {}
        for delivery in waiting:
            found.setdefault((delivery.subscriber_id, delivery.frequency), []).append(
                delivery
            )
        written = []
        for row in rows:
            row.deliveries = [
                d
                for d in found.get((row.subscriber_id, row.frequency), [])
                if d.created_at < row.cutoff
            ]
            written.append((row, writer.digest(row, row.deliveries)))
        return written

    def sent(self, rows, now):
        carried = {d.pk: row.pk for row in rows for d in row.deliveries}
        if carried:
            Delivery.objects.filter(pk__in=carried, state=State.PENDING).update(
                state=State.SENT,
                sent_at=now,
                digest_id=Case(
                    *[
                        When(pk=pk, then=Value(digest))
                        for pk, digest in carried.items()
                    ],
                    output_field=IntegerField(),
                ),
            )

    def unsent(self, row):
        Delivery.objects.filter(digest_id=row.pk, state=State.SENT).update(
            state=State.PENDING, sent_at=None, digest=None
        )


# Taking rows, and recording what became of them.


def lease():
    return timedelta(seconds=settings.ALERTS_LEASE_SECONDS)


def claim(source, size):
    """Take up to `size` due rows of `source` under one lease, committed before
    anything is sent; each carries `claimed_by`, which every later write checks,
    so none touches a row another worker has taken since."""
    mark = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    now = timezone.now()
    candidates = list(
        source.due()
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:size]
    )
    if not candidates:
        return []
    source.due().filter(pk__in=candidates).update(
        claimed_by=mark, claimed_until=now + lease(), attempts=F("attempts") + 1
    )
    rows = list(
        source.model.objects.filter(pk__in=candidates, claimed_by=mark)
        .select_related(*source.related)
        .order_by("next_attempt_at", "pk")
    )
    for row in rows:
        row.lease_ends = now + lease()
    return rows


def held(source, rows):
    return source.model.objects.filter(
        pk__in=[row.pk for row in rows], claimed_by=rows[0].claimed_by
    )


def record_sent(source, rows):
    """Record `rows` as sent in one commit; return the pks of those still ours (one
    left since, its list left by its reader, is not sent)."""
    now = timezone.now()
    with transaction.atomic():
        count = (
            held(source, rows)
            .filter(state=State.PENDING)
            .update(state=State.SENT, sent_at=now, claimed_until=None, last_error="")
        )
        if count == len(rows):
            kept = {row.pk for row in rows}
        else:
            kept = set(
                held(source, rows)
                .filter(state=State.SENT, sent_at=now)
                .values_list("pk", flat=True)
            )
        source.sent([row for row in rows if row.pk in kept], now)
    return kept


def release(source, rows):
    """Give back rows taken but not tried, as if never taken."""
    if rows:
        held(source, rows).update(claimed_until=None, attempts=F("attempts") - 1)


def cancel(source, rows, reason):
    if rows:
        held(source, rows).update(
            state=State.CANCELLED, claimed_until=None, last_error=reason
        )


def refused(source, row, error, *, was_sent=False):
    """A server's refusal, or a failure to reach it: tried again later, up to
    ALERTS_MAX_ATTEMPTS, unless permanent. A permanent refusal counts against the
    address (subscriptions.bounced)."""
    permanent = isinstance(error, Refusal) and error.permanent
    text = without_address(str(error), row.subscriber.email)[:500]
    if permanent or row.attempts >= settings.ALERTS_MAX_ATTEMPTS:
        logger.error("%s %s failed for good: %s", row._meta.model_name, row.pk, text)
        change = {"state": State.FAILED}
    else:
        logger.warning(
            "%s %s not sent (%s); trying again later",
            row._meta.model_name,
            row.pk,
            text,
        )
        change = {
            "state": State.PENDING,
            "next_attempt_at": timezone.now() + row.retry_delay(),
        }
    with transaction.atomic():
        held(source, [row]).update(
            **change, sent_at=None, claimed_until=None, last_error=text
        )
        if was_sent:
            source.unsent(row)
    if permanent:
        subscriptions.bounced(row.subscriber_id)


def without_address(text, address):
    """A server's reply usually names the mailbox; no address reaches a log."""
    return re.sub(re.escape(address), "<address>", text, flags=re.IGNORECASE)


# The connections, and the two steps of each email.


class Line:
    """One connection to the mail server, opened by Django's email backend as
    EMAIL_URL says (host, port, TLS, login)."""

    def __init__(self):
        self.backend = get_connection(fail_silently=False)
        self.smtp = isinstance(self.backend, SMTPBackend)
        self.letter = None

    @property
    def connection(self):
        return self.backend.connection

    def open(self):
        if not self.smtp or self.backend.connection is not None:
            return
        try:
            self.backend.open()
            self.backend.connection.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as error:
            self.drop()
            raise Unreachable(error) from error
        # The end of the data is a few bytes written apart from the rest: sent at
        # once, not held by Nagle's algorithm until the server's delayed
        # acknowledgement of the data, some 40 ms later.
        self.backend.connection.sock.setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
        )

    def command(self, line):
        """Write a command; its reply is read by expect(), once every connection
        of the group has written its own, so the round trips overlap."""
        self.connection.send(line)

    def expect(self, *codes):
        code, text = self.connection.getreply()
        if code not in codes:
            raise Refusal(code, text)

    def write_data(self, data):
        """The message, its lines' leading dots doubled, but not the end of it."""
        data = re.sub(rb"(?m)^\.", b"..", data)
        self.connection.send(data if data.endswith(b"\r\n") else data + b"\r\n")

    def finish(self):
        """The end of the data: the server takes the message."""
        if self.smtp:
            self.connection.send(b".\r\n")
        else:
            self.backend.send_messages([self.letter.message])

    def reply(self):
        if self.smtp:
            self.expect(250)

    def reset(self):
        """After a refusal before the data: the connection is ready for another."""
        if self.smtp and self.backend.connection is not None:
            try:
                self.backend.connection.rset()
            except (smtplib.SMTPException, OSError):
                self.drop()

    def drop(self):
        """Close the connection at once, without QUIT: a message begun on it is
        dropped by the server, as its data never ended."""
        if self.smtp and self.backend.connection is not None:
            try:
                self.backend.connection.close()
            except OSError:
                pass
        self.backend.connection = None

    def close(self):
        if self.smtp and self.backend.connection is not None:
            try:
                self.backend.close()
            except Exception:  # a connection already broken has nothing to close
                self.backend.connection = None


class Postbox:
    """The connections of one send run, the emails written in it, and its pace."""

    def __init__(self):
        self.lines = [Line() for _ in range(max(settings.ALERTS_CONNECTIONS, 1))]
        self.writer = Writer()
        self.sender = sanitize_address(
            parseaddr(settings.ALERTS_FROM_EMAIL)[1], settings.DEFAULT_CHARSET
        )
        self.sent = 0
        self.started = time.monotonic()

    def send(self, source, rows):
        written = source.write(self.writer, rows)
        cancel(
            source,
            [row for row, message in written if message is None],
            "Nothing to send: the change no longer holds, or nothing is left to tell.",
        )
        todo = [(row, message) for row, message in written if message is not None]
        size = len(self.lines)
        for start in range(0, len(todo), size):
            group = todo[start : start + size]
            if timezone.now() > group[0][0].lease_ends - lease() / 2:
                # Half the lease gone: give the rest back and take them anew, so
                # no lease runs out while its email is being sent.
                release(source, [row for row, _ in todo[start:]])
                return
            try:
                self.send_group(source, group)
            except Unreachable:
                release(source, [row for row, _ in todo[start + size :]])
                raise

    def send_group(self, source, group):
        """Send a group, one email per connection: each command written on every
        connection before any reply is read, the group recorded as sent in one
        commit, then the end of each email's data."""
        self.pace(len(group))
        pairs = list(zip(self.lines, group, strict=False))
        for number, (line, _) in enumerate(pairs):
            try:
                line.open()
            except Unreachable:
                release(source, [row for row, _ in group])
                raise
            line.letter = pairs[number][1][1]
        begun = [(line, row) for line, (row, _) in pairs]
        if self.lines[0].smtp:
            for stage, codes in (
                ("MAIL", (250,)),
                ("RCPT", (250, 251)),
                ("DATA", (354,)),
            ):
                begun = self.stage(source, begun, stage, codes)
            written = []
            for line, row in begun:
                try:
                    line.write_data(line.letter.data)
                except (smtplib.SMTPException, OSError) as error:
                    line.drop()
                    refused(source, row, error)
                else:
                    written.append((line, row))
            begun = written
        if not begun:
            return
        kept = record_sent(source, [row for _, row in begun])
        finished = []
        for line, row in begun:
            if row.pk not in kept:
                line.drop()
                continue
            try:
                line.finish()
            except (smtplib.SMTPException, OSError) as error:
                line.drop()
                refused(source, row, error, was_sent=True)
            else:
                finished.append((line, row))
        for line, row in finished:
            try:
                line.reply()
            except Refusal as error:
                refused(source, row, error, was_sent=True)
            except (smtplib.SMTPException, OSError):
                # The end of the data went out; whether the server took it cannot
                # be known, and sending it again could double it: kept as sent.
                line.drop()
                logger.warning(
                    "%s %s: no reply after its data ended; taken as sent",
                    row._meta.model_name,
                    row.pk,
                )
                self.sent += 1
            else:
                self.sent += 1

    def stage(self, source, begun, stage, codes):
        """One command on every connection, then every reply: those refused are
        put off or failed, and their connections reset for the next group."""
        written = []
        for line, row in begun:
            try:
                line.command(self.command(stage, line.letter))
            except (smtplib.SMTPException, OSError) as error:
                line.drop()
                refused(source, row, error)
            else:
                written.append((line, row))
        going = []
        for line, row in written:
            try:
                line.expect(*codes)
            except Refusal as error:
                line.reset()
                refused(source, row, error)
            except (smtplib.SMTPException, OSError) as error:
                line.drop()
                refused(source, row, error)
            else:
                going.append((line, row))
        return going

    def command(self, stage, letter):
        if stage == "MAIL":
            return f"MAIL FROM:<{self.sender}>\r\n".encode()
        if stage == "RCPT":
            return f"RCPT TO:<{letter.to}>\r\n".encode()
        return b"DATA\r\n"

    def pace(self, count):
        """Wait as long as ALERTS_SEND_RATE (emails a second, 0 for no limit) says."""
        rate = settings.ALERTS_SEND_RATE
        if rate > 0:
            wait = self.started + self.sent / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)

    def close(self):
        for line in self.lines:
            line.close()
