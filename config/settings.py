import datetime
import ipaddress
import os
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(DEBUG=(bool, False))
environ.Env.read_env(BASE_DIR / ".env")  # optional file; real environment variables win

DEBUG = env("DEBUG")
TESTING = sys.argv[1:2] == ["test"] or "PYTEST_VERSION" in os.environ

if DEBUG or TESTING:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-only")
else:
    SECRET_KEY = env("SECRET_KEY")  # ImproperlyConfigured when missing

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The site's public address, scheme and host only (e.g. https://factsheets.example.gov).
# Every absolute address a page gives is made from it, never from the Host header of
# the request, so pages and the page cache are the same for every allowed host
# (factsheets/site_url.py). The default is where `make run` serves.
SITE_URL = env(
    "SITE_URL", default="http://testserver" if TESTING else "http://127.0.0.1:8000"
).rstrip("/")
# The site is served at the root: no request header (gunicorn takes SCRIPT_NAME from
# one) moves it under a prefix, which every link of a page would then carry.
FORCE_SCRIPT_NAME = ""

INSTALLED_APPS = [
    "factsheets.apps.AdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_prose_editor",
    "reversion",
    # The task queue (background/), before ours: its admin is hardened as the rest.
    "django_tasks",
    "django_tasks_db",
    # Sign-in lockouts and the second factor (accounts/), before ours: our admin
    # hardens every admin registered before it, accounts' own among them.
    "accounts.apps.SignInAttemptsConfig",  # django-axes
    "django_otp",
    "accounts.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "accounts",
    "factsheets",
    "pagecache",
    "operations",
    "background",
    "prerender",
    "notices",
    "alerts",
    "comments",
    "linkchecks",
    "dashboard",
]

MIDDLEWARE = [
    # X-Forwarded-For and -Proto only from TRUSTED_PROXIES (operations/proxies.py).
    "operations.middleware.UntrustedForwardingMiddleware",
    # Public pages from the cache, before anything else costs anything; a stored
    # page keeps the headers the middleware below adds (pagecache/).
    "pagecache.middleware.PageCacheMiddleware",
    # A database that fails answers 503; log records name their request
    # (operations/middleware.py).
    "operations.middleware.DatabaseUnavailableMiddleware",
    # Content-Security-Policy, Permissions-Policy, X-Frame-Options and HSTS on every
    # response, static files, errors and the redirect to https too: outside the
    # security middleware, which answers that redirect itself
    # (operations/middleware.py).
    "operations.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "operations.middleware.RedirectToHttpsHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A body larger than its sender may send answers 413 before it is read
    # (operations/middleware.py): before the session is read, and before CSRF's check.
    "operations.middleware.RequestSizeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Old addresses of the sheets lead to their new ones (factsheets/middleware.py).
    "factsheets.middleware.LegacyAddressMiddleware",
    # The admin: a second factor where staff have one or must, and the page that
    # says a sign-in is locked out (accounts/; django-axes, last).
    "accounts.middleware.AdminGuardMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "factsheets.context_processors.department",
                "factsheets.context_processors.federal_identifier",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the browser tests' live server then opens its own
    # connection instead of sharing the test thread's across threads.
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / f"test-db-{os.getpid()}.sqlite3"}
    # A transaction takes the write lock when it begins, so two saves of one sheet
    # queue up instead of one failing with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# A worker keeps its connection between requests (opening one costs more than a
# sheet's queries on PostgreSQL) and checks it is alive before reusing it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that refuses or does not answer must not hold a worker: connecting and
# each statement have a limit (seconds, 0 for none), and pages answer 503 meanwhile
# (operations/views.py). `migrate` has none: a migration may rewrite a table or
# build an index for longer than a page should wait. SQLite has no network to hang
# on; its 20 s above is how long a save waits for another save to finish.
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=3)
DB_STATEMENT_TIMEOUT = (
    0 if sys.argv[1:2] == ["migrate"] else env.float("DB_STATEMENT_TIMEOUT", default=5)
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if DB_STATEMENT_TIMEOUT:  # in milliseconds, after any options DATABASE_URL gives
        _options["options"] = (
            f"{_options.get('options', '')} "
            f"-c statement_timeout={round(DB_STATEMENT_TIMEOUT * 1000)}"
        ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# By default the cache lives in files under .cache/, shared by every process on this
# machine (gunicorn's workers, the shell, management commands), so a change saved by
# any of them shows in the pages all of them serve next. Tests use each process's
# memory. Several machines share Redis (CACHE_URL=redis://...).
CACHES = {
    "default": env.cache(
        "CACHE_URL",
        default="locmemcache://"
        if TESTING
        else f"filecache://{BASE_DIR / '.cache' / 'pages'}",
    )
}
if (
    CACHES["default"]["BACKEND"]
    == "django.core.cache.backends.filebased.FileBasedCache"
):
    # Counting its files at one write in a hundred, not at each (pagecache/files.py),
    # and room for every stored page of a large catalogue, their tags and fragments:
    # at 195 countries, about 3,000 files and 200 MB.
    CACHES["default"]["BACKEND"] = "pagecache.files.FileCache"
    CACHES["default"].setdefault("OPTIONS", {}).setdefault(
        "MAX_ENTRIES", env.int("CACHE_MAX_ENTRIES", default=20_000)
    )
elif CACHES["default"]["BACKEND"].startswith(
    ("django_redis.", "django.core.cache.backends.redis.")
):
    # Django's own Redis backend (with the redis package), not django-redis, which
    # some django-environ versions name for redis:// and rediss:// URLs; one client
    # per pool instead of one per call (pagecache/redis.py).
    CACHES["default"] = {
        "BACKEND": "pagecache.redis.ReusedClientRedisCache",
        "LOCATION": CACHES["default"]["LOCATION"],
        # A Redis that does not answer costs a call this many seconds, not the
        # worker: pages are then rendered uncached, /healthz says 503.
        "OPTIONS": {
            "socket_connect_timeout": env.float("CACHE_TIMEOUT", default=1),
            "socket_timeout": env.float("CACHE_TIMEOUT", default=1),
        },
    }

# The page cache (pagecache/): public pages are stored in the cache above and stay
# exact for every process that shares it. Off for a comparison.
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
# Parts of public pages kept rendered in the same cache (factsheets/fragments.py), so
# that a page the page cache does not have is put together rather than rendered
# whole. Off for a comparison.
PAGE_FRAGMENTS = env.bool("PAGE_FRAGMENTS", default=True)
# Paths never looked up or stored: the admin, previews of drafts (all send
# never_cache's headers themselves) and the health check, which asks the database
# and the cache themselves, each time.
PAGE_CACHE_NEVER_CACHED = [
    "/admin/",
    "/alerts/",
    "/fact-sheets/preview/",
    "/fact-sheets/shared-preview/",
    "/healthz",
]
# The query strings a stored page may have, by path: few, and only values that name
# something, so the number of pages stays bounded. Any other query string (a search,
# a tracking parameter) is answered with the same headers but rendered each time.
# Regular expressions, each matching the whole path or value.
# How many pages each process keeps in its memory, to serve them without reading
# them from the cache (pagecache/storage.py): a whole catalogue's sheet pages and
# lists, about 75 KB each with their compressed forms.
PAGE_CACHE_KEPT_PAGES = env.int("PAGE_CACHE_KEPT_PAGES", default=256)
PAGE_CACHE_STORED_QUERIES = {
    r"/fact-sheets/": {"by": "bureau"},
    r"/fact-sheets/[-\w]+/changes/": {
        "from": r"\d{4}-\d{2}-\d{2}",
        "to": r"\d{4}-\d{2}-\d{2}",
    },
    r"/sitemap\.xml": {"p": r"[1-9]\d{0,3}"},
}
# Other caches of the pages (a CDN) to purge each time the stored pages go stale:
# dotted paths of pagecache.PurgeBackend subclasses.
PAGE_CACHE_PURGE_BACKENDS = env.list("PAGE_CACHE_PURGE_BACKENDS", default=[])
# Rendering ahead of readers (prerender/): the task worker renders the pages a change
# made stale once it has committed, and the whole catalogue after a deploy, at
# midnight, at publish and expiry times and into an emptied cache, so that readers
# find them stored. Off in the tests, whose saves would each queue renders that no
# worker runs; its own tests turn it on.
PRERENDER = env.bool("PRERENDER", default=not TESTING)
# Pages one task renders; more go to further tasks, so that every worker takes part
# in a warm-up and other work waits behind one batch at most.
PRERENDER_BATCH_SIZE = env.int("PRERENDER_BATCH_SIZE", default=25)
# What a warm-up renders: a callable (dotted path) giving every public page's path.
PRERENDER_CATALOGUE = "factsheets.page_tags.every_page"
# The order pages are rendered ahead in, by URL name: the lists and the most-read
# pages first, the pages not named here last.
PRERENDER_ORDER = [
    "factsheets:home",
    "factsheets:index",
    "factsheets:bureau",
    "factsheets:detail",
    "factsheets:feed",
    "factsheets:bureau_feed",
    "factsheets:country_feed",
    "factsheets:sitemap",
    "factsheets:catalogue_json",
    "factsheets:sheet_json",
    "factsheets:search",
    "factsheets:assistance",
    "factsheets:key_officers",
    "factsheets:assistance_csv",
    "factsheets:robots",
    "factsheets:changes",
    "factsheets:edition",
]
# How long a CDN in front may keep a public page (s-maxage), and serve it stale
# while it asks again; browsers always ask again (max-age=0), cheaply, with ETags.
CDN_MAX_AGE = env.int("CDN_MAX_AGE", default=60)
CDN_STALE_WHILE_REVALIDATE = env.int("CDN_STALE_WHILE_REVALIDATE", default=30)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Signing in (accounts/). Axes is asked first: a sign-in that is locked out is
# refused before any password is hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# SIGNIN_FAILURE_LIMIT failed sign-ins for one account, or from one address, lock
# it out for SIGNIN_LOCKOUT_MINUTES after the last of them; attempts meanwhile
# neither count nor extend it. An administrator unlocks sooner (README).
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env.int("SIGNIN_LOCKOUT_MINUTES", default=15)
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "operations.client_address"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# Staff may turn on codes from an authenticator app; with OTP_REQUIRED all must.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
# Staff pages outside the admin that ask for the second factor as the admin does
# (accounts/middleware.py): the editors' preview of a draft.
SECOND_FACTOR_VIEWS = ["factsheets:preview"]
OTP_TOTP_ISSUER = "Fact sheets"
# Other administrators see whose devices exist, never their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

if TESTING:
    # Tests sign editors in often; real hashing is deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_BACKEND = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG or TESTING
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATIC_BACKEND},
}
# Tests never need collectstatic: WhiteNoise serves the files where they are.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG or TESTING

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Request bodies larger than their sender may send are refused with a 413 before
# they are read (operations/middleware.py): PUBLIC_REQUEST_MAX_BYTES from anyone not
# signed in as staff (the sign-in form is a few hundred bytes); Django's 2.5 MB
# (DATA_UPLOAD_MAX_MEMORY_SIZE) from staff, more than any admin form; and
# IMPORT_MAX_BYTES, the largest file to import, on the import page from staff who
# may import. Enough fields for a sheet with the most rows the admin allows of
# every kind (factsheets/admin/base.py), about 3,300; more get a 400.
PUBLIC_REQUEST_MAX_BYTES = env.int("PUBLIC_REQUEST_MAX_BYTES", default=1024 * 1024)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000

# HTTPS in production (all off by default so `make run` works on plain http).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# The proxies in front of gunicorn (addresses, or networks such as 10.0.0.0/24)
# whose X-Forwarded-For and X-Forwarded-Proto are believed (operations/proxies.py);
# gunicorn gets the same list (gunicorn.conf.py). From any other address the client
# is the address it connects from and cannot claim https. By default a proxy on the
# same machine (a Unix socket is always trusted); a load balancer elsewhere must be
# listed.
TRUSTED_PROXIES = [
    proxy
    for proxy in env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
    if proxy
]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
            "(such as 10.0.0.5 or 10.0.0.0/24)."
        ) from None
if "PROXY_COUNT" in os.environ:
    # It trusted X-Forwarded-For from any client; failing is safer than guessing.
    raise ImproperlyConfigured(
        "PROXY_COUNT is no longer read: list the proxies' addresses in "
        "TRUSTED_PROXIES instead and remove PROXY_COUNT (README.md, Settings)."
    )
if env.bool("BEHIND_TLS_PROXY", default=False):
    if not TRUSTED_PROXIES:
        raise ImproperlyConfigured(
            "BEHIND_TLS_PROXY needs the proxy's address in TRUSTED_PROXIES."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# No script reads either cookie: the admin's forms carry the CSRF token themselves.
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images and fonts only from our own files, nothing inline, never
# framed (django-csp). Responses add what they need on top
# (operations/security.py): the hash of the printed sheet title's style, and on
# admin pages the nonce of the rich-text editor's import map.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    }
}
# Browser features the site never uses, refused to it and to anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# A form refused for its missing or stale CSRF token: the site's 403 page, saying
# what to do, not Django's bare one (operations/views.py).
CSRF_FAILURE_VIEW = "operations.views.csrf_failure"
# A load balancer probes /healthz on the app server itself, over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Backups (operations/backups.py) are signed with an HMAC-SHA256 made by Django's
# signing machinery, and a restore refuses a file whose signature does not verify
# (unless told --accept-unsigned): a checksum alone is recomputed by whoever alters a
# file. Unset, the key is SECRET_KEY, salted so that it signs nothing else. A key of
# its own lets a backup outlive a change of SECRET_KEY and be restored on a new
# machine: keep it beside the backups' copies, not in them. On a change of key, put
# the old one in the fallbacks (comma-separated), as SECRET_KEY_FALLBACKS does for
# sessions, so that older backups still restore; new ones are signed with the new key.
BACKUP_SIGNING_KEY = env("BACKUP_SIGNING_KEY", default="") or SECRET_KEY
BACKUP_SIGNING_KEY_FALLBACKS = env.list("BACKUP_SIGNING_KEY_FALLBACKS", default=[])
# The most a backup may hold once uncompressed: a restore reads the file as a stream
# and refuses one that expands past this (a small file can expand a thousandfold).
# The 975-sheet generated catalogue is 18 MB; `restore --max-expanded-mb` overrides.
BACKUP_MAX_EXPANDED_MB = env.int("BACKUP_MAX_EXPANDED_MB", default=512)

# Every record says which request and staff member it concerns, and loses any secret
# (passwords, cookies, session keys, tokens, SECRET_KEY) before it is written
# (operations/log.py). Django's records go the same way, not to its own console.
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "operations.log.RequestContextFilter"}},
    "formatters": {
        "context": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(context)s] %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            "formatter": "context",
        }
    },
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Who publishes: another ministry changes these and replaces static/img/seal.svg.
DEPARTMENT_NAME = env("DEPARTMENT_NAME", default="U.S. Department of State")
DEPARTMENT_TAGLINE = env("DEPARTMENT_TAGLINE", default="Diplomacy in Action")
DEPARTMENT_SEAL = env("DEPARTMENT_SEAL", default="img/seal.svg")
DEPARTMENT_SEAL_ALT = env(
    "DEPARTMENT_SEAL_ALT", default="U.S. Department of State - Great Seal"
)
# The publisher inside a sentence: “available from the Department of State”.
DEPARTMENT_SHORT_NAME = env("DEPARTMENT_SHORT_NAME", default="Department of State")

# Words the system writes on every sheet (factsheets/wording.py). {country} is the
# country's name in titles and its sentence form (“the Gambia”) in sentences.
FACTSHEET_WORDING = {
    "title": "U.S. Relations With {country}",
    "related_links_intro": (
        "More information about {country} is available from the {department} and "
        "other sources, some of which are listed here:"
    ),
    "assistance_caption": "U.S. assistance to {country}",
    "officials_heading": "Principal U.S. officials",
    "key_facts_heading": "Key facts",
}

# The links every federal site's footer carries (the site identifier), and the
# agency they belong to. Another ministry sets its own.
FEDERAL_IDENTIFIER = {
    "parent": env("IDENTIFIER_PARENT", default="U.S. Department of State"),
    "parent_url": env("IDENTIFIER_PARENT_URL", default="https://www.state.gov/"),
    "links": [
        ("About", env("LINK_ABOUT", default="https://www.state.gov/about/")),
        (
            "Accessibility statement",
            env(
                "LINK_ACCESSIBILITY",
                default="https://www.state.gov/accessibility-statement/",
            ),
        ),
        ("FOIA requests", env("LINK_FOIA", default="https://foia.state.gov/")),
        (
            "No FEAR Act data",
            env("LINK_NO_FEAR", default="https://www.state.gov/no-fear-act-data/"),
        ),
        (
            "Office of the Inspector General",
            env("LINK_OIG", default="https://www.stateoig.gov/"),
        ),
        (
            "Privacy policy",
            env("LINK_PRIVACY", default="https://www.state.gov/privacy-policy/"),
        ),
    ],
    "usagov": env("LINK_USAGOV", default="https://www.usa.gov/"),
}

# Background work (background/): the task queue and the worker that `make run`
# starts beside gunicorn.
# The queue is in the database unless TASK_QUEUE_URL names a Redis (redis://…):
# then in Redis, run by RQ, for workers on several machines.
TASK_QUEUE_URL = env("TASK_QUEUE_URL", default="")
if not TASK_QUEUE_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASK_QUEUE_URL.startswith(("redis://", "rediss://", "unix://")):
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    # A task may run for an hour (RQ's default is 3 minutes); the database queue
    # sets no limit.
    RQ_QUEUES = {"default": {"URL": TASK_QUEUE_URL, "DEFAULT_TIMEOUT": 3600}}
else:
    raise ImproperlyConfigured(
        "TASK_QUEUE_URL: leave it empty for the queue in the database, or give a "
        f"Redis address (redis://host:6379/0), not {TASK_QUEUE_URL!r}."
    )
# Modules the worker loads for their tasks and schedules besides each installed
# app's `tasks` module (which every process loads): dotted paths.
TASK_MODULES = env.list("TASK_MODULES", default=[])
# How long an idle worker waits before looking for due tasks again (seconds): the
# longest a task enqueued on an idle queue waits to start.
TASK_WORKER_INTERVAL = env.float("TASK_WORKER_INTERVAL", default=1)
# How much a worker yields the CPU to the app servers on its machine (os.nice(),
# 0 to 19): its work (pages rendered ahead with Brotli 11, emails, link checks)
# waits while readers are served, and takes the cores they leave idle.
TASK_WORKER_NICENESS = env.int("TASK_WORKER_NICENESS", default=10)
# A worker not heard from for this long (seconds) is taken for dead: the tasks it
# was running are run again by the others. Longer than any pause a live worker
# makes between heartbeats (a few seconds), short enough that little waits.
TASK_WORKER_STALE_AFTER = env.float("TASK_WORKER_STALE_AFTER", default=60)
# A failed task's first retry waits this long (seconds), each next one twice as
# long as the one before, at most an hour.
TASK_RETRY_BACKOFF = env.float("TASK_RETRY_BACKOFF", default=10)
# How long the database queue keeps the record of a finished task (days), for
# staff to look at in the admin; the worker deletes older ones every hour.
TASK_RESULTS_KEPT_DAYS = env.int("TASK_RESULTS_KEPT_DAYS", default=14)

# Email notices to editors (notices/).
# Where mail goes, as one address read by django-environ: smtp://host:25,
# smtp+tls://user:password@host:587, smtps://... for TLS from the start, or
# consolemail:// to print each message, which `make run` uses so a newcomer sees the
# notices in the terminal. Only the worker sends (notices/sending.py).
vars().update(
    (key, value)
    for key, value in env.email_url("EMAIL_URL", default="smtp://localhost:25").items()
    if value not in (None, "")  # unset parts keep Django's defaults
)
# A server that stops answering must not hold a worker; a notice it did not accept is
# tried again later (seconds).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The sender of every notice; production names a mailbox its mail server may send as.
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Fact sheets <factsheets@localhost>"
)
# Daily digests go out at this hour of the site's time zone (TIME_ZONE), 0-23.
NOTICES_DIGEST_HOUR = env.int("NOTICES_DIGEST_HOUR", default=17)
# A sheet's "recent editors", told when it goes live or expires: whoever saved a
# revision of it in this many days.
NOTICES_RECENT_EDITOR_DAYS = env.int("NOTICES_RECENT_EDITOR_DAYS", default=90)
# A worker holds an email it is sending for this long (seconds); a worker that died
# holding one frees it when the time is up. Longer than EMAIL_TIMEOUT, so a live
# worker's hold never runs out while the server is still answering.
NOTICES_LEASE_SECONDS = env.int("NOTICES_LEASE_SECONDS", default=300)
# An email the server refused for now (a 4xx reply, no connection) is tried again
# after 1, 2, 4... minutes (NOTICES_RETRY_SECONDS doubled each time, at most a day),
# and given up after NOTICES_MAX_ATTEMPTS tries: then it shows as failed in the
# admin's outbox. A permanent refusal (5xx) fails at once.
NOTICES_RETRY_SECONDS = env.int("NOTICES_RETRY_SECONDS", default=60)
NOTICES_MAX_ATTEMPTS = env.int("NOTICES_MAX_ATTEMPTS", default=8)
# How often the worker looks for due emails and digests even when nobody enqueued a
# send: after a crash, a retry's time, or the digest hour (seconds).
NOTICES_SWEEP_SECONDS = env.int("NOTICES_SWEEP_SECONDS", default=60)

# Email alerts for readers (alerts/): README, "Email alerts".
# The sender of alerts, digests and confirmations.
ALERTS_FROM_EMAIL = env("ALERTS_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# A request to follow a list waits this long to be confirmed, then is deleted
# (days); the confirmation link works as long.
ALERTS_CONFIRM_DAYS = env.int("ALERTS_CONFIRM_DAYS", default=7)
# The record of what was sent, and addresses marked undeliverable, are kept this long
# (days).
ALERTS_RECORDS_DAYS = env.int("ALERTS_RECORDS_DAYS", default=30)
# Digests go out at this hour of the site's time zone, weekly ones on this day
# (0 Monday ... 6 Sunday).
ALERTS_DIGEST_HOUR = env.int("ALERTS_DIGEST_HOUR", default=8)
ALERTS_DIGEST_WEEKDAY = env.int("ALERTS_DIGEST_WEEKDAY", default=0)
# Emails a second each worker sends at most, for the mail service's limit (0: as
# fast as the server takes them), over this many connections at once.
ALERTS_SEND_RATE = env.float("ALERTS_SEND_RATE", default=100)
ALERTS_CONNECTIONS = env.int("ALERTS_CONNECTIONS", default=8)
# A send task runs this long at most (seconds), then queues the rest behind the
# other tasks.
ALERTS_TASK_SECONDS = env.int("ALERTS_TASK_SECONDS", default=30)
# As for notices: how long a worker holds what it sends, retries with backoff from
# ALERTS_RETRY_SECONDS up to ALERTS_MAX_ATTEMPTS tries, and how often the worker
# looks for what is due with nobody asking.
ALERTS_LEASE_SECONDS = env.int("ALERTS_LEASE_SECONDS", default=300)
ALERTS_RETRY_SECONDS = env.int("ALERTS_RETRY_SECONDS", default=60)
ALERTS_MAX_ATTEMPTS = env.int("ALERTS_MAX_ATTEMPTS", default=8)
ALERTS_SWEEP_SECONDS = env.int("ALERTS_SWEEP_SECONDS", default=60)
# After this many permanent refusals (5xx), an address is marked undeliverable and
# gets nothing more until it confirms again.
ALERTS_BOUNCE_LIMIT = env.int("ALERTS_BOUNCE_LIMIT", default=3)
# Requests to follow a list from one client address, at most, per hour.
ALERTS_REQUESTS_PER_HOUR = env.int("ALERTS_REQUESTS_PER_HOUR", default=10)

# Link checks (linkchecks/).
# A link checked within this many hours is not checked again by the hourly run.
LINK_CHECK_INTERVAL_HOURS = env.float("LINK_CHECK_INTERVAL_HOURS", default=24)
# Seconds to wait for a server to connect and answer before calling it unreachable.
LINK_CHECK_TIMEOUT = env.float("LINK_CHECK_TIMEOUT", default=10)
# At most one request to a host this often (seconds), across every worker, so the
# checks never weigh on another site.
LINK_CHECK_HOST_INTERVAL = env.float("LINK_CHECK_HOST_INTERVAL", default=1)
# Redirects followed before a link is called broken (browsers give up near 20).
LINK_CHECK_MAX_REDIRECTS = env.int("LINK_CHECK_MAX_REDIRECTS", default=10)
# Links a task checks before handing the rest to another, so that notices and other
# work never wait long behind a run.
LINK_CHECK_BATCH_SIZE = env.int("LINK_CHECK_BATCH_SIZE", default=20)
# Named in the checker's User-Agent beside SITE_URL and DEPARTMENT_NAME, for a
# webmaster to ask about the requests: an email address or a page.
LINK_CHECK_CONTACT = env("LINK_CHECK_CONTACT", default="")

# Review before publishing (factsheets/sheet_operations.py).
# A second pair of eyes: whoever publishes a sheet may not be the last person who
# changed its content. Administrators may override, and the override is recorded.
REVIEW_SECOND_PAIR_OF_EYES = env.bool("REVIEW_SECOND_PAIR_OF_EYES", default=True)

# The admin's first page (dashboard/): how far back "Recently published" looks, and
# when a current sheet counts as old (its issue date that many months ago).
DASHBOARD_RECENT_DAYS = env.int("DASHBOARD_RECENT_DAYS", default=14)
DASHBOARD_OLD_AFTER_MONTHS = env.int("DASHBOARD_OLD_AFTER_MONTHS", default=24)
