"""The sheet's change form: its rows, the check that no save overwrites another,
submitting for review, publishing, scheduling and sending back by publishers, and
the change note the public reads."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from factsheets import revisions, roles, sheet_operations, wording
from factsheets.admin.base import ModelAdmin
from factsheets.admin.inlines import (
    AssistanceLineInline,
    OfficialInline,
    RelatedLinkInline,
    SectionInline,
    keep_rows_deleted_meanwhile,
    row_errors,
)
from factsheets.admin.workflow import WorkflowViews
from factsheets.forms import ImportForm
from factsheets.importers import report
from factsheets.importers.store import ImportRefused, save_draft
from factsheets.models import (
    EditConflict,
    EditingSession,
    FactSheet,
    ImportRecord,
    Incomplete,
)
from operations import Refused, accepts_import_upload

# Buttons and fields only publishers may send; anyone else sending them is refused.
PUBLISHING_INPUTS = (
    "_publish",
    "_unpublish",
    "publish_time",
    "expires_at",
    "hold_if_problems",
)
REVIEWING_INPUTS = ("_request_changes", "review_comment")
# Only a superuser may send this: publish past the second pair of eyes.
OVERRIDE_INPUT = "override_review"
# Fields read from every POST, whether or not the fieldsets show them: the page
# shows them itself, only when they apply.
ALWAYS_READ = ("replace_saved", OVERRIDE_INPUT)


def when(moment):
    return date_format(localtime(moment), "DATETIME_FORMAT")


class FactSheetAdminForm(forms.ModelForm):
    # The version of the sheet this form was opened on; a save must name it.
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    publish_time = forms.SplitDateTimeField(
        label="Publish time",
        required=False,
        widget=widgets.AdminSplitDateTime,
        help_text="For “Publish”: leave empty to publish at once, or give a later "
        "time to schedule the sheet. It appears at that time by itself.",
    )
    change_kind = forms.ChoiceField(
        label="This change is",
        choices=[
            ("minor", "Minor: a correction such as a typo; no note"),
            ("major", "Major: readers are told, in the note below"),
        ],
        widget=forms.RadioSelect,
        help_text="The sheet is published: readers see every change at once.",
        error_messages={
            "required": "Say whether this change is minor or major: the sheet is "
            "published, so readers see it at once.",
        },
    )
    replace_saved = forms.BooleanField(
        label="Replace their saved version with what is in this form",
        required=False,
    )
    change_note = forms.CharField(
        label="Change note",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="For a major change: one sentence for readers, printed on the sheet "
        "under “Last updated”.",
    )
    review_message = forms.CharField(
        label="Message for the publishers",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional, for “Submit for review”: what to look at, or why now.",
    )
    review_comment = forms.CharField(
        label="What needs changing",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for “Request changes”: the author reads it with the "
        "sheet, back as a draft.",
    )
    hold_if_problems = forms.BooleanField(
        label="Hold it back if a check finds a problem",
        required=False,
        help_text="For “Publish”: tick to leave the sheet unpublished while a check "
        "finds a problem, such as a link that failed its last check. Untick, it is "
        "published and the problems are listed for you to follow up.",
    )
    override_review = forms.BooleanField(
        label="Publish it myself anyway: I made the last change to its content",
        required=False,
    )

    class Meta:
        model = FactSheet
        fields = [
            "country",
            "bureau",
            "title",
            "kind",
            "issued_on",
            "expires_at",
            "notice",
            "lead",
            "related_links_intro",
        ]

    # Set by FactSheetAdmin.get_form for each request.
    request = None
    shown_fields = ()
    # The newer save this form was refused over, if it was.
    conflict = None
    LATEST_YEAR = 2200

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the admin shows this user is read from a POST; the rest is ignored.
        for name in list(self.fields):
            if name not in self.shown_fields and name not in ALWAYS_READ:
                del self.fields[name]
        for field in self.fields.values():
            # The admin's date and time boxes carry no labels of their own.
            if isinstance(field.widget, forms.SplitDateTimeWidget):
                date, time = field.widget.widgets
                date.attrs["aria-label"] = f"{field.label}: date"
                time.attrs["aria-label"] = f"{field.label}: time"
        if self.instance.pk and "base_version" in self.fields:
            self.fields["base_version"].initial = self.instance.version
        if "publish_time" in self.fields and self.instance.publish_at:
            if self.instance.publish_at > timezone.now():
                self.fields["publish_time"].initial = self.instance.publish_at

    def clean(self):
        cleaned_data = super().clean()
        refusal = getattr(self.request, "sheet_refusal", None)
        if isinstance(refusal, (Incomplete, sheet_operations.ReviewRefused)):
            self.add_error(None, refusal)
        # Without the field (the sheet is not in review), the operation refuses.
        asking = "_request_changes" in self.data and "review_comment" in self.fields
        if asking and not (cleaned_data.get("review_comment") or "").strip():
            self.add_error(
                "review_comment",
                "Say what needs changing: “Request changes” sends the sheet back to "
                "its author with this comment.",
            )
        if self.instance.pk:
            self.check_version(
                cleaned_data.get("base_version"), cleaned_data.get("replace_saved")
            )
        if cleaned_data.get("change_kind") == "major" and not cleaned_data.get(
            "change_note"
        ):
            self.add_error("change_note", "A major change needs a note for readers.")
        self.check_times(cleaned_data)
        return cleaned_data

    def check_times(self, cleaned_data):
        now = timezone.now()
        for name in ("publish_time", "expires_at"):
            moment = cleaned_data.get(name)
            if moment and moment.year > self.LATEST_YEAR:
                self.add_error(name, f"Give a time before {self.LATEST_YEAR + 1}.")
        publishing = "_publish" in self.data
        publish_at = cleaned_data.get("publish_time")
        if publishing and publish_at and publish_at <= now:
            self.add_error(
                "publish_time",
                "This time has passed. Leave it empty to publish now, or give a later time.",
            )
        # Only “Save and publish” takes the publish time from the form.
        starts = publish_at if publishing else self.instance.publish_at
        expires_at = cleaned_data.get("expires_at")
        # An expiry time already passed may stay while the sheet is only edited.
        checked = publishing or "expires_at" in self.changed_data
        if checked and expires_at and expires_at <= max(starts or now, now):
            self.add_error(
                "expires_at", "The expiry time must come after the sheet is published."
            )

    def check_version(self, started_from, replace_saved=False):
        """Refuse a save begun on an older version, saying why in the form; the
        row stays locked until the save is written, so no other save comes between.

        A form refused so comes back on the newer version; saving it then replaces
        that version only if the editor says so.
        """
        try:
            sheet_operations.check_version(
                self.instance,
                started_from,
                refused_over=posted_version(self.data.get("conflict_version")),
                replace_saved=replace_saved,
            )
        except sheet_operations.VersionRefused as refusal:
            raise self.version_error(refusal, started_from) from None

    def version_error(self, refusal, started_from):
        if refusal.reason == refusal.NO_VERSION:
            return ValidationError(
                "This form did not say which version of the sheet it was opened on, "
                "so saving it could overwrite someone’s work. Nothing was saved. "
                "Reload the sheet and make the change again.",
                code="no_version",
            )
        saved = self.conflict = refusal.saved
        if refusal.reason == refusal.UNCONFIRMED:
            return ValidationError(
                "This form still holds your version, not the one saved after you "
                "opened it. Tick “Replace their saved version with what is in this "
                "form” to save yours in its place, once you have reconciled, or reload "
                "the sheet to start again from theirs. Nothing was saved.",
                code="unconfirmed",
            )
        who = saved.updated_by.get_username() if saved.updated_by else "Someone"
        compare = revisions.compare_url(saved, started_from)
        # The form now carries the saved version: once the editor has reconciled,
        # saving again is a deliberate choice, not an accident.
        self.data = self.data.copy()
        self.data["base_version"] = str(saved.version)
        return ValidationError(
            format_html(
                "{} saved this sheet on {}, after you opened it. Nothing of yours was "
                "saved: your changes are still in the form below. {}Then tick "
                "“Replace their saved version with what is in this form” and save again.",
                who,
                when(saved.updated_at),
                format_html(
                    '<a href="{}">See what they changed</a> and reconcile. ', compare
                )
                if compare
                else "Reload the sheet in another tab to see their version and reconcile. ",
            ),
            code="stale",
        )

    def public_change(self):
        """What the editor said of a change to a live sheet, if the form asked."""
        kind = self.cleaned_data.get("change_kind")
        if kind == "major":
            return sheet_operations.Change(self.cleaned_data.get("change_note"))
        return sheet_operations.MINOR if kind == "minor" else None


def posted_version(value):
    """A version number as the form wrote it, or None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if str(number) == value else None


@admin.register(FactSheet)
class FactSheetAdmin(WorkflowViews, ModelAdmin):
    form = FactSheetAdminForm
    list_display = ["title", "country", "bureau", "issued_on", "state", "updated_at"]
    list_filter = ["status", "bureau"]
    list_select_related = ["country", "bureau"]
    search_fields = ["title", "country__name", "lead"]
    date_hierarchy = "issued_on"
    autocomplete_fields = ["country", "bureau"]
    readonly_fields = [
        "state",
        "submission",
        "last_review",
        "who_publishes",
        "created_at",
        "updated_at",
        "updated_by",
        "content_changed_at",
        "content_changed_by",
        "import_report",
        "preview_links",
    ]
    inlines = [SectionInline, AssistanceLineInline, OfficialInline, RelatedLinkInline]
    actions = ["make_new_editions"]
    save_on_top = True
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}
    }

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin-richtext.js", "js/admin-presence.js"]

    def get_fieldsets(self, request, obj=None):
        publication = ["state"]
        if roles.can_publish(request.user):
            publication += ["publish_time", "hold_if_problems", "expires_at"]
        fieldsets = [
            (None, {"fields": ["country", "bureau", "title", "kind", "issued_on"]}),
            ("Publication", {"fields": publication}),
        ]
        review = self.review_fields(request, obj)
        if review:
            fieldsets.append(("Review", {"fields": review}))
        fieldsets.append(
            ("Text", {"fields": ["notice", "lead", "related_links_intro"]})
        )
        if obj is not None and obj.is_live and roles.can_change(request.user, obj):
            fieldsets.append(
                ("This change", {"fields": ["change_kind", "change_note"]})
            )
        fieldsets.append(
            (
                "Record",
                {
                    "fields": [
                        "base_version",
                        "created_at",
                        ("updated_at", "updated_by"),
                        ("content_changed_at", "content_changed_by"),
                        "preview_links",
                        "import_report",
                    ]
                },
            )
        )
        return fieldsets

    def review_fields(self, request, obj):
        """The review box: a draft's submission for those who may submit; a sheet
        in review's submission, and the comment field for those who review it."""
        status = obj.status if obj is not None else FactSheet.Status.DRAFT
        if status == FactSheet.Status.DRAFT and roles.can_submit(request.user):
            return ["last_review", "who_publishes", "review_message"]
        if status == FactSheet.Status.IN_REVIEW:
            if roles.can_review(request.user):
                return ["submission", "review_comment"]
            return ["submission", "who_publishes"]
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request
        form.shown_fields = frozenset(kwargs.get("fields") or ()) - set(
            self.get_readonly_fields(request, obj)
        )
        return form

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and roles.can_change(
            request.user, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and roles.can_change(
            request.user, obj
        )

    def view_on_site(self, obj):
        # The page as saved: a form refused for its input (an emptied issue date,
        # another country) shows that input in `obj`, which has no page.
        saved = FactSheet.objects.select_related("country").filter(pk=obj.pk).first()
        return saved.get_absolute_url() if saved else None

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        return obj.state_label

    @admin.display(description="who publishes")
    def who_publishes(self, obj):
        names = [wording.person(user) for user in roles.publishers()]
        if not names:
            return (
                "Nobody may publish yet: an administrator puts publishers in the "
                "Publishers group."
            )
        return format_html(
            "A publisher reviews the sheet and publishes it, or sends it back with "
            "a comment. Publishers: {}.",
            ", ".join(names),
        )

    @admin.display(description="last review")
    def last_review(self, obj):
        """A draft's last step: above all, a reviewer's request for changes, with
        their comment, for the author to act on."""
        step = obj.review_steps.select_related("by").first() if obj.pk else None
        if step is None:
            return "Not submitted for review yet."
        return format_html(
            "{} by {} on {}{}",
            step.get_action_display(),
            step.who,
            when(step.at),
            format_html(": “{}”", step.message) if step.message else "",
        )

    @admin.display(description="submitted")
    def submission(self, obj):
        """Who submitted the sheet, when, with what message; and whether it changed
        since, with what changed."""
        step = sheet_operations.open_submission(obj)
        if step is None:
            return "Not submitted."
        said = format_html(
            "By {} on {}{}",
            step.who,
            when(step.at),
            format_html(", with the message “{}”", step.message)
            if step.message
            else "",
        )
        changed_at = obj.content_changed_at
        if changed_at is None or changed_at <= step.at:
            return said
        author = obj.content_changed_by
        compare = revisions.compare_since(obj, step.at)
        return format_html(
            "{}<p><strong>Changed since it was submitted</strong> (by {} on {}).{}</p>",
            said,
            wording.person(author) if author else "someone",
            when(changed_at),
            format_html(' <a href="{}">See what changed</a>.', compare)
            if compare
            else "",
        )

    @admin.display(description="last import")
    def import_report(self, obj):
        record = obj.imports.first() if obj.pk else None
        if record is None:
            return "Not imported."
        items = format_html_join(
            "", "<li>{}</li>", ((w,) for w in record.report.get("warnings", []))
        )
        return format_html(
            "From {} on {}.{}",
            record.source,
            when(record.imported_at),
            format_html(" Still to check:<ul>{}</ul>", items) if items else "",
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            self.refuse_forged(request)
        extra_context = {
            **(extra_context or {}),
            **self.workflow_context(request, object_id),
        }
        sheet = self.get_object(request, object_id) if object_id else None
        if (
            request.method == "POST"
            and sheet is not None
            and self.has_change_permission(request, sheet)
        ):
            sheet.keep_first_revision()
            request.POST, turned = keep_rows_deleted_meanwhile(request.POST, sheet)
            if turned:
                self.message_user(
                    request,
                    f"{turned} of the rows you had open were deleted by someone else "
                    "in the meantime. What you typed in them is kept below as new "
                    "rows: delete them before saving if they should go.",
                    messages.WARNING,
                )
        try:
            # The sheet and all its rows, as saved by this request, are one revision.
            with reversion.create_revision():
                reversion.set_user(request.user)
                return super().changeform_view(
                    request, object_id, form_url, extra_context
                )
        except (Incomplete, EditConflict, sheet_operations.ReviewRefused) as refusal:
            # Everything this request wrote is rolled back; show the form again with
            # the editor's input and the reason, saving nothing.
            request.sheet_refusal = refusal
            if isinstance(refusal, EditConflict):
                request.POST = request.POST.copy()
                request.POST["base_version"] = -1
            return super().changeform_view(request, object_id, form_url, extra_context)

    def refuse_forged(self, request):
        """Refuse, with the reason on the page, what the page never offered this
        user: buttons and fields of another role."""
        user = request.user

        def sent(names):
            return any(key.startswith(names) for key in request.POST)

        if not roles.can_submit(user) and "_submit_for_review" in request.POST:
            raise Refused("Only those who may change drafts may submit one for review.")
        if not roles.can_publish(user) and sent(PUBLISHING_INPUTS):
            raise Refused("Only publishers may publish or schedule a sheet.")
        if not roles.can_review(user) and sent(REVIEWING_INPUTS):
            raise Refused("Only publishers may request changes on a sheet in review.")
        if not user.is_superuser and request.POST.get(OVERRIDE_INPUT):
            raise Refused(
                "Only an administrator may publish past the second pair of eyes."
            )

    def render_change_form(self, request, context, obj=None, **kwargs):
        # Name the rows at fault at the top, under the admin's "Please correct the
        # errors below.": an error in the fourth inline is far down the page.
        context["row_errors"] = row_errors(context["inline_admin_formsets"])
        refusal = self.second_pair_refusal(request, obj)
        superuser = request.user.is_superuser
        context["offer_override"] = refusal is not None and superuser
        # Anyone else is told before trying; a refusal just made is already at the
        # top of the form.
        just_made = refusal is getattr(request, "sheet_refusal", None)
        context["second_pair_notice"] = (
            refusal.messages[0] if refusal and not superuser and not just_made else ""
        )
        return super().render_change_form(request, context, obj=obj, **kwargs)

    def second_pair_refusal(self, request, obj):
        """The second-pair-of-eyes rule's refusal of this publisher publishing the
        sheet, as just made or as it stands, or None.

        `obj` holds the saved author (the form does not set it), whether the
        page is shown afresh or again after a refusal, which reloads the sheet."""
        refusal = getattr(request, "sheet_refusal", None)
        if getattr(refusal, "code", None) == "second_pair_of_eyes":
            return refusal
        if obj is None or obj.pk is None or not roles.can_publish(request.user):
            return None
        return sheet_operations.second_pair_refusal(obj, request.user)

    def _create_formsets(self, request, obj, change):
        # Kept for save_model, which must know whether any row changed: Django
        # hands the formsets only to save_related, after the sheet is saved.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request.sheet_formsets = formsets
        return formsets, inline_instances

    def workflow_context(self, request, object_id):
        context = {
            "can_publish": roles.can_publish(request.user),
            "can_submit": roles.can_submit(request.user),
            "can_review": roles.can_review(request.user),
        }
        sheet = self.get_object(request, object_id) if object_id else None
        # Only those who may save it are counted as editing it.
        if sheet is not None and self.has_change_permission(request, sheet):
            context["is_editing"] = True
            if request.method == "GET":
                context["others_editing"] = EditingSession.opened(sheet, request.user)
        return context

    def save_model(self, request, obj, form, change):
        content_changed = bool(
            sheet_operations.CONTENT_FIELDS & set(form.changed_data)
        ) or any(
            formset.has_changed() for formset in getattr(request, "sheet_formsets", ())
        )
        was_scheduled = change and obj.public_state() == FactSheet.PublicState.SCHEDULED
        sheet_operations.save(
            obj,
            by=request.user,
            change=form.public_change(),
            content_changed=content_changed,
        )
        if was_scheduled and obj.status == FactSheet.Status.IN_REVIEW:
            self.message_user(
                request,
                f"“{obj}” was scheduled. Changed before it went live, it is back in "
                "review: another publisher sees the change and schedules it again.",
                messages.WARNING,
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sheet = form.instance
        data = form.cleaned_data
        if "_publish" in request.POST:
            at = data.get("publish_time")
            step = sheet_operations.publish(
                sheet,
                at=at,
                by=request.user,
                override=data.get(OVERRIDE_INPUT, False),
                hold_if_problems=data.get("hold_if_problems", False),
            )
            self.message_user(
                request,
                (
                    f"“{sheet}” is scheduled for {when(at)}; it appears then by itself."
                    if at
                    else f"“{sheet}” is published."
                )
                + (
                    " You published it past the second pair of eyes; its history "
                    "records that."
                    if step.overridden
                    else ""
                ),
                messages.SUCCESS,
            )
            for problem in sheet_operations.problems_before_publishing(sheet):
                self.message_user(request, f"To follow up: {problem}", messages.WARNING)
        elif "_unpublish" in request.POST:
            sheet_operations.unpublish(sheet, by=request.user)
            self.message_user(request, f"“{sheet}” is a draft again.", messages.SUCCESS)
        elif "_request_changes" in request.POST:
            step = sheet_operations.request_changes(
                sheet, by=request.user, comment=data.get("review_comment", "")
            )
            submitter = step.answers.who if step.answers else "its author"
            self.message_user(
                request,
                f"Changes requested: “{sheet}” is a draft again, with your comment "
                f"for {submitter}.",
                messages.SUCCESS,
            )
        elif "_submit_for_review" in request.POST:
            sheet_operations.submit_for_review(
                sheet, by=request.user, message=data.get("review_message", "")
            )
            self.message_user(
                request,
                f"Sent for review: “{sheet}” waits for a publisher to publish it or "
                "send it back.",
                messages.SUCCESS,
            )
        else:
            sheet_operations.check_rows(sheet)
        EditingSession.closed(sheet, request.user)

    @admin.action(description="New edition of the selected sheets, dated today")
    def make_new_editions(self, request, queryset):
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        made = []
        for sheet in queryset.select_related("country"):
            try:
                made.append(sheet_operations.new_edition(sheet, today, by=request.user))
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        for copy in made:
            self.message_user(
                request,
                f"Created the draft “{copy}”. It is not published.",
                messages.SUCCESS,
            )
        if len(made) == 1:
            return redirect("admin:factsheets_factsheet_change", made[0].pk)
        return None

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="factsheets_factsheet_import",
            ),
            path(
                "import/<int:record_id>/",
                self.admin_site.admin_view(self.import_report_view),
                name="factsheets_factsheet_import_report",
            ),
            *self.workflow_urls(),
            *super().get_urls(),
        ]

    # The import page takes a file up to IMPORT_MAX_BYTES from those who may import.
    @accepts_import_upload(roles.can_import)
    def import_view(self, request):
        """Import an old sheet as a draft, then report what was found in it."""
        if not roles.can_import(request.user):
            raise PermissionDenied
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
        else:
            form = ImportForm()
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = save_draft(
                    data["sheet"],
                    source=data["source"],
                    fingerprint=data["fingerprint"],
                    user=request.user,
                    replace_edits=data["replace_edits"],
                )
            except ImportRefused as error:
                form.add_error(None, f"Nothing was imported: {error}")
            else:
                verb = "Created" if saved.created else "Updated"
                self.message_user(
                    request,
                    f"{verb} the draft “{saved.factsheet}”. It is not published.",
                    messages.SUCCESS,
                )
                # What was found, before the editor opens the draft.
                return redirect(
                    "admin:factsheets_factsheet_import_report", saved.record.pk
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "Import an old sheet",
        }
        return TemplateResponse(
            request, "admin/factsheets/factsheet/import_form.html", context
        )

    def import_report_view(self, request, record_id):
        """What an import found: the header, the country and how it was matched,
        the rows, and what is left to check; then the draft, or another import."""
        if not roles.can_import(request.user):
            raise PermissionDenied
        record = get_object_or_404(
            ImportRecord.objects.select_related(
                "factsheet__country", "factsheet__bureau", "imported_by"
            ),
            pk=record_id,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Imported: {record.factsheet}",
            "record": record,
            "found": report.found_items(record),
            "warnings": record.report.get("warnings", []),
        }
        return TemplateResponse(
            request, "admin/factsheets/factsheet/import_report.html", context
        )
