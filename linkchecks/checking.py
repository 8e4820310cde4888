"""One check of one address over HTTP: HEAD (GET where HEAD is refused), redirects
followed by hand and each recorded, within a timeout and a per-host rate limit.

Only the standard library: urllib keeps the environment's proxy settings
(HTTPS_PROXY) and certificate checks; its own redirect handling and its file:,
ftp: and data: handlers are left out, so nothing but http and https is fetched.
"""

import http.client
import socket
import ssl
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.utils.encoding import iri_to_uri

OK = "ok"
BROKEN = "broken"
UNREACHABLE = "unreachable"

SCHEMES = ("http", "https")


@dataclass
class Outcome:
    result: str
    status_code: int | None = None
    redirects: list = field(default_factory=list)
    final_url: str = ""
    error: str = ""


class Unreachable(Exception):
    """No answer from the server: a timeout, a refused connection, no such host."""


class OddAnswer(Unreachable):
    """The server dropped the connection or answered with something not HTTP."""


class _KeepEveryResponse(urllib.request.BaseHandler):
    """Hand back 3xx, 4xx and 5xx answers as they are: redirects are followed by
    the checker itself, one recorded hop at a time."""

    handler_order = 1000

    def http_response(self, request, response):
        return response

    https_response = http_response


def user_agent():
    """Names the site and who runs it, as a polite crawler does, so a webmaster who
    sees the requests knows where they come from and whom to ask."""
    parts = [settings.SITE_URL, settings.DEPARTMENT_NAME]
    if settings.LINK_CHECK_CONTACT:
        parts.append(settings.LINK_CHECK_CONTACT)
    text = f"FactSheetsLinkCheck/1.0 (+{'; '.join(parts)})"
    # Header values are Latin-1 at most: “Ministère” becomes “Ministere”.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def host_key(url):
    """The host and port a request to `url` goes to: what the rate limit counts."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def as_ascii(url):
    """`url` as it goes on the wire: an internationalised host in IDNA, other
    characters percent-encoded; ValueError if it cannot be."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError("no host")
    host = parts.hostname.encode("idna").decode("ascii")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            iri_to_uri(parts.path) or "/",
            iri_to_uri(parts.query),
            "",
        )
    )


def reason_of(error):
    return error.reason if isinstance(error, urllib.error.URLError) else error


def describe(error, timeout):
    """A short, plain account of why there was no answer."""
    reason = reason_of(error)
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"No answer within {timeout:g} seconds."
    if isinstance(reason, socket.gaierror):
        return "The host name was not found."
    if isinstance(reason, ConnectionRefusedError):
        return "The server refused the connection."
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"The server's certificate is not valid: {reason.verify_message}."
    if isinstance(reason, ssl.SSLError):
        return f"The secure connection failed: {reason.reason or reason}."
    if isinstance(reason, http.client.RemoteDisconnected | ConnectionResetError):
        return "The server closed the connection without answering."
    if isinstance(reason, http.client.HTTPException):
        return "The server's answer was not valid HTTP."
    return f"The connection failed: {reason}."[:500]


class Checker:
    """Checks addresses one by one. `wait_for_turn(host)` is called before every
    request and returns once `host` may be asked (the per-host rate limit)."""

    def __init__(self, wait_for_turn, *, timeout=None, max_redirects=None):
        self.wait_for_turn = wait_for_turn
        self.timeout = timeout if timeout is not None else settings.LINK_CHECK_TIMEOUT
        self.max_redirects = (
            max_redirects
            if max_redirects is not None
            else settings.LINK_CHECK_MAX_REDIRECTS
        )
        self.headers = {"User-Agent": user_agent(), "Accept": "*/*"}
        self.opener = urllib.request.OpenerDirector()
        for handler in (
            urllib.request.ProxyHandler(),
            urllib.request.HTTPHandler(),
            urllib.request.HTTPSHandler(),
            urllib.request.UnknownHandler(),
            _KeepEveryResponse(),
        ):
            self.opener.add_handler(handler)

    def check(self, url):
        """What readers following `url` would meet, as an Outcome."""
        redirects = []
        seen = {url}
        method = "HEAD"
        while True:
            try:
                status, location, method = self._ask(url, method)
            except ValueError:
                return Outcome(BROKEN, None, redirects, url, "Not a valid address.")
            except Unreachable as error:
                return Outcome(UNREACHABLE, None, redirects, url, str(error))
            if 200 <= status < 300:
                return Outcome(OK, status, redirects, url)
            if status == 429:
                return Outcome(
                    UNREACHABLE,
                    status,
                    redirects,
                    url,
                    "The server asked us to slow down (429): tried again later.",
                )
            if not (300 <= status < 400):
                return Outcome(BROKEN, status, redirects, url)
            if not location:
                return Outcome(
                    BROKEN, status, redirects, url, "A redirect without an address."
                )
            target = urlunsplit(urlsplit(urljoin(url, location))._replace(fragment=""))
            scheme = urlsplit(target).scheme.lower()
            if scheme not in SCHEMES:
                return Outcome(
                    BROKEN,
                    status,
                    redirects,
                    url,
                    f"A redirect to a {scheme or 'schemeless'} address, which is not "
                    f"followed: {target[:300]}",
                )
            redirects.append({"status": status, "url": target})
            if target in seen:
                return Outcome(
                    BROKEN,
                    status,
                    redirects,
                    target,
                    "The redirects go round in a loop.",
                )
            if len(redirects) > self.max_redirects:
                return Outcome(
                    BROKEN,
                    status,
                    redirects,
                    target,
                    f"More than {self.max_redirects} redirects.",
                )
            seen.add(target)
            url = target

    def _ask(self, url, method):
        """(status, Location, method used) of one request to `url`.

        Servers that will not serve HEAD say so with 405 or 501, but some answer it
        with 400, 403 or 404 however GET fares, or drop the connection: a HEAD
        answered with any error is asked again with GET, whose answer counts, and
        GET is then used for the rest of the redirects."""
        if method == "HEAD":
            try:
                status, location = self._request(url, "HEAD")
            except OddAnswer:
                pass
            else:
                if status < 400:
                    return status, location, "HEAD"
        return (*self._request(url, "GET"), "GET")

    def _request(self, url, method):
        request = urllib.request.Request(
            as_ascii(url), method=method, headers=self.headers
        )
        self.wait_for_turn(host_key(url))
        try:
            response = self.opener.open(request, timeout=self.timeout)
        except (OSError, http.client.HTTPException) as error:
            odd = (http.client.BadStatusLine, ConnectionResetError)
            kind = OddAnswer if isinstance(reason_of(error), odd) else Unreachable
            raise kind(describe(error, self.timeout)) from error
        # The body is never read: the status and headers say all a check needs.
        with response:
            return response.status, response.headers.get("Location")
