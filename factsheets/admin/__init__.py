"""The editors' admin: sheets with their rows and workflow, the reference lists, and
two-step verification."""

from factsheets.admin import (  # noqa: F401  (they register)
    addresses,
    reference,
    sheets,
    two_factor,
)
from factsheets.admin.base import harden_every_admin

# Last: the apps before ours in INSTALLED_APPS have registered theirs by now.
harden_every_admin()
