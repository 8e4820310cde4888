"""What the tasks do: record where the sheets link, choose the links due for a
check, and check them, writing each result as it comes."""

import itertools
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from factsheets.models import FactSheet
from linkchecks.checking import Checker, host_key
from linkchecks.finding import links_of
from linkchecks.models import Host, Link, LinkUse, url_hash

# How often the scheduled run comes (tasks.py). A check queued longer ago than this
# and still not done (its task lost) is queued again by the next run.
RUN_EVERY = timedelta(hours=1)
# SQLite allows some thousands of parameters a statement; stay well under.
CHUNK = 500


def links_for(urls):
    """The Link of each address in `urls`, made for those new to the checks."""
    urls = set(urls)
    links = {link.url: link for link in Link.objects.for_urls(urls)}
    new = [Link(url=url, url_hash=url_hash(url)) for url in urls - links.keys()]
    if new:
        # Another worker may add the same address meanwhile: keep whichever is first.
        Link.objects.bulk_create(new, ignore_conflicts=True)
        links.update(
            (link.url, link) for link in Link.objects.for_urls(urls - links.keys())
        )
    return links


@transaction.atomic
def record_uses(factsheet):
    """Bring the record of where `factsheet` links up to date with its content;
    return its links, each once, in the order the page shows them."""
    found = links_of(factsheet)
    links = links_for(use.url for use in found)
    wanted = {(links[use.url].pk, use.place, use.where, use.text) for use in found}
    kept = {}
    for use in LinkUse.objects.filter(factsheet=factsheet):
        key = (use.link_id, use.place, use.where, use.text)
        kept.setdefault(key, []).append(use.pk)
    gone = []
    for key, pks in kept.items():
        # Uses no longer on the sheet go, and any second row of one that is.
        gone.extend(pks[1:] if key in wanted else pks)
    if gone:
        LinkUse.objects.filter(pk__in=gone).delete()
    LinkUse.objects.bulk_create(
        LinkUse(factsheet=factsheet, link_id=link, place=place, where=where, text=text)
        for link, place, where, text in wanted - kept.keys()
    )
    return list({links[use.url].pk: links[use.url] for use in found}.values())


def record_current_uses():
    """record_uses() for every current sheet."""
    sheets = FactSheet.objects.current().prefetch_related("sections", "related_links")
    for factsheet in sheets.iterator(chunk_size=100):
        record_uses(factsheet)


def forget_unused():
    """Drop links no sheet uses any more (made over an hour ago, so none a sheet
    is being recorded with right now)."""
    Link.objects.filter(
        uses__isnull=True, created_at__lt=timezone.now() - RUN_EVERY
    ).delete()


def used_by_current_sheets():
    return Exists(
        LinkUse.objects.filter(
            link=OuterRef("pk"), factsheet__in=FactSheet.objects.current()
        )
    )


def claim(links, now):
    """Mark `links` (id, address) as queued at `now`; return their ids in an order
    that takes each host in turn, so a batch waits as little as it can on the
    per-host rate limit."""
    links = list(links)
    for start in range(0, len(links), CHUNK):
        ids = [pk for pk, url in links[start : start + CHUNK]]
        Link.objects.filter(pk__in=ids).update(queued_at=now)
    by_host = {}
    for pk, url in links:
        by_host.setdefault(host_key(url), []).append(pk)
    return [
        pk
        for turn in itertools.zip_longest(*by_host.values())
        for pk in turn
        if pk is not None
    ]


def claim_due(now):
    """Links of current sheets due for a check: never checked, last checked more
    than LINK_CHECK_INTERVAL_HOURS ago, or unreachable last time; none already
    queued in the last hour. Returned as claim() orders them."""
    interval = timedelta(hours=settings.LINK_CHECK_INTERVAL_HOURS)
    due = (
        Link.objects.filter(used_by_current_sheets())
        .filter(
            Q(checked_at__isnull=True)
            | Q(checked_at__lt=now - interval)
            | Q(result=Link.Result.UNREACHABLE)
        )
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - RUN_EVERY))
        .order_by("checked_at", "pk")
    )
    return claim(due.values_list("pk", "url"), now)


def claim_sheet(factsheet, since, now):
    """Record where `factsheet` links and claim those neither checked nor queued
    since `since` (two steps recorded together, published and went live, queue
    each link once)."""
    links = [
        link
        for link in record_uses(factsheet)
        if not checked_since(link, since)
        and not (link.queued_at and link.queued_at >= since)
    ]
    return claim(((link.pk, link.url) for link in links), now)


def checked_since(link, since):
    return link.checked_at is not None and link.checked_at >= since


def wait_for_turn(host):
    """Sleep until `host` may be asked again (LINK_CHECK_HOST_INTERVAL)."""
    interval = timedelta(seconds=settings.LINK_CHECK_HOST_INTERVAL)
    wait = Host.reserve(host, interval)
    if wait > 0:
        time.sleep(wait)


def check(link_ids, since):
    """Check each of `link_ids` not checked since `since` (by another task, or by
    this one before it was stopped), and record each result at once."""
    checker = Checker(wait_for_turn)
    links = Link.objects.in_bulk(link_ids)
    for pk in link_ids:
        link = links.get(pk)
        if link is None:  # no sheet uses it any more
            continue
        try:
            link.refresh_from_db(fields=["checked_at"])
        except Link.DoesNotExist:
            continue
        if checked_since(link, since):
            continue
        link.record(checker.check(link.url))
