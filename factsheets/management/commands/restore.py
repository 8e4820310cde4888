from django.core.management.base import BaseCommand, CommandError

from factsheets.backups import BackupError, read_header, restore_backup, summary


class Command(BaseCommand):
    help = (
        "Load a backup written by `manage.py backup` into an empty, migrated "
        "database, in one transaction. A damaged or foreign file, another migration "
        "state or a database that is not empty is refused and nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check that FILE is a whole backup; change nothing.",
        )

    def handle(self, *args, file, check, **options):
        try:
            header = read_header(file) if check else restore_backup(file)
        except BackupError as error:
            raise CommandError(error) from None
        made = f"{summary(header['counts'])}, made {header['created_at']}"
        if check:
            self.stdout.write(f"{file} is a whole backup: {made}.")
        else:
            self.stdout.write(f"Restored {file}: {made}.")
