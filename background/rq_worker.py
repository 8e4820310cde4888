"""The worker of the queue in Redis: RQ's worker with its scheduler (which moves
tasks whose time has come, retries among them, onto the queue), and the same
housekeeping thread as the database queue's worker."""

import logging
from datetime import timedelta

import django_rq
from django.db import connections
from django.utils import timezone
from django_tasks_rq.backend import Job
from rq import Worker
from rq.defaults import DEFAULT_FAILURE_TTL
from rq.exceptions import AbandonedJobError, InvalidJobOperation
from rq.executions import Execution
from rq.job import JobStatus

from background import housekeeping

logger = logging.getLogger(__name__)

# A Redis set of the jobs RQ's own cleanup found abandoned (their worker died): it
# records them as failed, and the next housekeeping puts them back on the queue.
ABANDONED = "background:abandoned"


def get_queues(backend):
    return [django_rq.get_queue(name, job_class=Job) for name in sorted(backend.queues)]


def note_abandoned(job, exc_type, exc_value, traceback):
    """An RQ exception handler: an abandoned job is to be run again, not failed."""
    if isinstance(exc_type, type) and issubclass(exc_type, AbandonedJobError):
        job.connection.sadd(ABANDONED, job.id)


def requeue_abandoned(queues, now=None):
    """Put back on their queue the jobs left started by workers taken for dead, and
    those RQ recorded as failed because their worker died. Returns their ids."""
    now = now or timezone.now()
    requeued = []
    for queue in queues:
        registry = queue.started_job_registry
        started = []
        for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
            try:
                execution = Execution.fetch(execution_id, job_id, queue.connection)
            except ValueError:  # its record expired: nobody kept it alive
                started.append((job_id, execution_id, "", None))
            else:
                started.append(
                    (job_id, execution_id, execution.worker_name, execution.created_at)
                )
        if not started:
            continue
        dead = housekeeping.dead_worker_ids([name for _, _, name, _ in started], now)
        for job_id, execution_id, worker_name, created_at in started:
            if worker_name and worker_name not in dead:
                continue
            if created_at and created_at > now - housekeeping.stale_after():
                continue
            # Whoever removes the entry puts the job back, once.
            if not queue.connection.zrem(registry.key, f"{job_id}:{execution_id}"):
                continue
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            queue.enqueue_job(job)
            logger.warning(
                "Task %s was left running by worker %s, taken for dead: queued again",
                job_id,
                worker_name or "(unknown)",
            )
            requeued.append(job_id)
    if queues:
        requeued += _requeue_failed_as_abandoned(queues[0].connection)
    return requeued


def _requeue_failed_as_abandoned(connection):
    requeued = []
    for job_id in connection.smembers(ABANDONED):
        job_id = job_id.decode()
        job = (
            Job.fetch(job_id, connection=connection)
            if Job.exists(job_id, connection)
            else None
        )
        if job is not None:
            status = job.get_status()
            if status == JobStatus.STARTED:
                continue  # RQ has not recorded it as failed yet
            if status == JobStatus.FAILED:
                queue = django_rq.get_queue(job.origin, job_class=Job)
                try:
                    queue.failed_job_registry.requeue(job)
                except InvalidJobOperation:
                    pass  # another worker did
                else:
                    logger.warning(
                        "Task %s was abandoned by its worker: queued again", job_id
                    )
                    requeued.append(job_id)
        connection.srem(ABANDONED, job_id)
    return requeued


def run(*, worker_id, backend, interval):
    """Run tasks until SIGINT or SIGTERM, which let the current task finish."""
    queues = get_queues(backend)
    started_at = timezone.now()
    housekeeping.beat(worker_id, started_at)
    # Each task runs in a process forked from this one: it opens its own.
    connections.close_all()
    worker = django_rq.get_worker(
        *[queue.name for queue in queues],
        job_class=Job,
        worker_class=Worker,
        name=worker_id,
    )
    worker.push_exc_handler(note_abandoned)
    helper = housekeeping.Housekeeping(
        worker_id=worker_id,
        started_at=started_at,
        interval=interval,
        recover=lambda: requeue_abandoned(queues),
    )
    helper.start()
    try:
        worker.work(
            with_scheduler=True,
            logging_level=logging.getLevelName(logger.getEffectiveLevel()),
        )
    finally:
        helper.stop()
        housekeeping.forget(worker_id)
        logger.info("Worker %s stopped", worker_id)


def figures(backend, now):
    """queue_state()'s figures of the queues in Redis."""
    queues = get_queues(backend)
    waiting = running = failed = later = 0
    oldest = None
    day_ago = (now - timedelta(days=1)).timestamp()
    for queue in queues:
        waiting += queue.count
        running += queue.started_job_registry.get_job_count(cleanup=False)
        later += queue.scheduled_job_registry.get_job_count(cleanup=False)
        # A failed job's score is when it is forgotten: its failure plus a fixed
        # time to live.
        failed += queue.connection.zcount(
            queue.failed_job_registry.key, day_ago + DEFAULT_FAILURE_TTL, "+inf"
        )
        first = queue.get_job_ids(0, 1)
        job = queue.fetch_job(first[0]) if first else None
        if job is not None and job.enqueued_at:
            oldest = min(oldest or job.enqueued_at, job.enqueued_at)
    return {
        "waiting": waiting,
        "oldest_waiting_since": oldest,
        "running": running,
        "failed_last_day": failed,
        "later": later,
    }
