"""Alerts sent by real worker processes (manage.py worker) to a real SMTP server:
told once a change commits, and exactly once even when a worker is killed with
SIGKILL in the middle of a batch."""

import time
from collections import Counter

from django.conf import settings
from django.test import TransactionTestCase

from alerts.models import Alert, Delivery, Outgoing
from factsheets import sheet_operations
from factsheets.models import FactSheet
from tests.helpers.alerts import make_live_mali, make_publisher, make_reader
from tests.helpers.smtp import SMTPServer
from tests.helpers.worker import start_workers, wait_until

READERS = 40


class WorkerTests(TransactionTestCase):
    def setUp(self):
        self.smtp = SMTPServer().start()
        self.addCleanup(self.smtp.stop)
        self.publisher = make_publisher()
        self.sheet = make_live_mali()
        self.addresses = [f"reader{n}@example.org" for n in range(READERS)]
        for address in self.addresses:
            make_reader(address, country=self.sheet.country)

    def start_workers(self, count=1):
        return start_workers(
            self,
            count,
            EMAIL_URL=self.smtp.email_url,
            EMAIL_TIMEOUT="30",
            # Message-IDs name the site's host, as this process makes them.
            SITE_URL=settings.SITE_URL,
            ALERTS_SEND_RATE="0",
            ALERTS_CONNECTIONS="4",
            # A killed worker's emails are taken again after 2 s; the sweep looks
            # every second.
            ALERTS_LEASE_SECONDS="2",
            ALERTS_TASK_SECONDS="1",
            ALERTS_SWEEP_SECONDS="1",
        )

    def major_change(self, note):
        sheet = FactSheet.objects.get(pk=self.sheet.pk)
        sheet_operations.save(
            sheet, by=self.publisher, change=sheet_operations.Change(note)
        )

    def assert_each_told_once(
        self, workers, subject="Updated: U.S. Relations With Mali"
    ):
        wait_until(
            lambda: (
                Delivery.objects.filter(state=Outgoing.State.SENT).count() >= READERS
            ),
            30,
            f"{READERS} alerts to be sent:\n{workers.output()}",
        )
        wait_until(lambda: len(self.smtp.messages) >= READERS, 10, "the mail")
        time.sleep(0.5)  # a doubled message would have arrived by now
        messages = list(self.smtp.messages)
        self.assertEqual(Counter(m["To"] for m in messages), Counter(self.addresses))
        self.assertEqual({m["Subject"] for m in messages}, {subject})
        ids = Counter(m["Message-ID"] for m in messages)
        self.assertEqual(set(ids.values()), {1})
        self.assertEqual(set(ids), {d.message_id for d in Delivery.objects.all()})

    def test_a_major_change_is_told_by_the_worker_once_it_commits(self):
        workers = self.start_workers()
        self.major_change("New figures.")
        self.assert_each_told_once(workers)
        self.assertIsNotNone(Alert.objects.get().fanned_out_at)

    def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_doubles_nothing(self):
        # The 13th recipient's reply is held: by then three groups of four went
        # out whole, and the fourth group is begun on every connection, its data
        # not ended.
        self.smtp.stall_recipient(after=13, seconds=60)
        self.major_change("New figures.")
        workers = self.start_workers()
        wait_until(self.smtp.stalled.is_set, 30, f"the stall:\n{workers.output()}")
        accepted_before = len(self.smtp.messages)
        self.assertEqual(accepted_before, 12)
        workers.kill(workers[0])
        pending = Delivery.objects.filter(state=Outgoing.State.PENDING).count()
        self.assertEqual(pending, READERS - accepted_before)
        workers.start()
        self.assert_each_told_once(workers)
