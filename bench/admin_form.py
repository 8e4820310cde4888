"""What a sheet's change form in the admin costs a worker: `make admin-bench` (or
`.venv/bin/python bench/admin_form.py`).

On a throwaway PostgreSQL database with the catalogue of bench/render.py (195
countries, 5 editions, 12 sections), in this process, with production settings
(DEBUG off, the page cache off), a superuser opens the change form of a current
generated sheet (a GET) and saves it back as a browser would, one section's text
changed, as a minor change (a POST): the busy day's editor (bench/busy_day.py). Each
run takes another sheet, as the busy day does. It prints the median and 90th
percentile of the wall time, the median CPU time and the queries of each; with
--profile, the functions that took the most time.

Needs PostgreSQL on 127.0.0.1.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import time
from urllib.parse import urlencode

from admin_forms import form_data, refusal
from render import add_catalogue_arguments, drop_database, ready

PROFILE_ENTRIES = 25
URLENCODED = "application/x-www-form-urlencoded"


def main():
    args = parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "CACHE_URL": "locmemcache://admin-bench",
        "DEBUG": "false",
        "PAGE_CACHE": "false",
        "PRERENDER": "false",
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
        if not args.keep:
            drop_database(args)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="Saves to measure.")
    parser.add_argument(
        "--profile", action="store_true", help="Print the top cProfile entries."
    )
    add_catalogue_arguments(parser, "factsheets_admin_bench")
    return parser.parse_args()


def measure(args):
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from factsheets.models import FactSheet

    user, _ = User.objects.get_or_create(
        username="admin-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    sheets = list(
        FactSheet.objects.current()
        .exclude(country__slug="mali")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    figures = {"GET": ([], [], []), "POST": ([], [], [])}
    profile = cProfile.Profile() if args.profile else None

    def timed(method, *call):
        times, cpu, queries = figures[method]
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            response = getattr(client, method.lower())(*call)
            if profile:
                profile.disable()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        queries.append(len(captured))
        return response

    # Two unmeasured saves first: imports, templates, connections.
    for number, pk in enumerate(sheets[: args.runs + 2], start=-1):
        path = f"/admin/factsheets/factsheet/{pk}/change/"
        page = timed("GET", path).content.decode()
        fields = form_data(page, "factsheet_form")
        mark = f"admin-bench-{number}"
        body = f"sections-{number % int(fields['sections-TOTAL_FORMS'])}-body"
        fields[body] = fields[body].replace("</p>", f" {mark}</p>", 1)
        fields |= {"change_kind": "minor", "_continue": "Save"}
        # Sent as a browser sends this form: urlencoded, not multipart.
        answer = timed("POST", path, urlencode(fields), URLENCODED)
        if answer.status_code != 302:
            sys.exit(
                f"The save of sheet {pk} was refused: {refusal(answer.content.decode())}"
            )
        if number <= 0:
            for times, cpu, queries in figures.values():
                del times[:], cpu[:], queries[:]
            if profile:
                profile = cProfile.Profile()

    print(
        f"\n{len(sheets)} current sheets; {args.runs} saves through the change form "
        "(DEBUG off), each of another sheet.\n"
    )
    print("| | ms (median / 90th pct.) | CPU ms (median) | queries |")
    print("|---|---:|---:|---:|")
    for method, (times, cpu, queries) in figures.items():
        times = sorted(times)
        p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
        print(
            f"| {method} | {statistics.median(times):.1f} / {p90:.1f} "
            f"| {statistics.median(cpu):.1f} | {statistics.median(queries):.0f} "
            f"({min(queries)}-{max(queries)}) |"
        )
    if profile:
        print(f"\nThe top {PROFILE_ENTRIES} by cumulative time, GET and POST:\n")
        stats = pstats.Stats(profile, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(PROFILE_ENTRIES)


if __name__ == "__main__":
    main()
