"""Settings of the alerts that would only fail later, in the worker, told at start."""

from django.conf import settings
from django.core import checks


@checks.register()
def check_alert_settings(app_configs, **kwargs):
    found = []
    if not 0 <= settings.ALERTS_DIGEST_HOUR <= 23:
        found.append(
            checks.Error(
                f"ALERTS_DIGEST_HOUR must be an hour from 0 to 23, not "
                f"{settings.ALERTS_DIGEST_HOUR}.",
                id="alerts.E001",
            )
        )
    if not 0 <= settings.ALERTS_DIGEST_WEEKDAY <= 6:
        found.append(
            checks.Error(
                "ALERTS_DIGEST_WEEKDAY must be a day from 0 (Monday) to 6 (Sunday), "
                f"not {settings.ALERTS_DIGEST_WEEKDAY}.",
                id="alerts.E002",
            )
        )
    for name in (
        "ALERTS_LEASE_SECONDS",
        "ALERTS_RETRY_SECONDS",
        "ALERTS_MAX_ATTEMPTS",
        "ALERTS_SWEEP_SECONDS",
        "ALERTS_CONNECTIONS",
        "ALERTS_BOUNCE_LIMIT",
        "ALERTS_CONFIRM_DAYS",
        "ALERTS_TASK_SECONDS",
    ):
        if getattr(settings, name) < 1:
            found.append(checks.Error(f"{name} must be at least 1.", id="alerts.E003"))
    if settings.ALERTS_SEND_RATE < 0:
        found.append(
            checks.Error(
                "ALERTS_SEND_RATE must be 0 (no limit) or more.", id="alerts.E004"
            )
        )
    if settings.ALERTS_LEASE_SECONDS <= settings.ALERTS_TASK_SECONDS + 2 * (
        settings.EMAIL_TIMEOUT or 0
    ):
        found.append(
            checks.Warning(
                f"ALERTS_LEASE_SECONDS ({settings.ALERTS_LEASE_SECONDS}) should be well "
                "above ALERTS_TASK_SECONDS plus twice EMAIL_TIMEOUT: a worker waiting "
                "on a slow mail server could outlive its hold on an email, which "
                "another worker would then take too.",
                id="alerts.W001",
            )
        )
    return found
