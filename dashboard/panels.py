"""The panels of the admin's first page: what is waiting for whom, each as a count
and its first rows, in one query a panel however much there is."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

import alerts
import background
import linkchecks
from factsheets import roles
from factsheets.models import FactSheet, ImportRecord

# How many rows each panel lists; its count says how many there are in all.
FIRST_ROWS = 5


@dataclass(frozen=True)
class Row:
    text: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    count: int
    rows: list = field(default_factory=list)
    empty: str = "None."
    more_url: str = ""
    summary: str = ""


def when(moment):
    # As the admin's workflow pages write times: “December 13, 2026, 9:32 PM EST”.
    return date_format(timezone.localtime(moment), "F j, Y, g:i A T")


def first_rows(queryset):
    """The first rows of `queryset` and how many it holds, in one query: the
    count rides on each row as a window over the whole result."""
    rows = list(queryset.annotate(total=Window(Count("pk")))[:FIRST_ROWS])
    return rows, (rows[0].total if rows else 0)


def sheet_panel(key, title, queryset, detail, empty, more_url=""):
    sheets, count = first_rows(queryset.select_related("country"))
    rows = [
        Row(
            str(sheet),
            reverse("admin:factsheets_factsheet_change", args=[sheet.pk]),
            detail(sheet),
        )
        for sheet in sheets
    ]
    return Panel(key, title, count, rows, empty, more_url)


def sheet_list(**filters):
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return f"{reverse('admin:factsheets_factsheet_changelist')}?{query}"


def panels(user):
    """The panels `user` may see, in the order a busy desk reads them."""
    if not roles.can_preview(user):
        return []
    sheets = FactSheet.objects
    shown = [
        sheet_panel(
            "my-drafts",
            "My drafts",
            sheets.drafts_by(user),
            lambda s: (
                f"Last changed {when(s.content_changed_at)}"
                if s.content_changed_at
                else ""
            ),
            "You have no drafts.",
        ),
    ]
    if roles.can_publish(user):
        shown.append(
            sheet_panel(
                "waiting-for-review",
                "Waiting for my review",
                sheets.awaiting_review_by(user),
                lambda s: f"Submitted {when(s.submitted_at)}" if s.submitted_at else "",
                "Nothing is waiting for review.",
                sheet_list(status__exact=FactSheet.Status.IN_REVIEW),
            )
        )
    else:
        shown.append(
            sheet_panel(
                "in-review",
                "In review",
                sheets.in_review(),
                lambda s: f"Submitted {when(s.submitted_at)}" if s.submitted_at else "",
                "Nothing is in review.",
                sheet_list(status__exact=FactSheet.Status.IN_REVIEW),
            )
        )
    shown += [
        sheet_panel(
            "sent-back",
            "Sent back to me",
            sheets.sent_back_to(user),
            lambda s: "Changes requested",
            "Nothing has been sent back to you.",
        ),
        sheet_panel(
            "scheduled",
            "Scheduled",
            sheets.scheduled(),
            lambda s: f"Goes live {when(s.publish_at)}",
            "No sheet is scheduled.",
        ),
        sheet_panel(
            "recently-published",
            "Recently published",
            sheets.recently_published(days=settings.DASHBOARD_RECENT_DAYS),
            lambda s: f"Published {when(s.publish_at)}",
            f"Nothing was published in the last {settings.DASHBOARD_RECENT_DAYS} days.",
        ),
        old_sheets_panel(),
        imports_panel(),
        failed_links_panel(),
        alerts_panel(),
        queue_panel(),
    ]
    return shown


def months_before(day, months):
    """The same day `months` months before `day` (the month's last day if shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month + 1, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def old_sheets_panel():
    """Current sheets issued more than DASHBOARD_OLD_AFTER_MONTHS ago, by bureau."""
    months = settings.DASHBOARD_OLD_AFTER_MONTHS
    cutoff = months_before(timezone.localdate(), months)
    by_bureau = (
        FactSheet.objects.current()
        .filter(issued_on__lt=cutoff)
        .values("bureau__pk", "bureau__name")
        .annotate(sheets=Count("pk"))
        .order_by("-sheets", "bureau__name")
    )
    rows = [
        Row(
            group["bureau__name"],
            sheet_list(bureau__id__exact=group["bureau__pk"]),
            f"{group['sheets']} sheet{'s' if group['sheets'] != 1 else ''}",
        )
        for group in by_bureau
    ]
    return Panel(
        "old-sheets",
        f"Current sheets older than {months} months",
        sum(group["sheets"] for group in by_bureau),
        rows,
        f"Every current sheet was issued in the last {months} months.",
    )


def alerts_panel():
    """Readers following sheets by email, per list: counts, never an address."""
    counts = alerts.list_counts()
    readers = alerts.reader_count()
    rows = [
        Row(name, "", f"{count} reader{'s' if count != 1 else ''}")
        for name, count in counts[:FIRST_ROWS]
    ]
    return Panel(
        "email-alerts",
        "Readers following by email",
        readers,
        rows,
        "No reader follows a sheet by email yet.",
    )


def imports_panel():
    """Imported sheets not yet published whose latest import left warnings."""
    latest = ImportRecord.objects.filter(factsheet=OuterRef("factsheet")).order_by(
        "-imported_at", "-pk"
    )
    records, count = first_rows(
        ImportRecord.objects.filter(pk=Subquery(latest.values("pk")[:1]))
        .exclude(factsheet__status=FactSheet.Status.PUBLISHED)
        .filter(report__has_key="warnings")
        .exclude(report__warnings=[])
        .select_related("factsheet__country")
        .order_by("-imported_at", "-pk")
    )
    rows = [
        Row(
            str(record.factsheet),
            reverse("admin:factsheets_factsheet_change", args=[record.factsheet_id]),
            f"{len(record.report['warnings'])} to check, imported {when(record.imported_at)}",
        )
        for record in records
    ]
    return Panel(
        "imports",
        "Imports with warnings to check",
        count,
        rows,
        "No imported draft has warnings left to check.",
    )


def failed_links_panel():
    links = linkchecks.failed()
    first = list(links[:FIRST_ROWS])
    count = links.count()
    rows = []
    for link in first:
        places = ", ".join(str(use.factsheet) for use in link.current_uses[:2])
        rows.append(
            Row(
                link.url,
                link.url,
                f"{link.get_result_display()}"
                + (f" ({link.status_code})" if link.status_code else "")
                + f" · on {places}",
            )
        )
    return Panel(
        "failed-links", "Links that failed their check", count, rows, "No link failed."
    )


def queue_panel():
    state = background.queue_state()
    return Panel("queue", "Background work", state.waiting, [], summary=str(state))
