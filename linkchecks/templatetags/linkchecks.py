from django import template
from django.conf import settings

from linkchecks.results import sheet_report

register = template.Library()


@register.inclusion_tag("admin/linkchecks/link_checks.html")
def link_checks(factsheet):
    """What the checks found of the links on `factsheet`, for its change form."""
    return {
        "report": sheet_report(factsheet),
        "interval_hours": settings.LINK_CHECK_INTERVAL_HOURS,
    }
