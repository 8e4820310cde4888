"""What notices follow: the steps of a sheet's review (factsheets.signals)."""

from notices import outbox


def review_step_taken(sender, step, **kwargs):
    outbox.record(step)
