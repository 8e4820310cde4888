"""Run commands side by side as one, as `make run` runs gunicorn and the task
worker: `python -m background.together "COMMAND" "COMMAND" ...`.

Each command runs in a process group of its own, so Ctrl-C reaches only this
script, which then asks each command to stop (SIGTERM) exactly once: gunicorn
finishes the requests it has, the worker the task it runs. A second Ctrl-C asks
again, and the worker stops at once. SIGTERM to this script does the same. When
one command ends by itself, the others are asked to stop too, and the exit status
is that of the first to end. It imports nothing of Django's: the commands load the
settings themselves."""

import shlex
import signal
import subprocess
import sys
import time


def main(commands):
    processes = [
        subprocess.Popen(shlex.split(command), start_new_session=True)
        for command in commands
    ]
    asked = False

    def ask_to_stop(signum=None, frame=None):
        nonlocal asked
        asked = True
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)
    first_status = None
    while any(process.poll() is None for process in processes):
        ended = [process for process in processes if process.poll() is not None]
        if ended and first_status is None:
            first_status = ended[0].returncode
            if not asked:  # it ended by itself: the others stop too
                ask_to_stop()
        time.sleep(0.1)
    if first_status is None:
        first_status = processes[0].returncode
    return first_status if first_status >= 0 else 128 - first_status


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
