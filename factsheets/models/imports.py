"""Where an imported draft came from, and what its import found."""

from django.conf import settings
from django.db import models

from factsheets.models.sheets import FactSheet


class ImportRecord(models.Model):
    """One import of an old page into a draft: where it came from and what was found."""

    factsheet = models.ForeignKey(
        FactSheet, on_delete=models.CASCADE, related_name="imports"
    )
    source = models.CharField(
        max_length=500,
        help_text="The page's own address when it names one, else the file's name, "
        "else a fingerprint of the pasted text. A new import of the same source updates "
        "the same draft.",
    )
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the text read.")
    report = models.JSONField(default=dict)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-imported_at", "-pk"]
        get_latest_by = ["imported_at", "pk"]

    def __str__(self):
        return f"{self.source} ({self.imported_at:%Y-%m-%d %H:%M})"
