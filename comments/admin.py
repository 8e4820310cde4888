"""Comments in the admin: each sheet's thread on a page of its own, where comments
are added, resolved and reopened (forms of their own, outside the sheet's change
form), and a read-only list of every comment."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from comments import comment_operations
from comments.forms import CommentForm
from comments.models import Comment
from factsheets.admin.base import ModelAdmin
from factsheets.models import FactSheet


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() == "resolved":
            return queryset.resolved()
        return queryset


@admin.register(Comment)
class CommentAdmin(ModelAdmin):
    list_display = ["short_body", "factsheet", "where", "author", "created_at", "state"]
    list_filter = [StateFilter]
    list_select_related = ["factsheet", "section", "author"]
    search_fields = ["body", "factsheet__title"]
    date_hierarchy = "created_at"

    # Those who may open sheets read the comments here; comments are written on
    # each sheet's thread page, never through the model's own forms.
    def has_module_permission(self, request):
        return comment_operations.may_read(request.user)

    def has_view_permission(self, request, obj=None):
        return comment_operations.may_read(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Comments go with their sheet: whoever may delete sheets deletes them too.
        return request.user.has_perm("factsheets.delete_factsheet")

    def get_actions(self, request):
        return {}

    @admin.display(description="comment")
    def short_body(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj):
        return "Resolved" if obj.is_resolved else "Open"

    def get_urls(self):
        return [
            path(
                "thread/<int:sheet_id>/",
                self.admin_site.admin_view(self.thread_view),
                name="comments_comment_thread",
            ),
            *super().get_urls(),
        ]

    def thread_view(self, request, sheet_id):
        """A sheet's comments, a form to add one, and a button to resolve or reopen
        each; every change is a POST of its own form, and leads back here."""
        sheet = get_object_or_404(
            FactSheet.objects.select_related("country"), pk=sheet_id
        )
        if not comment_operations.may_read(request.user, sheet):
            raise PermissionDenied
        sections = list(sheet.sections.only("pk", "heading", "factsheet_id"))
        form = CommentForm(sections=sections)
        if request.method == "POST":
            if "resolve" in request.POST or "reopen" in request.POST:
                return self.settle(request, sheet)
            form = CommentForm(request.POST, sections=sections)
            if form.is_valid():
                try:
                    comment_operations.add(
                        sheet,
                        by=request.user,
                        body=form.cleaned_data["body"],
                        section=form.cleaned_data["section"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request, "Your comment is added.", messages.SUCCESS
                    )
                    return redirect(self.thread_url(sheet))
        comments = list(Comment.objects.filter(factsheet=sheet).for_display())
        for comment in comments:
            comment.factsheet = sheet
            comment.may_resolve = comment_operations.may_resolve(request.user, comment)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "sheet_opts": FactSheet._meta,
            "title": f"Comments on “{sheet}”",
            "sheet": sheet,
            "comments": comments,
            "open_count": sum(not c.is_resolved for c in comments),
            "resolved_count": sum(c.is_resolved for c in comments),
            "form": form,
        }
        return TemplateResponse(request, "admin/comments/comment/thread.html", context)

    def settle(self, request, sheet):
        resolving = "resolve" in request.POST
        key = request.POST.get("resolve" if resolving else "reopen", "")
        if not (key.isascii() and key.isdigit()) or len(key) > 18:
            raise Http404("No such comment.")
        comment = get_object_or_404(Comment, pk=int(key), factsheet=sheet)
        comment.factsheet = sheet
        if resolving:
            comment_operations.resolve(comment, by=request.user)
            message = "The comment is resolved."
        else:
            comment_operations.reopen(comment, by=request.user)
            message = "The comment is open again."
        self.message_user(request, message, messages.SUCCESS)
        return redirect(f"{self.thread_url(sheet)}#comment-{comment.pk}")

    def thread_url(self, sheet):
        return reverse("admin:comments_comment_thread", args=[sheet.pk])
