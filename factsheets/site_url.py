"""The site's public address, SITE_URL, from which every absolute address is made.

Canonical links, Open Graph and JSON-LD, feeds, the sitemap, robots.txt, the open
data, the address and QR code printed on a sheet, shared preview links: all name
SITE_URL, never the Host header of the request. A page is then the same whichever
allowed host, port or spelling of it a request named, so the page cache keeps one
copy of it (pagecache/storage.py), and nobody can have a page name a host of their
choosing to the readers served after them.
"""

from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host
from django.utils.encoding import iri_to_uri


def absolute(url):
    """`url`, a path on this site (or an address elsewhere, kept), as a full address."""
    return iri_to_uri(urljoin(settings.SITE_URL, url))


def scheme():
    return urlsplit(settings.SITE_URL).scheme


def host():
    """The host and port, as in an address: factsheets.example.gov, 127.0.0.1:8000."""
    return urlsplit(settings.SITE_URL).netloc


def hostname():
    """The host name alone, as the footer names the site."""
    return urlsplit(settings.SITE_URL).hostname or ""


@checks.register(checks.Tags.urls)
def check_site_url(app_configs, **kwargs):
    """SITE_URL is a scheme and a host, nothing more: paths are the site's own."""
    parts = urlsplit(settings.SITE_URL)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        return [
            checks.Error(
                f"SITE_URL must be the site's scheme and host, such as "
                f"https://factsheets.example.gov, not {settings.SITE_URL!r}.",
                id="factsheets.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_site_url_deploy(app_configs, **kwargs):
    """In production the public address is an allowed host, over HTTPS."""
    parts = urlsplit(settings.SITE_URL)
    found = []
    if parts.hostname and not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        found.append(
            checks.Warning(
                f"SITE_URL names {parts.hostname}, which is not in ALLOWED_HOSTS: "
                "every page would link to a host the site does not answer.",
                id="factsheets.W001",
            )
        )
    if settings.SECURE_SSL_REDIRECT and parts.scheme != "https":
        found.append(
            checks.Warning(
                "SITE_URL is not https:// while SECURE_SSL_REDIRECT is on: pages "
                "would name addresses that only redirect.",
                id="factsheets.W002",
            )
        )
    return found
