from django.conf import settings


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
