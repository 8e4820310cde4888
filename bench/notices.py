"""How fast a worker drains the notices of many submissions, and its memory:
`.venv/bin/python bench/notices.py` (--submissions, --publishers, --pg).

On SQLite in a temporary folder (or, with --pg, in the PostgreSQL database
factsheets_notices_bench, made for the run and dropped after) it makes an editor,
P publishers and N complete drafts, and submits each draft for review as the admin
does (sheet_operations), which writes P notices per submission to the outbox and
enqueues a send for each. A local SMTP server (aiosmtpd on 127.0.0.1) takes the
mail. Then one worker process starts (`manage.py worker`), and the script prints
how long it took until the first email arrived and until every email was recorded
as sent, the rate, and the worker's peak resident memory (VmHWM, Linux only); it
checks that each email arrived exactly once.
"""

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

from project import BASE_DIR, PYTHON, manage


class Inbox:
    """aiosmtpd's handler: keeps each accepted message's recipient and Message-ID."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append((message["To"], message["Message-ID"]))
        return "250 Message accepted for delivery"


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--publishers", type=int, default=3)
    parser.add_argument(
        "--pg",
        metavar="URL",
        nargs="?",
        const="postgres://postgres@127.0.0.1:5432",
        help="run on PostgreSQL at URL (default %(const)s) instead of SQLite",
    )
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="notices-bench-"))
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CACHE_URL": f"filecache://{folder / 'cache'}",
        "DATABASE_URL": f"{options.pg}/{DATABASE}"
        if options.pg
        else f"sqlite:///{folder / 'bench.sqlite3'}",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }
    worker = None
    try:
        print("Migrating and submitting...", flush=True)
        if options.pg:
            postgres(options.pg, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            postgres(options.pg, f'CREATE DATABASE "{DATABASE}"')
        manage(env, "migrate", "-v0")
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from notices.models import Email

        started = time.monotonic()
        make_submissions(options.submissions, options.publishers)
        emails = Email.objects.count()
        print(
            f"{options.submissions:,} submissions to {options.publishers} publishers: "
            f"{emails:,} emails in the outbox ({time.monotonic() - started:.1f} s "
            "to submit)",
            flush=True,
        )

        started = time.monotonic()
        worker = subprocess.Popen(
            [str(PYTHON), "manage.py", *WORKER_COMMAND],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        peak = 0
        first = None
        while Email.objects.filter(state=Email.State.SENT).count() < emails:
            if first is None and inbox.received:
                first = time.monotonic() - started
            if worker.poll() is not None:
                sys.exit(f"The worker stopped:\n{worker.stderr.read()[-3000:]}")
            peak = max(peak, vm_hwm(worker.pid))
            time.sleep(0.2)
        seconds = time.monotonic() - started
        peak = max(peak, vm_hwm(worker.pid))
        time.sleep(0.5)  # anything sent twice would have arrived
        with inbox.lock:
            received = list(inbox.received)
        doubled = sum(n - 1 for n in Counter(mid for _, mid in received).values())
        first = first or seconds
        print(
            f"{'emails':>8} {'first after':>12} {'drained in':>11} "
            f"{'per second':>11} {'peak memory':>12}"
        )
        print(
            f"{emails:>8,} {first:>10.1f} s {seconds:>9.1f} s "
            f"{emails / max(seconds - first, 0.001):>11,.0f} {peak / 1024:>9,.0f} MB"
        )
        print(f"Received {len(received):,}, of which doubled: {doubled}")
        if len(received) != emails or doubled:
            sys.exit("Not every email arrived exactly once.")
    finally:
        if worker and worker.poll() is None:
            worker.terminate()
            worker.wait(10)
        smtp.stop()
        shutil.rmtree(folder, ignore_errors=True)
        if options.pg:
            from django.db import connections

            connections.close_all()
            postgres(options.pg, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


WORKER_COMMAND = ["worker"]
DATABASE = "factsheets_notices_bench"


def postgres(url, statement):
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as db:
        db.execute(statement)


def make_submissions(submissions, publishers):
    """An editor, `publishers` publishers, and `submissions` complete drafts, each
    submitted for review through sheet_operations, as the admin submits one."""
    import datetime

    from django.contrib.auth.models import Group, User

    from factsheets import sheet_operations
    from factsheets.models import Bureau, Country, FactSheet, Section

    editor = User.objects.create_user(
        "bench-editor", "editor@example.org", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    for n in range(publishers):
        user = User.objects.create_user(
            f"bench-publisher-{n}", f"publisher{n}@example.org", is_staff=True
        )
        user.groups.add(Group.objects.get(name="Publishers"))
    bureau = Bureau.objects.create(name="Bureau of Bench Affairs", slug="bench")
    country = Country.objects.create(name="Benchland", slug="benchland", bureau=bureau)
    first = datetime.date(2000, 1, 1)
    for n in range(submissions):
        sheet = FactSheet.objects.create(
            country=country,
            title=f"U.S. Relations With Benchland {n}",
            issued_on=first + datetime.timedelta(days=n),
        )
        Section.objects.create(factsheet=sheet, heading="", body="<p>Ties.</p>")
        sheet_operations.submit_for_review(
            FactSheet.objects.get(pk=sheet.pk),
            by=editor,
            message=f"Draft {n} is ready.",
        )


def vm_hwm(pid):
    """The process's peak resident memory in kB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(status.split("VmHWM:")[1].split()[0])


if __name__ == "__main__":
    main()
