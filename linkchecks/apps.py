"""Checks of every link on the current sheets, in the background."""

from django.apps import AppConfig


class LinkchecksConfig(AppConfig):
    name = "linkchecks"
    verbose_name = "Link checks"

    def ready(self):
        from factsheets.signals import checks_before_publishing, review_step
        from linkchecks import receivers

        review_step.connect(
            receivers.review_step_recorded, dispatch_uid="linkchecks_review_step"
        )
        # A publisher may hold a sheet back while a link on it is broken.
        checks_before_publishing.connect(
            receivers.problems_before_publishing,
            dispatch_uid="linkchecks_before_publishing",
        )
