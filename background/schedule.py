"""Tasks the worker runs on a schedule of its own: no cron job."""

from datetime import timedelta

# Module path of each scheduled task -> (its Task, how often it runs).
SCHEDULE = {}
# Module paths of the scheduled tasks also due whenever a worker starts.
AT_START = set()


def every(*, days=0, hours=0, minutes=0, seconds=0, at_start=False):
    """Have the worker enqueue the decorated Task that often, once across all workers;
    with `at_start`, also as soon as a worker starts (once for workers starting
    together), for work a new release needs at once, such as a warm-up."""
    interval = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if interval <= timedelta(0):
        raise ValueError("A scheduled task needs an interval longer than zero.")

    def register(task):
        SCHEDULE[task.module_path] = (task, interval)
        if at_start:
            AT_START.add(task.module_path)
        else:
            AT_START.discard(task.module_path)
        return task

    return register
