"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts, parsed by
Python's `email` package, and can be told to stall or refuse."""

import asyncio
import email
import threading
import time
from collections import deque
from email import policy

from aiosmtpd.controller import Controller
from django.test import TestCase, override_settings

from tests.helpers.servers import free_port


class SMTPServer:
    """Start it with `with SMTPServer() as smtp:` (or start()/stop()); point Django
    at it with smtp.email_url or smtp.settings().

    A message counts as received only once the server answered 250 to it: a client
    that goes away while the server stalls (stall_next) loses that message, as it
    would with a real server, since aiosmtpd cancels the handler of a connection
    that is gone.
    """

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self.stalled = threading.Event()  # set while a message is being held
        self._stalls = 0
        self._stall_seconds = 0
        self._recipients_before_stall = None
        self.recipients_seen = 0
        self._replies = deque()
        self._rcpt_replies = deque()
        self._changed = threading.Condition()
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, ready_timeout=10
        )

    @property
    def email_url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def settings(self):
        """Settings for override_settings() that send here through SMTP."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_TIMEOUT": 5,
        }

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def stall_next(self, count=1, seconds=60):
        """Hold each of the next `count` messages for `seconds` before answering."""
        self._stalls, self._stall_seconds = count, seconds

    def stall_recipient(self, after, seconds=60):
        """Let `after` recipients through (RCPT TO), then hold the next one's reply
        for `seconds`: its message, and any begun on other connections, are then
        mid-way, their data not ended."""
        self._recipients_before_stall = after
        self._stall_seconds = seconds

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.recipients_seen += 1
        if (
            self._recipients_before_stall is not None
            and self.recipients_seen > self._recipients_before_stall
        ):
            self._recipients_before_stall = None
            self.stalled.set()
            try:
                await asyncio.sleep(self._stall_seconds)
            finally:
                self.stalled.clear()
        if self._rcpt_replies:
            return self._rcpt_replies.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def refuse_recipients(self, *replies):
        """Answer the next recipients (RCPT TO) with these replies, e.g.
        "550 5.1.1 <a@example.org>: no such mailbox"."""
        self._rcpt_replies.extend(replies)

    def reply_next(self, *replies):
        """Answer the next messages with these replies instead of accepting them,
        e.g. "451 4.3.0 Try again later" or "550 5.1.1 No such mailbox"."""
        self._replies.extend(replies)

    async def handle_DATA(self, server, session, envelope):
        if self._stalls:
            self._stalls -= 1
            self.stalled.set()
            try:
                await asyncio.sleep(self._stall_seconds)
            finally:
                self.stalled.clear()
        if self._replies:
            return self._replies.popleft()
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def mail_to(self, address, count, timeout=30, explain=lambda: ""):
        """The messages to `address` once there are `count` of them; `explain()`
        adds to the failure's message (a worker's output, say)."""
        return self._until(
            lambda: [m for m in self.messages if m["To"] == address],
            count,
            timeout,
            lambda: f"emails to {address} arrived in {timeout} s\n{explain()}",
        )

    def wait_for(self, count, timeout=20):
        """The messages once at least `count` have arrived; fails after `timeout`."""
        return self._until(
            lambda: list(self.messages),
            count,
            timeout,
            lambda: f"messages arrived in {timeout} s",
        )

    def _until(self, found, count, timeout, said):
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(messages := found()) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(messages)} of {count} {said()}")
                self._changed.wait(left)
            return messages


class SMTPTestCase(TestCase):
    """Mail sent in this process to a real SMTP server on 127.0.0.1 (self.smtp),
    emptied before each test, with `mail_settings` on top of its own."""

    mail_settings = {}

    @classmethod
    def setUpClass(cls):
        cls.smtp = SMTPServer().start()
        cls.addClassCleanup(cls.smtp.stop)
        cls.enterClassContext(
            override_settings(
                **cls.smtp.settings(),
                SITE_URL="https://factsheets.example.gov",
                **cls.mail_settings,
            )
        )
        super().setUpClass()

    def setUp(self):
        self.smtp.messages.clear()


def text_part(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message):
    return message.get_body(preferencelist=("html",)).get_content()
