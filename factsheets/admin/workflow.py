"""The sheet's workflow pages in the admin: new edition, revisions (history,
comparison, restore), preview links, and the "who else has this open" ping."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from factsheets import revisions, roles, sheet_operations
from factsheets.changes import compare
from factsheets.models import EditConflict, EditingSession, Incomplete, PreviewLink
from factsheets.site_url import absolute
from operations import Refused


class NewEditionForm(forms.Form):
    issued_on = forms.DateField(
        label="Issue date of the new edition",
        help_text="The date printed under the title. The new edition is a draft "
        "until it is published; the current sheet stays as it is until then.",
    )


class PreviewLinkForm(forms.Form):
    days = forms.IntegerField(
        label="Valid for (days)",
        initial=7,
        min_value=1,
        max_value=90,
        help_text="Anyone with the link can read this sheet as it is at that moment, "
        "without an account, until it expires or you revoke it.",
    )


class RestoreForm(forms.Form):
    # The version this page showed the changes against; a restore over a newer save
    # is refused, so nobody restores over work they have not seen.
    base_version = forms.IntegerField(widget=forms.HiddenInput)
    change_note = forms.CharField(
        label="Change note",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="The sheet is published: readers see the restored text at once. "
        "Leave empty for a minor change; a note is printed under “Last updated”.",
    )


def until(moment):
    """A moment as editors read it, in the site's time zone: “December 13, 2026,
    9:32 PM EST”, not the UTC date the database keeps."""
    return date_format(timezone.localtime(moment), "F j, Y, g:i A T")


def posted(request):
    """The form data of a POST, even an empty one; None for a GET, so the form is unbound."""
    return request.POST if request.method == "POST" else None


class WorkflowViews:
    """Pages around a FactSheetAdmin's change form; each checks its own permission."""

    def workflow_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/new-edition/",
                view(self.new_edition_view),
                name="factsheets_factsheet_new_edition",
            ),
            path(
                "<int:pk>/revisions/compare/",
                view(self.compare_view),
                name="factsheets_factsheet_compare",
            ),
            path(
                "<int:pk>/revisions/<int:version_id>/restore/",
                view(self.restore_view),
                name="factsheets_factsheet_restore",
            ),
            path(
                "<int:pk>/preview-links/new/",
                view(self.preview_link_view),
                name="factsheets_factsheet_preview_link",
            ),
            path(
                "<int:pk>/preview-links/<int:link_id>/revoke/",
                view(self.revoke_preview_link_view),
                name="factsheets_factsheet_revoke_preview_link",
            ),
            path(
                "<int:pk>/editing/",
                view(require_POST(self.still_editing_view)),
                name="factsheets_factsheet_editing",
            ),
        ]

    def _sheet(self, request, pk):
        sheet = self.get_object(request, str(pk))
        if sheet is None:
            raise Http404("No such sheet.")
        if not self.has_view_or_change_permission(request, sheet):
            raise PermissionDenied
        return sheet

    def _page(self, request, sheet, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/factsheets/factsheet/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": sheet,
                "sheet": sheet,
                "title": title,
                **context,
            },
        )

    def _back(self, sheet):
        return redirect("admin:factsheets_factsheet_change", sheet.pk)

    # New edition

    def new_edition_view(self, request, pk):
        sheet = self._sheet(request, pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewEditionForm(
            posted(request), initial={"issued_on": timezone.localdate()}
        )
        if form.is_valid():
            try:
                copy = sheet_operations.new_edition(
                    sheet, form.cleaned_data["issued_on"], by=request.user
                )
            except forms.ValidationError as error:
                form.add_error("issued_on", error)
            else:
                self.message_user(
                    request,
                    f"Created the draft “{copy}” from “{sheet}”. It is not published.",
                    messages.SUCCESS,
                )
                return redirect("admin:factsheets_factsheet_change", copy.pk)
        return self._page(
            request, sheet, "new_edition.html", f"New edition of {sheet}", form=form
        )

    # Revisions

    def history_view(self, request, object_id, extra_context=None):
        """The sheet's revisions: who saved, when, and why; compare or restore any."""
        sheet = self._sheet(request, object_id)
        versions = list(revisions.sheet_versions(sheet))
        return self._page(
            request,
            sheet,
            "revisions.html",
            f"Revisions of {sheet}",
            versions=versions,
            can_restore=roles.can_change(request.user, sheet),
        )

    def compare_view(self, request, pk):
        sheet = self._sheet(request, pk)
        versions = {v.pk: v for v in revisions.sheet_versions(sheet)}
        try:
            old = versions[int(request.GET["from"])]
            new = versions[int(request.GET["to"])]
        except (KeyError, ValueError):
            messages.error(request, "Choose two revisions of this sheet to compare.")
            return redirect("admin:factsheets_factsheet_history", sheet.pk)
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        return self._page(
            request,
            sheet,
            "compare.html",
            f"Changes to {sheet}",
            old=old,
            new=new,
            changes=compare(revisions.snapshot(old), revisions.snapshot(new)),
        )

    def restore_view(self, request, pk, version_id):
        sheet = self._sheet(request, pk)
        version = get_object_or_404(revisions.sheet_versions(sheet), pk=version_id)
        if not roles.can_change(request.user, sheet):
            raise Refused("Only publishers may restore a published sheet.")
        form = RestoreForm(posted(request), initial={"base_version": sheet.version})
        if not sheet.is_live:
            del form.fields["change_note"]
        if form.is_valid():
            sheet.version = form.cleaned_data["base_version"]
            try:
                sheet_operations.restore(
                    sheet,
                    version,
                    by=request.user,
                    note=form.cleaned_data.get("change_note", ""),
                )
            except Incomplete as error:
                form.add_error(None, error)
            except sheet_operations.RestoreRefused as error:
                form.add_error(None, str(error))
            except EditConflict:
                messages.error(
                    request,
                    "Someone saved this sheet after this page was opened. Nothing was "
                    "restored: here is what restoring would change now.",
                )
                return redirect(request.path)
            else:
                self.message_user(
                    request,
                    "Restored that revision, as a new revision: the revisions list "
                    "can bring back what it replaced.",
                    messages.SUCCESS,
                )
                return self._back(sheet)
        return self._page(
            request,
            sheet,
            "restore.html",
            f"Restore a revision of {sheet}",
            form=form,
            version=version,
            changes=compare(
                revisions.snapshot(revisions.sheet_versions(sheet).first()),
                revisions.snapshot(version),
            ),
        )

    # Preview links

    def preview_link_view(self, request, pk):
        sheet = self._sheet(request, pk)
        if not request.user.has_perm("factsheets.add_previewlink"):
            raise PermissionDenied
        form = PreviewLinkForm(posted(request))
        if form.is_valid():
            link = PreviewLink.create(sheet, form.cleaned_data["days"], by=request.user)
            self.message_user(
                request,
                format_html(
                    "Preview link created, valid until {}: {}",
                    until(link.expires_at),
                    absolute(link.get_absolute_url()),
                ),
                messages.SUCCESS,
            )
            return self._back(sheet)
        return self._page(
            request, sheet, "preview_link.html", f"Preview link for {sheet}", form=form
        )

    def revoke_preview_link_view(self, request, pk, link_id):
        sheet = self._sheet(request, pk)
        if not request.user.has_perm("factsheets.change_previewlink"):
            raise PermissionDenied
        link = get_object_or_404(sheet.preview_links, pk=link_id)
        if request.method == "POST":
            link.revoke()
            self.message_user(
                request, "The preview link no longer works.", messages.SUCCESS
            )
            return self._back(sheet)
        return self._page(
            request,
            sheet,
            "revoke_preview_link.html",
            "Revoke a preview link",
            link=link,
        )

    def preview_links(self, obj):
        """The sheet's preview links on its change form, each with its state."""
        if not obj.pk:
            return "Save the sheet first."
        links = list(obj.preview_links.select_related("created_by"))
        rows = format_html_join(
            "",
            "<li>{}</li>",
            (
                (
                    format_html(
                        '<a href="{}">{}</a> valid until {} · <a href="{}">Revoke</a>',
                        link.get_absolute_url(),
                        "Preview link",
                        until(link.expires_at),
                        reverse(
                            "admin:factsheets_factsheet_revoke_preview_link",
                            args=[obj.pk, link.pk],
                        ),
                    )
                    if link.is_valid
                    else format_html(
                        "Preview link of {}: {}",
                        date_format(timezone.localtime(link.created_at), "F j, Y"),
                        "revoked" if link.revoked_at else "expired",
                    ),
                )
                for link in links
            ),
        )
        return format_html(
            '{}<p><a href="{}">Create a preview link</a></p>',
            format_html("<ul>{}</ul>", rows) if links else "None yet.",
            reverse("admin:factsheets_factsheet_preview_link", args=[obj.pk]),
        )

    preview_links.short_description = "preview links"

    # Who else is editing

    def still_editing_view(self, request, pk):
        sheet = self._sheet(request, pk)
        if not self.has_change_permission(request, sheet):
            raise PermissionDenied
        if "left" in request.POST:
            # The page was left without saving: others are no longer told of it.
            EditingSession.closed(sheet, request.user)
        else:
            EditingSession.opened(sheet, request.user)
        return HttpResponse(status=204)
