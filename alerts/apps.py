from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Email alerts"

    def ready(self):
        from alerts import checks  # noqa: F401  (registers the settings' checks)
        from alerts.receivers import major_change_made, review_step_taken
        from factsheets.signals import major_change, review_step

        review_step.connect(review_step_taken, dispatch_uid="alerts.review_step")
        major_change.connect(major_change_made, dispatch_uid="alerts.major_change")
