"""How often one client may ask for alerts: ALERTS_REQUESTS_PER_HOUR from one
address (operations.client_address, which trusts only our proxies' forwarding),
counted in the shared cache so every app server counts together."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

import operations

HOUR = 3600


def allowed(request):
    """Count this request; False once the client has asked too often this hour."""
    address = operations.client_address(request) or "unknown"
    # The cache holds a digest, not the reader's network address.
    client = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[
        :24
    ]
    key = f"alerts:asked:{client}:{int(time.time() // HOUR)}"
    cache.add(key, 0, HOUR)
    try:
        count = cache.incr(key)
    except ValueError:  # the count was evicted between add() and incr()
        cache.set(key, 1, HOUR)
        count = 1
    return count <= settings.ALERTS_REQUESTS_PER_HOUR
