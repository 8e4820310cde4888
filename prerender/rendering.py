"""Pages asked for through Django's own WSGI handler, as a reader's GET on SITE_URL.

The page cache's middleware, the outermost, then does what it does for a reader: it
answers from the cache when the stored page is current, and otherwise lets the page
render and stores it under the key a reader's request looks up (the scheme and the
path with its query string, under the release: pagecache's `stored_key()`). So
nothing here writes to the cache, and a page is never stored but as readers get it.
"""

import io
import sys
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import Resolver404, resolve

import pagecache

# The environ key the handler sets when a request reaches the URL resolver: the
# page cache did not answer it from a stored page.
RENDERED = "prerender.rendered"
USER_AGENT = "factsheets-prerender"


class Handler(WSGIHandler):
    """Django's WSGI handler, which notes in the environ whether a request got past
    the page cache to be rendered."""

    def resolve_request(self, request):
        request.environ[RENDERED] = True
        return super().resolve_request(request)


_handler = None


def handler():
    """One handler per process: it loads the middleware when it is made."""
    global _handler
    if _handler is None:
        _handler = Handler()
    return _handler


@dataclass(frozen=True)
class Outcome:
    path: str
    status: int
    rendered: bool  # the page cache held no current page: the view ran
    stored: bool  # the cache holds the page now, current


def environ(path, best=False):
    """A GET of `path` (with its query string) on SITE_URL: its scheme, host and
    port, as a reader's request reaches the application; stored with the best
    compression if `best`."""
    site = urlsplit(settings.SITE_URL)
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        # WSGI gives the path decoded, each byte as one Latin-1 character.
        "PATH_INFO": unquote_to_bytes(path).decode("iso-8859-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": site.hostname,
        "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": site.netloc,
        "HTTP_USER_AGENT": USER_AGENT,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": site.scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        pagecache.AHEAD: best,
    }


def render(path, best=False):
    """Ask for `path` as a reader would, and say what the page cache did."""
    request = environ(path, best)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split(" ", 1)[0])
        answer["headers"] = {name.lower() for name, _ in headers}

    response = handler()(request, start_response)
    try:
        for _ in response:
            pass
    finally:
        response.close()  # request_finished, as the WSGI server would
    status = answer["status"]
    return Outcome(
        path,
        status,
        rendered=request.get(RENDERED, False),
        # Only a stored page carries Last-Modified (pagecache.conditional).
        stored=status == 200 and "last-modified" in answer["headers"],
    )


def render_all(paths, best=False):
    """Ask for each of `paths` in turn; a page rendered but not stored (a change
    came while it rendered, or a publish time had come) is asked for once more.
    Returns the outcomes, the last of each page."""
    outcomes = []
    for path in paths:
        outcome = render(path, best)
        if outcome.rendered and not outcome.stored and outcome.status == 200:
            outcome = render(path, best)
        outcomes.append(outcome)
    return outcomes


def in_order(paths):
    """`paths` with the most read first, by their URL names' place in
    PRERENDER_ORDER; the pages it does not name after, as they came."""
    ranks = {name: rank for rank, name in enumerate(settings.PRERENDER_ORDER)}

    def rank(path):
        try:
            name = resolve(path.partition("?")[0]).view_name
        except Resolver404:
            return len(ranks)
        return ranks.get(name, len(ranks))

    return sorted(paths, key=rank)
