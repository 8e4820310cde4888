import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from factsheets.importers import UnreadableSource, max_source_size, read_source
from factsheets.importers.store import ImportRefused, save_draft


class Command(BaseCommand):
    help = (
        "Import old fact sheets, captured as text or saved as HTML pages, as drafts. "
        "Each file is read and written in its own transaction: a file that cannot be "
        "read, or whose draft cannot be written, changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--dry-run", action="store_true", help="Read the files but write nothing."
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print what was read as JSON: one object for one FILE, a list for several.",
        )
        parser.add_argument(
            "--replace-edits",
            action="store_true",
            help="Update a draft even if an editor changed it after its last import.",
        )

    def handle(self, *args, files, dry_run, as_json, replace_edits, **options):
        results, failed = [], []
        for name in files:
            path = Path(name)
            try:
                with path.open("rb") as file:
                    # No more than read_source takes, and one byte to say it is more.
                    data = file.read(max_source_size() + 1)
                sheet, fingerprint = read_source(data, path.name)
                if not dry_run:
                    saved = save_draft(
                        sheet,
                        source=sheet.address or path.name,
                        fingerprint=fingerprint,
                        replace_edits=replace_edits,
                    )
            except OSError as error:
                failed.append(f"{name}: cannot open it: {error.strerror}.")
                continue
            except (UnreadableSource, ImportRefused) as error:
                failed.append(f"{name}: nothing imported: {error}")
                continue
            if as_json:
                results.append(sheet.as_json())
            else:
                self.report(name, sheet, None if dry_run else saved)
        if as_json and results:
            output = results[0] if len(files) == 1 else results
            self.stdout.write(dumps(output))
        for message in failed:
            self.stderr.write(message)
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(files)} file{'s' if len(files) > 1 else ''} "
                "could not be imported."
            )

    def report(self, name, sheet, saved):
        if saved is None:
            head = f"{name}: read (dry run, nothing written)"
        else:
            verb = "created" if saved.created else "updated"
            head = (
                f"{name}: {verb} the draft “{saved.factsheet}” "
                f"(/admin/factsheets/factsheet/{saved.factsheet.pk}/change/)"
            )
        self.stdout.write(self.style.SUCCESS(head))
        for line in sheet.recognised:
            self.stdout.write(f"  found {line}")
        for line in sheet.warnings:
            self.stdout.write(self.style.WARNING(f"  check: {line}"))


def dumps(value):
    return json.dumps(value, indent=2, ensure_ascii=False)
