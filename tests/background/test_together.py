"""background/together.py, which `make run` starts gunicorn and the worker with."""

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from tests.helpers.worker import wait_until

TOGETHER = Path(settings.BASE_DIR) / "background" / "together.py"

# A command that notes each SIGTERM it gets, and ends a moment after the first.
PATIENT = """
import signal, sys, time
path = sys.argv[1]
def note(signum, frame):
    open(path, "a").write("term\\n")
    signal.alarm(1)
signal.signal(signal.SIGTERM, note)
signal.signal(signal.SIGALRM, lambda *args: sys.exit(0))
open(path, "a").write("up\\n")
while True:
    time.sleep(0.05)
"""


class TogetherTests(SimpleTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp(prefix="together-"))
        (self.folder / "patient.py").write_text(PATIENT)

    def start(self, *commands):
        process = subprocess.Popen([sys.executable, str(TOGETHER), *commands])
        self.addCleanup(lambda: process.poll() is None and process.kill())
        return process

    def patient(self, name):
        return f"{sys.executable} {self.folder / 'patient.py'} {self.folder / name}"

    def notes(self, name):
        path = self.folder / name
        return path.read_text().split() if path.exists() else []

    def test_one_ctrl_c_asks_each_command_to_stop_once(self):
        process = self.start(self.patient("a"), self.patient("b"))
        wait_until(lambda: self.notes("a") == self.notes("b") == ["up"])
        process.send_signal(signal.SIGINT)
        self.assertEqual(process.wait(timeout=10), 0)
        self.assertEqual(self.notes("a"), ["up", "term"])
        self.assertEqual(self.notes("b"), ["up", "term"])

    def test_when_one_command_ends_the_others_are_stopped(self):
        # It ends with status 3 once the other is up.
        quitter = (
            f"{sys.executable} -c 'import os, sys, time\n"
            f"while not os.path.exists(sys.argv[1]): time.sleep(0.05)\n"
            f"sys.exit(3)' {self.folder / 'a'}"
        )
        process = self.start(quitter, self.patient("a"))
        self.assertEqual(process.wait(timeout=10), 3)
        self.assertEqual(self.notes("a"), ["up", "term"])
