"""The worker's part: telling readers once a change has committed, sending what is
due, making digests at their hour, and forgetting what is no longer kept."""

from django.conf import settings

from alerts import digests, fanout, housekeeping, sending
from alerts.models import Alert
from background import every, task


@task(retries=3)
def fan_out_alert(alert_id):
    """One delivery for each reader of the alert's lists, then send them."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is not None:
        fanout.fan_out(alert)
        send_alerts.enqueue()


@task(retries=3)
def send_alerts():
    """Send what is due for ALERTS_TASK_SECONDS at most, then queue the rest
    behind the other tasks waiting, so a large list holds up no other work."""
    sending.send_due(seconds=settings.ALERTS_TASK_SECONDS)
    if sending.anything_due():
        send_alerts.enqueue()


# At least a second here, so that a sweep set to zero meets manage.py check's clear
# refusal (checks.py), which stops the worker, rather than a traceback at import.
@every(seconds=max(settings.ALERTS_SWEEP_SECONDS, 1))
@task(retries=0)
def sweep_alerts():
    """Finish any alert a killed worker left half told, make the digests whose
    hour has come, and send what is due: retries whose time has come, and rows a
    killed worker held, so nothing depends on a send having been enqueued."""
    for alert in Alert.objects.filter(fanned_out_at__isnull=True).order_by("pk"):
        fanout.fan_out(alert)
    digests.make_due()
    if sending.anything_due():
        send_alerts.enqueue()


@every(hours=1)
@task(retries=0)
def tidy_alerts():
    housekeeping.tidy()
