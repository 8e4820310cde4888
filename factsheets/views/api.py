"""The current sheets as JSON: open data anyone may read, from any site."""

from decimal import Decimal
from urllib.parse import urljoin

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

import pagecache
from factsheets import page_tags
from factsheets.models import FactSheet
from factsheets.site_url import absolute


def json_response(data, status=200):
    response = JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    # Public open data: any site's scripts may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def amount_string(amount):
    """The exact amount as a string: “135400000”, or “80000.50” when it has cents."""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"{amount.quantize(Decimal(1)):f}"
    return f"{amount:f}"


def isoformat(value):
    return value.isoformat() if value else None


def sheet_url(factsheet):
    return absolute(
        reverse("factsheets:detail", kwargs={"country_slug": factsheet.country.slug})
    )


def json_url(factsheet):
    return absolute(
        reverse(
            "factsheets:sheet_json", kwargs={"country_slug": factsheet.country.slug}
        )
    )


def edition_url(factsheet, edition):
    """Where an edition of `factsheet`'s country is read: the current one at the
    country's address, the others at their dated ones."""
    if edition.pk == factsheet.pk:
        return sheet_url(factsheet)
    return absolute(
        reverse(
            "factsheets:edition",
            kwargs={
                "country_slug": factsheet.country.slug,
                "issued_on": edition.issued_on,
            },
        )
    )


def summary(factsheet):
    """What the catalogue says of a sheet; the sheet's own JSON starts the same."""
    return {
        "title": factsheet.title,
        "kind": factsheet.kind,
        "country": {"name": factsheet.country.name, "slug": factsheet.country.slug},
        "bureau": {"name": factsheet.bureau.name, "slug": factsheet.bureau.slug},
        "issued_on": isoformat(factsheet.issued_on),
        "last_updated": isoformat(factsheet.revised_at),
        "url": sheet_url(factsheet),
        "json_url": json_url(factsheet),
    }


@require_safe
@pagecache.shows(page_tags.CATALOGUE, page_tags.UPDATES)
def catalogue(request):
    """Every current sheet, A to Z by country."""
    factsheets = (
        FactSheet.objects.current()
        .select_related("country", "bureau")
        .order_by("country__name")
    )
    return json_response(
        {
            "publisher": settings.DEPARTMENT_NAME,
            "fact_sheets": [summary(factsheet) for factsheet in factsheets],
        }
    )


@require_safe
def sheet(request, country_slug):
    """The country's current sheet, with everything its page shows."""
    factsheet = (
        FactSheet.objects.current()
        .for_display()
        .filter(country__slug=country_slug)
        .first()
    )
    if factsheet is None:
        return json_response(
            {"error": "No published fact sheet for this country."}, status=404
        )
    pagecache.depends_on(
        request, page_tags.sheet(factsheet.pk), page_tags.country(factsheet.country_id)
    )
    url = sheet_url(factsheet)
    editions = factsheet.editions().only("pk", "issued_on", "country_id")
    data = summary(factsheet)
    data.update(
        {
            "notice": factsheet.notice,
            "lead": factsheet.lead,
            "sections": [
                {"heading": section.heading, "html": section.body}
                for section in factsheet.sections.all()
            ],
            "assistance_lines": [
                {
                    "period": line.period,
                    "year": line.year,
                    "year_end": line.year_end,
                    "period_label": line.period_label,
                    "kind": line.kind,
                    "qualifier": line.qualifier,
                    "amount_usd": amount_string(line.amount_usd),
                    "amount_text": line.amount_text,
                    "agency": line.agency,
                    "note": line.note,
                }
                for line in factsheet.assistance_lines.all()
            ],
            "officials": [
                {"role": official.role, "name": official.name}
                for official in factsheet.officials.all()
            ],
            "related_links_intro": factsheet.links_intro,
            "related_links": [
                {
                    "title": link.title,
                    "url": urljoin(url, link.url) if link.url else None,
                }
                for link in factsheet.related_links.all()
            ],
            "change_notes": [
                {"made_at": isoformat(note.made_at), "note": note.note}
                for note in factsheet.change_notes.all()
            ],
            "editions": [
                {
                    "issued_on": isoformat(edition.issued_on),
                    "url": edition_url(factsheet, edition),
                }
                for edition in editions
            ],
        }
    )
    return json_response(data)
