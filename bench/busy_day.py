"""A busy day, measured: what readers get while editors work, and after a deploy
with an empty cache. Both `make load` (bench/load.py) and `make bench`
(bench/run.py) run it, on the catalogue they built.

One gunicorn (production settings, the bench's workers, the page cache in files or
in Redis) with a task worker beside it (`manage.py worker`, as `make run` starts
one). Readers are wrk, round-robin over the whole catalogue: every current sheet,
the home page, the A-Z list (also by bureau), every bureau page and the site feed.

1. Quiet: the readers alone, on a warm cache.
2. Busy: the readers, while an editor saves a section of another sheet (never
   Mali, a different one each time) every second, through the admin's change form
   on an editors' server beside the readers' (`make load`: gunicorn with one
   worker, as a busy site routes /admin/ to app servers of its own) or through
   the ORM in a process of its own
   (`make bench`; --saves says which), and a publisher process publishes a new
   edition of yet another sheet every 10 seconds (bench/editors.py, never a
   server's process).
3. Cold start: gunicorn and the worker stopped, the cache emptied, both started
   again (a deploy), then the readers in 5-second windows until the rate is back
   to 0.8 of the quiet one.

Afterwards every save and every edition is looked for in the database and on the
sheet's public page.
"""

import concurrent.futures
import http.cookiejar
import json
import re
import secrets
import shutil
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from admin_forms import form_data, refusal
from project import BASE_DIR, PYTHON

EDITOR = "busy-day-editor"
SAVES = {
    "admin": "through the admin's change form",
    "orm": "through the ORM, in a process of its own",
}
PUBLISHER = "busy-day-publisher"
WINDOW = 5  # seconds of each cold-start measurement
WARM_UP_LIMIT = 900  # seconds the worker's first warm-up may take
# The worker's prerender tasks waiting or running (the queue in the database).
RENDERS_LEFT = """
    SELECT count(*) FROM django_tasks_database_dbtaskresult
    WHERE task_path LIKE 'prerender.%' AND status IN ('READY', 'RUNNING')
"""
GOAL_BUSY_RATIO = 0.8
GOAL_BUSY_P99_MS = 50
GOAL_COLD_RATIO = 0.8
GOAL_COLD_SECONDS = 30

# wrk asks each connection's next request of the list; each thread starts at a
# random place in it, so that windows of a cold start do not all begin alike.
READERS_SCRIPT = """
paths = {%s}
math.randomseed(os.time())
setup = function(thread)
  thread:set("counter", math.random(#paths))
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""

# Run by `manage.py shell`: what the readers ask for, which sheets the editor
# saves and which countries get new editions (two halves of the current sheets
# but Mali, which other figures measure), as JSON.
CATALOGUE_CODE = """
import json
from django.urls import reverse
from factsheets.models import Bureau, FactSheet
current = list(
    FactSheet.objects.current().select_related("country").order_by("country__name")
)
others = [sheet for sheet in current if sheet.country.slug != "mali"]
print(json.dumps({
    "paths": [sheet.get_absolute_url() for sheet in current]
    + [reverse("factsheets:home"), reverse("factsheets:index"),
       reverse("factsheets:index") + "?by=bureau", reverse("factsheets:feed")]
    + [bureau.get_absolute_url() for bureau in Bureau.objects.order_by("name")],
    "edited": [[sheet.pk, sheet.get_absolute_url()] for sheet in others[0::2]],
    "published": [sheet.country_id for sheet in others[1::2]],
}))
"""

# Run by `manage.py shell`: the site as it is on any day, its scheduled link run
# done a moment ago. Otherwise a new database's first run would have the worker
# check every sheet's links (over a thousand, a second apart per host) through the
# whole scenario, which is not what it measures; the checks a publish queues run.
LINK_RUN_DONE_CODE = """
from django.utils import timezone
from background.models import ScheduledTask
from background.schedule import SCHEDULE
now = timezone.now()
for name, (task, every) in SCHEDULE.items():
    if name.startswith("linkchecks."):
        ScheduledTask.objects.update_or_create(
            name=name,
            defaults={"every": every, "next_run_at": now + every, "last_run_at": now},
        )
"""

# Run by `manage.py shell`: how many marks are in the database (section bodies,
# or the leads of the current sheets of the countries published).
SAVES_IN_DATABASE_CODE = """
from factsheets.models import Section
marks = {marks!r}
print(sum(
    Section.objects.filter(factsheet_id=pk, body__contains=mark).exists()
    for pk, mark in marks
))
"""
EDITIONS_IN_DATABASE_CODE = """
from factsheets.models import FactSheet
marks = {marks!r}
current = {{sheet.country_id: sheet for sheet in FactSheet.objects.current()}}
print(sum(
    country in current and mark in current[country].lead for country, mark in marks
))
"""

WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_REQUESTS = re.compile(r"(\d+) requests in")
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
WRK_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
UNITS_MS = {"us": 0.001, "ms": 1, "s": 1000}


def add_arguments(parser, defaults, saves):
    """The busy day's options; `defaults` says the script's own, in words, and
    `saves` is how the sections are saved unless told."""
    group = parser.add_argument_group("busy day")
    group.add_argument(
        "--readers", type=int, default=16, help="wrk connections (default 16)."
    )
    group.add_argument("--quiet", type=int, help="Seconds quiet " + defaults)
    group.add_argument("--busy", type=int, help="Seconds busy " + defaults)
    group.add_argument(
        "--cold-limit",
        type=int,
        help="Seconds of cold start measured at most, then given up " + defaults,
    )
    group.add_argument(
        "--saves",
        choices=["admin", "orm"],
        default=saves,
        help="How the editor saves a section: through the admin's change form on "
        "an editors' server of its own, or through the ORM in a process of its own "
        f"(bench/editors.py) (default {saves}).",
    )
    group.add_argument("--save-every", type=float, default=1.0, help="Seconds.")
    group.add_argument("--publish-every", type=float, default=10.0, help="Seconds.")
    group.add_argument(
        "--busy-cache",
        choices=["files", "redis"],
        default="files",
        help="Where the busy day's server keeps pages (default files, one machine).",
    )


def fill_defaults(args, *, quiet, busy, cold_limit):
    args.quiet = args.quiet or quiet
    args.busy = args.busy or busy
    args.cold_limit = args.cold_limit or cold_limit


class BusyDay:
    """The scenario, on a Bench (bench/run.py) whose database holds the catalogue:
    prepare(), run(), then report()."""

    def __init__(self, bench, port):
        self.bench = bench
        self.args = bench.args
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        # /admin/ on app servers of its own, as a busy site routes it: one worker.
        self.editors_port = port + 1
        self.editors_base = f"http://127.0.0.1:{self.editors_port}"
        self.password = secrets.token_urlsafe(24)
        if self.args.busy_cache == "redis":
            self.cache_url = bench.redis_url
            self.cache_dir = None
        else:
            self.cache_dir = bench.logs / "busy-day-cache"
            self.cache_url = f"filecache://{self.cache_dir}"
        # The server, the worker and the publisher share one cache, as on a machine.
        self.env = {
            **bench.env,
            "CACHE_URL": self.cache_url,
            "PAGE_CACHE": "true",
            "SITE_URL": self.base,
            "EMAIL_URL": "consolemail://",  # notices go to the worker's log
        }
        self.correct = False

    def prepare(self):
        bench = self.bench
        for username in (EDITOR, PUBLISHER):
            bench.manage(
                "createsuperuser",
                "--noinput",
                "--username",
                username,
                "--email",
                f"{username}@example.gov",
                env={**self.env, "DJANGO_SUPERUSER_PASSWORD": self.password},
            )
        bench.manage("shell", "--no-imports", "-c", LINK_RUN_DONE_CODE)
        catalogue = json.loads(
            bench.manage(
                "shell", "--no-imports", "-c", CATALOGUE_CODE, capture=True
            ).splitlines()[-1]
        )
        self.paths = catalogue["paths"]
        self.edited = [(pk, url) for pk, url in catalogue["edited"]]
        self.published = catalogue["published"]

    def run(self):
        args = self.args
        print(
            f"\nBusy day: wrk -t{args.threads} -c{args.readers} round-robin over "
            f"{len(self.paths)} pages; gunicorn: {args.workers} sync workers, the page "
            f"cache in {args.busy_cache}, a task worker beside it (port {self.port}).",
            flush=True,
        )
        self.start()
        self.begin_the_day()
        self.warm_up()
        self.rendered_ahead_in = self.wait_for_render_ahead()
        print(
            f"  the worker rendered the catalogue ahead in {self.rendered_ahead_in:.0f} s"
            f"\n  quiet: {args.quiet} s",
            flush=True,
        )
        self.quiet = self.readers(args.quiet)

        print(
            f"  busy: {args.busy} s, a section saved every {args.save_every:g} s "
            f"({SAVES[args.saves]}), an edition published every "
            f"{args.publish_every:g} s",
            flush=True,
        )
        if args.saves == "admin":
            self.bench.start_server(
                "busy-day-editors",
                self.editors_port,
                page_cache=True,
                env=self.env,
                workers=1,
            )
            editor = Editor(
                self.editors_base, self.password, self.edited, args.save_every
            )
            editor.sign_in()  # before the readers: the busy part is the saving
        else:
            self.start_editors("save", args.save_every, [pk for pk, _ in self.edited])
        self.start_editors("publish", args.publish_every, self.published)
        if args.saves == "admin":
            editor.start()
        self.busy = self.readers(args.busy)
        if args.saves == "admin":
            editor.stop.set()
        self.bench.stop(["editors-publish", "editors-save"])
        if args.saves == "admin":
            editor.join()
            self.bench.stop(["busy-day-editors"])
            self.saves = editor.saves
        else:
            self.saves = self.changes_made("save")
        self.editions = self.changes_made("publish")
        self.check_present()

        print(
            f"  cold start: {WINDOW} s windows, for at most {args.cold_limit} s",
            flush=True,
        )
        self.cold_start()

    def begin_the_day(self):
        """One section saved before the readers come, as on any day but the first:
        the first change to a site whose cache holds no summary of the lists yet
        makes every page stale (pagecache: summaries_changed()), which would make
        the busy figure that of an empty cache."""
        # A sheet the editor's round does not reach in a run of the default length.
        pk = self.edited[-1][0]
        ran = subprocess.run(
            [str(PYTHON), "bench/editors.py", "save", "--editor", EDITOR]
            + ["--times", "1", str(pk)],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
        )
        said = json.loads(ran.stdout.splitlines()[-1]) if ran.stdout else {}
        if ran.returncode or not said.get("ok"):
            raise RuntimeError(
                f"The day's first save failed:\n{ran.stdout}{ran.stderr}"
            )

    def start_editors(self, role, every, pks):
        command = [str(PYTHON), "bench/editors.py", role, "--editor", EDITOR]
        if role == "publish":
            command += ["--publisher", PUBLISHER]
        self.bench.start_process(
            f"editors-{role}",
            [*command, "--every", str(every), *map(str, pks)],
            self.env,
            split_output=True,
        )

    def changes_made(self, role):
        """What bench/editors.py did, from its lines of JSON."""
        out = self.bench.logs / f"editors-{role}.out"
        return [
            json.loads(line)
            for line in out.read_text().splitlines()
            if line.startswith("{")
        ]

    # Servers.

    def start(self):
        started = time.monotonic()
        self.bench.start_server("busy-day", self.port, page_cache=True, env=self.env)
        self.started_in = time.monotonic() - started
        self.bench.start_process(
            "busy-day-worker",
            [str(PYTHON), "manage.py", "worker"],
            self.env,
        )

    def empty_cache(self):
        if self.cache_dir is None:
            self.bench.flush_redis()
        else:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    def warm_up(self):
        """Every page once (pages stored, the workers' imports done)."""
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(self.status, self.paths))
        wrong = [
            (path, s) for path, s in zip(self.paths, statuses, strict=True) if s != 200
        ]
        if wrong:
            raise RuntimeError(f"Pages that did not answer 200: {wrong[:5]}")

    def wait_for_render_ahead(self):
        """Seconds until the worker has no page left to render: the warm-up it
        starts with (prerender.tasks.keep_warm), as after any deploy. The busy day
        is a day under way, long after its deploy; the cold start measures the
        warm-up."""
        import psycopg

        started = time.monotonic()
        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as db:
            while time.monotonic() - started < WARM_UP_LIMIT:
                (left,) = db.execute(RENDERS_LEFT).fetchone()
                # An empty queue in the first seconds may be a warm-up not queued
                # yet (the worker's housekeeping thread queues it once started).
                if not left and time.monotonic() - started > 5:
                    return time.monotonic() - started
                time.sleep(1)
        raise RuntimeError(
            f"The worker still had pages to render after {WARM_UP_LIMIT} s"
        )

    def status(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # Readers.

    def readers(self, seconds):
        script = self.bench.logs / "readers.lua"
        if not script.exists():
            script.write_text(
                READERS_SCRIPT % ", ".join(json.dumps(path) for path in self.paths)
            )
        output = subprocess.run(
            [
                "wrk",
                f"-t{self.args.threads}",
                f"-c{self.args.readers}",
                f"-d{seconds}s",
                # Slow answers are counted, not dropped as timeouts (wrk's default
                # is 2 s); slower than 10 s is a timeout, an error.
                "--timeout",
                "10s",
                "--latency",
                "-s",
                str(script),
                self.base + "/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return read_wrk(output)

    def cold_start(self):
        self.bench.stop(["busy-day", "busy-day-worker"])
        self.empty_cache()
        self.start()
        began = time.monotonic()
        warm = self.quiet["rps"]
        self.windows = []
        self.cold_seconds = None
        while time.monotonic() - began < self.args.cold_limit:
            start = time.monotonic() - began
            result = self.readers(WINDOW)
            result.update(start=start, end=time.monotonic() - began)
            self.windows.append(result)
            if result["rps"] >= GOAL_COLD_RATIO * warm:
                self.cold_seconds = result["end"]
                break
        # The machine's other work may have changed since the quiet phase: the warm
        # rate once more, to tell a slow start from a busier machine.
        self.warm_again = self.readers(WINDOW)

    # What the editors did, looked for afterwards.

    def check_present(self):
        saves = [save for save in self.saves if save["ok"]]
        editions = [edition for edition in self.editions if edition["ok"]]
        self.present = {
            "saves_database": self.count_in_database(
                SAVES_IN_DATABASE_CODE, [(s["pk"], s["mark"]) for s in saves]
            ),
            "saves_page": sum(self.on_page(s["url"], s["mark"]) for s in saves),
            "editions_database": self.count_in_database(
                EDITIONS_IN_DATABASE_CODE,
                [(e["country"], e["mark"]) for e in editions],
            ),
            "editions_page": sum(self.on_page(e["url"], e["mark"]) for e in editions),
        }

    def count_in_database(self, code, marks):
        if not marks:
            return 0
        output = self.bench.manage(
            "shell", "--no-imports", "-c", code.format(marks=marks), capture=True
        )
        return int(output.split()[-1])

    def on_page(self, url, mark):
        with urllib.request.urlopen(self.base + url, timeout=60) as response:
            return mark.encode() in response.read()

    # Reporting.

    def report(self, limit=None):
        """The figures, with a ratio to `limit`'s rate where given ((0) of
        bench/run.py); sets `correct` (no error, every save and edition there)."""
        quiet, busy = self.quiet, self.busy
        warm = quiet["rps"]
        errors = busy["non_2xx"] + busy["socket_errors"]
        ratio = busy["rps"] / warm if warm else 0
        busy_met = (
            ratio >= GOAL_BUSY_RATIO and busy["p99"] < GOAL_BUSY_P99_MS and not errors
        )
        cold_met = (
            self.cold_seconds is not None and self.cold_seconds <= GOAL_COLD_SECONDS
        )
        x0 = limit is not None
        print()
        print(
            f"Busy day: {len(self.paths)} pages round-robin, {self.args.readers} "
            f"connections; sections saved {SAVES[self.args.saves]}; page cache in "
            f"{self.args.busy_cache}; a task worker beside "
            "gunicorn; one section saved before the readers came (a day under way); "
            f"gunicorn answered {self.started_in:.1f} s after it was started "
            "(the cold start's times count from then)."
        )
        print()
        print(
            "| Phase | req/s | p50 ms | p99 ms | errors | x quiet "
            + ("| x (0) " if x0 else "")
            + "| Goal |"
        )
        print("|---|---:|---:|---:|---:|---:|" + ("---:|" if x0 else "") + "---|")
        made = [save for save in self.saves if save["ok"]]
        published = [edition for edition in self.editions if edition["ok"]]
        rows = [
            (f"Quiet ({self.args.quiet} s)", quiet, ""),
            (
                f"Busy ({self.args.busy} s: {counted(len(made), 'section')} saved, "
                f"{counted(len(published), 'edition')} published)",
                busy,
                f">= {GOAL_BUSY_RATIO} x quiet, p99 < {GOAL_BUSY_P99_MS} ms, 0 "
                f"errors: {met(busy_met)}",
            ),
        ]
        for window in self.windows:
            rows.append(
                (
                    f"Cold start, {window['start']:.0f}-{window['end']:.0f} s",
                    window,
                    "",
                )
            )
        rows.append(("Warm again, after the cold start", self.warm_again, ""))
        for name, result, goal in rows:
            print(
                f"| {name} | {result['rps']:,.0f} | {result['p50']:.1f} | "
                f"{result['p99']:.1f} | {errors_text(result)} | "
                f"{result['rps'] / warm:.2f} | "
                + (f"{result['rps'] / limit:.2f} | " if x0 else "")
                + f"{goal} |"
            )
        print()
        if self.cold_seconds is None:
            cold = f"not reached in {self.windows[-1]['end']:.0f} s"
        else:
            cold = f"{self.cold_seconds:.0f} s"
        print(
            f"Busy rate: {ratio:.2f} of the quiet rate (goal >= {GOAL_BUSY_RATIO}: "
            f"{met(ratio >= GOAL_BUSY_RATIO)}); p99 {busy['p99']:.1f} ms (goal < "
            f"{GOAL_BUSY_P99_MS} ms: {met(busy['p99'] < GOAL_BUSY_P99_MS)}); "
            f"{errors} errors (goal 0: {met(not errors)})."
        )
        print(
            f"Cold start (cache emptied, gunicorn and the worker restarted): "
            f"{GOAL_COLD_RATIO} of the warm rate ({GOAL_COLD_RATIO * warm:,.0f} req/s) "
            f"after {cold} (goal <= {GOAL_COLD_SECONDS} s: {met(cold_met)})."
        )
        again = self.warm_again["rps"]
        reached = next(
            (w["end"] for w in self.windows if w["rps"] >= GOAL_COLD_RATIO * again),
            None,
        )
        print(
            f"Against the warm rate measured again after it ({again:,.0f} req/s, "
            f"{again / warm:.2f} of the quiet one): {GOAL_COLD_RATIO} of it "
            + (f"after {reached:.0f} s." if reached is not None else "not reached.")
        )
        self.report_editors()
        return {"busy_met": busy_met, "cold_met": cold_met}

    def report_editors(self):
        saves, editions, present = self.saves, self.editions, self.present
        made = [save for save in saves if save["ok"]]
        published = [edition for edition in editions if edition["ok"]]
        print()
        print("| Editors at work | |")
        print("|---|---:|")
        print(
            f"| Sections saved {SAVES[self.args.saves]} | {len(made)} of {len(saves)}"
            f"{timings(made)} |"
        )
        print(
            f"| Saves in the database / on the public page | "
            f"{present['saves_database']} / {present['saves_page']} |"
        )
        print(
            f"| Editions published (bench/editors.py) | {len(published)} of "
            f"{len(editions)}{timings(published)} |"
        )
        print(
            f"| Editions current in the database / on the public page | "
            f"{present['editions_database']} / {present['editions_page']} |"
        )
        for save in saves:
            if not save["ok"]:
                print(f"  failed save of sheet {save['pk']}: {save['error']}")
        for edition in editions:
            if not edition["ok"]:
                print(
                    f"  failed edition of country {edition['country']}: "
                    f"{edition['error']}"
                )
        errors = sum(
            result["non_2xx"] + result["socket_errors"]
            for result in [self.quiet, self.busy, *self.windows]
        )
        self.correct = (
            errors == 0
            and bool(made)
            and len(made) == len(saves)
            and present["saves_database"] == present["saves_page"] == len(made)
            and bool(published)
            and len(published) == len(editions)
            and present["editions_database"]
            == present["editions_page"]
            == len(published)
        )
        print(
            "\nNo error, every save and edition there (the exit status of `make "
            f"load`): {met(self.correct)}",
            flush=True,
        )


def counted(number, thing):
    return f"{number} {thing}{'' if number == 1 else 's'}"


def met(condition):
    return "met" if condition else "not met"


def errors_text(result):
    errors = result["non_2xx"] + result["socket_errors"]
    if not errors:
        return "0"
    return f"{errors:,} ({result['non_2xx']:,} non-2xx/3xx; {result['socket_detail']})"


def timings(done):
    seconds = [item["seconds"] for item in done]
    if not seconds:
        return ""
    return f" (median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s)"


def read_wrk(output):
    latency = {
        int(p): float(value) * UNITS_MS[unit]
        for p, value, unit in WRK_LATENCY.findall(output)
    }
    socket_errors = WRK_SOCKET.search(output)
    non_2xx = WRK_NON_2XX.search(output)
    return {
        "requests": int(WRK_REQUESTS.search(output).group(1)),
        "rps": float(WRK_RATE.search(output).group(1)),
        "latency": latency,
        "p50": latency.get(50, float("nan")),
        "p99": latency.get(99, float("nan")),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "socket_detail": socket_errors.group(0) if socket_errors else "none",
    }


class Editor(threading.Thread):
    """Once signed in (sign_in()), starts a save of a section of the next sheet
    every `every` seconds, through the admin: a GET of the change form and its
    POST, as a browser sends it."""

    def __init__(self, base, password, sheets, every):
        super().__init__(daemon=True)
        self.base = base
        self.password = password
        self.sheets = sheets
        self.every = every
        self.stop = threading.Event()
        self.saves = []
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def run(self):
        started = time.monotonic()
        # A save starts every `every` seconds even while earlier ones still wait for
        # a worker (as an editor with several sheets open in tabs would).
        saving = []
        for number in range(1, 1_000_000):
            pk, url = self.sheets[(number - 1) % len(self.sheets)]
            due = started + (number - 1) * self.every
            if self.stop.wait(max(0, due - time.monotonic())):
                break
            mark = f"busy-day-save-{number}-{pk}"
            thread = threading.Thread(
                target=lambda *args: self.saves.append(self.save(*args)),
                args=(pk, url, mark, number),
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
        with self.opener.open(request, timeout=60) as response:
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

    def save(self, pk, url, mark, number):
        path = f"/admin/factsheets/factsheet/{pk}/change/"
        started = time.monotonic()
        done = {"pk": pk, "mark": mark, "url": url}
        try:
            _, page = self.open(path)
            fields = form_data(page, "factsheet_form")
            # One section's text gets the save's mark, a section further on each
            # time; a change to a published sheet in place is a minor one (a major
            # one needs a note).
            sections = int(fields["sections-TOTAL_FORMS"])
            body = f"sections-{number % sections}-body"
            fields[body] = with_mark(fields[body], mark)
            fields |= {"change_kind": "minor", "_continue": "Save"}
            ended, answer = self.open(path, fields)
            if mark not in answer or "errornote" in answer:
                raise RuntimeError(refusal(answer) or f"ended at {ended}")
            return done | {"ok": True, "seconds": time.monotonic() - started}
        except (OSError, RuntimeError, KeyError, ValueError) as error:
            return done | {
                "ok": False,
                "seconds": time.monotonic() - started,
                "error": f"{type(error).__name__}: {error}",
            }


def with_mark(body, mark):
    """The section's HTML with `mark` at the end of its last paragraph."""
    end = body.rfind("</p>")
    if end < 0:
        return f"{body}<p>{mark}</p>"
    return f"{body[:end]} {mark}{body[end:]}"
