from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backups import BackupError, default_filename, summary, write_backup


class Command(BaseCommand):
    help = (
        "Write a backup of every sheet, edition, revision, user and the reference "
        "data to one new gzip file, read from a single moment of the database "
        "(README.md, “Backups”). `manage.py restore FILE` loads it into an empty one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="Where to write it. Default: backups/factsheets-<UTC time>.jsonl.gz "
            "in the project.",
        )

    def handle(self, *args, output, **options):
        if output:
            path = Path(output)
        else:
            path = settings.BASE_DIR / "backups" / default_filename()
        try:
            header = write_backup(path)
        except BackupError as error:
            raise CommandError(error) from None
        kilobytes = path.stat().st_size / 1024
        self.stdout.write(
            f"Wrote {path} ({kilobytes:,.0f} KB): {summary(header['counts'])}."
        )
