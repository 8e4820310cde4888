"""A comment on one edition, or on one section of it, and whether it is settled."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual

from factsheets import wording
from factsheets.models import FactSheet, Section

# Long enough for a paragraph of review notes; a longer text belongs in the sheet.
MAX_LENGTH = 4000


class CommentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def resolved(self):
        return self.filter(resolved_at__isnull=False)

    def for_display(self):
        """Everything a thread shows, in one query."""
        return self.select_related("author", "resolved_by", "section")


class Comment(models.Model):
    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="comments"
    )
    # A deleted section leaves its comment on the sheet, with the heading it had.
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        help_text="Leave empty for a comment on the whole sheet.",
    )
    # The heading as the thread names it, quoted: a heading (200) and two marks.
    section_heading = models.CharField(max_length=210, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    body = models.TextField(
        "comment",
        max_length=MAX_LENGTH,
        help_text="Plain text, for the editors only: it is never published.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["factsheet", "resolved_at"])]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length("body"), 0)
                & LessThanOrEqual(Length("body"), MAX_LENGTH),
                name="comment_body_length",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_by__isnull=True)
                | models.Q(resolved_at__isnull=False),
                name="comment_resolved_by_has_resolved_at",
            ),
        ]

    def __str__(self):
        return f"Comment by {self.author_name} on “{self.factsheet}”"

    def clean(self):
        if self.body is not None and not self.body.strip():
            raise ValidationError({"body": "Write the comment."})
        if (
            self.section_id is not None
            and self.section.factsheet_id != self.factsheet_id
        ):
            raise ValidationError(
                {
                    "section": "That section belongs to another sheet: choose one of "
                    "this sheet’s sections, or none."
                }
            )

    @property
    def is_resolved(self):
        return self.resolved_at is not None

    @property
    def author_name(self):
        return name_of(self.author)

    @property
    def resolver_name(self):
        return name_of(self.resolved_by)

    @property
    def where(self):
        """What the comment is on, as the thread says it."""
        if self.section_id is not None:
            heading = self.section.heading
            return f"On “{heading}”" if heading else "On the opening section"
        if self.section_heading:
            return f"On {self.section_heading} (a section since removed)"
        return "On the whole sheet"


def name_of(user):
    if user is None:
        return "a deleted account"
    return wording.person(user)
