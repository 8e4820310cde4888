"""The editors' admin: sheets with their rows and workflow, the reference lists, and
two-step verification."""

from factsheets.admin import (  # noqa: F401  (they register)
    addresses,
    reference,
    sheets,
    two_factor,
)
