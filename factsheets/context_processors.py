from django.conf import settings

from factsheets import site_url


def department(request):
    """Who publishes the sheets: shown in the masthead and the printed banner."""
    return {
        "department": {
            "name": settings.DEPARTMENT_NAME,
            "tagline": settings.DEPARTMENT_TAGLINE,
            "seal": settings.DEPARTMENT_SEAL,
            "seal_alt": settings.DEPARTMENT_SEAL_ALT,
        }
    }


def federal_identifier(request):
    """The footer's site identifier: this site, its parent agency, the required links."""
    site = site_url.hostname()
    return {"federal_identifier": {**settings.FEDERAL_IDENTIFIER, "site": site}}
