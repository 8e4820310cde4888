"""Tasks for the tests of the worker, which imports them by their path. Each
writes what it did to a file named in its arguments, one line a time, so that a
test counts runs across processes."""

import time
from pathlib import Path

from background import task


def note(path, line):
    with open(path, "a") as file:
        file.write(f"{line}\n")


def lines(path):
    path = Path(path)
    return path.read_text().splitlines() if path.exists() else []


@task(retries=0)
def record(path, word):
    note(path, word)
    return word


@task(retries=3)
def fail_first_time(path):
    """Fails its first run, succeeds the next: each run notes when it started."""
    runs = len(lines(path))
    note(path, f"run {time.time()}")
    if runs == 0:
        raise RuntimeError("The first run fails.")
    return runs + 1


@task(retries=0)
def wait_for_go(path, go):
    """Notes its start, waits for the file `go` to exist, then notes its end."""
    note(path, "started")
    while not Path(go).exists():
        time.sleep(0.02)
    note(path, "finished")


@task(retries=0)
def sleep(seconds):
    time.sleep(seconds)
