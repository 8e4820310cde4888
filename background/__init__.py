"""Work done outside a request: the task queue, the worker and its schedule."""
