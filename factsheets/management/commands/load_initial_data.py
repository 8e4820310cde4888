from django.core.management import call_command
from django.core.management.base import BaseCommand

from factsheets.models import Bureau

INITIAL_FIXTURES = ["bureaus", "countries", "mali-2015"]


class Command(BaseCommand):
    help = "Load the bureaus, the countries and the Mali sheet, only into an empty database."

    def handle(self, *args, **options):
        if Bureau.objects.exists():
            self.stdout.write("The database already has data; nothing loaded.")
            return
        call_command("loaddata", *INITIAL_FIXTURES, verbosity=options["verbosity"])
