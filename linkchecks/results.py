"""What the checks found, as the admin and the dashboard show it."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from factsheets.models import FactSheet
from linkchecks.finding import links_of
from linkchecks.models import Link, LinkUse
from linkchecks.runs import used_by_current_sheets


def failed():
    """Links that failed their last check and a current sheet uses, the newest
    failures first; each with `current_uses`, the places on current sheets that
    link to it (with the sheet and its country). Counting them is one query;
    reading them, two, however many there are."""
    current_uses = LinkUse.objects.filter(
        factsheet__in=FactSheet.objects.current()
    ).select_related("factsheet__country")
    return (
        Link.objects.failing()
        .filter(used_by_current_sheets())
        .order_by("-failing_since", "url")
        .prefetch_related(
            Prefetch("uses", queryset=current_uses, to_attr="current_uses")
        )
    )


@dataclass
class SheetReport:
    """The links on one sheet as it is now, and what their last checks found."""

    failing: list = field(default_factory=list)  # Links, each with `places`
    ok: int = 0
    unchecked: int = 0
    last_checked: object = None

    @property
    def total(self):
        return len(self.failing) + self.ok + self.unchecked


def sheet_report(factsheet):
    """Read from the sheet's content as it is now, so a link just removed is not
    reported and one just added shows as not checked yet."""
    found = links_of(factsheet)
    places = {}
    for use in found:
        places.setdefault(use.url, []).append(use)
    checked = {link.url: link for link in Link.objects.for_urls(places)}
    report = SheetReport()
    for url, where in places.items():
        link = checked.get(url)
        if link is None or link.checked_at is None:
            report.unchecked += 1
            continue
        if report.last_checked is None or link.checked_at > report.last_checked:
            report.last_checked = link.checked_at
        if link.is_failing:
            link.places = where
            report.failing.append(link)
        else:
            report.ok += 1
    return report


def broken_links(factsheet):
    """The links on `factsheet` that failed their last check (broken or
    unreachable), each with `places`: the Found entries saying where on the sheet."""
    return sheet_report(factsheet).failing
