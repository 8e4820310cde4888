"""The Nu Html Checker (the W3C validator's engine) over pages rendered by a test,
in one run of its JVM."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from tests.helpers.tools import missing

VNU = Path(settings.BASE_DIR, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")


def html_checker_errors(pages):
    """The checker's errors in `pages` ({file name: (description, HTML bytes)}),
    each as "description, line n: message" and the text it is about."""
    java = shutil.which("java")
    if not java:
        missing("Java is not installed: apt-get install default-jre-headless")
    if not VNU.exists():
        missing("The Nu Html Checker is not installed: npm ci (package.json)")
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, (description, content) in pages.items():
            file = Path(tmp, f"{name}.html")
            file.write_bytes(content)
            files[file.name] = description
        # One JVM for all the pages: starting it is the slow part.
        result = subprocess.run(
            [java, "-jar", str(VNU), "--errors-only", "--format", "json"]
            + [str(Path(tmp, name)) for name in files],
            capture_output=True,
            text=True,
        )
    if result.returncode not in (0, 1):
        raise AssertionError(f"The Nu Html Checker failed:\n{result.stderr}")
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))}, "
        f"line {m.get('lastLine')}: "
        f"{m['message']}\n    {m.get('extract', '').strip()}"
        for m in messages
    ]
