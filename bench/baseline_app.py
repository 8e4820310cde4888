"""(0) of bench/run.py: the least a WSGI application can do, served by the same
gunicorn as the site, so that the cached pages are measured against the server's
own limit rather than against another program.

It answers every request with the Mali page exactly as the site's page cache
serves it: the same bytes and the same headers (bench/run.py saves both when it
starts, gunicorn adds its own Server, Date and Connection as it does for the site).
It reads them once, at import, from BENCH_BASELINE_PAGE (the body) and the
".headers.json" file beside it. Nothing of Django's is imported: the point is what
is left when the application costs nothing.
"""

import json
import os
from pathlib import Path

_PAGE = Path(os.environ["BENCH_BASELINE_PAGE"])
BODY = _PAGE.read_bytes()
HEADERS = [
    (name, value)
    for name, value in json.loads(_PAGE.with_suffix(".headers.json").read_text())
]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
