"""Notices sent by real worker processes (manage.py worker) to a real SMTP server,
a worker killed with SIGKILL in the middle of sending among them."""

import time
from collections import Counter

from django.test import TransactionTestCase
from django_tasks_db.models import DBTaskResult

from factsheets import sheet_operations
from factsheets.models import ReviewStep
from factsheets.signals import review_step
from notices.models import Email
from tests.helpers.factories import make_user
from tests.helpers.notices import make_draft, make_mali_draft
from tests.helpers.smtp import SMTPServer
from tests.helpers.worker import start_workers, wait_until

SUBJECT = "Waiting for your review: U.S. Relations With Mali (2015-10-15)"


class WorkerTests(TransactionTestCase):
    def setUp(self):
        self.smtp = SMTPServer().start()
        self.addCleanup(self.smtp.stop)
        self.editor = make_user("ed", "Editors", email="ed@example.org")
        self.publishers = [
            make_user(f"pub{n}", "Publishers", email=f"pub{n}@example.org")
            for n in range(3)
        ]

    def start_workers(self, count=1):
        return start_workers(
            self,
            count,
            EMAIL_URL=self.smtp.email_url,
            EMAIL_TIMEOUT="30",
            # A killed worker's emails are taken again after 2 s; the sweep looks
            # every second.
            NOTICES_LEASE_SECONDS="2",
            NOTICES_SWEEP_SECONDS="1",
        )

    def submit(self, sheet, message="Ready"):
        return sheet_operations.submit_for_review(
            sheet, by=self.editor, message=message
        )

    def wait_until_sent(self, count, workers, timeout=30):
        wait_until(
            lambda: Email.objects.filter(state=Email.State.SENT).count() >= count,
            timeout,
            f"{count} emails to be sent:\n{workers.output()}",
        )

    def assert_each_arrived_once(self, expected):
        wait_until(lambda: len(self.smtp.messages) >= len(expected), 10, "the mail")
        time.sleep(0.5)  # a doubled message would have arrived by now
        messages = list(self.smtp.messages)
        self.assertEqual(
            Counter((m["To"], m["Subject"]) for m in messages), Counter(expected)
        )
        ids = Counter(m["Message-ID"] for m in messages)
        self.assertEqual(set(ids.values()), {1})
        self.assertEqual(
            set(ids), set(Email.objects.values_list("message_id", flat=True))
        )

    def expected(self, subject=SUBJECT):
        return [(f"pub{n}@example.org", subject) for n in range(3)]

    def test_notices_of_a_submission_go_out_from_the_worker(self):
        self.submit(make_mali_draft())
        workers = self.start_workers()
        self.wait_until_sent(3, workers)
        self.assert_each_arrived_once(self.expected())

    def test_a_worker_killed_while_sending_loses_and_doubles_nothing(self):
        self.smtp.stall_next(1, seconds=60)
        self.submit(make_mali_draft())
        workers = self.start_workers()
        if not self.smtp.stalled.wait(20):
            self.fail(f"the worker sent nothing:\n{workers.output()}")
        # It took the three emails (one commit) before sending the first.
        self.assertEqual(
            Email.objects.filter(claimed_until__isnull=False, sent_at=None).count(), 3
        )
        workers.kill(workers[0])  # while the server holds the first, unanswered

        workers.start()
        self.wait_until_sent(3, workers)
        self.assert_each_arrived_once(self.expected())
        self.assertEqual(
            set(Email.objects.values_list("state", "attempts")),
            {(Email.State.SENT, 2)},  # taken by each worker, sent once
        )

    def test_the_sweep_sends_what_no_task_was_enqueued_for(self):
        self.submit(make_mali_draft())
        DBTaskResult.objects.all().delete()  # as if the enqueue had been lost
        workers = self.start_workers()
        self.wait_until_sent(3, workers)
        self.assert_each_arrived_once(self.expected())

    def test_two_workers_and_steps_signalled_twice_send_each_notice_once(self):
        steps = [
            self.submit(make_draft(title=f"U.S. Relations With Country {n}"))
            for n in range(4)
        ]
        for step in steps:
            review_step.send(sender=ReviewStep, step=step)  # again: nothing new
        workers = self.start_workers(2)
        self.wait_until_sent(12, workers)
        self.assert_each_arrived_once(
            [
                (f"pub{p}@example.org", f"Waiting for your review: {step.factsheet}")
                for step in steps
                for p in range(3)
            ]
        )
