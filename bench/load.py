"""The load test of a busy day: `make load` (or `.venv/bin/python bench/load.py`).

The busy day of bench/busy_day.py, on its own: on 127.0.0.1, a throwaway PostgreSQL
database with the Mali sheet and a generated catalogue (195 countries x 5 editions
x 12 sections), gunicorn with production settings (DEBUG off, 2 sync workers, the
page cache in files as on one machine) and a task worker beside it. wrk reads the
whole catalogue round-robin at 16 connections: quiet for 20 s; busy for 30 s, while
an editor saves a section of another sheet through the admin's change form every
second and a publisher process publishes a new edition of another every 10 s; and
after a cold start (the cache emptied, gunicorn and the worker restarted), in 5 s
windows until the rate is back to 0.8 of the quiet one.

It prints the rates, latency percentiles, errors (responses other than 2xx or 3xx,
socket errors), the busy rate as a ratio to the quiet one, the seconds the cold
start took, each against its goal, and the editors' work: how many saves and
editions were made, how long they took, and whether each is there afterwards (in
the database and on the sheet's public page). The exit status is 1 unless there
was no error and every save and edition is there; the speed goals are printed,
met or not. Everything it made is removed at the end, as by bench/run.py, whose
parts it uses.

Needs PostgreSQL on 127.0.0.1 (and Redis with --busy-cache redis) and Debian's wrk
(apt-get install wrk).
"""

import argparse
import shutil
import sys

import busy_day
from run import Bench, print_load, print_machine, run_then_clean_up, tail


def main():
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    load = run_then_clean_up(Load, args)
    sys.exit(0 if load.met else 1)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--countries", type=int, default=195)
    parser.add_argument("--editions", type=int, default=5)
    parser.add_argument("--sections", type=int, default=12)
    parser.add_argument(
        "--database",
        default="factsheets_load",
        help="PostgreSQL database to create (dropped first, and at the end).",
    )
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--redis-db",
        type=int,
        default=13,
        help="Redis database for --busy-cache redis (flushed before and after).",
    )
    parser.add_argument("--port", type=int, default=8411)
    busy_day.add_arguments(parser, "(default 20, 30 and 60).", saves="admin")
    args = parser.parse_args()
    busy_day.fill_defaults(args, quiet=20, busy=30, cold_limit=60)
    return args


class Load(Bench):
    """bench/run.py's setting up and cleaning up, and the busy day alone."""

    def __init__(self, args):
        super().__init__(args)
        self.met = False

    def run(self):
        args = self.args
        print_machine(self)
        self.make_database()
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("load_initial_data", "--verbosity", "0")
        self.generate(args.countries)
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        day = busy_day.BusyDay(self, args.port)
        day.prepare()
        day.run()
        print_load()
        day.report()
        self.met = day.correct
        if not self.met:
            print(f"\nThe server's log ends:\n{tail(self.logs / 'busy-day.log')}")


if __name__ == "__main__":
    main()
