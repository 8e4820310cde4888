"""What the benchmarks that run the project's own commands share: where it is, and
manage.py run in a child process with an environment of the bench's choosing."""

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = BASE_DIR / ".venv" / "bin" / "python"


def manage(env, *args):
    """Run `manage.py args` with `env`; stop the bench with its output if it fails."""
    ran = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if ran.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{ran.stdout}{ran.stderr}")
