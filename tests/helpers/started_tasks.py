"""A task scheduled hourly and at each worker's start, for the tests of the worker's
schedule, loaded only by workers given TASK_MODULES=tests.helpers.started_tasks. It
notes each run in the file STARTED_TASK_LOG names."""

import os

from background import every, task


@every(hours=1, at_start=True)
@task(retries=0)
def on_start():
    with open(os.environ["STARTED_TASK_LOG"], "a") as file:
        file.write("ran\n")
