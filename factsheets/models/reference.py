"""Reference data the sheets point to: the bureaus and the countries."""

from django.db import models, transaction

from factsheets.slug_urls import reverse_slug


class NaturalKeyManager(models.Manager):
    """Lets fixtures name reference rows by slug, e.g. ``"country": ["mali"]``."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Bureau(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    short_name = models.CharField(
        max_length=10, unique=True, help_text="The office symbol, e.g. “AF”."
    )

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_slug("factsheets:bureau", self.slug)

    def natural_key(self):
        return (self.slug,)


class Country(models.Model):
    name = models.CharField(
        max_length=100,
        unique=True,
        help_text="As in titles, e.g. “Democratic Republic of the Congo”, “The Gambia”.",
    )
    sentence_name = models.CharField(
        "name in a sentence",
        max_length=100,
        blank=True,
        help_text="Only where a sentence says more than the name, e.g. “the Gambia”, "
        "“the Philippines”, “the United Kingdom”.",
    )
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Used in the sheet’s address, e.g. “mali” in /fact-sheets/mali/. If "
        "it changes, the old addresses lead to the new ones.",
    )
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        related_name="countries",
        help_text="The bureau that covers the country now; new sheets start with it.",
    )
    other_names = models.TextField(
        blank=True,
        help_text="Other names old sheets use for the country, one a line, e.g. "
        "“Swaziland” or “Republic of Korea”. The importer recognises them.",
    )

    objects = NaturalKeyManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Keep the old slug's addresses leading here (factsheets/middleware.py)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "slug" not in update_fields:
            return super().save(*args, **kwargs)
        before = (
            Country.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
            if self.pk
            else None
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            if before != self.slug:
                former_slugs = self.former_slugs.model.objects
                # A live slug wins over a former one, whoever had it before.
                former_slugs.filter(slug=self.slug).delete()
                if before:
                    former_slugs.update_or_create(
                        slug=before, defaults={"country": self}
                    )

    def get_absolute_url(self):
        return reverse_slug("factsheets:detail", self.slug, kwarg="country_slug")

    def natural_key(self):
        return (self.slug,)

    @property
    def in_sentence(self):
        """The name as a sentence says it: “the Gambia”, “Mali”."""
        return self.sentence_name or self.name

    @property
    def all_names(self):
        """Every name the country goes by: its name, sentence form and other names."""
        names = [self.name, self.sentence_name, *self.other_names.splitlines()]
        return [name.strip() for name in names if name.strip()]
