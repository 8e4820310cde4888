"""Tasks the worker runs on a schedule of its own: no cron job."""

from datetime import timedelta

# Module path of each scheduled task -> (its Task, how often it runs).
SCHEDULE = {}


def every(*, days=0, hours=0, minutes=0, seconds=0):
    """Have the worker enqueue the decorated Task that often, once across all workers."""
    interval = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if interval <= timedelta(0):
        raise ValueError("A scheduled task needs an interval longer than zero.")

    def register(task):
        SCHEDULE[task.module_path] = (task, interval)
        return task

    return register
