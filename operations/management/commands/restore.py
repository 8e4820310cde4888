import sys
import textwrap

from django.core.management.base import BaseCommand, CommandError

from operations.backups import (
    BackupError,
    check_backup,
    check_target,
    restore_backup,
    seeded_permissions,
    summary,
)


class Command(BaseCommand):
    help = (
        "Load a backup written by `manage.py backup` into an empty, migrated "
        "database, in one transaction. It first tells the accounts, groups and "
        "permissions the file would create, and asks before it writes. A file not "
        "signed with this site's key, a damaged or foreign file, another migration "
        "state or a database that is not empty is refused and nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check that FILE is a whole, signed backup and tell what it "
            "holds; change nothing.",
        )
        parser.add_argument(
            "--accept-unsigned",
            action="store_true",
            help="Restore a file whose signature is missing or does not verify with "
            "BACKUP_SIGNING_KEY (a backup made before backups were signed, or with "
            "another key). Only for a file you know where it came from.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask before restoring (a signed file, or --accept-unsigned).",
        )
        parser.add_argument(
            "--max-expanded-mb",
            type=int,
            metavar="MB",
            help="The most FILE may hold once uncompressed. Default: "
            "BACKUP_MAX_EXPANDED_MB.",
        )

    def handle(self, *args, file, check, accept_unsigned, interactive, **options):
        try:
            backup = check_backup(
                file,
                accept_unsigned=accept_unsigned,
                max_expanded_mb=options["max_expanded_mb"],
            )
        except BackupError as error:
            raise CommandError(error) from None
        made = f"{summary(backup.header['counts'])}, made {backup.header['created_at']}"
        if check:
            # Reads no database: a file can be checked anywhere.
            self.describe(backup, seeded={})
            self.stdout.write(f"{file} is a whole backup: {made}.")
            return
        try:
            # Before asking: an operator is not asked about a restore that would fail.
            check_target(backup.header)
        except BackupError as error:
            raise CommandError(error) from None
        self.describe(backup, seeded=seeded_permissions())
        if interactive and sys.stdin.isatty():
            try:
                answer = input("Restore it into this database? Type 'yes' to go on: ")
            except EOFError:
                answer = ""
            if answer.strip() != "yes":
                raise CommandError("Not restored; nothing was changed.")
        try:
            sanitized = restore_backup(backup)
        except BackupError as error:
            raise CommandError(error) from None
        self.stdout.write(f"Restored {file}: {made}.")
        # Each value changed is rich text no editor's save could have stored: the file
        # was altered, or made under another allowlist.
        line = (
            f"Rich text sanitized as it loaded: {sanitized} "
            f"{'value' if sanitized == 1 else 'values'} changed."
        )
        self.stdout.write(self.style.WARNING(line) if sanitized else line)

    def describe(self, backup, seeded):
        """What the restore would create that decides who may do what."""
        write = self.stdout.write
        if backup.unsigned:
            write(
                self.style.WARNING(
                    f"Not signed by this site: {backup.unsigned}. Accepted with "
                    "--accept-unsigned."
                )
            )
        else:
            write("Signed with this site's backup key.")
        write(f"Accounts it would create ({len(backup.accounts)}):")
        for account in backup.accounts:
            flags = [
                name
                for name, has in [
                    ("SUPERUSER", account.is_superuser),
                    ("staff", account.is_staff),
                    ("inactive", not account.is_active),
                ]
                if has
            ]
            traits = [", ".join(flags) or "no admin access"]
            if account.groups:
                traits.append(f"groups: {', '.join(account.groups)}")
            if account.permissions:
                traits.append(f"own permissions: {', '.join(account.permissions)}")
            write(self.wrapped(f"{account.username}: {'; '.join(traits)}"))
        write(f"Groups it would create ({len(backup.groups)}), with their permissions:")
        for group in backup.groups:
            listed = ", ".join(group.permissions) or "none"
            write(self.wrapped(f"{group.name} ({len(group.permissions)}): {listed}"))
            if group.name in seeded:
                more = sorted(set(group.permissions) - seeded[group.name])
                if more:
                    more = ", ".join(more)
                    message = f"beyond what migrate gives {group.name}: {more}"
                    write(self.style.WARNING(self.wrapped(message, indent=4)))

    def wrapped(self, text, indent=2):
        return textwrap.fill(
            text,
            width=88,
            initial_indent=" " * indent,
            subsequent_indent=" " * (indent + 4),
            break_on_hyphens=False,
        )
