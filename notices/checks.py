"""Settings of the notices that would only fail later, in the worker, told at start."""

from django.conf import settings
from django.core import checks


@checks.register()
def check_notice_settings(app_configs, **kwargs):
    found = []
    if not 0 <= settings.NOTICES_DIGEST_HOUR <= 23:
        found.append(
            checks.Error(
                f"NOTICES_DIGEST_HOUR must be an hour from 0 to 23, not "
                f"{settings.NOTICES_DIGEST_HOUR}.",
                id="notices.E001",
            )
        )
    for name in (
        "NOTICES_LEASE_SECONDS",
        "NOTICES_RETRY_SECONDS",
        "NOTICES_MAX_ATTEMPTS",
        "NOTICES_SWEEP_SECONDS",
    ):
        if getattr(settings, name) < 1:
            found.append(checks.Error(f"{name} must be at least 1.", id="notices.E002"))
    if settings.NOTICES_LEASE_SECONDS <= 2 * (settings.EMAIL_TIMEOUT or 0):
        found.append(
            checks.Warning(
                f"NOTICES_LEASE_SECONDS ({settings.NOTICES_LEASE_SECONDS}) should be "
                f"well above twice EMAIL_TIMEOUT ({settings.EMAIL_TIMEOUT}): a worker "
                "waiting on a slow mail server could outlive its hold on an email, "
                "which another worker would then send too.",
                id="notices.W001",
            )
        )
    return found
