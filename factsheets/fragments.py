"""Parts of public pages kept rendered in the cache, so that a page the page cache
does not have is put together from parts instead of rendered whole.

A part is kept with the versions of what it shows, as the page cache tags it
(factsheets/page_tags.py), read before its rows; `pagecache.stamp()` adds the page
cache's generation, and the part holds only until the next publish or expiry time.
It is used only while those are still the versions: a change to anything it shows,
or `pagecache.invalidate()`, makes it stale, so a part used is exact by construction
and nothing needs deleting. Each part has one key (its name, what tells its variants
apart, the release and the script prefix), written over when it is rendered again,
so the cache holds one copy of each. The groups of a list are named by what they
show instead, a digest of every value their template reads (listings.kept_groups()).
What shows the time (the print date) or the request (its path, the CSP hash of an
inline style) stays out of the parts.

The parts of a page that show the same things are kept together, as one *entry*:
`{% fragment "sheet.body" %}` in a template is the part "body" of the entry "sheet",
which the view looked up with the tags it shows. Previews look up none and render
every part, as they render drafts. A cache that fails leaves every part rendered, as
the page cache leaves the page; so does PAGE_FRAGMENTS off.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe

import pagecache

logger = logging.getLogger(__name__)

# A part nobody has rendered for a day goes; one of an older version is written over.
LIFETIME = 24 * 60 * 60


class Fragments:
    """The kept parts of one page. Made before the page's rows are read, it reads
    the versions of `tags`; `look_up()` then finds the entries. `after`, parts of
    the same page looked up before: if the cache failed them, it is not asked again,
    and the values kept() gave them serve again where their versions are the same.
    """

    def __init__(self, *tags, after=None):
        self.stamp = None
        if after is None or after.stamp is not None:
            self.stamp = _stamp(tags)
        # What kept() gave this page, by key and versions (by name where nothing is
        # kept): read once a page.
        self.values = after.values if after is not None else {}
        # By entry: its key and the versions its parts show; then its parts found in
        # the cache, rendered for this page, and used by it, as {part: html}.
        self.keys, self.found, self.rendered, self.used = {}, {}, {}, {}

    def stamped(self, *tags):
        """Whether the versions of all of `tags` were read."""
        return self.stamp is not None and set(tags) <= self.stamp.versions.keys()

    def look_up(self, entries):
        """Find the entries kept: `entries` maps an entry's name to the tags (stamped)
        its parts show and a string that tells its variants apart."""
        if self.stamp is None:
            return
        keys = {
            name: (_key(name, self.stamp, tags, variant), self.stamp.key(*tags))
            for name, (tags, variant) in entries.items()
        }
        self.keys.update(keys)
        self.found.update(_found(keys))

    def missing(self, name):
        """Whether the entry `name` will be rendered (its rows read) for this page."""
        return name not in self.found

    def part(self, name, render):
        """The part "entry.part" as kept, or rendered by `render()` and kept."""
        entry, _, part = name.partition(".")
        if entry not in self.keys:  # not looked up for this page: rendered each time
            return render()
        html = self.found.get(entry, {}).get(part)
        if html is None:
            html = render()
            self.rendered.setdefault(entry, {})[part] = html
        self.used.setdefault(entry, {})[part] = html
        return mark_safe(html)

    def keep(self):
        """Keep the entries in which a part was rendered for this page, with the
        parts this page used (not those of other versions), until the stamp says."""
        _keep(
            self.stamp, {self.keys[entry]: self.used[entry] for entry in self.rendered}
        )
        self.rendered = {}


def kept(name, tags, compute, fragments=None):
    """compute(), which reads what `tags` stand for, as kept in the cache (a value
    pickle can store). `fragments`, if given, has read the versions of `tags`, and
    holds the values its page was given already."""
    stamp = fragments.stamp if fragments is not None else _stamp(tags)
    given = fragments.values if fragments is not None else {}
    if stamp is None:
        if name not in given:
            given[name] = compute()
        return given[name]
    key = (_key(name, stamp, tags), stamp.key(*tags))
    if key not in given:
        found = _found({name: key})
        if name in found:
            given[key] = found[name]
        else:
            given[key] = compute()
            _keep(stamp, {key: given[key]})
    return given[key]


def digest(*values):
    """A short digest of `values`: the variant of a part kept by what it shows rather
    than by versions, so `values` must hold everything the part's template reads."""
    return hashlib.blake2b(repr(values).encode(), digest_size=12).hexdigest()


def _stamp(tags):
    if not settings.PAGE_FRAGMENTS:
        return None
    try:
        return pagecache.stamp(*tags)
    except Exception:  # the cache is down: render every part, keep none
        logger.warning("Kept parts unavailable: the cache failed", exc_info=True)
        return None


def _key(name, stamp, tags, variant=""):
    """The one key of a part: what it shows (the tags, not their versions) and what
    tells its variants apart; a release's parts apart from another's (a rolling
    deploy); and the script prefix, which addresses in the parts start with."""
    parts = f"{sorted(tags)} {variant} {stamp.release} {get_script_prefix()}"
    return f"fragment:{name}:{digest(parts)}"


def _found(keys):
    """{name: value} of the `keys` ({name: (key, versions)}) kept under the versions
    given and still exact."""
    try:
        stored = cache.get_many([key for key, _ in keys.values()])
    except Exception:
        logger.warning("Kept parts unavailable: the cache failed", exc_info=True)
        return {}
    now = timezone.now()
    found = {}
    for name, (key, versions) in keys.items():
        if key in stored:
            kept_under, until, value = stored[key]
            if kept_under == versions and (until is None or now < until):
                found[name] = value
    return found


def _keep(stamp, values):
    """Keep `values` ({(key, versions): value}), rendered under `stamp`, for as long
    as it holds."""
    if not values:
        return
    try:
        until = stamp.until()
        now = timezone.now()
        if until is not None and until <= now:
            return  # a publish or expiry time came while they were read
        timeout = LIFETIME
        if until is not None:
            timeout = min(timeout, int((until - now).total_seconds()) + 1)
        cache.set_many(
            {
                key: (versions, until, value)
                for (key, versions), value in values.items()
            },
            timeout,
        )
    except Exception:  # a full or unreachable cache: the page is still served
        logger.warning("Could not keep parts: the cache failed", exc_info=True)
