"""The worker's part: sending the outbox, at once when asked and on a sweep."""

from django.conf import settings

from background import every, task
from notices import digests, sending


@task(retries=3)
def send_notices():
    """Send what is due; enqueued once notices to go at once are committed."""
    sending.send_due()


# At least a second here, so that a sweep set to zero meets manage.py check's clear
# refusal (checks.py), which stops the worker, rather than a traceback at import.
@every(seconds=max(settings.NOTICES_SWEEP_SECONDS, 1))
@task(retries=0)
def sweep_notices():
    """Make the day's digests when their hour has come, and send whatever is due:
    retries whose time has come and emails a killed worker left, so nothing
    depends on a send having been enqueued."""
    digests.make_due()
    sending.send_due()
