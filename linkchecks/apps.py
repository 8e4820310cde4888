from django.apps import AppConfig


class LinkchecksConfig(AppConfig):
    name = "linkchecks"
    verbose_name = "Link checks"
