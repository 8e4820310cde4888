"""A reader in a process of its own, with a worker's environment (so its settings,
its release and the keys of its pages): for each page, how many queries its request
ran, and whether what it was served is the page rendered with the page cache off.

    read_pages(workers.env, ["/", "/fact-sheets/mali/"])
    -> {"/": {"status": 200, "queries": 0, "exact": True}, ...}
"""

import json
import subprocess
import sys

from django.conf import settings


def read_pages(env, paths):
    finished = subprocess.run(
        [sys.executable, "-m", "tests.helpers.page_reader", *paths],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if finished.returncode:
        raise AssertionError(f"The reader failed:\n{finished.stderr[-4000:]}")
    return json.loads(finished.stdout.splitlines()[-1])


def main(paths):
    import django

    django.setup()
    from urllib.parse import urlsplit

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    site = urlsplit(settings.SITE_URL)
    client = Client(HTTP_HOST=site.netloc)
    secure = site.scheme == "https"
    found = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            served = client.get(path, secure=secure)
        # Rendered whole: no stored page, no kept part (factsheets/fragments.py).
        with override_settings(PAGE_CACHE=False, PAGE_FRAGMENTS=False):
            fresh = client.get(path, secure=secure)
        found[path] = {
            "status": served.status_code,
            "queries": len(queries),
            "exact": (served.status_code, served.content)
            == (fresh.status_code, fresh.content),
        }
    print(json.dumps(found))


if __name__ == "__main__":
    main(sys.argv[1:])
