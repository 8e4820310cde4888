"""Peak memory of a restore: `.venv/bin/python bench/backup_memory.py`.

In a temporary folder it makes two SQLite databases: one with the Mali sheet and the
generated catalogue (195 countries x 5 editions x 12 sections), backed up with
`manage.py backup`; one only migrated, into which `manage.py restore --noinput`
loads that backup. Then it writes two signed files that expand far past what a
restore reads (600 MB of blank lines, and one 600 MB line) and has restore refuse
them. For each it prints the file's size, what it expands to, the seconds taken and
the peak resident memory of the restore process (VmHWM, so Linux only). Everything
is removed at the end.
"""

import gzip
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from project import BASE_DIR, PYTHON, manage

MB = 1 << 20


def write_bomb(path, header, payload, tail, megabytes):
    """The backup, then `tail` repeated to `megabytes` MB, checksummed and signed."""
    from operations import backups

    block = tail * (MB // len(tail))
    digest = hashlib.sha256(payload)
    for _ in range(megabytes):
        digest.update(block)
    header = backups.signed({**header, "sha256": digest.hexdigest()})
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(json.dumps(header).encode() + b"\n" + payload)
        for _ in range(megabytes):
            out.write(block)


def main():
    folder = Path(tempfile.mkdtemp(prefix="backup-bench-"))
    env = {
        **os.environ,
        "DEBUG": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PAGE_CACHE": "false",
        "CACHE_URL": f"filecache://{folder / 'cache'}",
    }
    try:
        source = {**env, "DATABASE_URL": f"sqlite:///{folder / 'source.sqlite3'}"}
        print("Making the catalogue (about 20 s)...", flush=True)
        manage(source, "migrate", "-v0")
        manage(source, "load_initial_data", "-v0")
        manage(source, "generate_catalogue", "--allow-real-data")
        backup = folder / "catalogue.jsonl.gz"
        manage(source, "backup", "--output", str(backup))

        os.environ.update(source)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        header, payload = gzip.decompress(backup.read_bytes()).split(b"\n", 1)
        header = json.loads(header)
        files = [("the catalogue's backup", backup, True)]
        for name, tail in [
            ("600 MB of blank lines", b" " * 1023 + b"\n"),
            ("one line of 600 MB", b"0" * 1024),
        ]:
            path = folder / f"{name.replace(' ', '-')}.jsonl.gz"
            write_bomb(path, header, payload, tail, 600)
            files.append((name, path, False))

        print(
            f"{'file':<26} {'size':>9} {'expands to':>11} {'restore':>9} "
            f"{'peak memory':>12}  result"
        )
        for number, (name, path, restores) in enumerate(files):
            target = {
                **env,
                "DATABASE_URL": f"sqlite:///{folder / f'{number}.sqlite3'}",
            }
            manage(target, "migrate", "-v0")
            expanded = sum(len(chunk) for chunk in _chunks(path)) / MB
            seconds, peak, status, output = measure(target, path)
            result = output.strip().splitlines()[-1].replace(str(path), "FILE")
            print(
                f"{name:<26} {path.stat().st_size / 1024:>6,.0f} KB "
                f"{expanded:>8,.0f} MB {seconds:>7.1f} s {peak:>9,.1f} MB  "
                f"{result[:90]}",
                flush=True,
            )
            if (status == 0) != restores:
                sys.exit(f"Unexpected: {output}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Runs manage.py and reports its peak resident memory when it exits. VmHWM belongs
# to the process's own memory since exec; ru_maxrss would count this script's, which
# Linux carries over from the fork.
PEAK_REPORTER = """
import atexit, runpy, sys
def report():
    status = open("/proc/self/status").read()
    sys.stderr.write("VmHWM " + status.split("VmHWM:")[1].split()[0] + "\\n")
atexit.register(report)
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def measure(env, path):
    """Restore `path` in a process of its own: seconds, its peak MB, status, output."""
    started = time.monotonic()
    ran = subprocess.run(
        [str(PYTHON), "-c", PEAK_REPORTER, "restore", "--noinput", str(path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    peak = int(ran.stderr.rsplit("VmHWM ", 1)[1].split()[0]) / 1024
    output = (ran.stdout + ran.stderr.rsplit("VmHWM ", 1)[0]).strip()
    return seconds, peak, ran.returncode, output


def _chunks(path):
    with gzip.open(path, "rb") as file:
        while chunk := file.read(MB):
            yield chunk


if __name__ == "__main__":
    main()
