"""Work done outside a request: the task queue, the worker and its schedule.

Apps define their tasks in a `tasks` module of their own (the worker imports every
installed app's)::

    from background import every, task

    @every(minutes=1)           # the worker enqueues it that often, once for all workers
    @task(retries=5)            # Django's task API, retried with backoff on failure
    def record_scheduled_changes(): ...

and enqueue them once what they need is committed::

    enqueue_on_commit(send_notices)

A task takes only values that JSON can carry (ids, not objects) and is idempotent:
the work it does is recorded in the database as it goes, so running it again after
a failure, or after its worker was killed, finishes what was left and repeats
nothing.
"""

from background.schedule import every
from background.work import enqueue_on_commit, task


def queue_state():
    """The queue's figures now (a QueueState: waiting, oldest_waiting_since,
    running, failed_last_day, workers, later); str() of it says them in words."""
    from background.state import queue_state

    return queue_state()


__all__ = ["enqueue_on_commit", "every", "queue_state", "task"]
