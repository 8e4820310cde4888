import time

from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from background import housekeeping


@override_settings(TASK_WORKER_STALE_AFTER=1)
class HeartbeatTests(TransactionTestCase):
    def start(self, interval):
        started_at = timezone.now()
        housekeeping.beat("w1", started_at)
        helper = housekeeping.Housekeeping(
            worker_id="w1", started_at=started_at, interval=interval, recover=list
        )
        helper.start()
        self.addCleanup(helper.stop)
        return started_at

    def test_a_worker_looking_for_tasks_rarely_still_beats_in_time(self):
        started_at = self.start(interval=60)
        time.sleep(1.2)
        [heartbeat] = housekeeping.live_workers()
        self.assertGreater(heartbeat.seen_at, started_at)
