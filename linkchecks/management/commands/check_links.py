"""Check links now, in this process, and say what was found: for an operator who
cannot wait for the worker's hourly run, or wants to see one sheet's links."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from factsheets.models import FactSheet
from linkchecks import runs
from linkchecks.models import Link


class Command(BaseCommand):
    help = (
        "Check the links of current sheets that are due (as the worker's hourly run "
        "does), or of one sheet, here and now, and list the links that failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sheet",
            type=int,
            metavar="ID",
            help="Check this sheet's links, all of them.",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="Check every link of the current sheets, however recently checked.",
        )

    def handle(self, *args, sheet=None, all=False, **options):
        now = timezone.now()
        if sheet is not None:
            factsheet = FactSheet.objects.filter(pk=sheet).first()
            if factsheet is None:
                raise CommandError(f"There is no sheet with the id {sheet}.")
            links = runs.record_uses(factsheet)
            ids = runs.claim(((link.pk, link.url) for link in links), now)
        else:
            runs.record_current_uses()
            if all:
                links = Link.objects.filter(runs.used_by_current_sheets())
                ids = runs.claim(links.values_list("pk", "url"), now)
            else:
                ids = runs.claim_due(now)
        runs.check(ids, now)
        checked = Link.objects.filter(pk__in=ids)
        failed = checked.failing()
        for link in failed.order_by("url"):
            status = f" {link.status_code}" if link.status_code else ""
            error = f": {link.error}" if link.error else ""
            self.stdout.write(f"{link.get_result_display()}{status}{error} {link.url}")
        self.stdout.write(
            f"Checked {len(ids)} link{'s' if len(ids) != 1 else ''}: "
            f"{len(ids) - failed.count()} working, {failed.count()} failed."
        )
