"""What a page costs a worker when the page cache does not have it: `make render-bench`
(or `.venv/bin/python bench/render.py`).

It builds a throwaway PostgreSQL database (the Mali sheet and a generated catalogue:
195 countries, 5 editions, 12 sections), then, in this process, with production
settings (DEBUG off, the cache in files, the page cache off so that every request
renders), asks Django's WSGI application (config.wsgi) N times for the home page, the
A-Z list, the Mali sheet and a generated sheet, in each of these states:

- rendered whole: PAGE_FRAGMENTS off, nothing kept, as before pages kept parts;
- empty cache: emptied before each request (a cache flushed);
- after an edit it shows, and after a neighbour's change: a real save before each
  request, as when the page cache loses a page to an editor (another sheet's title
  or a section of the sheet; the name of a country of its bureau);
- parts kept: nothing changed since the last request (as at midnight, when the print
  date makes every stored page stale);
- parts kept, stored: the same with the page cache on, its stored copy removed
  before each request: a miss, which also compresses the page to store it.

It prints the median and 90th percentile of the wall time, and the median CPU time,
of each, against the goals; with --profile, the functions that took the most time.
Each change is undone by the end, and everything the bench made (the database, the
cache's files) is removed, unless --keep.

Needs PostgreSQL on 127.0.0.1.
"""

import argparse
import cProfile
import io
import os
import platform
import pstats
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from project import BASE_DIR, manage

# The goals for a page the page cache does not have, in ms of a worker's time.
GOALS = {"sheet": 10, "home": 15, "index": 15}
PROFILE_ENTRIES = 20


class Page(NamedTuple):
    kind: str  # a key of GOALS
    name: str
    path: str
    edit: object  # a save that changes a sheet the page shows
    neighbour: object  # a save that changes a country the page names


class State(NamedTuple):
    name: str
    label: str
    settings: dict
    before_each: object  # page -> what to do before each request of it


def main():
    args = parse_args()
    cache_dir = Path(tempfile.mkdtemp(prefix="factsheets-render-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{args.database}",
        # As on one machine, but with room for every page and part: Django's file
        # cache holds 300 entries by default, and deletes a third of them at random
        # at each write beyond that (bench/README.md).
        "CACHE_URL": args.cache_url or f"filecache://{cache_dir}?max_entries=100000",
        "DEBUG": "false",
        "PAGE_CACHE": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("PYTEST_VERSION", None)
    try:
        ready(args, env)
        measure(args)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
        if not args.keep:
            drop_database(args)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="Requests per figure.")
    parser.add_argument(
        "--profile", action="store_true", help="Print the top cProfile entries."
    )
    parser.add_argument(
        "--cache-url",
        help="The cache (CACHE_URL), instead of files in a temporary folder.",
    )
    add_catalogue_arguments(parser, "factsheets_render")
    return parser.parse_args()


def add_catalogue_arguments(parser, database):
    """The catalogue's size and the throwaway database that holds it (build())."""
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--editions", type=int, default=5)
    parser.add_argument("--sections", type=int, default=12)
    parser.add_argument(
        "--database",
        default=database,
        help="PostgreSQL database to create (dropped first, and at the end).",
    )
    parser.add_argument(
        "--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server."
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the database at the end."
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Use the database as it is if it holds a catalogue (with --keep).",
    )


def ready(args, env):
    """The catalogue built (unless --reuse finds one), the static files collected,
    and this process set up to run the project with `env`."""
    if not (args.reuse and has_catalogue(args)):
        build(args, env)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    os.environ.update(env)
    sys.path.insert(0, str(BASE_DIR))


# The database.


def build(args, env):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{args.database}"')
    started = time.monotonic()
    print(
        f"Building {args.database}: {args.countries} countries (Mali and "
        f"{args.countries - 1} generated) x {args.editions} editions x "
        f"{args.sections} sections...",
        flush=True,
    )
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "load_initial_data", "--verbosity", "0")
    # Mali is real, so it gets no generated sheets (as in bench/run.py).
    manage(
        env,
        "generate_catalogue",
        "--countries",
        str(args.countries - 1),
        "--editions",
        str(args.editions),
        "--sections",
        str(args.sections),
        "--allow-real-data",
        "--verbosity",
        "0",
    )
    print(f"  built in {time.monotonic() - started:.0f} s", flush=True)


def has_catalogue(args):
    import psycopg

    try:
        with psycopg.connect(f"{args.pg}/{args.database}") as db:
            return db.execute("SELECT count(*) FROM factsheets_factsheet").fetchone()[0]
    except psycopg.Error:
        return False


def drop_database(args):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


# Requests.


def environ_for(path):
    """A GET of `path` as wrk sends it (no Accept-Encoding)."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def wsgi_get(application, path):
    """GET `path` through the whole WSGI stack, as gunicorn would."""
    statuses = []
    response = application(
        environ_for(path), lambda status, headers: statuses.append(status)
    )
    try:
        body = b"".join(response)
    finally:
        if hasattr(response, "close"):
            response.close()  # request_finished, as a server sends it
    if not statuses[0].startswith("200"):
        raise RuntimeError(f"{path} answered {statuses[0]}")
    return body


def measure(args):
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIRequest
    from django.db import connection
    from django.test.utils import override_settings

    from config.wsgi import application
    from factsheets.models import Country, FactSheet, Section
    from pagecache import storage

    current = list(FactSheet.objects.current().order_by("country__name"))
    mali = next(sheet for sheet in current if sheet.country.slug == "mali")
    generated = next(
        sheet
        for sheet in current[len(current) // 2 :]
        if sheet.country.slug != "mali"
        and sum(other.bureau_id == sheet.bureau_id for other in current) > 1
    )
    other = next(sheet for sheet in current if sheet.country.slug != "mali")

    def toggled(text):
        return text[:-1] if text.endswith(".") else f"{text}."

    def retitle():
        """Another sheet's title saved, as an editor corrects it."""
        sheet = FactSheet.objects.get(pk=other.pk)
        sheet.title = toggled(sheet.title)
        sheet.save()

    def section_editor(factsheet):
        """A section of the sheet saved, as an editor corrects it."""
        pk = factsheet.sections.first().pk

        def edit():
            section = Section.objects.get(pk=pk)
            section.body = f"<p>{toggled(section.body[3:-4])}</p>"
            section.save()

        return edit

    def renamer(factsheet):
        """A country of the sheet's bureau renamed: the lists and the navigation of
        its neighbours name it."""
        neighbour = next(
            sheet.country_id
            for sheet in current
            if sheet.bureau_id == factsheet.bureau_id and sheet.pk != factsheet.pk
        )

        def rename():
            country = Country.objects.get(pk=neighbour)
            country.name = toggled(country.name)
            country.save()

        return rename

    def not_stored(path):
        """The page cache has lost the page: its stored copy and this process's."""
        request = WSGIRequest(environ_for(path))
        return lambda: (
            storage.recent.clear(),
            cache.delete(storage.stored_key(request)),
        )

    pages = [
        Page("home", "Home", "/", retitle, renamer(other)),
        Page("index", "A-Z list", "/fact-sheets/", retitle, renamer(other)),
        Page(
            "sheet",
            "Mali sheet",
            "/fact-sheets/mali/",
            section_editor(mali),
            renamer(mali),
        ),
        Page(
            "sheet",
            f"{generated.country.name} sheet",
            f"/fact-sheets/{generated.country.slug}/",
            section_editor(generated),
            renamer(generated),
        ),
    ]
    # What is done before each request of a page, in each state.
    states = [
        State(
            "whole", "Rendered whole", {"PAGE_FRAGMENTS": False}, lambda page: nothing
        ),
        State("empty", "Empty cache", {}, lambda page: cache.clear),
        State("edit", "After an edit it shows", {}, lambda page: page.edit),
        State(
            "neighbour", "After a neighbour's change", {}, lambda page: page.neighbour
        ),
        State("kept", "Parts kept", {}, lambda page: nothing),
        State(
            "stored",
            "Parts kept, stored",
            {"PAGE_CACHE": True},
            lambda page: not_stored(page.path),
        ),
    ]
    print_machine(connection, current, args)
    for page in pages:  # imports, the release fingerprint, connections
        for _ in range(3):
            wsgi_get(application, page.path)

    results, profiles = {}, {}
    for page in pages:
        name, path = page.name, page.path
        for state, _, changed_settings, before_each in states:
            before = before_each(page)
            with override_settings(**changed_settings):
                times, cpu = [], []
                profile = cProfile.Profile() if args.profile else None
                wsgi_get(application, path)
                for _ in range(args.runs):
                    before()
                    started, started_cpu = time.perf_counter(), time.process_time()
                    if profile:
                        profile.enable()
                    wsgi_get(application, path)
                    if profile:
                        profile.disable()
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                if args.runs % 2:
                    before()  # each change goes and comes back: the rows as they were
            results[name, state] = summary(times, cpu)
            profiles[name, state] = profile
            print(f"  {name}, {state}: {results[name, state][0]:.1f} ms", flush=True)

    print_results(pages, states, results)
    if args.profile:
        for (name, state), profile in profiles.items():
            print(f"\n## {name}, {state}: the top {PROFILE_ENTRIES} by own time\n")
            stats = pstats.Stats(profile, stream=sys.stdout)
            stats.sort_stats("tottime").print_stats(PROFILE_ENTRIES)


def nothing():
    pass


def summary(times, cpu):
    times = sorted(times)
    p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
    return statistics.median(times), p90, statistics.median(cpu)


def print_machine(connection, current, args):
    import django
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {postgres}; load average {load}."
    )
    print(
        f"Catalogue: {len(current)} current sheets ({args.editions} editions x "
        f"{args.sections} sections). {args.runs} requests a figure through "
        "config.wsgi (DEBUG off, the page cache off, the cache in "
        f"{settings.CACHES['default']['BACKEND'].rpartition('.')[2]})."
    )


def print_results(pages, states, results):
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nms a request: median / 90th percentile (median CPU time); "
        f"load average now {load}\n"
    )
    header = ["", *(f"{page.name} (goal ≤ {GOALS[page.kind]})" for page in pages)]
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---:|" * len(pages))
    for state in states:
        cells = [state.label]
        for page in pages:
            median, p90, cpu = results[page.name, state.name]
            cells.append(f"{median:.1f} / {p90:.1f} ({cpu:.1f})")
        print("| " + " | ".join(cells) + " |")
    print(
        "\nRendered whole: PAGE_FRAGMENTS off, as before parts were kept. An edit it "
        "shows: another sheet retitled (lists), a section of the sheet saved "
        "(sheets). A neighbour's change: a country of the sheet's bureau renamed. "
        "Parts kept, stored: a miss with the page cache on, which also compresses "
        "the page to store it."
    )
    print("\nAgainst the goals (the median, of wall time and of CPU time):")
    for state in states:
        verdicts = []
        for page in pages:
            median, _, cpu = results[page.name, state.name]
            goal = GOALS[page.kind]
            verdicts.append(f"{page.name} {verdict(median, goal)}/{verdict(cpu, goal)}")
        print(f"- {state.label}: " + ", ".join(verdicts) + ".")


def verdict(ms, goal):
    return "met" if ms <= goal else "not met"


if __name__ == "__main__":
    main()
