"""What a page's <head> tells search engines, link previews and feed readers."""

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import json_script
from django.utils.safestring import mark_safe
from django.utils.translation import to_locale

from factsheets.models import Bureau, FactSheet
from factsheets.site_url import absolute

register = template.Library()

SITE_TITLE = "Bilateral relations fact sheets"


@register.simple_tag(takes_context=True)
def page_meta(context):
    """The canonical address, Open Graph values, feeds and JSON-LD of the page.

    Made from what the view put in the context, without a query. Previews and
    error pages get no canonical address or Open Graph values.
    """
    request = context.get("request")
    if request is None:
        return {}
    factsheet = context.get("factsheet")
    if not isinstance(factsheet, FactSheet) or context.get("is_preview"):
        factsheet = None
    bureau = context.get("bureau")
    if not isinstance(bureau, Bureau):
        bureau = None
    meta = {
        "feeds": [
            (f"Fact sheets: {settings.DEPARTMENT_NAME}", reverse("factsheets:feed"))
        ]
    }
    if bureau is not None:
        meta["feeds"].append(
            (
                f"Fact sheets: {bureau.name}",
                reverse("factsheets:bureau_feed", kwargs={"slug": bureau.slug}),
            )
        )
    if factsheet is not None:
        meta["feeds"].append(
            (
                f"Fact sheets: {factsheet.country.name}",
                reverse(
                    "factsheets:country_feed",
                    kwargs={"country_slug": factsheet.country.slug},
                ),
            )
        )

    # A 404 page (Django's handler puts request_path in the context) and any
    # other page kept out of search engines, but a superseded edition, has no
    # address of its own to name.
    error_page = "request_path" in context
    hidden = context.get("noindex") and not context.get("superseded_by")
    if context.get("is_preview") or error_page or hidden:
        return meta

    if factsheet is not None:
        meta.update(sheet_meta(request, factsheet, context.get("superseded_by")))
    else:
        breadcrumbs = context.get("breadcrumbs") or []
        meta.update(
            canonical=absolute(request.path),
            title=bureau.name if bureau else page_title(breadcrumbs),
            description=(
                f"Fact sheets of the {bureau.name} ({bureau.short_name})."
                if bureau
                else "Bilateral relations fact sheets published by the "
                f"{settings.DEPARTMENT_NAME}."
            ),
            type="website",
        )
    meta.update(
        site_name=settings.DEPARTMENT_NAME,
        locale=to_locale(settings.LANGUAGE_CODE),
    )
    return meta


def page_title(breadcrumbs):
    """The page's own name, the last of its breadcrumbs; the site's on the home page."""
    try:
        return str(breadcrumbs[-1][0])
    except (IndexError, TypeError):
        return SITE_TITLE


def sheet_meta(request, factsheet, superseded_by=None):
    country_url = reverse(
        "factsheets:detail", kwargs={"country_slug": factsheet.country.slug}
    )
    url = absolute(factsheet.get_edition_url() if superseded_by else country_url)
    issued = date_format(factsheet.issued_on, "F j, Y") if factsheet.issued_on else ""
    description = factsheet.lead or (
        f"{factsheet.title}: {factsheet.kind} by the {factsheet.bureau.name}"
        + (f", {issued}." if issued else ".")
    )
    title = factsheet.title
    if superseded_by:
        title = f"{title} ({issued}, superseded edition)"
    home = absolute(reverse("factsheets:home"))
    article = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": factsheet.title,
        "description": description,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": to_locale(settings.LANGUAGE_CODE).replace("_", "-"),
        "datePublished": factsheet.issued_on,
        "dateModified": factsheet.public_updated_at,
        "author": {"@type": "Organization", "name": factsheet.bureau.name},
        "publisher": {
            "@type": "Organization",
            "name": settings.DEPARTMENT_NAME,
            "url": home,
        },
        "about": {"@type": "Country", "name": factsheet.country.name},
        "isPartOf": {"@type": "WebSite", "name": SITE_TITLE, "url": home},
    }
    meta = {
        "canonical": url,
        "title": title,
        "description": description,
        "type": "article",
        "published_time": factsheet.issued_on,
        "modified_time": factsheet.public_updated_at,
        "json_ld": json_ld(article),
    }
    if not superseded_by:
        meta["json_url"] = reverse(
            "factsheets:sheet_json", kwargs={"country_slug": factsheet.country.slug}
        )
    return meta


def json_ld(data):
    """`data` in a JSON-LD script; json_script escapes <, > and & for the script."""
    script = json_script(data, encoder=DjangoJSONEncoder)
    return mark_safe(  # Only the tag's type changes; the content stays escaped.
        script.replace(
            '<script type="application/json">', '<script type="application/ld+json">', 1
        )
    )
