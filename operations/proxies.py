"""Who sent a request, when proxies stand in front of gunicorn.

Only the proxies in TRUSTED_PROXIES are believed: the addresses they append to
X-Forwarded-For, and the X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) they set. A
client that reaches gunicorn from any other address may have written both headers
itself: it is known by its own address, and cannot claim to have come over https.
gunicorn trusts the same list (forwarded_allow_ips in gunicorn.conf.py).

forget_untrusted_forwarding() runs twice: in the WSGI wrapper here, before the page
cache's front door (config/wsgi.py), and in UntrustedForwardingMiddleware
(operations/middleware.py), for every request Django handles however it reaches it.
"""

import functools
import ipaddress

from django.conf import settings

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def parse_address(text):
    """The IP address in `text`, or None if it holds none. An IPv4 client of a
    dual-stack socket (::ffff:192.0.2.1) is its IPv4 address."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


@functools.cache
def networks(proxies):
    return [ipaddress.ip_network(proxy) for proxy in proxies]


def is_trusted_proxy(address):
    """Whether `address` (an ip_address, or None) is one of TRUSTED_PROXIES."""
    return address is not None and any(
        address in network for network in networks(tuple(settings.TRUSTED_PROXIES))
    )


def is_trusted_peer(remote_addr):
    """Whether what connected to gunicorn (REMOTE_ADDR) is a trusted proxy. A Unix
    socket has no address: only processes on this machine can reach it, and
    gunicorn trusts it too."""
    return not remote_addr or _is_trusted_peer(
        remote_addr, tuple(settings.TRUSTED_PROXIES)
    )


# Asked at every request, of the few addresses a server's peers have (its proxies).
@functools.lru_cache(maxsize=1024)
def _is_trusted_peer(remote_addr, proxies):
    address = parse_address(remote_addr)
    return address is not None and any(
        address in network for network in networks(proxies)
    )


def client_address(request):
    """The address a request comes from (AXES_CLIENT_IP_CALLABLE, for lockouts).

    REMOTE_ADDR, unless it is a trusted proxy: then X-Forwarded-For is read from the
    right, where each proxy appended the address it was reached from, past every
    trusted proxy; the first other address is the client. Anything to its left the
    client may have written itself. An entry that is not an address stops the walk
    at the last trusted proxy, which is then taken for the client."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    address = parse_address(remote_addr)
    if not is_trusted_peer(remote_addr):
        return str(address) if address else None
    forwarded = request.META.get(FORWARDED_FOR, "").split(",")
    for entry in reversed(forwarded):
        if not entry.strip():
            continue
        hop = parse_address(entry)
        if hop is None:
            break
        address = hop
        if not is_trusted_proxy(hop):
            break
    return str(address) if address else None


def forget_untrusted_forwarding(environ):
    """Removes X-Forwarded-For and X-Forwarded-Proto from a request's environ
    (request.META) unless a trusted proxy sent them, so that nothing later (the page
    cache, the redirect to https, CSRF's checks, logs) believes a client that wrote
    them itself."""
    if not is_trusted_peer(environ.get("REMOTE_ADDR", "")):
        environ.pop(FORWARDED_FOR, None)
        if settings.SECURE_PROXY_SSL_HEADER:
            environ.pop(settings.SECURE_PROXY_SSL_HEADER[0], None)


class UntrustedForwarding:
    """WSGI: forget_untrusted_forwarding() before anything, the page cache's front
    included (config/wsgi.py)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        forget_untrusted_forwarding(environ)
        return self.application(environ, start_response)
