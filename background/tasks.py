from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from background.schedule import every
from background.work import task


@every(hours=1)
@task(retries=0)
def forget_old_results():
    """Delete the records of tasks finished more than TASK_RESULTS_KEPT_DAYS ago
    from the database queue, which would otherwise keep every one. (Redis forgets
    them by itself.)"""
    before = timezone.now() - timedelta(days=settings.TASK_RESULTS_KEPT_DAYS)
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=before,
    ).delete()
    return deleted
