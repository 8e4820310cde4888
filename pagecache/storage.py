"""Where pages are stored, under which key, and for how long.

Exactness rests on two things a stored page carries. Its *tags*, the versions of
what it shows (pagecache/tags.py): a change gives its own tags new versions
(pagecache/invalidation.py), and a page stored with an older one is a miss. And a
*generation*, a random token in the shared cache that every page copies: a change
whose pages nobody can name, `pagecache.invalidate()` or a publish or expiry time
starts a new one, and every page stored before is a miss.

Time changes pages with nobody saving: a sheet's publish or expiry time comes, and
the printed line on a sheet says today's date. Each generation knows the next such
time after it began (what the content apps registered with `pagecache.watch()`, one
query, stored beside it); a page is valid until then, and at the latest until the
next local midnight. The first request after that moment starts a new generation.
"""

import hashlib
import json
import re
import secrets
from datetime import datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from urllib.parse import parse_qsl, urlencode

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from pagecache import registry
from pagecache import tags as tag_versions

GENERATION_KEY = "pagecache:generation"
# Stored pages and transitions go when unused for a day (or at their validity's end).
LIFETIME = 24 * 60 * 60


# What the stored pages depend on besides the rows: the code and the settings.

_release = None


def release():
    """A fingerprint of the code, templates, static files' names and settings.

    Part of every page's key, so a deploy (or a changed setting) never serves pages
    rendered by the code before it; the generation, the tags and the change tokens
    are shared across releases, so a save on a server of either release reaches
    both during a rolling deploy (from the release that brought tags on)."""
    global _release
    if _release is None:
        digest = hashlib.sha256(django.get_version().encode())
        base = settings.BASE_DIR
        for folder in _project_folders():
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


def _project_folders():
    """config/, templates/ and the top-level package of every installed app that
    lives in the project (not in the virtual environment, which may be inside it)."""
    base = Path(settings.BASE_DIR)
    folders = {"config", "templates"}
    for app_config in apps.get_app_configs():
        top = app_config.name.partition(".")[0]
        if Path(app_config.path).resolve().is_relative_to(base / top):
            folders.add(top)
    return sorted(folders)


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


# Which requests are stored: settings about the site's URLs, read once.

_paths = None


def _path_rules():
    """The never-cached path prefixes, and the query strings a stored page may have
    (PAGE_CACHE_NEVER_CACHED, PAGE_CACHE_STORED_QUERIES), compiled."""
    global _paths
    if _paths is None:
        _paths = (
            tuple(getattr(settings, "PAGE_CACHE_NEVER_CACHED", ())),
            [
                (
                    re.compile(path),
                    {name: re.compile(value) for name, value in names.items()},
                )
                for path, names in getattr(
                    settings, "PAGE_CACHE_STORED_QUERIES", {}
                ).items()
            ],
        )
    return _paths


def settings_changed(**kwargs):
    global _release, _paths
    _release = _paths = None
    addresses.clear()


# Generations.


def next_key(token):
    return f"pagecache:next:{token}"


def start_generation():
    """A new generation: every page stored before it is stale."""
    generation = (secrets.token_hex(8), timezone.now())
    cache.set(GENERATION_KEY, generation, timeout=None)
    tag_versions.completed(generation[0])
    return generation


def current_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # a new or emptied cache
        cache.add(GENERATION_KEY, (secrets.token_hex(8), timezone.now()), None)
        generation = cache.get(GENERATION_KEY)
    return generation


def epoch():
    """What every stored page was rendered under: the release, the generation and
    the day. It changes when they all go stale at once with no change to tell (a
    deploy, midnight, a publish or expiry time come, an emptied cache)."""
    generation = current_generation()
    transition = transition_of(generation)
    if transition is not None and transition <= timezone.now():
        generation = start_generation()  # as the next page stored would
    return f"{release()}:{generation[0]}:{timezone.localdate().isoformat()}"


def next_transition(after, using=DEFAULT_DB_ALIAS):
    """The first time after `after` at which a page may change by itself, or None."""
    return registry.next_transition(after, using)


def transition_of(generation):
    token, began = generation
    known = cache.get(next_key(token))
    if known is None:
        known = (next_transition(began),)
        cache.add(next_key(token), known, LIFETIME)
    return known[0]


# Requests.


def may_be_stored(request):
    never_cached, _ = _path_rules()
    return request.method in ("GET", "HEAD") and not request.path.startswith(
        (*never_cached, settings.STATIC_URL)
    )


def stored_key(request):
    """The cache key of the page this request asks for, or None if it is not stored."""
    query = request.META.get("QUERY_STRING", "")
    path = request.path
    if query:
        _, stored_queries = _path_rules()
        allowed = next(
            (names for pattern, names in stored_queries if pattern.fullmatch(path)),
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


# The keys of the addresses this process was asked for, by what the key is worked
# out from (pagecache/wsgi.py); False for an address not stored.
addresses = {}
REMEMBERED_ADDRESSES = 4096


def remember_address(address, key):
    if len(addresses) >= REMEMBERED_ADDRESSES:
        addresses.clear()
    addresses[address] = key


# Pages.

# Each process keeps the last pages it served, so that a hit fetches a token of a few
# bytes from the shared cache instead of the page (50 KB with its compressed forms):
# key: [page, the CHANGED_KEY token it was last found current under, its responses
# without validators to check, by content coding].
recent = {}


def keep(key, page):
    recent.pop(key, None)
    recent[key] = [page, None, {}]
    while len(recent) > settings.PAGE_CACHE_KEPT_PAGES:
        del recent[next(iter(recent))]


def is_current(page, generation, versions):
    """Whether `page` is what would be rendered now: the generation, the day and
    the versions of its tags are those it was rendered under."""
    return (
        page.token == generation[0]
        and timezone.now() < page.valid_until
        and versions == page.tags
    )


def check(page, seen=None):
    """The current generation, and whether `page` is current, in one round trip;
    the versions read are added to `seen`."""
    generation, current, _ = _read_and_check(page, seen)
    return generation, current


def _read_and_check(page, seen, before=()):
    """check(), also giving what was found of the keys `before`, read first."""
    versions, found = tag_versions.versions(
        page.tags, also=[GENERATION_KEY], before=before
    )
    if seen is not None:
        seen.update(versions)
    generation = found.get(GENERATION_KEY) or current_generation()
    return generation, is_current(page, generation, versions), found


def kept_page(key, seen=None):
    """The page this process kept for `key` and its entry, if it is still current.

    One small token is asked of the shared cache when nothing changed since the
    page was last found current (pagecache/tags.py); the page's tags otherwise,
    whose versions are added to `seen`."""
    entry = recent.get(key)
    if entry is None:
        return None
    page, verified, _ = entry
    # Inside a transaction that changed what pages show (a test's), always the tags.
    changed = None if tag_versions.uncommitted() else tag_versions.last_completed()
    if changed is not None and changed == verified:
        return entry if timezone.now() < page.valid_until else None
    _, current, found = _read_and_check(page, seen, [tag_versions.CHANGED_KEY])
    if not current:
        return None
    entry[1] = found.get(tag_versions.CHANGED_KEY)
    if entry[1] is None:  # evicted: a token for the next hit to read first
        cache.add(tag_versions.CHANGED_KEY, tag_versions.new_token(), None)
    return entry


def _next_midnight(moment):
    """Sheets print today's date, so no page outlives the day it was rendered on."""
    tomorrow = timezone.localtime(moment).date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def fetch(key):
    """The current generation, the last change's token and the page stored under
    `key` (or None), in one round trip."""
    found = cache.get_many([GENERATION_KEY, tag_versions.CHANGE_KEY, key])
    change = (
        tag_versions.uncommitted().get(tag_versions.CHANGE_KEY)
        or found.get(tag_versions.CHANGE_KEY)
        or tag_versions.last_change()
    )
    return found.get(GENERATION_KEY) or current_generation(), change, found.get(key)


# One render of a page at a time, across processes: right after a change, every
# process's readers ask for the same few stale pages within milliseconds, and each
# process rendered them all. The first claims the page; the others wait for its copy
# (still checked as current, as any stored page is) rather than render it again.
# A claim outlives no render: it goes when the page is stored, or after
# CLAIM_SECONDS if its process died; a reader waits WAIT_SECONDS at most, then
# renders the page itself.
CLAIM_SECONDS = 10
WAIT_SECONDS = 0.5
POLL_SECONDS = 0.005


def _claim_key(key):
    return f"{key}:rendering"


def claim(key):
    """Whether this process may render the page stored under `key`: no other is."""
    return cache.add(_claim_key(key), True, CLAIM_SECONDS)


def let_go(key):
    cache.delete(_claim_key(key))


def awaited(key):
    """The current page another process stores under `key` while this one waits,
    or None once it let go without one, or after WAIT_SECONDS."""
    deadline = monotonic() + WAIT_SECONDS
    while monotonic() < deadline:
        sleep(POLL_SECONDS)
        found = cache.get_many([key, _claim_key(key)])
        page = found.get(key)
        if page is not None and check(page)[1]:
            return page
        if _claim_key(key) not in found:
            return None
    return None


def store(key, page, generation, change, tags, stale, started, seen=None):
    """Store `page`, rendered from `started` on under `generation`, showing `tags`.

    What was read before it rendered: `change`, the last change's token; `seen`,
    the versions of the tags of the copy found stale, if any; `stale`, that copy."""
    versions, found = tag_versions.versions(tags, also=[tag_versions.CHANGE_KEY])
    if seen and all(tag in seen for tag in tags):
        # Its tags were read before it rendered (the stale copy shows the same):
        # a change to anything else while it rendered does not matter.
        unchanged = all(seen[tag] == versions[tag] for tag in tags)
    else:
        unchanged = found.get(tag_versions.CHANGE_KEY) == change
    if not unchanged:
        # A change came while it rendered: this page may show the rows from before
        # it under the versions from after. Served, not stored.
        page.last_modified = None
        return
    now = timezone.now()
    transition = transition_of(generation)
    if transition is not None and transition <= now:
        # A publish or expiry time has come since the generation began.
        start_generation()
        page.last_modified = None
        return
    page.token = generation[0]
    page.tags = versions
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
        keep(key, page)
