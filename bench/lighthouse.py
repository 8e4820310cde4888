"""Lighthouse scores: `make lighthouse` (or `.venv/bin/python bench/lighthouse.py`).

Serves the site as `make run` does (SQLite with the Mali sheet, DEBUG off, 2 gunicorn
workers, the default cache) from a throwaway database, runs Lighthouse 12.2.3 (pinned
in bench/package.json, installed into bench/node_modules) with Debian's Chromium on
the home page, the Mali sheet, the A-Z list and a search, and prints the four
category scores of each page and what kept a score under 100. Lighthouse's default
settings: a phone with simulated slow 4G and CPU throttling.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"
LIGHTHOUSE = BENCH_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    "--disable-background-networking --disable-component-update --disable-sync "
    '--no-first-run --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"'
)
HOST = "127.0.0.1"
PAGES = [
    ("Home", "/"),
    ("Mali sheet", "/fact-sheets/mali/"),
    ("A-Z list", "/fact-sheets/"),
    ("Search", "/search/?q=embassy"),
]
CATEGORIES = [
    ("performance", "Performance"),
    ("accessibility", "Accessibility"),
    ("best-practices", "Best practices"),
    ("seo", "SEO"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8404)
    args = parser.parse_args()
    check_tools()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped (SIGTERM)."))
    work = Path(tempfile.mkdtemp(prefix="factsheets-lighthouse-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CACHE_URL", "PAGE_CACHE", "PYTEST_VERSION"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
    )
    server = None
    try:
        for command in (
            ["migrate", "--noinput", "--verbosity", "0"],
            ["load_initial_data", "--verbosity", "0"],
            ["collectstatic", "--noinput", "--verbosity", "0"],
        ):
            subprocess.run(
                [str(PYTHON), "manage.py", *command], cwd=BASE_DIR, env=env, check=True
            )
        server = start_server(args.port, env, work)
        reports = {}
        for name, path in PAGES:
            url = f"http://{HOST}:{args.port}{path}"
            print(f"Lighthouse: {url}", flush=True)
            reports[name] = lighthouse(url, work / f"{len(reports)}.json")
        print_scores(reports)
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        if server and server.poll() is None:
            server.terminate()
            server.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


def check_tools():
    if not Path(CHROMIUM).exists():
        sys.exit("Chromium is missing: apt-get install -y chromium")
    if not LIGHTHOUSE.exists():
        if not shutil.which("npm"):
            sys.exit("npm is missing (Lighthouse 12.2.3 needs Node 18 or 20 and npm).")
        print("Installing Lighthouse 12.2.3 into bench/node_modules...", flush=True)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=BENCH_DIR,
            check=True,
        )


def start_server(port, env, work):
    log = open(work / "gunicorn.log", "wb")  # closed with the process's end
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "config.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "2",
            "--no-control-socket",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit((work / "gunicorn.log").read_text(errors="replace"))
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/robots.txt", timeout=5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"gunicorn did not answer on port {port}.")


def lighthouse(url, output):
    subprocess.run(
        [
            "node",
            str(LIGHTHOUSE),
            url,
            f"--chrome-flags={CHROME_FLAGS}",
            "--output=json",
            f"--output-path={output}",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    return json.loads(output.read_text())


def print_scores(reports):
    print()
    print("| Page | " + " | ".join(label for _, label in CATEGORIES) + " |")
    print("|---|" + "---:|" * len(CATEGORIES))
    for name, report in reports.items():
        scores = [report["categories"][key]["score"] for key, _ in CATEGORIES]
        print(
            f"| {name} | "
            + " | ".join("n/a" if s is None else f"{round(s * 100)}" for s in scores)
            + " |"
        )
    print()
    for name, report in reports.items():
        for key, label in CATEGORIES:
            for ref in report["categories"][key]["auditRefs"]:
                audit = report["audits"][ref["id"]]
                if audit["score"] is None or audit["score"] >= 1:
                    continue
                if ref["weight"]:
                    print(f"{name}, {label}: {audit['title']} (score {audit['score']})")
                elif audit["scoreDisplayMode"] == "metricSavings":
                    print(f"{name}, {label}, flagged (no weight): {audit['title']}")
    print(flush=True)


if __name__ == "__main__":
    main()
