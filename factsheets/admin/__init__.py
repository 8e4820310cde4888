"""The editors' admin: sheets with their rows and workflow, and the reference lists."""

from factsheets.admin import addresses, reference, sheets  # noqa: F401  (they register)
