"""The page cache: public pages served from the configured cache, exactly (issue #9).

A hit costs one cache round trip and nothing else: the middleware sits before the
session, authentication and CSRF middleware, and a stored page keeps its gzip and
Brotli bodies, so nothing is rendered, queried or compressed again.

Exactness rests on a *generation*: a random token in the shared cache, copied into
every page stored. Any save or delete of a row that public pages read starts a new
generation (signals, so that reversion's raw saves and the admin's row-by-row formsets
count too), and a page stored under an older one is a miss. The new generation is
stored once the transaction has committed (`transaction.on_commit`), so a reader who
rendered the old rows meanwhile can only have stored them under the old generation;
it is also stored at once, inside the transaction, so a test's never-committed saves
show too.

Time changes pages with nobody saving: a sheet's publish or expiry time comes, and
the printed line on a sheet says today's date. Each generation knows the next publish
or expiry time of any sheet after it began (one query, stored beside it); a page is
valid until then, and at the latest until the next local midnight. The first request
after that moment starts a new generation.

Every public response, stored or not, gets the CDN's Cache-Control, `Vary:
Accept-Encoding`, a strong ETag (per content coding) and, when stored, Last-Modified
(when its bytes last changed), and is answered 304 when the client's copy is current.
Only public responses are compressed: none carries a cookie, a CSRF token or session
data, so compression exposes no secret (BREACH).
"""

import gzip
import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import brotli
import django
from django.apps import apps as global_apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# Stored pages and transitions go when unused for a day (or at their validity's end).
LIFETIME = 24 * 60 * 60

# Pages that are never cached anywhere (they send never_cache's headers themselves).
# The health check asks the database and the cache themselves, each time.
NEVER_CACHED = (
    "/admin/",
    "/fact-sheets/preview/",
    "/fact-sheets/shared-preview/",
    "/healthz",
)
# The query strings a stored page may have: few, and only values that name something,
# so the number of pages stays bounded. Any other query string (a search, a tracking
# parameter) is answered with the same headers but rendered each time.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STORED_QUERIES = [
    (re.compile(r"/fact-sheets/"), {"by": re.compile("bureau")}),
    (re.compile(r"/fact-sheets/[-\w]+/changes/"), {"from": ISO_DATE, "to": ISO_DATE}),
    (re.compile(r"/sitemap\.xml"), {"p": re.compile(r"[1-9]\d{0,3}")}),
]
# Models whose rows no public page shows: saving them leaves the pages as they are.
# (An editor opening a sheet's form records an EditingSession on every visit.)
NOT_SHOWN = {"editingsession", "previewlink", "importrecord"}

# Statuses that get the public headers; only 200s are stored and answer 304s.
PUBLIC_STATUSES = {200, 301, 302, 404, 410}
COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|xml|atom\+xml|rss\+xml|javascript)|image/svg\+xml)"
)
MIN_COMPRESSED_SIZE = 200
# Brotli's best for stored pages (about 20% under gzip on a sheet, ~30 ms once per
# page and generation); a quick one for pages rendered for one response only.
STORED_BROTLI_QUALITY, QUICK_BROTLI_QUALITY = 11, 5
ETAG_SUFFIX = {"identity": "", "gzip": "-gzip", "br": "-br"}


# What the stored pages depend on besides the rows: the code and the settings.

_release = None


def release():
    """A fingerprint of the code, templates, static files' names and settings.

    Part of every page's key, so a deploy (or a changed setting) never serves pages
    rendered by the code before it; the generation stays shared across releases, so
    a save on a server of either release reaches both during a rolling deploy."""
    global _release
    if _release is None:
        digest = hashlib.sha256(django.get_version().encode())
        base = settings.BASE_DIR
        for folder in ("config", "factsheets", "templates"):
            for path in sorted((base / folder).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(base)).encode())
                    digest.update(path.read_bytes())
        manifest = Path(settings.STATIC_ROOT or base) / "staticfiles.json"
        if manifest.is_file():
            digest.update(manifest.read_bytes())
        digest.update(_settings_digest().encode())
        _release = digest.hexdigest()[:16]
    return _release


def _settings_digest():
    ignored = {
        "SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "BACKUP_SIGNING_KEY",
        "BACKUP_SIGNING_KEY_FALLBACKS",
        "DATABASES",
        "CACHES",
    }
    values = {
        name: getattr(settings, name)
        for name in dir(settings)
        if name.isupper() and name not in ignored
    }
    # Which database, not its test copy's name (SQLite's includes a process id).
    values["DATABASES"] = {
        alias: [db.get(part) for part in ("ENGINE", "HOST", "PORT")]
        for alias, db in settings.DATABASES.items()
    }
    return json.dumps(values, sort_keys=True, default=str)


# Generations.


def _next_key(token):
    return f"pagecache:next:{token}"


def _start_generation():
    """A new generation: every page stored before it is stale."""
    generation = (secrets.token_hex(8), timezone.now())
    cache.set(GENERATION_KEY, generation, timeout=None)
    return generation


def _current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # a new or emptied cache
        cache.add(GENERATION_KEY, (secrets.token_hex(8), timezone.now()), None)
        generation = cache.get(GENERATION_KEY)
    return generation


def next_transition(after, using=DEFAULT_DB_ALIAS):
    """The first publish or expiry time of any sheet after `after`, or None.

    Drafts count too: a time too early only costs a page rendered again, and a status
    changed without a save (a fixture, update()) cannot hide a time."""
    from factsheets.models import FactSheet

    times = FactSheet.objects.using(using).aggregate(
        publish=Min("publish_at", filter=Q(publish_at__gt=after)),
        expiry=Min("expires_at", filter=Q(expires_at__gt=after)),
    )
    return min((moment for moment in times.values() if moment), default=None)


def invalidate(using=DEFAULT_DB_ALIAS):
    """Make every stored page stale, on every server.

    Saves and deletes do this by themselves; call it after writing what public pages
    show by other means (bulk_create, update(), SQL)."""
    token, began = _start_generation()
    # Worked out after the generation is stored, so that it sees every change
    # committed before any page could be stored under it.
    cache.set(_next_key(token), (next_transition(began, using),), LIFETIME)


def _invalidate_now(sender, using):
    """Inside a transaction: a new generation at once, whose transition time is
    never later than the committed rows' (the transaction may yet roll back)."""
    previous = cache.get(GENERATION_KEY)
    known = previous and cache.get(_next_key(previous[0]))
    token, began = _start_generation()
    if known is None:
        return  # the first page stored works it out
    (moment,) = known
    if sender._meta.model_name == "factsheet":
        ours = next_transition(began, using)
        moment = min((m for m in (moment, ours) if m), default=None)
    cache.set(_next_key(token), (moment,), LIFETIME)


def _transition_of(generation):
    token, began = generation
    known = cache.get(_next_key(token))
    if known is None:
        known = (next_transition(began),)
        cache.add(_next_key(token), known, LIFETIME)
    return known[0]


def _on_commit_once(using):
    """One invalidation when the transaction commits, however many rows it saves."""
    connection = connections[using]
    if connection.in_atomic_block and any(
        func is invalidate for _, func, _ in connection.run_on_commit
    ):
        return
    if using == DEFAULT_DB_ALIAS:
        transaction.on_commit(invalidate, using=using)
    else:
        transaction.on_commit(lambda: invalidate(using), using=using)


def _changed(sender, using=DEFAULT_DB_ALIAS, action="post", **kwargs):
    meta = sender._meta
    if (
        meta.app_label != "factsheets"
        or meta.model_name in NOT_SHOWN
        or not action.startswith("post")
    ):
        return
    if meta.apps is not global_apps:
        # A migration's model: its table may not have the columns of today's code.
        _start_generation()
        transaction.on_commit(_start_generation, using=using)
        return
    if connections[using].in_atomic_block:
        _invalidate_now(sender, using)
    _on_commit_once(using)


def _migrated(sender, **kwargs):
    # A migration ships with new code, whose pages have new keys anyway (release()):
    # an unreachable cache must not stop a deploy.
    try:
        _start_generation()
    except Exception:
        logger.warning("Could not start a new page cache generation", exc_info=True)


def _setting_changed(**kwargs):
    global _release
    _release = None


def connect_signals():
    """Called from FactsheetsConfig.ready().

    Signals, as for search, because rows change by paths no save() of ours sees:
    reversion restores them with raw saves, the admin's formsets save and delete them
    one by one, fixtures load them raw. Receivers for every model of the app, so a new
    model's rows count without anyone remembering to add them here."""
    post_save.connect(_changed, dispatch_uid="page_cache_saved")
    post_delete.connect(_changed, dispatch_uid="page_cache_deleted")
    m2m_changed.connect(_changed, dispatch_uid="page_cache_m2m")
    post_migrate.connect(_migrated, dispatch_uid="page_cache_migrated")
    setting_changed.connect(_setting_changed, dispatch_uid="page_cache_settings")


# Requests.


def stored_key(request):
    """The cache key of the page this request asks for, or None if it is not stored."""
    query = request.META.get("QUERY_STRING", "")
    path = request.path
    if query:
        allowed = next(
            (names for pattern, names in STORED_QUERIES if pattern.fullmatch(path)),
            None,
        )
        pairs = parse_qsl(query, keep_blank_values=True)
        names = [name for name, _ in pairs]
        if (
            allowed is None
            or len(set(names)) != len(names)
            or not all(
                name in allowed and allowed[name].fullmatch(value)
                for name, value in pairs
            )
        ):
            return None
        query = urlencode(sorted(pairs))
    # Refuses a host not allowed (DisallowedHost), but is no part of the key: a page
    # names SITE_URL, never the host asked for (factsheets/site_url.py), so every
    # allowed host, port or spelling of one shares one stored page, and the pages
    # stored are bounded by the real pages. The scheme is: HSTS goes on https only.
    request.get_host()
    address = f"{request.scheme}:{path}?{query}"
    digest = hashlib.sha256(f"{release()} {address}".encode()).hexdigest()
    return f"pagecache:page:{digest}"


def accepted_coding(request):
    """br, gzip or identity: the best content coding the client accepts."""
    qualities = {}
    for part in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
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


# Responses.


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


# Each process keeps the last pages it served, so that a hit fetches a token of a few
# bytes from the shared cache instead of the page (50 KB with its compressed forms).
# The shared generation token still decides whether a kept page is current.
_recent = {}
KEPT_PAGES = 128


def _keep(key, page):
    _recent.pop(key, None)
    _recent[key] = page
    while len(_recent) > KEPT_PAGES:
        del _recent[next(iter(_recent))]


def _current(page, generation):
    return page.token == generation[0] and timezone.now() < page.valid_until


def _next_midnight(moment):
    """Sheets print today's date, so no page outlives the day it was rendered on."""
    tomorrow = timezone.localtime(moment).date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def _may_be_stored(request):
    return request.method in ("GET", "HEAD") and not request.path.startswith(
        (*NEVER_CACHED, settings.STATIC_URL)
    )


def kept_response(request, key):
    """The page this process kept for `key`, if it is still current, as a response.

    Only the small generation token is asked of the shared cache, not the page."""
    kept = _recent.get(key)
    if kept is None:
        return None
    generation = cache.get(GENERATION_KEY) or _current_generation()
    if _current(kept, generation):
        return kept.response(request, accepted_coding(request))
    return None


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
        if _recent and settings.PAGE_CACHE:
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
        if not _may_be_stored(request):
            return None
        key = stored_key(request)
        return kept_response(request, key) if key is not None else None


class PageCacheMiddleware:
    """Serves public pages from the cache; see the module's docstring.

    The first middleware, so that a stored page carries every header the others
    add (security headers among them) and a hit skips them all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_be_stored(request):
            return self.get_response(request)
        coding = accepted_coding(request)
        try:
            key = stored_key(request) if settings.PAGE_CACHE else None
        except DisallowedHost:
            # Django answers it with a 400 further in, with every header.
            key = None
        generation = stale = None
        if key is not None:
            try:
                kept = kept_response(request, key)
                if kept is not None:
                    return kept
                found = cache.get_many([GENERATION_KEY, key])
                generation = found.get(GENERATION_KEY) or _current_generation()
            except Exception:  # the cache is down: serve the page uncached
                logger.exception("Page cache unavailable")
                key = None
            else:
                stale = found.get(key)
                if stale is not None and _current(stale, generation):
                    _keep(key, stale)
                    return stale.response(request, coding)
        started = timezone.now()
        response = self.get_response(request)
        if not is_public(response):
            return response
        public_headers(response)
        if response.status_code != 200:
            return self.compressed_in_place(response, coding)
        if key is None:
            page = Page.of(response, [coding], QUICK_BROTLI_QUALITY)
        else:
            page = Page.of(response, ["gzip", "br"], STORED_BROTLI_QUALITY)
            try:
                self.store(key, page, generation, stale, started)
            except Exception:  # a full or unreachable cache: the page is still served
                logger.exception("Page cache unavailable")
        return page.response(request, coding)

    def store(self, key, page, generation, stale, started):
        now = timezone.now()
        transition = _transition_of(generation)
        if transition is not None and transition <= now:
            # A publish or expiry time has come since the generation began.
            _start_generation()
            page.last_modified = None
            return
        page.token = generation[0]
        page.valid_until = _next_midnight(started)
        if transition is not None:
            page.valid_until = min(page.valid_until, transition)
        # Last-Modified: when these bytes were first stored, one second on at least
        # from the bytes before them, so If-Modified-Since never hides a change.
        moment = int(started.timestamp())
        if stale is not None and stale.last_modified is not None:
            moment = (
                stale.last_modified
                if stale.etag == page.etag
                else max(moment, stale.last_modified + 1)
            )
        page.last_modified = moment
        timeout = min(LIFETIME, (page.valid_until - now).total_seconds())
        if timeout > 0:
            cache.set(key, page, timeout)
            _keep(key, page)

    def compressed_in_place(self, response, coding):
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
