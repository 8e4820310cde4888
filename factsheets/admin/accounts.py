"""The admins the site did not write (users, groups, sign-in attempts, authenticator
apps): each gets the same refusal of hostile input as ours (factsheets/admin/base.py),
so that no admin page answers a forged selection or filter with a server error."""

from django.contrib import admin

from factsheets.admin.base import AdminMixin


def harden_every_admin(site=admin.site):
    """Register each model admin not built on AdminMixin again, with it mixed in."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AdminMixin):
            continue
        original = type(model_admin)
        site.unregister(model)
        site.register(
            model,
            type(original.__name__, (AdminMixin, original), {"__module__": __name__}),
        )
