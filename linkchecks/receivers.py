"""Checks queued as a sheet moves through review (factsheets.signals.review_step)."""

from background import enqueue_on_commit
from linkchecks import tasks

# ReviewStep.Action values after which the sheet's links are checked: once it is
# submitted, so the publisher reviewing it sees what is broken (and may choose to
# hold it), and once it goes out, published at once or at its scheduled time.
CHECKED_AFTER = {"submitted", "published", "went_live"}


def review_step_recorded(sender, step, **kwargs):
    if step.action in CHECKED_AFTER:
        enqueue_on_commit(
            tasks.at_priority(tasks.check_sheet_links, tasks.SHEET_PRIORITY),
            step.factsheet_id,
            step.at.isoformat(),
        )


def problems_before_publishing(sender, factsheet, **kwargs):
    """The sheet's links that failed their last check, each a sentence for the
    publisher (factsheets.signals.checks_before_publishing)."""
    from linkchecks.results import broken_links

    problems = []
    for link in broken_links(factsheet):
        where = "; ".join(dict.fromkeys(place.where for place in link.places))
        status = f" ({link.status_code})" if link.status_code else ""
        problems.append(
            f"The link to {link.url} in {where} failed its last check: "
            f"{link.get_result_display()}{status}."
        )
    return problems
