"""What every admin page of the site shares: hostile or clumsy input in its addresses
and forms gets a clean refusal, never a server error.

Django's admin passes some values from the address or the form straight to the
database: a NUL character, which PostgreSQL refuses in text; a number beyond 64
bits, which SQLite cannot take; “abc” where a key is expected; a date beyond the
calendar in the date drill-down. Here such values select nothing, or the list starts
again from its unfiltered page, as Django does for a filter it cannot apply.
"""

from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.formsets import ManagementForm
from django.utils.functional import cached_property

from factsheets.richtext import RichTextField
from factsheets.sheet_limits import MAX_ROWS, RICH_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH


def valid_keys(field, values):
    """The `values` that `field` (a primary key, say) could hold; “abc”, a NUL or a
    number out of the column's range is left out."""
    keys = []
    for value in values:
        try:
            field.clean(value, None)
        except ValidationError:
            continue
        keys.append(value)
    return keys


def without_nul(text):
    # PostgreSQL refuses NUL characters in text; in a search they mean nothing.
    return text.replace("\x00", " ")


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's, showing no choice for a submitted value that can be no key at all,
    instead of failing on it in the database."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        key_field = opts.get_field(getattr(remote, "field_name", opts.pk.attname))
        return super().optgroups(name, valid_keys(key_field, value), attr)


class SafeChangeList(ChangeList):
    """The list, sent back to its unfiltered page (“?e=1”, as Django does for
    unknown filters) when a filter could only fail in the database."""

    def get_filters(self, request):
        params = self.get_filters_params()
        if any("\x00" in value for values in params.values() for value in values):
            raise IncorrectLookupParameters("A filter has a NUL character.")
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            # The date drill-down makes dates of what it is given: year 99999 or
            # 9999-12-31 plus a day are beyond Python's calendar.
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            super().get_results(request)
        except OverflowError as error:
            # SQLite cannot take an integer beyond 64 bits (?country=99999...).
            raise IncorrectLookupParameters(error) from error


class FieldsMixin:
    """Form fields of the model admins and the inlines alike."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and not db_field.max_length:
            kwargs.setdefault(
                "max_length",
                RICH_TEXT_MAX_LENGTH
                if isinstance(db_field, RichTextField)
                else TEXT_MAX_LENGTH,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AdminMixin(FieldsMixin):
    """For any model admin, ours or a package's (mixed in before its class)."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def get_search_results(self, request, queryset, search_term):
        # The list's search box and the autocomplete boxes of other models' forms.
        return super().get_search_results(request, queryset, without_nul(search_term))

    def response_action(self, request, queryset):
        # Forged selections (“abc”, 99999999999999999999999) are not rows: dropped,
        # so the action runs on the real ones, or says nothing was selected.
        name = helpers.ACTION_CHECKBOX_NAME
        selected = request.POST.getlist(name)
        keys = valid_keys(self.opts.pk, selected)
        if keys != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(name, keys)
        return super().response_action(request, queryset)


class ModelAdmin(AdminMixin, admin.ModelAdmin):
    pass


def harden_every_admin(site=admin.site):
    """Register each model admin not built on AdminMixin again, with it mixed in:
    the admins the site did not write (users, groups, sign-in attempts, authenticator
    apps) refuse hostile input as ours do."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AdminMixin):
            continue
        original = type(model_admin)
        site.unregister(model)
        site.register(
            model,
            type(original.__name__, (AdminMixin, original), {"__module__": __name__}),
        )


class CountedManagementForm(ManagementForm):
    """Django's, refusing form counts below zero: a forged “-1” would otherwise make
    the formset drop every posted row of its kind without a word."""

    TOTAL_FORMS = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    INITIAL_FORMS = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class LoadedRowField(forms.ModelChoiceField):
    """The hidden id of an inline row, found among the rows its formset loaded
    rather than by a query per row; any other value is looked up as Django does
    (a row deleted meanwhile, another sheet's, or no key at all)."""

    def __init__(self, loaded, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded = loaded

    def to_python(self, value):
        try:
            row = self.loaded(self.queryset.model._meta.pk.to_python(value))
        except ValidationError:
            row = None
        return row if row is not None else super().to_python(value)


class RowForm(forms.ModelForm):
    """An inline row's form. A saved row posted back unchanged holds what the
    database accepted: its check constraints, a query each, are not asked again
    (its fields and clean() still are)."""

    def _post_clean(self):
        if self.instance._state.adding or self.has_changed():
            return super()._post_clean()
        full_clean = self.instance.full_clean
        self.instance.full_clean = partial(full_clean, validate_constraints=False)
        try:
            super()._post_clean()
        finally:
            del self.instance.full_clean


class CountedFormSetMixin:
    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self._pk_field.name)
        if type(field) is forms.ModelChoiceField:
            form.fields[self._pk_field.name] = LoadedRowField(
                self._existing_object,
                field.queryset,
                initial=field.initial,
                required=False,
                widget=field.widget,
            )

    @cached_property
    def management_form(self):
        if not self.is_bound:
            return super().management_form
        form = CountedManagementForm(
            self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer
        )
        form.full_clean()
        return form


class InlineMixin(FieldsMixin):
    form = RowForm
    max_num = MAX_ROWS

    def get_formset(self, request, obj=None, **kwargs):
        # Beyond MAX_ROWS the formset refuses the save with a message, rather than
        # only hiding the “Add another” button; and a forged form count builds no
        # more forms than that (Django's default would build a thousand more). The
        # admin sets max_num to 0 for someone who may add no rows: that only hides
        # the button, and the rows there are still saved.
        kwargs.setdefault("validate_max", bool(self.max_num))
        kwargs.setdefault("absolute_max", MAX_ROWS)
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (CountedFormSetMixin, formset), {})


class StackedInline(InlineMixin, admin.StackedInline):
    pass


class TabularInline(InlineMixin, admin.TabularInline):
    pass
