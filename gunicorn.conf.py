"""gunicorn's settings for the site; gunicorn reads ./gunicorn.conf.py by itself
when started from the project's folder (`make run`, README "Deploying").

Only the site's TRUSTED_PROXIES may tell gunicorn that a request came over https
(X-Forwarded-Proto and the like), as only they may tell the site; gunicorn's own
default trusts any local address, and its FORWARDED_ALLOW_IPS is not read."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402

forwarded_allow_ips = ",".join(settings.TRUSTED_PROXIES)
