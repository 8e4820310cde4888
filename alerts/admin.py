from django.contrib import admin
from django.db.models import Count, Q

from alerts.models import Alert, Outgoing
from factsheets.admin.base import ModelAdmin

State = Outgoing.State


@admin.register(Alert)
class AlertAdmin(ModelAdmin):
    """What readers were told, and how far the telling has gone: counts of
    readers, never an address."""

    list_display = [
        "factsheet",
        "kind",
        "created_at",
        "readers",
        "sent",
        "waiting",
        "failed",
    ]
    list_filter = ["kind"]
    list_select_related = ["factsheet__country"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "key",
        "kind",
        "factsheet",
        "note",
        "created_at",
        "fanned_out_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                readers_count=Count("deliveries"),
                sent_count=Count("deliveries", filter=Q(deliveries__state=State.SENT)),
                waiting_count=Count(
                    "deliveries", filter=Q(deliveries__state=State.PENDING)
                ),
                failed_count=Count(
                    "deliveries", filter=Q(deliveries__state=State.FAILED)
                ),
            )
        )

    @admin.display(description="Readers", ordering="readers_count")
    def readers(self, alert):
        return alert.readers_count if alert.fanned_out_at else "being counted"

    @admin.display(description="Sent", ordering="sent_count")
    def sent(self, alert):
        return alert.sent_count

    @admin.display(description="Waiting", ordering="waiting_count")
    def waiting(self, alert):
        return alert.waiting_count

    @admin.display(description="Failed", ordering="failed_count")
    def failed(self, alert):
        return alert.failed_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
