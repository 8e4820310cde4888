from django import forms

from comments.models import MAX_LENGTH
from factsheets.models import Section


class CommentForm(forms.Form):
    """A new comment: its text, and the section it is on, if one.

    The section is looked up among all sections, not only the sheet's, so that one
    of another sheet is refused by the comment's own rule, with its message."""

    body = forms.CharField(
        label="Comment",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text=f"Plain text, at most {MAX_LENGTH:,} characters. Only editors and "
        "publishers see it; it is never published.",
    )
    section = forms.ModelChoiceField(
        label="On the section",
        queryset=Section.objects.all(),
        required=False,
        empty_label="The whole sheet",
        error_messages={"invalid_choice": "There is no such section."},
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        # What the box offers: this sheet's sections, already loaded.
        self.fields["section"].widget.choices = [("", "The whole sheet")] + [
            (section.pk, section.heading or "The opening section (no heading)")
            for section in sections
        ]
