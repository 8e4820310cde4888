from django.core.management.base import BaseCommand

from background import queue_state


class Command(BaseCommand):
    help = (
        "Say how the task queue stands: tasks waiting and since when, running, "
        "failed in the last day, workers alive."
    )

    def handle(self, **options):
        self.stdout.write(str(queue_state()))
