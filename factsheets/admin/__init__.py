"""The editors' admin: sheets with their rows and workflow, and the reference lists.
Two-step verification's admin is the accounts app's."""

from factsheets.admin import (  # noqa: F401  (they register)
    addresses,
    reference,
    sheets,
)
from factsheets.admin.base import harden_every_admin

# Last: the apps before ours in INSTALLED_APPS have registered theirs by now.
harden_every_admin()
