from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest

from pagecache import storage
from pagecache.conditional import best_coding

# What a page's cache key is worked out from (pagecache/storage.py, stored_key()):
# the method, scheme, host, path and query, in every form Django reads them.
ADDRESS = (
    "REQUEST_METHOD",
    "wsgi.url_scheme",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTO",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
)

# Headers that make a request conditional (RFC 9110, 13.1), answered by the page.
CONDITIONAL = (
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
)


class PageCacheFront:
    """WSGI: a page this process kept is served before Django's handler is entered.

    The handler's own work (request signals, which look at every database
    connection, and the middleware chain) costs as much as the whole hit; the page
    and its headers were stored whole by PageCacheMiddleware, the outermost
    middleware, so nothing that the chain would add is missing. Anything else (a
    miss, a host not allowed, an unreachable cache) goes to Django as before.

    A plain GET costs a lookup of the address, a look at the token of the last
    change (storage.kept_page(): a stat() of its file, or nothing from Redis until
    Redis says it changed) and the response this process built for the page
    before; a conditional request or a HEAD is answered through the page's own
    response()."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if storage.recent and settings.PAGE_CACHE:
            try:
                served = self.kept(environ)
            except Exception:  # DisallowedHost, the cache down: Django answers
                served = None
            if served is not None:
                status, headers, body = served
                start_response(status, headers)
                return [body]
        return self.application(environ, start_response)

    @staticmethod
    def kept(environ):
        proxy = settings.SECURE_PROXY_SSL_HEADER
        address = (*map(environ.get, ADDRESS), proxy and environ.get(proxy[0]))
        key = storage.addresses.get(address)
        if key is None:
            # A copy: WSGIRequest writes the path it decoded back into the environ,
            # and Django's handler would decode it a second time (a path outside
            # Latin-1 then failed with gunicorn's bare 500).
            request = WSGIRequest(environ.copy())
            key = storage.may_be_stored(request) and storage.stored_key(request)
            storage.remember_address(address, key or False)
        if not key:
            return None
        entry = storage.kept_page(key)
        if entry is None:
            return None
        page, _, prepared = entry
        if environ["REQUEST_METHOD"] != "GET" or not environ.keys().isdisjoint(
            CONDITIONAL
        ):
            request = WSGIRequest(environ.copy())
            return served(page.response(request, best_coding(_accepted(environ))))
        coding = best_coding(_accepted(environ))
        if coding not in prepared:
            # The page's own response to a plain GET, built once by this process.
            prepared[coding] = served(
                page.response(WSGIRequest(environ.copy()), coding)
            )
        return prepared[coding]


def _accepted(environ):
    return environ.get("HTTP_ACCEPT_ENCODING", "")


def served(response):
    return (
        f"{response.status_code} {response.reason_phrase}",
        list(response.items()),
        response.content,
    )
