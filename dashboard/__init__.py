"""The admin's first page: what is waiting for whom, each as a count and its first
rows (dashboard/panels.py). It reads the other apps through their public APIs and
shows itself through templates/admin/index.html; nothing imports it."""
