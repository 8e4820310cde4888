"""The fact sheet itself: one edition of one country's sheet."""

from datetime import timedelta

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject, cached_property
from reversion.models import Version

from factsheets import wording
from factsheets.layout import SheetLayout
from factsheets.models.reference import Bureau, Country
from factsheets.richtext import RichTextField

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip


# FactSheet.public_updated_at in SQL, for lists and feeds that sort or show it.
PUBLIC_UPDATED_AT = Coalesce("revised_at", "publish_at", "updated_at")
# The rows a sheet's page shows besides the sheet, its country and its bureau.
DISPLAYED_ROWS = (
    "sections",
    "assistance_lines",
    "officials",
    "related_links",
    "change_notes",
)


class EditConflict(Exception):
    """Someone saved the sheet after this copy of it was loaded; nothing was written."""

    def __init__(self, factsheet):
        super().__init__(
            f"“{factsheet}” was saved by someone else after this copy was loaded"
        )


class Incomplete(ValidationError):
    """What a sheet lacks to be published."""


class FactSheetQuerySet(models.QuerySet):
    def published(self):
        """Published or scheduled: what an editor has released, whatever the time."""
        return self.filter(status=FactSheet.Status.PUBLISHED)

    def live(self, at=None):
        """What the public may see at `at` (now): published, its publish time come,
        its expiry time not. Decided at each request, so no job needs to run on time.
        FactSheet.public_state() says the same of one sheet, in Python."""
        at = at or timezone.now()
        return self.published().filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=at),
            Q(expires_at__isnull=True) | Q(expires_at__gt=at),
        )

    def current(self, at=None):
        """The current editions: each country's newest live sheet.

        Every public list and page starts here, so “current” is defined once.
        """
        return self.live(at).exclude(Exists(self._newer_live(at)))

    def superseded(self, at=None):
        """Live editions with a newer live edition of the same country."""
        return self.live(at).filter(Exists(self._newer_live(at)))

    def _newer_live(self, at):
        return FactSheet.objects.live(at).filter(
            Q(issued_on__gt=OuterRef("issued_on"))
            | Q(issued_on=OuterRef("issued_on"), pk__gt=OuterRef("pk")),
            country=OuterRef("country"),
        )

    # What the editors' dashboard lists. Each is one query (sent_back_to() too: its
    # subqueries run inside it) and asks only columns of the sheet and its steps.

    def in_review(self):
        """Submitted and waiting for a publisher, longest waiting first; each with
        `submitted_at`, when its open submission was made."""
        from factsheets.models.workflow import ReviewStep

        submitted = ReviewStep.objects.filter(
            factsheet=OuterRef("pk"), action=ReviewStep.Action.SUBMITTED
        ).order_by("-at", "-pk")
        return (
            self.filter(status=FactSheet.Status.IN_REVIEW)
            .annotate(submitted_at=Subquery(submitted.values("at")[:1]))
            .order_by("submitted_at", "pk")
        )

    def awaiting_review_by(self, user):
        """In review, and not last changed by `user`: what `user` may publish
        under the second-pair-of-eyes rule (all of in_review() when it is off)."""
        sheets = self.in_review()
        if settings.REVIEW_SECOND_PAIR_OF_EYES:
            sheets = sheets.exclude(content_changed_by=user)
        return sheets

    def drafts_by(self, user):
        """Drafts whose content `user` changed last, or that `user` created; newest
        change first."""
        return self.filter(
            Q(content_changed_by=user) | Q(created_by=user),
            status=FactSheet.Status.DRAFT,
        ).order_by(F("content_changed_at").desc(nulls_last=True), "-pk")

    def sent_back_to(self, user):
        """Drafts whose latest review step is a request for changes answering a
        submission by `user`: back on their desk until they submit again."""
        from factsheets.models.workflow import ReviewStep

        latest = ReviewStep.objects.filter(factsheet=OuterRef("pk")).order_by(
            "-at", "-pk"
        )
        return (
            self.filter(status=FactSheet.Status.DRAFT)
            .alias(latest_step=Subquery(latest.values("pk")[:1]))
            .filter(
                Exists(
                    ReviewStep.objects.filter(
                        pk=OuterRef("latest_step"),
                        action=ReviewStep.Action.CHANGES_REQUESTED,
                        answers__by=user,
                    )
                )
            )
            .order_by("-content_changed_at", "-pk")
        )

    def scheduled(self, at=None):
        """Published with a publish time still to come, soonest first."""
        return (
            self.published()
            .filter(publish_at__gt=at or timezone.now())
            .order_by("publish_at", "pk")
        )

    def recently_published(self, days=7, at=None):
        """Published whose publish time fell in the `days` before `at` (now), newest
        first, whether or not they have expired since."""
        at = at or timezone.now()
        return (
            self.published()
            .filter(publish_at__lte=at, publish_at__gt=at - timedelta(days=days))
            .order_by("-publish_at", "-pk")
        )

    def for_display(self):
        """Everything the sheet page renders, in a fixed number of queries."""
        return self.select_related("country", "bureau").prefetch_related(
            *DISPLAYED_ROWS
        )

    def next_publish_or_expiry(self, after):
        """The first publish or expiry time of any of these sheets after `after`, or
        None: when public pages change with nobody saving (the page cache asks).

        Drafts count too: a time too early only costs a page rendered again, and a
        status changed without a save (a fixture, update()) cannot hide a time."""
        times = self.aggregate(
            publish=Min("publish_at", filter=Q(publish_at__gt=after)),
            expiry=Min("expires_at", filter=Q(expires_at__gt=after)),
        )
        return min((moment for moment in times.values() if moment), default=None)


# The search vector is derived from the rows, so revisions need not keep it.
@reversion.register(
    follow=("sections", "assistance_lines", "officials", "related_links"),
    exclude=("search_vector",),
)
class FactSheet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Submitted to a publisher, who publishes it or sends it back as a draft.
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    class PublicState(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Published"
        EXPIRED = "expired", "Expired"

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="factsheets"
    )
    # The bureau printed on the sheet is the sheet's own: bureau pages and counts
    # group current sheets by it, whatever the country's bureau is now.
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        related_name="factsheets",
        blank=True,
        help_text="The bureau printed on the sheet; the sheet is listed on its page. "
        "Leave empty for the country’s bureau.",
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="As printed. Leave empty for “U.S. Relations With” and the country’s name.",
    )
    kind = models.CharField(max_length=50, default="Fact Sheet")
    issued_on = models.DateField(
        "issue date",
        null=True,
        blank=True,
        help_text="The date printed under the title; a sheet needs one to be "
        "published. A country’s newest published sheet is its current one.",
    )
    notice = RichTextField(
        blank=True,
        help_text="A note to readers, printed above the lead: say, that this series is "
        "no longer updated, or where the newest version is published.",
    )
    lead = models.TextField(
        "lead line",
        blank=True,
        help_text="The opening line, e.g. “More information about Mali is available on the Mali page…”.",
    )
    related_links_intro = models.TextField(
        blank=True,
        help_text="The line above the related links. Leave empty for the standard "
        "wording, “More information about Mali is available from the Department of "
        "State and other sources, some of which are listed here:”.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        editable=False,
        help_text="Only published sheets are shown to the public, from their "
        "publish time until their expiry time. A sheet in review is not.",
    )
    publish_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        editable=False,
        help_text="When a published sheet becomes visible; a later time schedules it.",
    )
    expires_at = models.DateTimeField(
        "expiry time",
        null=True,
        blank=True,
        help_text="Optional: when the sheet stops being shown. The country’s previous "
        "edition is then its current sheet again.",
    )
    revised_at = models.DateTimeField(
        "last changed after publication",
        null=True,
        blank=True,
        editable=False,
        help_text="Shown on the page as “Last updated”.",
    )
    # Every save says which version it started from and writes the next one, in one
    # step (see save()): an edit made on an older copy is refused, never lost.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("last saved", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="last saved by",
    )
    # Who wrote what a publisher would release: set by sheet_operations when the
    # content (fields or rows) changes, never by publishing or review steps. The
    # second pair of eyes is someone other than this person.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    content_changed_at = models.DateTimeField(
        "content last changed", null=True, blank=True, editable=False
    )
    content_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="content last changed by",
    )
    # Title, headings and section text for search on PostgreSQL (factsheets/search.py
    # keeps it up to date; its GIN index is made by migration 0008). Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = FactSheetQuerySet.as_manager()

    class Meta:
        ordering = ["country__name", "-issued_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "issued_on"],
                name="factsheet_unique_country_issued_on",
                violation_error_message="This country already has a sheet with this issue date.",
            ),
            # Only publishing needs the date: a sheet in review that loses it is
            # refused at publication (Incomplete), not at every save meanwhile.
            models.CheckConstraint(
                condition=~Q(status="published") | Q(issued_on__isnull=False),
                name="factsheet_published_has_issued_on",
                violation_error_message="A sheet needs its issue date to be published.",
            ),
            models.CheckConstraint(
                condition=Q(publish_at__isnull=True)
                | Q(expires_at__isnull=True)
                | Q(expires_at__gt=F("publish_at")),
                name="factsheet_expires_after_publish",
                violation_error_message="The expiry time must come after the publish time.",
            ),
        ]
        permissions = [
            (
                "publish_factsheet",
                "Can publish, unpublish, schedule and restore published sheets",
            )
        ]

    def __str__(self):
        date = f"{self.issued_on:%Y-%m-%d}" if self.issued_on else "no issue date"
        return f"{self.title or self.default_title()} ({date})"

    def save(self, *args, **kwargs):
        """Save, refusing with EditConflict if the row changed since this copy was
        loaded; every save is recorded as a revision of the sheet and its rows."""
        # Defaults that depend on the chosen country are derived when saving.
        if not self.bureau_id and self.country_id:
            self.bureau_id = self.country.bureau_id
        if not self.title and self.country_id:
            self.title = self.default_title()
        self.keep_first_revision()
        with reversion.create_revision():
            self._check_going_live()
            if self._state.adding:
                super().save(*args, **kwargs)
                return
            # Check and write in one statement: under a concurrent save the database
            # makes this wait for the other's row lock, then finds the version moved.
            moved_on = FactSheet.objects.filter(
                pk=self.pk, version=self.version
            ).update(version=F("version") + 1)
            if not moved_on:
                raise EditConflict(self)
            self.version += 1
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Where the public reads this edition: the country's address while it is
        current, its dated address once superseded; drafts, scheduled and expired
        sheets only in the editors' preview."""
        if not FactSheet.objects.live().filter(pk=self.pk).exists():
            return self.get_preview_url()
        if FactSheet.objects.superseded().filter(pk=self.pk).exists():
            return self.get_edition_url()
        return reverse("factsheets:detail", kwargs={"country_slug": self.country.slug})

    def keep_first_revision(self):
        """Record the sheet as saved now, if no revision of it is kept yet.

        Sheets written before revisions were kept (a fixture, an older release) get
        this before their first recorded change, so that change can be undone too.
        """
        if self._state.adding or reversion.is_active():
            return
        if Version.objects.get_for_object_reference(FactSheet, self.pk).exists():
            return
        saved = FactSheet.objects.filter(pk=self.pk).first()
        if saved is not None:
            with reversion.create_revision():
                reversion.add_to_revision(saved)
                reversion.set_comment("As it was before revisions were kept.")

    def get_edition_url(self):
        """The dated address every published edition keeps."""
        return reverse(
            "factsheets:edition",
            kwargs={"country_slug": self.country.slug, "issued_on": self.issued_on},
        )

    def clean(self):
        if self.status == self.Status.PUBLISHED and not self.issued_on:
            raise ValidationError(
                {"issued_on": "A sheet needs its issue date to be published."}
            )

    def _check_going_live(self):
        # Publishing needs a complete sheet on every path, not only in the admin.
        # What the public saw of it before this save is kept for sheet_operations,
        # which asks whether the save itself releases it (an expiry moved away).
        self.public_state_before_save = None
        if self.status != self.Status.PUBLISHED:
            return
        if not self._state.adding:
            was = (
                FactSheet.objects.filter(pk=self.pk)
                .values("status", "publish_at", "expires_at")
                .first()
            )
            if was:
                self.public_state_before_save = FactSheet(**was).public_state()
            if was and was["status"] == self.Status.PUBLISHED:
                return
        self.check_publishable()

    def missing_for_publication(self):
        """What this sheet, as saved with its rows, lacks to be published."""
        missing = []
        if not self.issued_on:
            missing.append("an issue date")
        if self._state.adding:
            # A new sheet has no rows yet: it is saved as a draft first.
            return [*missing, "at least one section"]
        if not self.sections.exists():
            missing.append("at least one section")
        for link in self.related_links.filter(url=""):
            missing.append(f"an address for the related link “{link.title}”")
        # Every assistance line has its amount: the database requires one.
        return missing

    def check_publishable(self):
        missing = self.missing_for_publication()
        if missing:
            raise Incomplete(
                "This sheet cannot be published yet. It needs "
                + "; ".join(missing)
                + ".",
                code="incomplete",
            )

    # Shortcuts for code that holds a sheet; what each does is written once, in
    # sheet_operations, which imports the models (hence the imports inside).
    # The issue date as lists print it, for every row of a long list: Django's date
    # filter costs 60 µs a call, a quarter of the A-Z list's time (profiled). The
    # site writes English dates, as the sheets do.
    @property
    def issued_on_text(self):
        """“October 15, 2015”."""
        day = self.issued_on
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}" if day else ""

    @property
    def issued_month_text(self):
        """“October 2015”."""
        day = self.issued_on
        return f"{MONTHS[day.month - 1]} {day.year}" if day else ""

    @property
    def public_updated_at(self):
        """When readers last saw this sheet change: a change in place, or its
        publication (PUBLIC_UPDATED_AT says the same in SQL)."""
        return self.revised_at or self.publish_at or self.updated_at

    def public_state(self, at=None):
        """What the public sees of the sheet at `at` (now): FactSheetQuerySet.live()'s
        rule, in Python, for a sheet already loaded. A test holds the two to the same
        answers."""
        at = at or timezone.now()
        if self.status == self.Status.IN_REVIEW:
            return self.PublicState.IN_REVIEW
        if not self.is_published:
            return self.PublicState.DRAFT
        if self.publish_at is not None and self.publish_at > at:
            return self.PublicState.SCHEDULED
        if self.expires_at is not None and self.expires_at <= at:
            return self.PublicState.EXPIRED
        return self.PublicState.LIVE

    @property
    def is_live(self):
        return self.public_state() == self.PublicState.LIVE

    @property
    def state_label(self):
        """Draft, In review, Scheduled for …, Published, Expired: what the public
        sees of it now (nothing, for the first two)."""
        state = self.public_state()
        if state == self.PublicState.SCHEDULED:
            return f"Scheduled for {date_format(timezone.localtime(self.publish_at), 'DATETIME_FORMAT')}"
        return state.label

    def default_title(self):
        return wording.title(self.country) if self.country_id else ""

    def get_preview_url(self):
        return reverse("factsheets:preview", kwargs={"pk": self.pk})

    def editions(self):
        """The country's live editions, newest first: this one and the others."""
        return (
            FactSheet.objects.live()
            .filter(country_id=self.country_id)
            .order_by("-issued_on", "-pk")
        )

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def links_intro(self):
        """The line above the related links: as entered, or in the standard words."""
        return self.related_links_intro or wording.related_links_intro(self.country)

    @cached_property
    def layout(self):
        """Where each part of the sheet goes on the page, and the sections' anchors:
        worked out when first used, as a page whose parts are kept rendered
        (factsheets/fragments.py) does not read the rows."""
        return SimpleLazyObject(lambda: SheetLayout(self))
