"""What the link checks know: each distinct address, where the sheets use it, and
when each host may next be asked."""

import hashlib

from django.db import models
from django.utils import timezone


def url_hash(url):
    """The key a link is found by: addresses may be longer than an index allows."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class LinkQuerySet(models.QuerySet):
    def failing(self):
        return self.filter(result__in=Link.FAILING)

    def for_urls(self, urls):
        return self.filter(url_hash__in=[url_hash(url) for url in urls])


class Link(models.Model):
    """One address some sheet links to, and what the last check of it found."""

    class Result(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        OK = "ok", "OK"
        # The server answered, and the answer is an error (4xx, 5xx, a redirect
        # that leads nowhere).
        BROKEN = "broken", "Broken"
        # No answer (timeout, refused, no such host): tried again at the next run.
        UNREACHABLE = "unreachable", "Unreachable"

    FAILING = [Result.BROKEN, Result.UNREACHABLE]

    url = models.TextField("address", editable=False)
    url_hash = models.CharField(max_length=64, unique=True, editable=False)
    result = models.CharField(
        max_length=12, choices=Result, default=Result.UNCHECKED, editable=False
    )
    status_code = models.PositiveSmallIntegerField(null=True, editable=False)
    # Each redirect followed, in order: {"status": 301, "url": "where it led"}.
    redirects = models.JSONField(default=list, editable=False)
    final_url = models.TextField("final address", blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)
    checked_at = models.DateTimeField("last checked", null=True, editable=False)
    # The first check of the current run of failures: how long it has been broken.
    failing_since = models.DateTimeField(null=True, editable=False)
    # Set when a check is queued, so the next scheduled run does not queue it again.
    queued_at = models.DateTimeField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    result__in=["unchecked", "ok", "broken", "unreachable"]
                ),
                name="link_result_known",
            )
        ]

    def __str__(self):
        return self.url

    def save(self, *args, **kwargs):
        self.url_hash = url_hash(self.url)
        super().save(*args, **kwargs)

    @property
    def is_failing(self):
        return self.result in self.FAILING

    def record(self, outcome, at=None):
        """Store what a check found (a checking.Outcome)."""
        at = at or timezone.now()
        failing = outcome.result in self.FAILING
        self.result = outcome.result
        self.status_code = outcome.status_code
        self.redirects = outcome.redirects
        self.final_url = outcome.final_url
        self.error = outcome.error
        self.checked_at = at
        self.failing_since = (self.failing_since or at) if failing else None
        self.queued_at = None
        self.save()


class LinkUse(models.Model):
    """A place on a sheet that links to a Link."""

    class Place(models.TextChoices):
        RELATED_LINK = "related_link", "Related link"
        TEXT = "text", "Link in the text"

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="uses")
    factsheet = models.ForeignKey(
        "factsheets.FactSheet", on_delete=models.CASCADE, related_name="link_uses"
    )
    place = models.CharField(max_length=12, choices=Place)
    # Where on the sheet, as editors name it: the related link's title, or the
    # section's heading (“Opening section”, “Notice”).
    where = models.CharField(max_length=200)
    # What readers click: the link's words in the text, or the related link's title.
    text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["factsheet", "place", "where", "pk"]
        indexes = [models.Index(fields=["factsheet", "link"])]

    def __str__(self):
        return f"{self.get_place_display()} in {self.where}: {self.link}"


class Host(models.Model):
    """When a host may next be asked: the per-host rate limit, shared by every worker."""

    name = models.CharField(max_length=255, unique=True)
    next_request_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def reserve(cls, name, interval):
        """Take `name`'s next free moment, at least `interval` after the one taken
        before it, and return how many seconds away it is.

        A compare-and-set on the row, so workers in other processes (on SQLite as
        on PostgreSQL) never take the same moment."""
        while True:
            host, _ = cls.objects.get_or_create(name=name)
            now = timezone.now()
            start = max(now, host.next_request_at)
            taken = cls.objects.filter(
                pk=host.pk, next_request_at=host.next_request_at
            ).update(next_request_at=start + interval)
            if taken:
                return (start - now).total_seconds()
