from django.apps import AppConfig
from django.conf import settings
from django.utils.module_loading import autodiscover_modules


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
