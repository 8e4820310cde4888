"""A real HTTP server on 127.0.0.1, in a thread, for tests of code that fetches
addresses: it answers each path as a test says and records every request it gets.

    with LocalServer({"/ok": answer(200), "/gone": answer(404)}) as server:
        server.url("/ok")             # http://127.0.0.1:<port>/ok
        server.requests               # [Seen(method, path, headers, at), ...]
"""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict
    at: float  # time.monotonic() when the request arrived


def answer(status, **headers):
    """A route answering every method with `status` and `headers`
    (location="/next" gives a Location header)."""

    def route(seen):
        return status, {key.replace("_", "-").title(): v for key, v in headers.items()}

    return route


def by_method(**routes):
    """A route answering each method (HEAD=…, GET=…) with its own route."""

    def route(seen):
        return routes[seen.method](seen)

    return route


def slow(seconds, then):
    """A route that waits `seconds` before it answers as `then` does."""

    def route(seen):
        time.sleep(seconds)
        return then(seen)

    return route


def hang_up(seen):
    """A route that closes the connection without answering."""
    return None


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalServer/1.0"

    def _serve(self):
        seen = Seen(self.command, self.path, dict(self.headers), time.monotonic())
        self.server.owner.requests.append(seen)
        route = self.server.owner.routes.get(self.path.partition("?")[0])
        answered = route(seen) if route else (404, {})
        if answered is None:
            self.close_connection = True
            return
        status, headers = answered
        body = f"<!doctype html><title>{status}</title>".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = _serve

    def log_message(self, format, *args):
        pass


class LocalServer:
    """Serves `routes` (path -> route: a callable given the Seen request and
    returning (status, headers), or None to hang up) until stopped."""

    def __init__(self, routes=None):
        self.routes = dict(routes or {})
        self.requests = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @property
    def port(self):
        return self._server.server_address[1]

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
