"""A refusal written for the person refused.

Django and its apps raise PermissionDenied with no message, or with one meant for
the log. `Refused` is ours: its message says, in an editor's words, why the action
was refused, and the 403 page shows it to signed-in staff on admin pages
(operations.views.permission_denied). Everyone else gets the usual page.
"""

from django.core.exceptions import PermissionDenied


class Refused(PermissionDenied):
    """PermissionDenied whose message staff may read on the 403 page."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def reason_to_show(request, exception):
    """The reason the 403 page states, or None: only a `Refused`, only in the admin,
    only to an active staff user. The admin has already loaded the user, so this
    asks the database nothing."""
    if not isinstance(exception, Refused):
        return None
    match = getattr(request, "resolver_match", None)
    if match is None or "admin" not in match.namespaces:
        return None
    user = getattr(request, "user", None)
    if user is None or not (user.is_active and user.is_staff):
        return None
    return exception.reason
