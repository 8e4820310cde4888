import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from operations.proxies import UntrustedForwarding  # noqa: E402 (needs the settings)

# Pages a worker kept are served before Django's handler (pagecache/wsgi.py).
from pagecache.wsgi import PageCacheFront  # noqa: E402

# Forwarding headers a client wrote itself are gone before the page cache looks.
application = UntrustedForwarding(PageCacheFront(application))
