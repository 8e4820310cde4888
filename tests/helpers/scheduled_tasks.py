"""A scheduled task for the tests of the worker's schedule, loaded only by workers
given TASK_MODULES=tests.helpers.scheduled_tasks. It notes each run, with the time,
in the file SCHEDULED_TASK_LOG names."""

import os
import time

from background import every, task


@every(seconds=1)
@task(retries=0)
def tick():
    with open(os.environ["SCHEDULED_TASK_LOG"], "a") as file:
        file.write(f"{time.time()}\n")
