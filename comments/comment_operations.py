"""What happens to a comment, and who may make it happen; the admin's thread page
and anything else that comments go through here.

Who may:
- read a sheet's comments and add one: whoever the admin lets open the sheet, to
  view or to change it (the same people who may preview it);
- resolve a comment, or reopen it: its author, or whoever may change the sheet
  (so an editor settles comments on drafts, a publisher on published sheets too).
"""

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from factsheets import roles
from operations import Refused


class CommentRefused(Refused):
    """This user may not do this to this comment; nothing was changed. The admin's
    403 page says why."""


def may_read(user, factsheet=None):
    return bool(user.is_active and user.is_staff and roles.can_preview(user))


def may_add(user, factsheet):
    return may_read(user, factsheet)


def may_resolve(user, comment):
    if not may_read(user, comment.factsheet):
        return False
    return comment.author_id == user.pk or roles.can_change(user, comment.factsheet)


def add(factsheet, by, body, section=None):
    """A new open comment on `factsheet`, or on one of its sections.

    Raises ValidationError for an empty or overlong text or a section of another
    sheet, and CommentRefused for someone who may not comment."""
    if not may_add(by, factsheet):
        raise CommentRefused("Only those who may open this sheet may comment on it.")
    comment = Comment(factsheet=factsheet, section=section, author=by, body=body)
    if section is not None:
        # Kept as the thread says it, for when the section is removed.
        comment.section_heading = (
            f"“{section.heading}”" if section.heading else "the opening section"
        )
    comment.full_clean()
    comment.save()
    return comment


def resolve(comment, by):
    """Mark the comment settled; resolving a settled one changes nothing."""
    check_may_resolve(comment, by)
    with transaction.atomic():
        # Whoever resolved it first stays recorded.
        Comment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=by
        )
    comment.refresh_from_db(fields=["resolved_at", "resolved_by"])
    return comment


def reopen(comment, by):
    """Open a settled comment again."""
    check_may_resolve(comment, by)
    Comment.objects.filter(pk=comment.pk).update(resolved_at=None, resolved_by=None)
    comment.refresh_from_db(fields=["resolved_at", "resolved_by"])
    return comment


def check_may_resolve(comment, by):
    if not may_resolve(by, comment):
        raise CommentRefused(
            "Only the comment’s author, or someone who may change this sheet, may "
            "resolve or reopen it."
        )


def summary(factsheet):
    """The sheet's open comments, and how many are open and resolved: what the change
    form and the preview show. Two queries."""
    open_comments = list(
        Comment.objects.filter(factsheet=factsheet).open().for_display()
    )
    resolved = Comment.objects.filter(factsheet=factsheet).resolved().count()
    return {
        "open": open_comments,
        "open_count": len(open_comments),
        "resolved_count": resolved,
    }
