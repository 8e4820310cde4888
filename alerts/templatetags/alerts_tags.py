from django import template

from alerts.forms import SubscribeForm
from alerts.models import Frequency

register = template.Library()


@register.inclusion_tag("alerts/_form.html")
def alerts_form(form=None, country=None, bureau=None, prefix="alerts"):
    """The small form asking for alerts of a country's sheet, a bureau's sheets, or
    (with neither) every sheet. It carries no CSRF token, so the pages it sits on
    stay the same for every reader and the page cache keeps one copy."""
    form = form or SubscribeForm()
    chosen = (
        form.data.get("frequency") if form.is_bound else None
    ) or Frequency.IMMEDIATE
    if country:
        list_name = f"the {country.name} fact sheet"
    elif bureau:
        list_name = f"fact sheets of the {bureau.name}"
    else:
        list_name = "every fact sheet"
    return {
        "form": form,
        "prefix": prefix,
        "country": getattr(country, "slug", ""),
        "bureau": getattr(bureau, "slug", ""),
        "list_name": list_name,
        "frequencies": Frequency.choices,
        "chosen": chosen,
    }


@register.simple_tag
def readers_told(factsheet):
    """How many readers an alert about `factsheet` would reach now: those
    following its country, its bureau or everything, confirmed and deliverable.
    A count, never an address."""
    from alerts import readers_told

    return readers_told(factsheet)
