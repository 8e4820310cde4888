"""How the site runs: error pages and the health check, the site-wide middleware, the
log filter, trusted proxies, and backups with their `backup` and `restore` commands.

What other apps may use is here; the rest is the app's own. The settings, URLconf
and WSGI file name its middleware, views, log filter and WSGI wrapper by their
modules, as Django's settings do. Django imports this package while it loads the
apps (and the log filter while it reads LOGGING), so it imports no models.
"""

from operations.db import without_statement_timeout
from operations.decorators import accepts_import_upload
from operations.proxies import client_address
from operations.refusals import Refused
from operations.security import allow_inline_style

__all__ = [
    "Refused",
    "accepts_import_upload",
    "allow_inline_style",
    "client_address",
    "without_statement_timeout",
]
