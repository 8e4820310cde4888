"""Public responses: their headers, content codings and conditional answers.

Every public response, stored or not, gets the CDN's Cache-Control, `Vary:
Accept-Encoding`, a strong ETag (per content coding) and, when stored, Last-Modified
(when its bytes last changed), and is answered 304 when the client's copy is current.
Only public responses are compressed: none carries a cookie, a CSRF token or session
data, so compression exposes no secret (BREACH).
"""

import gzip
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import brotli
from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

# Statuses that get the public headers; only 200s are stored and answer 304s.
PUBLIC_STATUSES = {200, 301, 302, 404, 410}
COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|xml|atom\+xml|rss\+xml|javascript)|image/svg\+xml)"
)
MIN_COMPRESSED_SIZE = 200
# Brotli's best for pages rendered ahead of readers (about 20% under gzip on a
# sheet, but 30 to 55 ms, more than the render itself); a quick one, under a
# millisecond, for a page a reader waits for.
STORED_BROTLI_QUALITY, QUICK_BROTLI_QUALITY = 11, 5
ETAG_SUFFIX = {"identity": "", "gzip": "-gzip", "br": "-br"}


def accepted_coding(request):
    """br, gzip or identity: the best content coding the client accepts."""
    return best_coding(request.META.get("HTTP_ACCEPT_ENCODING", ""))


@lru_cache(maxsize=256)
def best_coding(accept_encoding):
    """br, gzip or identity: the best content coding an Accept-Encoding accepts."""
    qualities = {}
    for part in accept_encoding.split(","):
        name, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if name:
            qualities[name.lower()] = quality
    for coding in ("br", "gzip"):
        if qualities.get(coding, qualities.get("*", 0)) > 0:
            return coding
    return "identity"


def is_public(response):
    """Whether a response is the same for everyone and may be cached and compressed."""
    if response.streaming or response.cookies:
        return False
    if response.status_code not in PUBLIC_STATUSES:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-cache", "no-store")):
        return False
    vary = {name.strip().lower() for name in response.get("Vary", "").split(",")}
    return vary <= {"", "accept-encoding"}


def public_headers(response):
    if "Cache-Control" not in response:
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={settings.CDN_MAX_AGE}, "
            f"stale-while-revalidate={settings.CDN_STALE_WHILE_REVALIDATE}"
        )
    patch_vary_headers(response, ["Accept-Encoding"])


def compress(body, coding, brotli_quality):
    if coding == "gzip":
        return gzip.compress(body, compresslevel=6, mtime=0)
    return brotli.compress(body, mode=brotli.MODE_TEXT, quality=brotli_quality)


def compressed_in_place(response, coding):
    """A public 404 or redirect: compressed for this response only."""
    if coding == "identity" or response.has_header("Content-Encoding"):
        return response
    body = response.content
    if len(body) < MIN_COMPRESSED_SIZE or not COMPRESSIBLE.match(
        response.get("Content-Type", "")
    ):
        return response
    response.content = compress(body, coding, QUICK_BROTLI_QUALITY)
    response["Content-Encoding"] = coding
    response["Content-Length"] = str(len(response.content))
    return response


# Headers a page is rebuilt with; length, coding and validators are its own.
OWN_HEADERS = {"content-length", "content-encoding", "etag", "last-modified"}


@dataclass
class Page:
    """A public 200 response as stored: headers, bodies per coding, validators."""

    headers: list
    etag: str
    bodies: dict = field(default_factory=dict)
    last_modified: int | None = None
    token: str = ""
    valid_until: datetime | None = None
    tags: dict = field(default_factory=dict)  # tag: version, as rendered

    @classmethod
    def of(cls, response, codings, brotli_quality):
        body = response.content
        page = cls(
            headers=[
                (name, value)
                for name, value in response.items()
                if name.lower() not in OWN_HEADERS
            ],
            etag=hashlib.sha256(body).hexdigest()[:32],
            bodies={"identity": body},
        )
        if len(body) >= MIN_COMPRESSED_SIZE and COMPRESSIBLE.match(
            response.get("Content-Type", "")
        ):
            for coding in codings:
                if coding != "identity":
                    page.bodies[coding] = compress(body, coding, brotli_quality)
        return page

    def response(self, request, coding):
        if coding not in self.bodies:
            coding = "identity"
        body = self.bodies[coding]
        response = HttpResponse(b"" if request.method == "HEAD" else body)
        for name, value in self.headers:
            response[name] = value
        response["Content-Length"] = str(len(body))
        if coding != "identity":
            response["Content-Encoding"] = coding
        etag = f'"{self.etag}{ETAG_SUFFIX[coding]}"'
        response["ETag"] = etag
        if self.last_modified is not None:
            response["Last-Modified"] = http_date(self.last_modified)
        return (
            get_conditional_response(
                request,
                etag=etag,
                last_modified=self.last_modified,
                response=response,
            )
            or response
        )
