from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Email notices"

    def ready(self):
        from factsheets.signals import review_step
        from notices import checks  # noqa: F401  (registers the settings' checks)
        from notices.receivers import review_step_taken

        review_step.connect(review_step_taken, dispatch_uid="notices.review_step")
