"""Editors at work in a process of their own, apart from the servers readers use,
for the busy day of bench/busy_day.py:

    .venv/bin/python bench/editors.py publish --editor NAME --publisher NAME \\
        --every 10 COUNTRY_PK [COUNTRY_PK ...]
    .venv/bin/python bench/editors.py save --editor NAME --every 1 SHEET_PK [...]

`publish`: for each country in turn (round and round), a new edition of its
current sheet dated a day after its newest (factsheets.sheet_operations:
new_edition, by the editor), its lead marked, saved (save) and published
(publish, by the publisher: the second pair of eyes).

`save`: for each sheet in turn, one of its sections (a different one each time)
gets a mark at the end of its text and is saved, with the sheet, as a minor change
by the editor (save), in one transaction: what the admin's change form does,
without the form.

One every `--every` seconds, on time even if the one before took longer (each
waits for the one before). It uses the environment it is given (the bench's
database and cache) and runs until SIGTERM or Ctrl-C, which let the change in
hand finish, or `--times` changes are made. Each change is a line of JSON on stdout: what was changed, its
public page, its mark, the seconds it took, and the error if it failed.
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
import traceback
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("role", choices=["publish", "save"])
    parser.add_argument("--editor", required=True, help="Who makes the changes.")
    parser.add_argument("--publisher", help="Who publishes (publish).")
    parser.add_argument("--every", type=float, default=10, help="Seconds.")
    parser.add_argument(
        "--times", type=int, help="Stop after so many (default: never)."
    )
    parser.add_argument("pks", nargs="+", type=int, help="Countries or sheets.")
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
    publisher = users.get(username=args.publisher) if args.publisher else None

    started = time.monotonic()
    for number, pk in enumerate(itertools.cycle(args.pks), start=1):
        if args.times is not None and number > args.times:
            break
        due = started + (number - 1) * args.every
        if stop.wait(max(0, due - time.monotonic())):
            break
        began = time.monotonic()
        try:
            if args.role == "publish":
                mark = f"busy-day-edition-{number}-{pk}"
                sheet = publish_edition(pk, mark, editor, publisher)
                said = {"country": pk, "pk": sheet.pk}
            else:
                mark = f"busy-day-save-{number}-{pk}"
                sheet = save_section(pk, number, mark, editor)
                said = {"pk": pk}
            said |= {"url": sheet.get_absolute_url(), "ok": True}
        except Exception as error:  # reported, and the next one is tried
            said = {"pk": pk, "ok": False, "error": described(error)}
            if args.role == "publish":
                said["country"] = pk
        said |= {"mark": mark, "seconds": round(time.monotonic() - began, 3)}
        print(json.dumps(said), flush=True)


def described(error):
    """The error and the project's line that raised it (or that called what did)."""
    where = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if "/.venv/" not in frame.filename
    ][-1:]
    place = f" ({where[0].filename}:{where[0].lineno})" if where else ""
    return f"{type(error).__name__}: {error}{place}"


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


def save_section(pk, number, mark, editor):
    from django.db import transaction

    from factsheets import sheet_operations
    from factsheets.models import FactSheet

    with transaction.atomic():
        sheet = FactSheet.objects.select_related("country").get(pk=pk)
        sections = list(sheet.sections.all())
        section = sections[number % len(sections)]
        body = section.body
        end = body.rfind("</p>")
        section.body = (
            f"{body}<p>{mark}</p>" if end < 0 else f"{body[:end]} {mark}{body[end:]}"
        )
        section.save()
        sheet_operations.save(sheet, by=editor, change=sheet_operations.MINOR)
    return sheet


if __name__ == "__main__":
    main()
