from django.db import models


class ScheduledTask(models.Model):
    """When a task of the schedule (background.every) runs next. The workers race
    for the row: the one whose conditional update moves `next_run_at` on enqueues
    the task, so it is enqueued once however many workers there are."""

    name = models.CharField(max_length=255, unique=True, help_text="The task's path.")
    every = models.DurationField()
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    started_run_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a worker's start last made it due (a task scheduled at_start).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} every {self.every}"


class WorkerHeartbeat(models.Model):
    """A worker's sign of life, renewed every few seconds. A worker not heard from
    for TASK_WORKER_STALE_AFTER seconds is taken for dead, and what it was running
    is run again."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["started_at"]

    def __str__(self):
        return f"worker {self.worker_id} on {self.host} (pid {self.pid})"
