from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.urls import path
from django.utils import timezone

from factsheets.admin.base import ModelAdmin
from notices import views
from notices.models import Email, Preference


@admin.register(Email)
class EmailAdmin(ModelAdmin):
    """The outbox, read-only: what was sent, what waits, and what failed and why."""

    list_display = [
        "subject_or_key",
        "to",
        "state",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state"]
    list_select_related = ["recipient"]
    search_fields = ["key", "to", "subject", "recipient__username"]
    date_hierarchy = "created_at"
    actions = ["try_again"]
    readonly_fields = [field.name for field in Email._meta.fields]

    @admin.display(description="Subject", ordering="subject")
    def subject_or_key(self, email):
        return str(email)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A deleted email would leave its notices without one, and the next
        # digest would carry them again.
        return False

    @admin.action(description="Try the failed emails again", permissions=["view"])
    def try_again(self, request, queryset):
        # The same message, to the recipient's address as it is now: a refusal is
        # most often a wrong address, which an administrator corrects before this
        # (someone left with no address has nowhere to be sent to).
        address = (
            get_user_model().objects.filter(pk=OuterRef("recipient")).values("email")
        )
        retried = queryset.filter(state=Email.State.FAILED).exclude(recipient__email="")
        count = retried.update(
            state=Email.State.PENDING,
            to=Subquery(address),
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_until=None,
        )
        messages.success(
            request, f"{count} failed email(s) will be sent again by the worker."
        )


@admin.register(Preference)
class PreferenceAdmin(ModelAdmin):
    """Everyone's choices, for administrators; each person sets their own at
    /admin/notices/preference/mine/, linked at the top of every admin page.
    (Built on the site's hardened ModelAdmin, as every admin registered after the
    factsheets app's must be.)"""

    list_display = ["user", "delivery", "kinds_off"]
    list_filter = ["delivery"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]

    def get_urls(self):
        return [
            path(
                "mine/",
                self.admin_site.admin_view(self.preferences_view),
                name="notices_preferences",
            ),
            *super().get_urls(),
        ]

    def preferences_view(self, request):
        return views.preferences(request, self)
