from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest

from pagecache import storage


class PageCacheFront:
    """WSGI: a page this process kept is served before Django's handler is entered.

    The handler's own work (request signals, which look at every database
    connection, and the middleware chain) costs as much as the whole hit; the page
    and its headers were stored whole by PageCacheMiddleware, the outermost
    middleware, so nothing that the chain would add is missing. Anything else (a
    miss, a host not allowed, an unreachable cache) goes to Django as before."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if storage.recent and settings.PAGE_CACHE:
            try:
                # A copy: WSGIRequest writes the path it decoded back into the
                # environ, and Django's handler would decode it a second time (a
                # path outside Latin-1 then failed with gunicorn's bare 500).
                response = self.kept(WSGIRequest(environ.copy()))
            except Exception:  # DisallowedHost, the cache down: Django answers
                response = None
            if response is not None:
                start_response(
                    f"{response.status_code} {response.reason_phrase}",
                    list(response.items()),
                )
                return [response.content]
        return self.application(environ, start_response)

    @staticmethod
    def kept(request):
        if not storage.may_be_stored(request):
            return None
        key = storage.stored_key(request)
        return storage.kept_response(request, key) if key is not None else None
