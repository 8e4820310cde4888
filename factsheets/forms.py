from django import forms
from django.core.exceptions import ValidationError

from factsheets.importers import (
    UnreadableSource,
    max_source_size,
    max_source_text,
    read_source,
    too_large,
)


class ImportForm(forms.Form):
    """An old sheet to import: an uploaded page or capture, or pasted text."""

    file = forms.FileField(required=False)
    text = forms.CharField(
        label="Or paste its text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
    )
    replace_edits = forms.BooleanField(
        label="Replace edits",
        required=False,
        help_text="Update the sheet's draft even if someone has edited it since its "
        "last import: their edits are lost.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit is a setting (IMPORT_MAX_BYTES): the form says what it is now.
        self.fields["file"].help_text = (
            f"A saved page (.html) or a text capture (.txt), at most "
            f"{max_source_text()}."
        )

    def clean(self):
        cleaned_data = super().clean()
        upload, text = cleaned_data.get("file"), cleaned_data.get("text", "")
        if bool(upload) == bool(text.strip()):
            raise ValidationError("Upload a file or paste the text: one of the two.")
        if upload and upload.size > max_source_size():
            # Refused before it is read into memory.
            raise ValidationError(f"Nothing was imported: the file is {too_large()}")
        data = upload.read() if upload else text
        try:
            cleaned_data["sheet"], cleaned_data["fingerprint"] = read_source(
                data, upload.name if upload else ""
            )
        except UnreadableSource as error:
            raise ValidationError(f"Nothing was imported: {error}") from error
        sheet = cleaned_data["sheet"]
        # The page's own address identifies it best; then the file's name.
        cleaned_data["source"] = (
            sheet.address
            or (upload and upload.name)
            or f"pasted text {cleaned_data['fingerprint'][:16]}"
        )
        return cleaned_data
