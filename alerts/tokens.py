"""The signed tokens in the links of alert emails. Each names a subscriber by its
random key, never by address or id, so a link says nothing about who holds it, and
deleting the subscriber kills every link made for it."""

import time

from django.conf import settings
from django.core import signing

MANAGE = "alerts.manage"
CONFIRM = "alerts.confirm"
LEAVE = "alerts.leave"


def _sign(salt, value):
    return signing.Signer(salt=salt).sign_object(value, compress=False)


def _unsign(salt, token):
    try:
        value = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def manage(subscriber):
    return _sign(MANAGE, {"k": subscriber.key})


def confirm(subscriber, at=None):
    """Confirms what the subscriber asked for up to `at` (now), for
    ALERTS_CONFIRM_DAYS."""
    return _sign(CONFIRM, {"k": subscriber.key, "t": int(at or time.time())})


def leave(subscriber, *, subscription=None, frequency=None):
    """Leaves one list (`subscription`, for an alert) or every list at `frequency`
    (for a digest of them)."""
    value = {"k": subscriber.key}
    if subscription is not None:
        value["s"] = subscription.pk
    else:
        value["f"] = frequency
    return _sign(LEAVE, value)


def read_manage(token):
    value = _unsign(MANAGE, token)
    return value.get("k") if value else None


def read_confirm(token):
    """(key, asked up to: a Unix time), or None for a token tampered with or older
    than ALERTS_CONFIRM_DAYS."""
    value = _unsign(CONFIRM, token)
    if not value or not isinstance(value.get("t"), int):
        return None
    if time.time() - value["t"] > settings.ALERTS_CONFIRM_DAYS * 86400:
        return None
    return value.get("k"), value["t"]


def read_leave(token):
    return _unsign(LEAVE, token)
