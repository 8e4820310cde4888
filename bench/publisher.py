"""A publisher at work, for the busy day of bench/busy_day.py: every few seconds a
new edition of another sheet goes out, as the admin makes and publishes one.

    .venv/bin/python bench/publisher.py --editor NAME --publisher NAME \\
        --every 10 COUNTRY_PK [COUNTRY_PK ...]

For each country in turn (round and round) it copies the current edition into a
new one dated a day after the country's newest (factsheets.sheet_operations:
new_edition, by the editor), marks its lead, saves it (save) and publishes it
(publish, by the publisher: the second pair of eyes). It runs in a process of its
own, apart from the servers that readers use, with the environment it is given
(the bench's database and cache), until SIGTERM or Ctrl-C, which let the edition
in hand go out first. Each edition is a line of JSON on stdout: the country, the
new sheet, its mark, the seconds it took, and the error if it failed.
"""

import argparse
import datetime
import itertools
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editor", required=True, help="Who makes the edition.")
    parser.add_argument("--publisher", required=True, help="Who publishes it.")
    parser.add_argument("--every", type=float, default=10, help="Seconds.")
    parser.add_argument("countries", nargs="+", type=int, help="Country pks.")
    args = parser.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    editor = users.get(username=args.editor)
    publisher = users.get(username=args.publisher)

    started = time.monotonic()
    for number, country in enumerate(itertools.cycle(args.countries), start=1):
        due = started + (number - 1) * args.every
        if stop.wait(max(0, due - time.monotonic())):
            break
        began = time.monotonic()
        mark = f"busy-day-edition-{number}-{country}"
        try:
            sheet = publish_edition(country, mark, editor, publisher)
            said = {"pk": sheet.pk, "url": sheet.get_absolute_url(), "ok": True}
        except Exception as error:  # reported, and the next one is tried
            said = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        said |= {
            "country": country,
            "mark": mark,
            "seconds": round(time.monotonic() - began, 3),
        }
        print(json.dumps(said), flush=True)


def publish_edition(country, mark, editor, publisher):
    from factsheets import sheet_operations
    from factsheets.models import FactSheet

    current = FactSheet.objects.current().select_related("country").get(country=country)
    newest = (
        FactSheet.objects.filter(country=country)
        .order_by("-issued_on")
        .values_list("issued_on", flat=True)
        .first()
    )
    edition = sheet_operations.new_edition(
        current, newest + datetime.timedelta(days=1), by=editor
    )
    edition.lead = f"{edition.lead} {mark}"
    sheet_operations.save(edition, by=editor)
    sheet_operations.publish(edition, by=publisher)
    return edition


if __name__ == "__main__":
    main()
