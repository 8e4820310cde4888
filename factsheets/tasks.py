"""What the worker does for the content app on its own schedule."""

from background import every, task
from factsheets import sheet_operations


@every(minutes=1)
@task()
def record_scheduled_changes():
    """Record the sheets that went live or expired at their time since the last
    run, once each (sheet_operations.record_scheduled_changes); returns how many."""
    return len(sheet_operations.record_scheduled_changes())
