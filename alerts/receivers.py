"""What alerts follow of a sheet's life (factsheets.signals): each receiver runs in
the transaction of the change and records at most one Alert, made once by its key;
the worker tells the readers once it has committed."""

from alerts.models import Alert
from background import enqueue_on_commit
from factsheets.models import FactSheet, ReviewStep

Action = ReviewStep.Action


def review_step_taken(sender, step, **kwargs):
    sheet = step.factsheet
    if step.action in (Action.PUBLISHED, Action.WENT_LIVE):
        # Readers are told of the sheet that is now the country's: an older
        # edition published behind a newer one changes nothing they read.
        if FactSheet.objects.current(at=step.at).filter(pk=sheet.pk).exists():
            record(Alert.Kind.PUBLISHED, sheet, key=f"published:{step.pk}")
    elif step.action == Action.EXPIRED and not newer_edition(sheet, step.at):
        record(Alert.Kind.WITHDRAWN, sheet, key=f"withdrawn:{step.pk}")


def major_change_made(sender, note, **kwargs):
    record(
        Alert.Kind.MAJOR_CHANGE,
        note.factsheet,
        key=f"major_change:{note.pk}",
        note=note.note,
    )


def newer_edition(sheet, at):
    return (
        FactSheet.objects.live(at)
        .filter(country_id=sheet.country_id, issued_on__gt=sheet.issued_on)
        .exists()
    )


def record(kind, sheet, *, key, note=""):
    from alerts.tasks import fan_out_alert

    alert, created = Alert.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "factsheet": sheet,
            "country_id": sheet.country_id,
            "bureau_id": sheet.bureau_id,
            "note": note,
        },
    )
    if created:
        enqueue_on_commit(fan_out_alert, alert.pk)
