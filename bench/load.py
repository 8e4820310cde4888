"""The load test of a busy day: `make load` (or `.venv/bin/python bench/load.py`).

A busy day, on 127.0.0.1: gunicorn with production settings (DEBUG off, 2 sync
workers, the page cache in files as on one machine) on a throwaway PostgreSQL
database with the Mali sheet and a generated catalogue (195 countries x 5 editions
x 12 sections). wrk drives it at 64 connections for 30 seconds across the home page,
the Mali sheet, the A-Z list, a search and the Atom feed, while an editor signs in to
the admin and saves a sheet every second, each save through the real change form.
Every save starts a new cache generation, so readers keep meeting pages that must be
rendered again.

It prints requests per second, latency percentiles, responses other than 2xx or 3xx,
socket errors, and the editor's saves: how many were made, how long they took, and
whether each is there afterwards (in the database and on the sheet's public page).
The goal is no error of either kind and every save present. Everything it made is
removed at the end, as by bench/run.py, whose parts it uses.

Needs PostgreSQL on 127.0.0.1 and Debian's wrk (apt-get install wrk).
"""

import argparse
import http.cookiejar
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from admin_forms import form_data, refusal
from run import (
    HOST,
    Bench,
    print_load,
    print_machine,
    run_then_clean_up,
    tail,
)

# What readers ask for, in turn, on every connection.
READER_PATHS = [
    "/",
    "/fact-sheets/mali/",
    "/fact-sheets/",
    "/search/?q=embassy",
    "/feeds/fact-sheets.atom",
]
EDITOR = "load-editor"
WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_REQUESTS = re.compile(r"(\d+) requests in")
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
UNITS_MS = {"us": 0.001, "ms": 1, "s": 1000}

# wrk takes the next reader path on each request.
WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    load = run_then_clean_up(Load, args)
    sys.exit(0 if load.met else 1)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="Seconds of load.")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--editions", type=int, default=5)
    parser.add_argument("--sections", type=int, default=12)
    parser.add_argument("--save-every", type=float, default=1.0, help="Seconds.")
    parser.add_argument("--database", default="factsheets_load")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-db", type=int, default=13)  # run.py's, unused here
    parser.add_argument("--port", type=int, default=8411)
    return parser.parse_args()


class Load(Bench):
    """bench/run.py's setting up and cleaning up, one server, and a different run."""

    def __init__(self, args):
        super().__init__(args)
        self.password = secrets.token_urlsafe(24)
        self.met = False

    def run(self):
        args = self.args
        print_machine(self)
        self.make_database()
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("load_initial_data", "--verbosity", "0")
        self.generate(args.countries)
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.env["DJANGO_SUPERUSER_PASSWORD"] = self.password
        self.manage(
            "createsuperuser",
            "--noinput",
            "--username",
            EDITOR,
            "--email",
            "load-editor@example.gov",
        )
        sheets = self.sheets_to_edit(int(args.duration / args.save_every) + 5)
        self.start_server("cached", args.port, page_cache=True)
        base = f"http://{HOST}:{args.port}"
        for path in READER_PATHS:  # warm up every worker's imports
            urllib.request.urlopen(base + path, timeout=30).read()

        editor = Editor(base, self.password, sheets, args.save_every)
        editor.start()
        print(
            f"wrk: {args.threads} threads, {args.connections} connections, "
            f"{args.duration} s, across {', '.join(READER_PATHS)}; gunicorn: "
            f"{args.workers} sync workers, DEBUG off, the page cache in files; an "
            f"editor saves a sheet through the admin every {args.save_every:g} s",
            flush=True,
        )
        readers = self.wrk(base)
        editor.stop.set()
        editor.join()
        print_load()
        present = self.check_saves(base, editor.saves)
        self.report(readers, editor, present)

    def sheets_to_edit(self, count):
        """Current sheets, Mali first, each saved at most once so each save shows."""
        output = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from factsheets.models import FactSheet as F; "
            "print(*(f'{pk}:{slug}' for pk, slug in F.objects.current()"
            ".order_by('-kind', 'country__name')"
            f".values_list('pk', 'country__slug')[:{count}]))",
            capture=True,
        )
        return [
            (int(pk), f"/fact-sheets/{slug}/")
            for pk, slug in (word.split(":") for word in output.split())
        ]

    def wrk(self, base):
        script = Path(tempfile.mkstemp(suffix=".lua", dir=self.logs)[1])
        script.write_text(WRK_SCRIPT % ", ".join(f'"{path}"' for path in READER_PATHS))
        output = subprocess.run(
            [
                "wrk",
                f"-t{self.args.threads}",
                f"-c{self.args.connections}",
                f"-d{self.args.duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                str(script),
                base + "/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        socket_errors = WRK_SOCKET.search(output)
        return {
            "requests": int(WRK_REQUESTS.search(output).group(1)),
            "rps": float(WRK_RATE.search(output).group(1)),
            "latency": {
                int(p): float(value) * UNITS_MS[unit]
                for p, value, unit in WRK_LATENCY.findall(output)
            },
            "non_2xx": int(WRK_NON_2XX.search(output).group(1))
            if WRK_NON_2XX.search(output)
            else 0,
            "socket_errors": sum(map(int, socket_errors.groups()))
            if socket_errors
            else 0,
            "socket_detail": socket_errors.group(0) if socket_errors else "none",
        }

    def check_saves(self, base, saves):
        """Each save's mark, in the database and on the sheet's public page."""
        made = [save for save in saves if save["ok"]]
        if not made:
            return {"database": 0, "page": 0}
        marks = {save["pk"]: save["mark"] for save in made}
        output = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from factsheets.models import FactSheet as F; "
            f"marks = {marks!r}; "
            "sheets = F.objects.in_bulk(list(marks)); "
            "print(sum(marks[pk] in sheets[pk].lead for pk in marks))",
            capture=True,
        )
        in_database = int(output.split()[-1])
        on_page = 0
        for save in made:
            with urllib.request.urlopen(base + save["url"], timeout=30) as response:
                on_page += save["mark"].encode() in response.read()
        return {"database": in_database, "page": on_page}

    def report(self, readers, editor, present):
        saves = editor.saves
        made = [save for save in saves if save["ok"]]
        failed = [save for save in saves if not save["ok"]]
        timings = [save["seconds"] * 1000 for save in made]
        latency = readers["latency"]
        print()
        print("| Readers | |")
        print("|---|---:|")
        print(f"| Requests | {readers['requests']:,} |")
        print(f"| Requests per second | {readers['rps']:,.0f} |")
        for p in (50, 75, 90, 99):
            print(f"| Latency p{p} | {latency.get(p, float('nan')):.1f} ms |")
        print(f"| Responses other than 2xx or 3xx | {readers['non_2xx']:,} |")
        print(
            f"| Socket errors | {readers['socket_errors']:,} "
            f"({readers['socket_detail']}) |"
        )
        print()
        print("| Editor | |")
        print("|---|---:|")
        print(f"| Saves made | {len(made)} of {len(saves)} |")
        if timings:
            print(
                f"| Save time, median / max | {statistics.median(timings):.0f} / "
                f"{max(timings):.0f} ms |"
            )
        print(f"| Present in the database afterwards | {present['database']} |")
        print(f"| Shown on the sheet's public page | {present['page']} |")
        for save in failed:
            print(f"  failed save of sheet {save['pk']}: {save['error']}")
        if failed or readers["non_2xx"]:
            print(
                f"\nThe server's log ends:\n{tail(self.logs / 'gunicorn-cached.log')}"
            )
        self.met = (
            readers["non_2xx"] == 0
            and readers["socket_errors"] == 0
            and saves
            and not failed
            and present["database"] == present["page"] == len(made)
        )
        print()
        print(
            "Goal (no error of either kind, every save present): "
            + ("met" if self.met else "NOT met"),
            flush=True,
        )


class Editor(threading.Thread):
    """Signs in and starts a save of another sheet every `every` seconds, through
    the admin; each save is a GET of the change form and its POST."""

    def __init__(self, base, password, sheets, every):
        super().__init__(daemon=True)
        self.base, self.password, self.sheets, self.every = (
            base,
            password,
            sheets,
            every,
        )
        self.stop = threading.Event()
        self.saves = []
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def run(self):
        self.sign_in()
        started = time.monotonic()
        # A save starts every `every` seconds even while earlier ones still wait for
        # a worker (as an editor with several sheets open in tabs would).
        saving = []
        for number, (pk, url) in enumerate(self.sheets, start=1):
            due = started + (number - 1) * self.every
            if self.stop.wait(max(0, due - time.monotonic())):
                break
            mark = f"load-test-save-{number}-{pk}"
            thread = threading.Thread(
                target=lambda *args: self.saves.append(self.save(*args)),
                args=(pk, url, mark),
            )
            thread.start()
            saving.append(thread)
        for thread in saving:
            thread.join()

    def open(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data else None
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def csrf(self):
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def sign_in(self):
        self.open("/admin/login/")
        url, _ = self.open(
            "/admin/login/?next=/admin/",
            {
                "username": EDITOR,
                "password": self.password,
                "csrfmiddlewaretoken": self.csrf(),
                "next": "/admin/",
            },
        )
        if "/admin/login/" in url:
            raise RuntimeError("The editor could not sign in.")

    def save(self, pk, url, mark):
        path = f"/admin/factsheets/factsheet/{pk}/change/"
        started = time.monotonic()
        try:
            _, page = self.open(path)
            fields = form_data(page, "factsheet_form")
            # The lead gets the save's mark; a change to a published sheet in
            # place is a minor one (a major one needs a note).
            fields["lead"] = f"{fields['lead']} {mark}"
            fields |= {"change_kind": "minor", "_continue": "Save"}
            ended, answer = self.open(path, fields)
            if mark not in answer or "errornote" in answer:
                raise RuntimeError(refusal(answer) or f"ended at {ended}")
            return {
                "pk": pk,
                "mark": mark,
                "ok": True,
                "seconds": time.monotonic() - started,
                "url": url,
            }
        except (OSError, RuntimeError, urllib.error.HTTPError) as error:
            return {
                "pk": pk,
                "mark": mark,
                "ok": False,
                "seconds": time.monotonic() - started,
                "error": str(error),
            }


if __name__ == "__main__":
    main()
