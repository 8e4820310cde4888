"""The admin's first page: what is waiting for whom."""
