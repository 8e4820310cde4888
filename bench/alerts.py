"""One alert to a large list, and its digests: `make alerts-bench` (or
`.venv/bin/python bench/alerts.py`; --quick, --sizes).

In a PostgreSQL database made for the run and dropped after
(factsheets_alerts_bench), with the Mali sheet loaded, it gives the Mali list N
confirmed readers (bulk_create) and, for each N, in a fresh process: records one
alert of a new edition, fans it out (alerts.fanout.fan_out: a delivery per reader)
and sends it (alerts.sending.send_due with ALERTS_SEND_RATE=0) to an SMTP sink on
127.0.0.1: aiosmtpd in a process of its own, which counts what it accepted and any
Message-ID or recipient it saw twice. It prints messages a second and the process's
peak resident memory, with its growth during the fan-out and during the send. Then,
the list switched to daily, in another fresh process per N: an alert fanned out to
the same readers, and their digests made (alerts.digests.make_due, after the digest
hour), timed, with the SQL statements that took (and, with --send-digests, sent).

Needs PostgreSQL on 127.0.0.1; Linux, for the memory figures.
"""

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from project import BASE_DIR, PYTHON, manage

DATABASE = "factsheets_alerts_bench"
SIZES = [10_000, 50_000, 100_000]
QUICK_SIZES = [2_000, 10_000]
RATE_GOAL = 500  # messages a second
# "Flat": the largest list's peak resident memory at most this much above the
# smallest's.
FLAT_PERCENT = 10
READERS_BATCH = 5000
PROFILE_ENTRIES = 25


def main():
    args = parse_args()
    if args.role == "sink":
        return run_sink(args.port)
    if args.role in ("send", "digest"):
        return run_child(args)
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "CACHE_URL": "locmemcache://alerts-bench",
        # Off, as in production: with DEBUG on, Django keeps every query it runs.
        "DEBUG": "false",
        "PAGE_CACHE": "false",
        "PRERENDER": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ALERTS_SEND_RATE": "0",
    }
    if args.connections:
        env["ALERTS_CONNECTIONS"] = str(args.connections)
    env.pop("PYTEST_VERSION", None)
    sink = None
    try:
        sink = Sink()
        env["EMAIL_URL"] = f"smtp://127.0.0.1:{sink.port}"
        ready(args, env)
        sends, digests = measure(args, env, sink)
        print_results(args, sends, digests)
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        sys.exit(130)
    finally:
        if sink:
            sink.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        postgres(args.pg, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(n.replace("_", "")) for n in text.split(",")],
        help=f"Readers, comma-separated (default {','.join(map(str, SIZES))}).",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"Sizes {','.join(map(str, QUICK_SIZES))}, while developing.",
    )
    parser.add_argument(
        "--connections", type=int, help="ALERTS_CONNECTIONS (default: the setting's)."
    )
    parser.add_argument(
        "--send-digests", action="store_true", help="Also send the digests made."
    )
    parser.add_argument(
        "--no-digests", action="store_true", help="Skip the digests altogether."
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Print the top cProfile entries of the largest send (slows it).",
    )
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="PostgreSQL database to create (dropped first, and at the end).",
    )
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server."
    )
    # The bench's own processes: the SMTP sink, and each measured run.
    parser.add_argument("--role", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sizes = sorted(set(args.sizes or (QUICK_SIZES if args.quick else SIZES)))
    return args


def ready(args, env):
    """The database made and migrated, the Mali sheet loaded, and this process set
    up to use it."""
    print_machine(args)
    postgres(args.pg, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    postgres(args.pg, f'CREATE DATABASE "{args.database}"')
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_initial_data", "--verbosity", "0")
    os.environ.update(env)
    # Ahead of bench/, whose alerts.py (this file) would hide the app of that name.
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def postgres(url, statement):
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as db:
        db.execute(statement)


# The run, from this process.


def measure(args, env, sink):
    """For each size, smallest first (readers are only ever added): the alert
    sent, then the digests."""
    from alerts.models import Frequency

    sends, digests = [], []
    for size in args.sizes:
        add_readers(size)
        start_again(Frequency.IMMEDIATE)
        sink.reset()
        profile = args.profile and size == args.sizes[-1]
        print(f"{size:,} readers: fanning out and sending...", flush=True)
        result = child(env, "send", size, profile=profile)
        result.update(sink.stats())
        sends.append(result)
        print(
            f"  {result['accepted']:,} accepted in {result['send_seconds']:.1f} s: "
            f"{result['accepted'] / result['send_seconds']:,.0f} a second",
            flush=True,
        )
        if result.get("profile"):
            print(result["profile"])
        if args.no_digests:
            continue
        start_again(Frequency.DAILY)
        sink.reset()
        print(f"{size:,} readers, daily: making digests...", flush=True)
        result = child(env, "digest", size, send_digests=args.send_digests)
        result.update(sink.stats())
        digests.append(result)
    return sends, digests


def add_readers(size):
    """Bring the Mali list to `size` confirmed readers, each following it alone."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from alerts.models import Subscriber, Subscription
    from factsheets.models import Country

    have = Subscriber.objects.count()
    if have >= size:
        return
    started = time.monotonic()
    mali = Country.objects.get(slug="mali")
    # A month ago: before any alert of the run, digests' included.
    confirmed = timezone.now() - timedelta(days=30)
    for first in range(have, size, READERS_BATCH):
        with transaction.atomic():
            readers = Subscriber.objects.bulk_create(
                Subscriber(email=f"reader{n}@example.org", created_at=confirmed)
                for n in range(first, min(first + READERS_BATCH, size))
            )
            Subscription.objects.bulk_create(
                Subscription(
                    subscriber=reader,
                    country=mali,
                    created_at=confirmed,
                    confirmed_at=confirmed,
                )
                for reader in readers
            )
    with connection.cursor() as cursor:
        for model in (Subscriber, Subscription):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    print(
        f"Readers: {have:,} -> {size:,} in {time.monotonic() - started:.1f} s",
        flush=True,
    )


def start_again(frequency):
    """No alerts, deliveries or digests; every reader at `frequency`."""
    from django.db import connection

    from alerts.models import Alert, Delivery, Digest, Subscription

    tables = ", ".join(m._meta.db_table for m in (Delivery, Digest, Alert))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
    Subscription.objects.update(frequency=frequency)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Subscription._meta.db_table}")


def child(env, role, size, **options):
    """Run one measured process; return what it printed (a JSON object)."""
    command = [str(PYTHON), __file__, "--role", role, "--size", str(size)]
    command += [f"--{name.replace('_', '-')}" for name, on in options.items() if on]
    ran = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if ran.returncode:
        sys.exit(f"The {role} of {size:,} readers failed:\n{ran.stdout}{ran.stderr}")
    if ran.stderr.strip():
        print(ran.stderr.strip()[-2000:], file=sys.stderr)
    return json.loads(ran.stdout.splitlines()[-1])


# The measured processes.


def run_child(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    result = send_one(args) if args.role == "send" else digest_all(args)
    print(json.dumps(result))


def send_one(args):
    """One alert of a new Mali edition, fanned out and sent."""
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from alerts.fanout import fan_out
    from alerts.models import Alert, Delivery
    from alerts.sending import send_due

    alert = new_alert(Alert, f"bench:send:{args.size}")
    counter = Counter()
    memory = Memory()
    with connection.execute_wrapper(counter):
        started = time.monotonic()
        made = fan_out(alert)
        fan_out_seconds = time.monotonic() - started
        fan_out_queries = counter.take()
        fan_out_memory = memory.phase()

        profile = cProfile.Profile() if args.profile else None
        started = time.monotonic()
        if profile:
            profile.enable()
        sent = send_due()
        if profile:
            profile.disable()
        send_seconds = time.monotonic() - started
        send_queries = counter.take()
        send_memory = memory.phase()
    states = dict(
        Delivery.objects.values_list("state").annotate(n=Count("pk")).order_by()
    )
    return {
        "size": args.size,
        "made": made,
        "sent": sent,
        "states": states,
        "connections": settings.ALERTS_CONNECTIONS,
        "fan_out_seconds": fan_out_seconds,
        "fan_out_queries": fan_out_queries,
        "fan_out_memory": fan_out_memory,
        "send_seconds": send_seconds,
        "send_queries": send_queries,
        "send_memory": send_memory,
        "start_kb": memory.start_kb,
        "peak_kb": memory.peak_kb,
        "profile": profiled(profile) if profile else "",
    }


def digest_all(args):
    """One alert, dated an hour before the last digest time, fanned out to the
    (daily) readers; then their digests made, as the worker makes them."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from alerts import digests
    from alerts.fanout import fan_out
    from alerts.models import Alert, Digest, Frequency
    from alerts.sending import send_due

    now = timezone.now()
    cutoff = digests.last_cutoff(Frequency.DAILY, now)
    alert = new_alert(
        Alert, f"bench:digest:{args.size}", created_at=cutoff - timedelta(hours=1)
    )
    started = time.monotonic()
    made = fan_out(alert)
    fan_out_seconds = time.monotonic() - started
    # Counted as CaptureQueriesContext counts them (each statement run through
    # Django's cursor), but without keeping their text: that of each INSERT of
    # 2,000 digests is some 300 KB, which would show as the memory make_due takes.
    counter = Counter()
    memory = Memory()
    started = time.monotonic()
    with connection.execute_wrapper(counter):
        digests_made = digests.make_due(now)
    seconds = time.monotonic() - started
    digest_memory = memory.phase()
    result = {
        "size": args.size,
        "deliveries": made,
        "fan_out_seconds": fan_out_seconds,
        "digests": digests_made,
        "digests_in_table": Digest.objects.count(),
        "seconds": seconds,
        "queries": counter.count,
        "memory": digest_memory,
        "start_kb": memory.start_kb,
    }
    if args.send_digests:
        started = time.monotonic()
        result["sent"] = send_due()
        result["send_seconds"] = time.monotonic() - started
        result["send_memory"] = memory.phase()
    return result


def new_alert(model, key, **fields):
    from factsheets.models import FactSheet

    sheet = (
        FactSheet.objects.current().select_related("country").get(country__slug="mali")
    )
    return model.objects.create(
        key=key,
        kind=model.Kind.PUBLISHED,
        factsheet=sheet,
        country_id=sheet.country_id,
        bureau_id=sheet.bureau_id,
        **fields,
    )


class Counter:
    """Counts the SQL statements run (connection.execute_wrapper), keeping none."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def take(self):
        count, self.count = self.count, 0
        return count


class Memory:
    """This process's resident memory, phase by phase: each phase's peak (VmHWM,
    started again at the phase's start through /proc/self/clear_refs) and its
    growth over the resident memory at its start."""

    def __init__(self):
        self.start_kb = status_kb("VmRSS")
        self.peak_kb = status_kb("VmHWM")
        self.begin()

    def begin(self):
        Path("/proc/self/clear_refs").write_text("5")
        self.before_kb = status_kb("VmRSS")

    def phase(self):
        peak = status_kb("VmHWM")
        self.peak_kb = max(self.peak_kb, peak)
        figures = {"before_kb": self.before_kb, "peak_kb": peak}
        self.begin()
        return figures


def status_kb(key):
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE).group(1))


def profiled(profile):
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(PROFILE_ENTRIES)
    stats.sort_stats("tottime").print_stats(PROFILE_ENTRIES)
    return out.getvalue()


# The SMTP sink, a process of its own so that it shares no interpreter lock with
# the sender. It answers "stats" and "reset" on its standard input.


class Sink:
    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [str(PYTHON), __file__, "--role", "sink", "--port", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("The SMTP sink did not start.")

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stats(self):
        return self.ask("stats")

    def reset(self):
        return self.ask("reset")

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


HEADER_END = re.compile(rb"\r?\n\r?\n")
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class Inbox:
    """aiosmtpd's handler: counts accepted messages, and Message-IDs and recipients
    seen more than once. Reads the headers only, so that the sink keeps up."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.accepted = 0
            self.bytes = 0
            self.ids = set()
            self.recipients = set()
            self.doubled_ids = 0
            self.doubled_recipients = 0
            self.without_id = 0
            self.without_helo = 0
            self.connections = 0

    def connected(self):
        with self.lock:
            self.connections += 1

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content
        head = HEADER_END.split(content, 1)[0]
        found = MESSAGE_ID.search(head)
        with self.lock:
            self.accepted += 1
            self.bytes += len(content)
            self.without_helo += session.host_name == NO_HELO
            if found is None:
                self.without_id += 1
            elif found.group(1) in self.ids:
                self.doubled_ids += 1
            else:
                self.ids.add(found.group(1))
            for recipient in envelope.rcpt_tos:
                if recipient in self.recipients:
                    self.doubled_recipients += 1
                else:
                    self.recipients.add(recipient)
        return "250 Message accepted for delivery"

    def stats(self):
        with self.lock:
            return {
                "accepted": self.accepted,
                "bytes": self.bytes,
                "doubled_ids": self.doubled_ids,
                "doubled_recipients": self.doubled_recipients,
                "without_id": self.without_id,
                "without_helo": self.without_helo,
                "smtp_connections": self.connections,
            }


NO_HELO = "(no HELO)"


def run_sink(port):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class LenientSMTP(SMTP):
        """Takes MAIL with no HELO or EHLO first, as Postfix does by default
        (smtpd_helo_required = no); aiosmtpd itself refuses it (503). The sink
        counts the messages that came so."""

        def connection_made(self, transport):
            super().connection_made(transport)
            self.session.host_name = NO_HELO
            self.event_handler.connected()

    class LenientController(Controller):
        def factory(self):
            return LenientSMTP(self.handler, **self.SMTP_kwargs)

    inbox = Inbox()
    controller = LenientController(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "reset":
                inbox.reset()
            print(json.dumps(inbox.stats()), flush=True)
    finally:
        controller.stop()


# Reporting.


def print_machine(args):
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Code: {code_version()}.")
    print(
        f"{os.cpu_count()} CPUs ({model.group(1).strip() if model else 'unknown'}), "
        f"{memory_kb / 1024 / 1024:.1f} GB RAM; Python {platform.python_version()}; "
        f"load average {load}. Database {args.database}; sizes "
        f"{', '.join(f'{n:,}' for n in args.sizes)}.",
        flush=True,
    )


def code_version():
    """The commit measured, and whether alerts/ differs from it."""
    git = ["git", "-C", str(BASE_DIR)]
    try:
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", "alerts"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"{commit or 'unknown'}" + (
        ", with uncommitted changes to alerts/" if changed else ""
    )


def mb(kb):
    return f"{kb / 1024:,.0f}"


def print_results(args, sends, digests):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres_version = cursor.fetchone()[0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print()
    print(
        f"One alert to the Mali list; PostgreSQL {postgres_version}; "
        f"ALERTS_SEND_RATE=0, ALERTS_CONNECTIONS={sends[0]['connections']}; "
        f"load average {load}."
    )
    print(
        "Memory in MB: the process's peak resident memory; in brackets, how far "
        "above its resident memory at the start of the phase the phase's peak went."
    )
    print()
    print(
        "| readers | fan-out s | sent | send s | messages/s | KB/message "
        "| SQL/message | peak MB (fan-out) | peak MB (send) | peak MB (process) "
        "| doubled |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in sends:
        fan, send = r["fan_out_memory"], r["send_memory"]
        print(
            f"| {r['size']:,} | {r['fan_out_seconds']:.1f} | {r['accepted']:,} "
            f"| {r['send_seconds']:.1f} "
            f"| {r['accepted'] / r['send_seconds']:,.0f} "
            f"| {r['bytes'] / max(r['accepted'], 1) / 1024:.1f} "
            f"| {r['send_queries'] / max(r['accepted'], 1):.2f} "
            f"| {mb(fan['peak_kb'])} (+{mb(fan['peak_kb'] - fan['before_kb'])}) "
            f"| {mb(send['peak_kb'])} (+{mb(send['peak_kb'] - send['before_kb'])}) "
            f"| {mb(r['peak_kb'])} "
            f"| {doubled(r)} |"
        )
    print()
    for r in sends:
        wrong = {
            "deliveries made": r["made"] != r["size"],
            "sent by send_due": r["sent"] != r["size"],
            "accepted by the sink": r["accepted"] != r["size"],
            "recorded as sent": r["states"].get("sent", 0) != r["size"],
        }
        if any(wrong.values()):
            print(
                f"{r['size']:,} readers: made {r['made']:,}, sent {r['sent']:,}, "
                f"accepted {r['accepted']:,}, states {r['states']}: "
                + ", ".join(name for name, bad in wrong.items() if bad)
                + " not one per reader."
            )
    largest, smallest = sends[-1], sends[0]
    rate = largest["accepted"] / largest["send_seconds"]
    print(
        f"Goal: at least {RATE_GOAL} messages a second ({largest['size']:,} readers: "
        f"{rate:,.0f}): {'met' if rate >= RATE_GOAL else 'not met'}."
    )
    if len(sends) > 1:
        growth = (largest["peak_kb"] - smallest["peak_kb"]) / smallest["peak_kb"]
        print(
            f"Goal: memory flat as the list grows (peak at {largest['size']:,} "
            f"within {FLAT_PERCENT}% of the peak at {smallest['size']:,}: "
            f"{growth * 100:+.1f}%): "
            f"{'met' if growth * 100 <= FLAT_PERCENT else 'not met'}."
        )
    without_helo = sum(r["without_helo"] for r in sends)
    if without_helo:
        print(
            f"{without_helo:,} messages came with no EHLO or HELO first: the sink "
            "takes them, as Postfix does by default; aiosmtpd, and servers that "
            "require HELO, refuse them (503)."
        )
    print(
        "Each reader's message arrived once: "
        + ("yes" if all(doubled(r) == "none" for r in sends) else "NO")
        + "."
    )
    if not digests:
        return
    print()
    print(
        "Daily digests (alerts.digests.make_due, after the digest hour), one alert "
        "waiting for each reader. SQL: the statements run through Django's cursor; "
        "CaptureQueriesContext lists besides them the BEGIN and COMMIT around each "
        "INSERT of 2,000 digests."
    )
    print()
    sent = any("sent" in r for r in digests)
    print(
        "| readers | fan-out s | digests | make_due s | digests/s | SQL "
        "| SQL per 1,000 readers | peak MB (make_due)"
        + (" | sent | send s | sent/s | doubled |" if sent else " |")
    )
    print(
        "|---:|---:|---:|---:|---:|---:|---:|---:|"
        + ("---:|---:|---:|---|" if sent else "")
    )
    for r in digests:
        memory = r["memory"]
        line = (
            f"| {r['size']:,} | {r['fan_out_seconds']:.1f} | {r['digests']:,} "
            f"| {r['seconds']:.1f} | {r['digests'] / r['seconds']:,.0f} "
            f"| {r['queries']} | {r['queries'] / r['size'] * 1000:.1f} "
            f"| {mb(memory['peak_kb'])} "
            f"(+{mb(memory['peak_kb'] - memory['before_kb'])}) |"
        )
        if sent:
            line += (
                f" {r['accepted']:,} | {r['send_seconds']:.1f} "
                f"| {r['accepted'] / r['send_seconds']:,.0f} | {doubled(r)} |"
            )
        print(line)
        if r["digests"] != r["size"] or r["digests_in_table"] != r["size"]:
            print(
                f"  {r['digests_in_table']:,} digests in the table: not one a reader."
            )
    print(flush=True)


def doubled(result):
    parts = []
    if result["doubled_ids"]:
        parts.append(f"{result['doubled_ids']} Message-IDs")
    if result["doubled_recipients"]:
        parts.append(f"{result['doubled_recipients']} recipients")
    if result["without_id"]:
        parts.append(f"{result['without_id']} without a Message-ID")
    return ", ".join(parts) or "none"


if __name__ == "__main__":
    main()
