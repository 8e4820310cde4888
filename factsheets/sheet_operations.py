"""What can happen to a sheet: saved (with the check that no save overwrites
another), submitted for review and sent back, published now or scheduled,
unpublished, copied into a new edition, brought back to an earlier revision, and
changed while readers see it.

Every path goes through these functions: the admin (its forms collect the input
and show the result), the importer, and the shell::

    from factsheets import sheet_operations
    sheet_operations.publish(sheet, by=user)

Each call that writes is one transaction and one revision (django-reversion) by
`by`, with a comment saying what happened. Called inside a revision already open, as an admin
request keeps the sheet and its rows in one, it joins that revision, and the last
comment set stands. Nothing here checks permissions: roles.py says who may.

What must hold on any save, a raw one too, stays in FactSheet.save: a sheet goes
live only complete (Incomplete), and a save names the version it replaces, so a
copy saved by someone since it was loaded is refused (EditConflict).

Review (docs/decisions/0007): Draft → In review (submit_for_review) → Published or
Scheduled (publish), or back to Draft (request_changes). Each step is a ReviewStep,
a revision comment, and a factsheets.signals.review_step sent in its transaction.
With REVIEW_SECOND_PAIR_OF_EYES, publish refuses (ReviewRefused) whoever last
changed the content, unless a superuser overrides. Operations that change the
content (save with content_changed, restore, new_edition, an import's save)
record who and when on the sheet; the others never do.
"""

from dataclasses import dataclass

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from factsheets import signals, wording
from factsheets.models import (
    Bureau,
    ChangeNote,
    Country,
    EditConflict,
    FactSheet,
    ReviewStep,
)

# What a restore leaves as it is now: it brings back content, never a publication
# state nor who made the sheet, and versions only ever count up.
WORKFLOW_FIELDS = (
    "status",
    "publish_at",
    "expires_at",
    "revised_at",
    "version",
    "created_by",
)

# The sheet's own fields that are its content (its rows are too): a change to any
# of them is one a second pair of eyes must see before it is published.
CONTENT_FIELDS = frozenset(
    {
        "country",
        "bureau",
        "title",
        "kind",
        "issued_on",
        "notice",
        "lead",
        "related_links_intro",
    }
)


class VersionRefused(EditConflict):
    """A save that may not replace the sheet as saved now; nothing was written.

    `reason` says why: NO_VERSION, the save did not say which version it started
    from; STALE, someone saved since; UNCONFIRMED, the save was refused over the
    version saved now and has not said it replaces it. `saved` is the sheet as
    saved now (None for NO_VERSION).
    """

    NO_VERSION = "no_version"
    STALE = "stale"
    UNCONFIRMED = "unconfirmed"

    def __init__(self, reason, factsheet, saved=None):
        super().__init__(factsheet)
        self.reason = reason
        self.saved = saved
        if reason == self.NO_VERSION:
            self.args = (f"A save of “{factsheet}” did not say its version",)
        elif reason == self.UNCONFIRMED:
            self.args = (
                f"A save of “{factsheet}” refused over the version saved now must "
                "say it replaces it",
            )


class RestoreRefused(Exception):
    """The revision cannot come back as it was; nothing was changed."""


class ReviewRefused(ValidationError):
    """A review or publication step that may not happen now, with the reason and
    what to do; nothing was changed."""


@dataclass(frozen=True)
class Change:
    """What the editor says of a change to a live sheet, which readers see at once:
    minor (a correction, no note), or major, told to readers in `note`."""

    note: str = ""


MINOR = Change()


def check_version(factsheet, started_from, *, refused_over=None, replace_saved=False):
    """Check that a save begun on version `started_from` may replace the sheet as
    saved, and return the sheet as saved; raise VersionRefused otherwise.

    Call it in the transaction that saves: the sheet's row stays locked until it
    ends, so no other save comes in between, and `factsheet` then saves as
    replacing `started_from`.

    A save refused once, over the version saved now (`refused_over`, as its form
    says), replaces that version only if its editor says so (`replace_saved`):
    saving again is then a deliberate choice, not a second click.
    """
    if started_from is None:
        raise VersionRefused(VersionRefused.NO_VERSION, factsheet)
    saved = (
        FactSheet.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=factsheet.pk)
    )
    if saved.version != started_from:
        raise VersionRefused(VersionRefused.STALE, factsheet, saved)
    if refused_over == started_from and not replace_saved:
        raise VersionRefused(VersionRefused.UNCONFIRMED, factsheet, saved)
    factsheet.version = started_from
    return saved


def save(factsheet, *, by, change=None, comment=None, content_changed=True):
    """Save the sheet as changed by `by`; refused (EditConflict) if someone saved it
    after `factsheet.version`, and nothing written. A form that held the sheet
    while its editor typed says which version it began on with check_version().

    A change to a live sheet is one readers see: it dates the sheet (“Last
    updated”) and, if major, adds its note. `change` is what the editor said of it
    (MINOR, or Change(note)); `comment` replaces the revision's usual one.

    `content_changed` is False for a save that changed none of the content (no
    field of CONTENT_FIELDS, no row): `by` is then not recorded as its author. A
    sheet in review stays in review when changed; a scheduled one changed before
    it goes live goes back to review, unscheduled, while the second pair of eyes
    is kept: what goes out is what another person saw (docs/decisions/0007).
    """
    note = change.note if change else ""
    change_note = None
    with reversion.create_revision():
        factsheet.updated_by = by
        in_review = factsheet.status == FactSheet.Status.IN_REVIEW
        scheduled = (
            not factsheet._state.adding
            and factsheet.public_state() == FactSheet.PublicState.SCHEDULED
        )
        if factsheet._state.adding:
            factsheet.created_by = by
            content_changed = True
        elif factsheet.is_live:
            change_note = _changed_in_public(factsheet, note)
        if content_changed:
            _content_changed(factsheet, by)
        said = comment or note or ("Minor change." if change else "Saved.")
        if in_review and content_changed and not factsheet._state.adding:
            said += " Changed while in review."
        step = None
        if scheduled and content_changed and settings.REVIEW_SECOND_PAIR_OF_EYES:
            was = _when(factsheet.publish_at)
            factsheet.status = FactSheet.Status.IN_REVIEW
            factsheet.publish_at = None
            said += f" Changed while scheduled for {was}: back in review."
            step = _step(
                factsheet,
                ReviewStep.Action.SUBMITTED,
                by,
                message=f"Changed while scheduled for {was}: back in review, for "
                "another publisher to see the change before it goes out.",
            )
        _record(by, said, step)
        factsheet.save()
        if _released_by_save(factsheet) and settings.REVIEW_SECOND_PAIR_OF_EYES:
            # A published sheet readers did not see (expired, say) made live by the
            # save itself, its expiry moved: a release, under the rule as any other.
            # Raised after the write, inside the revision's transaction: undone.
            refusal = _author_refusal(factsheet, by)
            if refusal is not None:
                raise refusal
        if step is not None:
            _announce(step)
        _announce_change(change_note)


def check_rows(factsheet):
    """Once a sheet's rows are saved apart from it (as the admin's inline forms
    are): a published sheet must still be complete, or Incomplete is raised for the
    caller's transaction to undo the save."""
    if factsheet.is_published:
        factsheet.check_publishable()


def submit_for_review(factsheet, *, by, message=""):
    """Send the draft to the publishers, with `by`'s optional message; refused
    (Incomplete) unless it is complete, as publishing would be, and (ReviewRefused)
    unless it is a draft. Returns the SUBMITTED step."""
    with reversion.create_revision():
        if factsheet.status != FactSheet.Status.DRAFT:
            raise ReviewRefused(
                f"“{factsheet}” is {factsheet.state_label.lower()}: only a draft can "
                "be submitted for review.",
                code="not_draft",
            )
        factsheet.check_publishable()
        factsheet.status = FactSheet.Status.IN_REVIEW
        factsheet.updated_by = by
        message = message.strip()
        step = _step(factsheet, ReviewStep.Action.SUBMITTED, by, message=message)
        _record(by, "Submitted for review" + (f": {message}" if message else "."), step)
        factsheet.save()
        _announce(step)
    return step


def request_changes(factsheet, *, by, comment):
    """Send the sheet in review back to its authors as a draft, saying what to
    change in `comment` (required: ReviewRefused without one). Returns the
    CHANGES_REQUESTED step, which answers the open submission."""
    comment = (comment or "").strip()
    with reversion.create_revision():
        if factsheet.status != FactSheet.Status.IN_REVIEW:
            raise ReviewRefused(
                f"“{factsheet}” is not in review, so no changes can be requested "
                "on it.",
                code="not_in_review",
            )
        if not comment:
            raise ReviewRefused(
                "Say what needs changing: a request for changes needs a comment for "
                "the author. Nothing was changed.",
                code="comment_required",
            )
        submission = open_submission(factsheet)
        factsheet.status = FactSheet.Status.DRAFT
        factsheet.updated_by = by
        step = _step(
            factsheet,
            ReviewStep.Action.CHANGES_REQUESTED,
            by,
            message=comment,
            answers=submission,
        )
        _record(by, f"Changes requested: {comment}", step)
        factsheet.save()
        _announce(step)
    return step


def second_pair_refusal(factsheet, by):
    """Why `by` may not publish the sheet by the second-pair-of-eyes rule, as a
    ReviewRefused, or None.

    The rule guards the moment a sheet readers do not see is released: a draft, a
    sheet in review, a scheduled or an expired one being published. A change in
    place to a live sheet is outside it (docs/decisions/0007), and so is a sheet
    whose author is not known.
    """
    if not settings.REVIEW_SECOND_PAIR_OF_EYES or factsheet.is_live:
        return None
    return _author_refusal(factsheet, by)


def _author_refusal(factsheet, by):
    author_id = factsheet.content_changed_by_id
    if author_id is None or by is None or author_id != by.pk:
        return None
    return ReviewRefused(
        f"You ({wording.person(by)}) made the last change to the content of “{factsheet}”, "
        f"on {_when(factsheet.content_changed_at)}: a second pair of eyes must "
        "publish it. Ask another publisher to review and publish it"
        + (
            ", or submit it for review."
            if factsheet.status == FactSheet.Status.DRAFT
            else "."
        ),
        code="second_pair_of_eyes",
    )


def problems_before_publishing(factsheet):
    """What other apps' checks find wrong with the sheet as it is now (a link that
    failed its last check), each a sentence for its publisher; none block
    publishing unless the publisher chooses so."""
    answers = signals.checks_before_publishing.send(
        sender=FactSheet, factsheet=factsheet
    )
    return [problem for _receiver, problems in answers for problem in problems or ()]


def publish(factsheet, *, by, at=None, override=False, hold_if_problems=False):
    """Publish the sheet now, or schedule it for `at`; refused, with nothing
    written, unless it is complete (Incomplete) and, by the second-pair-of-eyes
    rule, `by` is not the last person who changed its content (ReviewRefused).
    A publisher who chose `hold_if_problems` has it refused too (ReviewRefused,
    code "held_back") while problems_before_publishing() finds any.

    A superuser passing `override` publishes past that rule; the step and the
    revision say so. Returns the PUBLISHED or SCHEDULED step, which answers the
    open submission of a sheet in review.
    """
    with reversion.create_revision():
        factsheet.check_publishable()
        overridden = False
        refusal = second_pair_refusal(factsheet, by)
        if refusal is not None:
            if not override:
                raise refusal
            if not by.is_superuser:
                raise ReviewRefused(
                    "Only an administrator may publish past the second-pair-of-eyes "
                    "rule. Nothing was published.",
                    code="override_refused",
                )
            overridden = True
        if hold_if_problems:
            problems = problems_before_publishing(factsheet)
            if problems:
                raise ReviewRefused(
                    "Held back, as you chose: " + " ".join(problems) + " Nothing "
                    "was published. Fix these, or publish without holding it back.",
                    code="held_back",
                )
        submission = open_submission(factsheet)
        factsheet.status = FactSheet.Status.PUBLISHED
        factsheet.publish_at = at or timezone.now()
        factsheet.updated_by = by
        step = _step(
            factsheet,
            ReviewStep.Action.SCHEDULED if at else ReviewStep.Action.PUBLISHED,
            by,
            overridden=overridden,
            answers=submission,
        )
        said = f"Scheduled for {_when(at)}" if at else "Published."
        if overridden:
            said += (
                f" {wording.person(by)} published past the second-pair-of-eyes rule, as "
                "the last person who changed the content."
            )
        _record(by, said, step)
        factsheet.save()
        _announce(step)
    return step


def unpublish(factsheet, *, by):
    """Make the sheet a draft again: the public no longer sees it. Returns the
    UNPUBLISHED step; a sheet not published is refused (ReviewRefused)."""
    with reversion.create_revision():
        if not factsheet.is_published:
            raise ReviewRefused(
                f"“{factsheet}” is not published, so it cannot be unpublished.",
                code="not_published",
            )
        factsheet.status = FactSheet.Status.DRAFT
        factsheet.publish_at = None
        factsheet.updated_by = by
        step = _step(factsheet, ReviewStep.Action.UNPUBLISHED, by)
        _record(by, "Unpublished.", step)
        factsheet.save()
        _announce(step)
    return step


def open_submission(factsheet):
    """The SUBMITTED step a sheet in review waits on, or None for any other sheet."""
    if factsheet.pk is None or factsheet.status != FactSheet.Status.IN_REVIEW:
        return None
    return (
        factsheet.review_steps.filter(action=ReviewStep.Action.SUBMITTED)
        .select_related("by")
        .first()
    )


def record_scheduled_changes(now=None):
    """Record, once each, the scheduled sheets that went live and the published
    sheets that expired by `now`: a WENT_LIVE or EXPIRED step by nobody, dated at
    the publish or expiry time, each with its revision comment and signal.

    Safe to run at any time and from several workers at once: a moment already
    recorded is skipped, and one recorded meanwhile by another worker is refused
    by the database (the step's unique constraint) and skipped too. Returns the
    steps it recorded.
    """
    now = now or timezone.now()
    release = ReviewStep.objects.filter(
        factsheet=OuterRef("pk"),
        action__in=[
            ReviewStep.Action.PUBLISHED,
            ReviewStep.Action.SCHEDULED,
            ReviewStep.Action.UNPUBLISHED,
        ],
    ).order_by("-at", "-pk")
    published = FactSheet.objects.published().alias(
        last_release=Subquery(release.values("action")[:1])
    )
    recorded = []
    due = [
        (
            ReviewStep.Action.WENT_LIVE,
            "publish_at",
            # Only a sheet scheduled for later goes live by itself; one published
            # at once was told so when it was.
            published.filter(
                last_release=ReviewStep.Action.SCHEDULED, publish_at__lte=now
            ),
        ),
        (
            ReviewStep.Action.EXPIRED,
            "expires_at",
            published.filter(
                last_release__in=[
                    ReviewStep.Action.PUBLISHED,
                    ReviewStep.Action.SCHEDULED,
                ],
                expires_at__lte=now,
            ),
        ),
    ]
    for action, moment, sheets in due:
        sheets = sheets.exclude(
            Exists(
                ReviewStep.objects.filter(
                    factsheet=OuterRef("pk"), action=action, at=OuterRef(moment)
                )
            )
        ).order_by(moment, "pk")
        for sheet in sheets:
            step = _record_timed(sheet, action, getattr(sheet, moment))
            if step is not None:
                recorded.append(step)
    return recorded


def _record_timed(factsheet, action, moment):
    label = "Went live" if action == ReviewStep.Action.WENT_LIVE else "Expired"
    try:
        with reversion.create_revision():
            step = _step(factsheet, action, None, at=moment)
            # Dated when recorded, as its snapshot is of the sheet now; the comment
            # says the moment.
            _record(None, f"{label} at its scheduled time, {_when(moment)}.")
            # The sheet itself is not saved: its revision records it as it stands.
            reversion.add_to_revision(factsheet)
            _announce(step)
    except IntegrityError:
        # Another worker recorded this moment first.
        return None
    return step


def new_edition(factsheet, issued_on, *, by):
    """A draft copy of the sheet and all its rows, dated `issued_on`; refused
    (ValidationError, code "taken") if the country has a sheet of that date.

    The title follows the country's name: a copied title that is the default title
    (wording.title) for any name the country goes by, its former names included
    (Country.all_names, e.g. “U.S. Relations With Swaziland” for Eswatini), becomes
    the default title for its name now. Any other title, one an editor wrote, is
    kept as it is.
    """
    if FactSheet.objects.filter(
        country=factsheet.country, issued_on=issued_on
    ).exists():
        raise ValidationError(
            f"{factsheet.country} already has a sheet dated {issued_on:%Y-%m-%d}.",
            code="taken",
        )
    rows = {
        name: list(getattr(factsheet, name).all())
        for name in ("sections", "assistance_lines", "officials", "related_links")
    }
    with reversion.create_revision():
        _record(by, f"New edition, copied from {factsheet}.")
        copy = FactSheet.objects.select_related("country").get(pk=factsheet.pk)
        copy.pk = None
        copy._state.adding = True
        copy.issued_on = issued_on
        names = copy.country.all_names
        if copy.title in {wording.title_for_name(name) for name in names}:
            copy.title = wording.title(copy.country)
        copy.status = FactSheet.Status.DRAFT
        copy.publish_at = copy.expires_at = copy.revised_at = None
        copy.version = 1
        copy.updated_by = copy.created_by = by
        _content_changed(copy, by)
        copy.save()
        for related_rows in rows.values():
            for row in related_rows:
                row.pk = None
                row._state.adding = True
                row.factsheet = copy
                row.save()
    return copy


def restore(factsheet, version, *, by, note=""):
    """Bring back `version`'s content (a revision of the sheet) as a new revision;
    the restore can itself be undone.

    The sheet keeps its publication state. A live sheet stays complete, or nothing
    changes (Incomplete), and the restore is a change readers see (`note` for a
    major one). A restore over a save made since `factsheet.version` is refused
    (EditConflict); one the database cannot take, with RestoreRefused.
    """
    gone = _deleted_reference(version)
    if gone:
        raise RestoreRefused(
            f"That revision names a {gone} that has been deleted since. Nothing was "
            "changed: restore a later revision, or edit the sheet."
        )
    when = _when(version.revision.date_created)
    try:
        with reversion.create_revision():
            now = check_version(factsheet, factsheet.version)
            version.revision.revert(delete=True)
            restored = FactSheet.objects.get(pk=factsheet.pk)
            for name in WORKFLOW_FIELDS:
                setattr(restored, name, getattr(now, name))
            # The revert wrote the old version number back; put today's back first.
            FactSheet.objects.filter(pk=now.pk).update(version=now.version)
            change_note = None
            if restored.is_live:
                restored.check_publishable()
                change_note = _changed_in_public(restored, note)
            restored.updated_by = by
            _content_changed(restored, by)
            restored.save()
            _record(
                by, f"Restored the revision of {when}" + (f": {note}" if note else "")
            )
            _announce_change(change_note)
    except IntegrityError as error:
        raise RestoreRefused(
            "That revision cannot come back as it was: another sheet of this country "
            "now has its issue date. Nothing was changed."
        ) from error
    return restored


def _changed_in_public(factsheet, note):
    """A change readers see at once: dated on the sheet, and told if major; returns
    the major change's note, for _announce_change() once the sheet is saved."""
    factsheet.revised_at = timezone.now()
    if note:
        return ChangeNote.objects.create(factsheet=factsheet, note=note)
    return None


def _announce_change(change_note):
    """Tell other apps of a major change once the sheet is saved, inside its
    transaction."""
    if change_note is not None:
        signals.major_change.send(sender=ChangeNote, note=change_note)


def _record(by, comment, step=None):
    """Who made the revision being saved, and why; dated as its review step, if
    any, so the step's revision is found by its time."""
    reversion.set_user(by)
    reversion.set_comment(comment)
    if step is not None:
        reversion.set_date_created(step.at)


def _released_by_save(factsheet):
    before = getattr(factsheet, "public_state_before_save", None)
    return (
        before is not None
        and before != FactSheet.PublicState.LIVE
        and factsheet.is_live
    )


def _content_changed(factsheet, by):
    factsheet.content_changed_by = by
    factsheet.content_changed_at = timezone.now()


def _step(
    factsheet, action, by, *, at=None, message="", overridden=False, answers=None
):
    return ReviewStep.objects.create(
        factsheet=factsheet,
        action=action,
        by=by,
        at=at or timezone.now(),
        message=message,
        overridden=overridden,
        answers=answers,
    )


def _announce(step):
    """Tell other apps, inside the step's transaction: what they write with it
    commits or rolls back with it."""
    signals.review_step.send(sender=ReviewStep, step=step)


def _when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _deleted_reference(version):
    """The country or bureau the revision's sheet names that no longer exists, if any."""
    fields = version.field_dict
    for name, model in (("country", Country), ("bureau", Bureau)):
        pk = fields.get(f"{name}_id", fields.get(name))
        if pk is not None and not model.objects.filter(pk=pk).exists():
            return name
    return None
