"""The load benchmark of the page cache: `make bench` (or `.venv/bin/python bench/run.py`).

In one run on 127.0.0.1 it builds a throwaway PostgreSQL database (the Mali sheet
and a generated catalogue: 195 countries, 5 editions, 12 sections), starts three
gunicorn servers with production settings (DEBUG off, 2 sync workers) that differ
only in the page cache (on in files, as on one machine; on in Redis, as on several;
off), and a fourth, the same gunicorn serving bench/baseline_app.py: the least a
WSGI application can do, answering with the Mali page's bytes and headers. That is
(0), the server's own limit. It drives wrk against them and prints requests per
second, p50 and p99 latency, each rate as a ratio to (0) and to (1), the rendered
Mali page served as a static file by WhiteNoise from the same server, and the
peak memory of a worker. Then the busy day of bench/busy_day.py (readers over the
whole catalogue, quiet, while editors save and publish, and after a cold start),
and last the page figures again with a 20-country catalogue, and how they changed.
Everything it made (servers, database, cache files, Redis keys, the static copy of
the page) is removed at the end, also on Ctrl-C or an error.

Needs PostgreSQL and Redis on 127.0.0.1 and Debian's wrk (apt-get install wrk).
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import busy_day

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
# Where the rendered Mali page goes so that WhiteNoise serves it as a static file
# (settings.STATIC_ROOT is BASE_DIR / "staticfiles"; this folder is removed after).
STATIC_COPY_DIR = BASE_DIR / "staticfiles" / "_bench"
STATIC_COPY_URL = "/static/_bench/mali.html"

# The speed goals set for the page cache: row -> (minimum ratio to (0), p99 ceiling
# in ms), at the bench's 32 connections.
GOALS = {
    2: (0.9, 10),
    10: (0.8, 10),
}
MEMORY_GOAL_MB = 100
SIZE_GOAL_PERCENT = 10


@dataclass
class Target:
    number: int
    name: str
    path: str
    server: str  # a key of SERVERS
    conditional: bool = False
    headers: list = field(default_factory=list)


# The servers, all alike but for the page cache: on, in files shared by the machine's
# processes (the default: one machine), on, in Redis (several machines), or off; and
# the same gunicorn serving the least an application can do instead of the site.
SERVERS = {
    "baseline": "minimal WSGI app",
    "cached": "cache on (files)",
    "redis": "cache on (Redis)",
    "uncached": "cache off",
}

TARGETS = [
    Target(0, "Mali page's bytes, minimal WSGI app", "/fact-sheets/mali/", "baseline"),
    Target(1, "Mali page as a static file", STATIC_COPY_URL, "cached"),
    Target(2, "Mali sheet, cache on", "/fact-sheets/mali/", "cached"),
    Target(3, "Mali sheet, cache off", "/fact-sheets/mali/", "uncached"),
    Target(4, "Home page", "/", "uncached"),
    Target(5, "Bureau page (African Affairs)", "/bureaus/african-affairs/", "uncached"),
    Target(6, "A-Z list", "/fact-sheets/", "uncached"),
    Target(7, "Mali sheet, 304 (If-None-Match)", "/fact-sheets/mali/", "cached", True),
    # Searches vary from reader to reader, so a cache helps them little: uncached.
    Target(8, "Search ?q=embassy", "/search/?q=embassy", "uncached"),
    # Feed readers poll the same address: measured as served in production.
    Target(9, "Atom feed", "/feeds/fact-sheets.atom", "cached"),
    # Several app servers share Redis: each hit then asks Redis for the generation.
    Target(10, "Mali sheet, cache on in Redis", "/fact-sheets/mali/", "redis"),
]
# The order of the runs: the rows with a goal right after (0), as the machine's
# other work changes less between runs close in time.
MEASURED_IN_ORDER = [0, 2, 10, 1, 7, 9, 3, 4, 5, 6, 8]
# (0) and (1) again, as a measure of the run's own noise.
SIZE_ROWS = [0, 2, 1, 3, 4, 5, 6]
# Headers gunicorn writes itself, for the site as for (0).
SERVER_HEADERS = {"server", "date", "connection", "keep-alive", "transfer-encoding"}


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit(
            "wrk is not installed. Install Debian's package: apt-get install -y wrk"
        )
    run_then_clean_up(Bench, args)


def run_then_clean_up(kind, args):
    """Make and run a Bench (or a Load); what it made is removed however the run ends:
    at the end, on Ctrl-C, on SIGTERM or on an error."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped (SIGTERM)."))
    bench = kind(args)
    try:
        bench.run()
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        sys.exit(130)
    finally:
        bench.clean_up()
    return bench


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 s per run instead of 10 s, a shorter busy day (developing).",
    )
    parser.add_argument("--duration", help="wrk duration, e.g. 10s (default 10s).")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--small-countries", type=int, default=20)
    parser.add_argument("--editions", type=int, default=5)
    parser.add_argument("--sections", type=int, default=12)
    parser.add_argument(
        "--database",
        default="factsheets_bench",
        help="PostgreSQL database to create (dropped first, and at the end).",
    )
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server."
    )
    parser.add_argument(
        "--redis-db",
        type=int,
        default=13,
        help="Redis database number for the cache (flushed before and after).",
    )
    parser.add_argument(
        "--port", type=int, default=8401, help="First of five ports (default 8401)."
    )
    busy_day.add_arguments(
        parser, "(default 10, 20 and 60; 3, 10 and 30 --quick).", saves="orm"
    )
    args = parser.parse_args()
    args.duration = args.duration or ("2s" if args.quick else "10s")
    if args.quick:
        busy_day.fill_defaults(args, quiet=3, busy=10, cold_limit=30)
    else:
        busy_day.fill_defaults(args, quiet=10, busy=20, cold_limit=60)
    return args


class Bench:
    def __init__(self, args):
        self.args = args
        self.database_url = f"{args.pg}/{args.database}"
        self.redis_url = f"redis://{HOST}:6379/{args.redis_db}"
        self.cache_dir = Path(tempfile.mkdtemp(prefix="factsheets-bench-cache-"))
        self.cache_url = f"filecache://{self.cache_dir}"
        self.servers = {}
        self.logs = Path(tempfile.mkdtemp(prefix="factsheets-bench-"))
        self.database_made = False
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "CACHE_URL": self.cache_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("PYTEST_VERSION", None)

    # The run.

    def run(self):
        args = self.args
        print_machine(self)
        print(
            f"wrk: {args.threads} threads, {args.connections} connections, "
            f"{args.duration} a run; gunicorn: {args.workers} sync workers, "
            f"DEBUG off; database: PostgreSQL ({args.database}).",
            flush=True,
        )
        self.make_database()
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("load_initial_data", "--verbosity", "0")
        self.generate(args.countries)
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.start_servers(snapshot=True)
        big = self.measure(MEASURED_IN_ORDER)
        print_load()
        memory = self.peak_memory()
        print_results(self, big, memory)

        # The busy day changes the catalogue (saves, new editions): after the pages'
        # figures, on a server and a worker of its own.
        self.stop()
        day = busy_day.BusyDay(self, args.port + 4)
        day.prepare()
        day.run()
        print_load()
        day.report(limit=big[0]["rps"])
        self.stop()

        self.generate(args.small_countries, replace=True)
        self.start_servers(snapshot=False)
        small = self.measure(SIZE_ROWS)
        print_load()
        print_size_change(self, big, small, self.peak_memory(), memory)

    def generate(self, countries, replace=False):
        # The Mali sheet is real, so Mali gets no generated sheets: N countries are
        # Mali and N - 1 generated ones (the first of the A-Z without a real sheet).
        print(
            f"Generating {countries} countries (Mali and {countries - 1} generated) x "
            f"{self.args.editions} editions x {self.args.sections} sections...",
            flush=True,
        )
        started = time.monotonic()
        self.manage(
            "generate_catalogue",
            "--countries",
            str(countries - 1),
            "--editions",
            str(self.args.editions),
            "--sections",
            str(self.args.sections),
            "--allow-real-data",
            *(["--replace"] if replace else []),
            "--verbosity",
            "0",
        )
        self.catalogue = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from factsheets.models import FactSheet as F; "
            "print(F.objects.current().count(), F.objects.count())",
            capture=True,
        ).split()[-2:]
        self.catalogue_label = (
            f"{self.catalogue[0]} countries, {self.catalogue[1]} sheets "
            f"({self.args.editions} editions x {self.args.sections} sections, "
            "Mali real, the rest generated)"
        )
        print(
            f"  {self.catalogue_label}; {time.monotonic() - started:.1f} s", flush=True
        )
        self.flush_redis()
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    def measure(self, numbers):
        results = {}
        targets = {target.number: target for target in TARGETS}
        for target in (targets[n] for n in MEASURED_IN_ORDER if n in numbers):
            url = self.url(target)
            headers = []
            note = ""
            status, response_headers, body = fetch(url)
            if target.conditional:
                etag = response_headers.get("ETag")
                if etag:
                    headers = [f"If-None-Match: {etag}"]
                    status, _, body = fetch(url, {"If-None-Match": etag})
                else:
                    note = "no ETag sent: plain 200s"
            if status not in (200, 304) or (headers and status != 304):
                note = f"answered HTTP {status}"
            for _ in range(20):  # warm up: fill caches, start the workers' imports
                fetch(url, dict(h.split(": ", 1) for h in headers))
            print(f"  ({target.number}) {target.name}: wrk {url}", flush=True)
            result = wrk(url, self.args, headers)
            result.update(status=status, size=len(body), note=note)
            if result["errors"]:
                result["note"] = (
                    result["note"] + "; " if result["note"] else ""
                ) + result["errors"]
            results[target.number] = result
        return results

    def url(self, target):
        return f"http://{HOST}:{self.servers[target.server]['port']}{target.path}"

    # Servers.

    def start_servers(self, snapshot):
        # The uncached server first: it renders the Mali page for the static copy,
        # which must be in place before the cached server's WhiteNoise scans the
        # static files at start-up.
        self.start_server("uncached", self.args.port + 1, page_cache=False)
        self.start_server(
            "redis", self.args.port + 2, page_cache=True, cache_url=self.redis_url
        )
        if snapshot:
            status, _, body = fetch(
                f"http://{HOST}:{self.args.port + 1}/fact-sheets/mali/"
            )
            if status != 200:
                raise RuntimeError(f"The Mali sheet answered HTTP {status}.")
            STATIC_COPY_DIR.mkdir(parents=True, exist_ok=True)
            (STATIC_COPY_DIR / "mali.html").write_bytes(body)
        self.start_server("cached", self.args.port, page_cache=True)
        if snapshot:
            self.save_baseline_page()
        self.start_server(
            "baseline",
            self.args.port + 3,
            page_cache=False,
            app="bench.baseline_app:application",
            env={**self.env, "BENCH_BASELINE_PAGE": str(self.baseline_page)},
        )

    def save_baseline_page(self):
        """The Mali page as the cached server serves it (the second request, a hit:
        what (2) measures), body and headers, for (0) to answer with."""
        url = f"http://{HOST}:{self.args.port}/fact-sheets/mali/"
        fetch(url)
        status, headers, body = fetch(url)
        if status != 200:
            raise RuntimeError(f"The cached Mali sheet answered HTTP {status}.")
        self.baseline_page = self.logs / "mali-page.html"
        self.baseline_page.write_bytes(body)
        self.baseline_page.with_suffix(".headers.json").write_text(
            json.dumps(
                [
                    (name, value)
                    for name, value in headers.items()
                    if name.lower() not in SERVER_HEADERS
                ]
            )
        )

    def start_server(
        self,
        name,
        port,
        page_cache,
        cache_url=None,
        app="config.wsgi",
        env=None,
        workers=None,
    ):
        if port_in_use(port):
            raise RuntimeError(f"Port {port} is in use; pass --port to choose others.")
        process = self.start_process(
            name,
            [
                str(GUNICORN),
                app,
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers or self.args.workers),
                "--no-control-socket",
            ],
            {
                **(env or self.env),
                "PAGE_CACHE": "true" if page_cache else "false",
                "CACHE_URL": cache_url or (env or self.env)["CACHE_URL"],
            },
            port=port,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn ({name}) exited:\n{tail(self.logs / f'{name}.log')}"
                )
            try:
                if fetch(f"http://{HOST}:{port}/robots.txt")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({name}) did not answer on port {port}.")

    def start_process(self, name, command, env, port=None, split_output=False):
        """Start `command` in the project's folder, its output in the bench's logs
        (stdout apart, in NAME.out, if `split_output`); stop() ends it."""
        log = open(self.logs / f"{name}.log", "ab")
        out = open(self.logs / f"{name}.out", "ab") if split_output else log
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT if out is log else log,
            start_new_session=True,  # Ctrl-C reaches us; we stop it ourselves
        )
        self.servers[name] = {"process": process, "port": port, "logs": {log, out}}
        return process

    def stop(self, names=None):
        """Ask the processes named (all by default) to stop, as a deploy does
        (SIGTERM: requests and tasks in hand finish); after 15 s, kill them."""
        for name in list(names or self.servers):
            server = self.servers.pop(name, None)
            if server is None:
                continue
            process = server["process"]
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            for log in server["logs"]:
                log.close()

    def peak_memory(self):
        """Each server's workers' peak resident memory (VmHWM), in MB."""
        peaks = {}
        for name, server in self.servers.items():
            peaks[name] = [
                status_kb(pid, "VmHWM") / 1024
                for pid in children(server["process"].pid)
            ]
        return peaks

    # Database and cache.

    def make_database(self):
        import psycopg

        with psycopg.connect(f"{self.args.pg}/postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.args.database}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{self.args.database}"')
            self.postgres_version = db.execute("SHOW server_version").fetchone()[0]
        self.database_made = True

    def drop_database(self):
        import psycopg

        with psycopg.connect(f"{self.args.pg}/postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.args.database}" WITH (FORCE)')

    def flush_redis(self):
        reply = redis_commands(("SELECT", str(self.args.redis_db)), ("FLUSHDB",))
        if reply.count(b"+OK") != 2:
            raise OSError(f"Redis answered {reply!r}")

    def manage(self, *command, capture=False, env=None):
        result = subprocess.run(
            [str(PYTHON), "manage.py", *command],
            cwd=BASE_DIR,
            env=env or self.env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(command)} failed:\n{result.stdout}{result.stderr}"
            )
        return result.stdout if capture else None

    def clean_up(self):
        self.stop()
        shutil.rmtree(STATIC_COPY_DIR, ignore_errors=True)
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        try:
            self.flush_redis()
        except OSError as error:
            print(f"Could not flush Redis: {error}", file=sys.stderr)
        if self.database_made:
            self.drop_database()
        shutil.rmtree(self.logs, ignore_errors=True)


# wrk.

WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_PERCENTILE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_ERRORS = re.compile(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)")
UNITS_MS = {"us": 0.001, "ms": 1, "s": 1000}


def wrk(url, args, headers):
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}",
        # Slow answers are counted, not dropped as timeouts (wrk's default is 2 s).
        "--timeout",
        "10s",
        "--latency",
    ]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    percentiles = {
        int(p): float(value) * UNITS_MS[unit]
        for p, value, unit in WRK_PERCENTILE.findall(output)
    }
    return {
        "rps": float(WRK_RATE.search(output).group(1)),
        "p50": percentiles[50],
        "p99": percentiles[99],
        "errors": "; ".join(WRK_ERRORS.findall(output)),
    }


# Reporting.


def print_machine(bench):
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    bench.machine = (
        f"{os.cpu_count()} CPUs ({model.group(1).strip() if model else 'unknown'}), "
        f"{memory_kb / 1024 / 1024:.1f} GB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"{wrk_version.split(' [')[0].strip() or 'wrk'}"
    )
    print(f"Machine: {bench.machine}")
    print_load()


def print_load():
    """Other work on the machine skews the figures: say how busy it is."""
    load = os.getloadavg()[0]
    print(
        f"Load average (1 min): {load:.2f}"
        + (
            " (other work is running here: figures will be lower and noisier)"
            if load > 0.5
            else ""
        ),
        flush=True,
    )


def print_results(bench, results, memory):
    limit, static = results[0]["rps"], results[1]["rps"]
    print()
    print(f"Catalogue: {bench.catalogue_label}; PostgreSQL {bench.postgres_version}")
    print(
        f"Servers: cache on (files) = CACHE_URL={bench.cache_url} (port "
        f"{bench.args.port}); cache off = PAGE_CACHE=false (port {bench.args.port + 1}); "
        f"cache on (Redis) = CACHE_URL={bench.redis_url} (port {bench.args.port + 2}); "
        f"minimal WSGI app = bench/baseline_app.py (port {bench.args.port + 3})"
    )
    print()
    print(
        "| # | Request | Server | req/s | p50 ms | p99 ms | x (0) | x (1) | Bytes "
        "| Goal | Note |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|---|")
    for target in TARGETS:
        result = results[target.number]
        print(
            f"| {target.number} | {target.name} | {SERVERS[target.server]} | "
            f"{result['rps']:,.0f} | {result['p50']:.1f} | {result['p99']:.1f} | "
            f"{result['rps'] / limit:.2f} | {result['rps'] / static:.2f} | "
            f"{result['size']:,} | {goal(target.number, result, limit)} | "
            f"{result['note']} |"
        )
    print()
    for name, peaks in memory.items():
        worst = max(peaks, default=0)
        # The goal is the site's; (0) is there to compare.
        goal_said = (
            ""
            if name == "baseline"
            else f" (goal < {MEMORY_GOAL_MB} MB: "
            + ("met)" if worst < MEMORY_GOAL_MB else "not met)")
        )
        print(
            f"Peak worker memory (VmHWM), {SERVERS[name]}: "
            + ", ".join(f"{mb:.1f} MB" for mb in peaks)
            + goal_said
        )
    print(flush=True)


def goal(number, result, limit):
    if number not in GOALS:
        return ""
    ratio, p99 = GOALS[number]
    parts = [f">= {ratio} x (0)"]
    met = result["rps"] / limit >= ratio
    if p99:
        parts.append(f"p99 < {p99} ms")
        met = met and result["p99"] < p99
    return " and ".join(parts) + (": met" if met else ": not met")


def print_size_change(bench, big, small, small_memory, big_memory):
    few, many = bench.args.small_countries, bench.args.countries
    print(f"Same requests with a smaller catalogue: {bench.catalogue_label}")
    print(
        f"Change = (figure with {many} countries - figure with {few}) / figure with "
        f"{few} (goal: within {SIZE_GOAL_PERCENT}%; (0) and (1) show the run's own "
        "noise). x (0) is the rate as a ratio to (0) of the same catalogue."
    )
    print()
    print(
        f"| # | Request | req/s ({few}) | x (0) ({few}) | req/s ({many}) | x (0) "
        f"({many}) | change | p99 ms ({few}) | p99 ms ({many}) | change |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for target in TARGETS:
        if target.number not in small:
            continue
        b, s = big[target.number], small[target.number]
        print(
            f"| {target.number} | {target.name} | {s['rps']:,.0f} | "
            f"{s['rps'] / small[0]['rps']:.2f} | {b['rps']:,.0f} | "
            f"{b['rps'] / big[0]['rps']:.2f} | {change(s['rps'], b['rps'])} | "
            f"{s['p99']:.1f} | {b['p99']:.1f} | {change(s['p99'], b['p99'])} |"
        )
    print()
    for name in small_memory:
        print(
            f"Peak worker memory, {SERVERS[name]}: "
            f"{max(small_memory[name], default=0):.1f} MB with {few} countries, "
            f"{max(big_memory.get(name, []), default=0):.1f} MB with {many}"
        )
    print(flush=True)


def change(before, after):
    return f"{(after - before) / before * 100:+.1f}%" if before else "n/a"


# Small helpers.


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def port_in_use(port):
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def children(pid):
    """The processes whose parent is `pid` (gunicorn's workers)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if re.search(rf"^PPid:\s+{pid}$", status.read_text(), re.MULTILINE):
                found.append(int(status.parent.name))
        except OSError:
            continue
    return sorted(found)


def status_kb(pid, key):
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE).group(1))


def redis_commands(*commands):
    """Send Redis commands on one connection; returns the raw replies."""
    payload = "".join(
        f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
        for words in commands
    )
    replies = b""
    with socket.create_connection((HOST, 6379), timeout=5) as sock:
        sock.sendall(payload.encode())
        while replies.count(b"\r\n") < len(commands):
            chunk = sock.recv(1024)
            if not chunk:
                break
            replies += chunk
    return replies


def tail(path, lines=30):
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])


if __name__ == "__main__":
    main()
