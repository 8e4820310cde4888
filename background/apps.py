from django.apps import AppConfig
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django_tasks.signals import task_started

from background.work import note_run


class BackgroundConfig(AppConfig):
    name = "background"
    verbose_name = "Background work"

    def ready(self):
        # Every process, not only the worker, learns each app's tasks and the
        # schedule their @every() builds: the worker enqueues from it, and
        # queue_status and the dashboard name what is scheduled.
        autodiscover_modules("tasks")
        for module in settings.TASK_MODULES:
            __import__(module)
        # A retry keeps the priority and queue of the run that failed (work.py).
        task_started.connect(note_run, dispatch_uid="background.note_run")
