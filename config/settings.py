"""Settings for the advice site: one file, every value from the environment.

Development defaults let ``make run`` work with nothing set; production sets
``DEBUG=0`` with ``SECRET_KEY`` and ``ALLOWED_HOSTS`` (``check --deploy`` then
reports nothing). Scaling out means setting ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL`` / ``CACHE_URL``; nothing else changes.
"""

import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int | None) -> int | None:
    """Read an integer environment variable; empty means ``default``."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable into a list of stripped items."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# Development gets a fixed, obviously unsafe key so `make run` works out of the
# box; production (DEBUG off) refuses to start without a real one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin, with the staff door's site (advice/staff/site.py).
    "advice.staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The privacy page's staff-editable text (advice/privacy/page.py). The Site
    # row follows SITE_URL on every migrate (advice/privacy/site_record.py).
    "django.contrib.sites",
    "django.contrib.flatpages",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "markdownx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "advice",
    "notes",
]

MIDDLEWARE = [
    # First, so it sees every answer last: a Cache-Control on each, never a
    # public one that sets a cookie (config/cache_headers.py).
    "config.cache_headers.CacheHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A stateless reader's page from the whole-page cache, before the rest:
    # stored with the headers of every middleware below (advice/page_cache.py).
    "advice.page_cache.PageCacheMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, so old WordPress links are looked up only after
    # its slash redirect (advice.wordpress.redirects).
    "advice.wordpress.redirects.OldLinkFallbackMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CsrfViewMiddleware: 405 / OPTIONS from the view's declared methods.
    "config.methods.MethodMiddleware",
    # Unsafe requests from other origins refused by the browser's own headers
    # (Sec-Fetch-Site, Origin), before the CSRF token check (config/origin.py).
    "config.origin.CrossOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions (advice/staff/): the second factor, the idle limit; after
    # MessageMiddleware, as an idle logout leaves a message.
    "django_otp.middleware.OTPMiddleware",
    "advice.staff.middleware.StaffIdleSessionMiddleware",
    "advice.staff.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a login refused by django-axes into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Last, so a locked or unreachable database gives a friendly 503 that shows
    # the reader's text back (advice.middleware), not a 500.
    "advice.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "advice.context_processors.site",
                "advice.context_processors.reader_state",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite by default. WAL lets readers proceed while one writer writes;
# IMMEDIATE transactions take the write lock up front, so two writers queue on
# the busy timeout instead of failing with "database is locked" when a read
# lock cannot be upgraded.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=env_int("CONN_MAX_AGE", 0) or 0,
        # With persistent connections (CONN_MAX_AGE > 0), check a kept
        # connection at the start of each request, so one the server dropped
        # costs a reconnect, not a failed request (tests/faults/).
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),  # seconds to wait on the write lock
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_PATH") or None}
else:
    # Lets two test runs share one PostgreSQL server without colliding.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------
# Redis when configured (shared by every app server), local memory otherwise.
# A cache that fails is a miss, never an error (config/cache.py). The socket
# timeouts bound what a Redis that accepts connections but never answers can
# cost: one timeout, after which config.cache leaves the cache alone for
# CACHE_RETRY_AFTER seconds. No retries: a retry only doubles the wait.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
CACHE_TIMEOUT_SECONDS = float(os.environ.get("CACHE_TIMEOUT_SECONDS") or 0.3)  # connect, read
CACHE_RETRY_AFTER = float(os.environ.get("CACHE_RETRY_AFTER") or 5.0)  # seconds
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "advice"),
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
                "retry_on_timeout": False,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Fragments (comment tree, related list, article lists) and conditional GET
# (advice.caching). FRAGMENT_CACHE=0 turns both off, to measure a cold page.
FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", True)
FRAGMENT_CACHE_TIMEOUT = env_int("FRAGMENT_CACHE_TIMEOUT", 300)  # seconds, at most
# Whole public pages for readers without state (advice.page_cache); off with
# FRAGMENT_CACHE=0 too. FRONT_CACHE_SECONDS: the s-maxage a front cache
# (deploy/nginx.conf, a CDN) may keep such a page; browsers always revalidate.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
FRONT_CACHE_SECONDS = env_int("FRONT_CACHE_SECONDS", 10)

# --- Auth, i18n, time -------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds the worker waits for the mail server (mail is never sent in a
# request: advice/mailqueue.py); a server that never answers costs one
# attempt, which is retried later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "advice@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MANAGERS = [("Editors", addr) for addr in env_list("MANAGERS", [])]
# Told of unexpected errors, through the mail queue, at most one message per
# ERROR_MAIL_INTERVAL_SECONDS (advice/error_mail.py). ADMINS="Ana <a@x.test>, b@x.test".
ADMINS = [
    (name or addr, addr) for name, addr in getaddresses([os.environ.get("ADMINS", "")]) if addr
]
ERROR_MAIL_INTERVAL_SECONDS = env_int("ERROR_MAIL_INTERVAL_SECONDS", 60)
# Attempts per message, and the wait after the first failed one (seconds; it
# doubles each time, at most an hour): 8 attempts span about two hours.
MAIL_SEND_ATTEMPTS = env_int("MAIL_SEND_ATTEMPTS", 8)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 60)

# --- Task queue (django-tasks) ----------------------------------------------
# Mail and the daily jobs run in a worker, never in a request (advice/mailqueue.py,
# advice/tasks.py). Default: the database backend (django-tasks-db: the
# queue is a table in this database, so nothing else has to run; worker:
# `manage.py db_worker`). TASKS_BACKEND names another django-tasks backend
# class, e.g. django_tasks.backends.immediate.ImmediateBackend (runs each
# task at once, in the request) or a broker's (README, "Task queue").
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND") or "django_tasks_db.DatabaseBackend",
    }
}

# --- Security ---------------------------------------------------------------
# A refused CSRF check shows the reader's text back instead of Django's page.
CSRF_FAILURE_VIEW = "advice.errors.csrf_failure"
# Cookies, stated for every environment (tests/security/test_session_settings.py
# checks them in production): the session and CSRF cookies are never readable
# by JavaScript (the markdownx editor takes the CSRF token from the form), are
# not sent with cross-site POSTs or subrequests ("Lax": a link from elsewhere
# still arrives logged in), and travel over HTTPS only when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Load balancers probe /healthz over plain HTTP; it must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy (django-csp 4). No inline script or style anywhere:
# our JavaScript is in static/js/, JSON data blocks are data, not script, and
# the Django admin (5.2) and the markdownx editor load only files. Images may
# come from https: because an answer may show an image from another site
# (the renderer allows http(s) image URLs); editor uploads are 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if not DEBUG:
    # TLS ends at the proxy, which says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Staff door (advice/staff/, SECURITY.md "Staff side") -----------------
# Password guessing (django-axes, any login form): after STAFF_LOGIN_FAILURE_LIMIT
# failures for one account or from one client address, that account or address
# waits STAFF_LOGIN_COOLOFF_MINUTES. The two are counted separately. The address
# is the project's one rule (advice.client: socket, or COMMENTS_TRUSTED_PROXIES
# proxies' X-Forwarded-For). `manage.py axes_reset_username NAME` lets one back in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("STAFF_LOGIN_THROTTLE", True)
AXES_FAILURE_LIMIT = max(1, env_int("STAFF_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=max(1, env_int("STAFF_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_CLIENT_IP_CALLABLE = "advice.client.request_client_address"
AXES_LOCKOUT_CALLABLE = "advice.staff.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
# A try while locked out does not extend the lock (else anyone could keep an
# editor locked out for ever by trying once per cool-off).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Two factors (django-otp: TOTP, recovery codes). Required of superusers when
# REQUIRE_2FA_FOR_SUPERUSERS is on (default: on when DEBUG is off, so `make
# run`'s development admin is exempt), of all staff when STAFF_REQUIRE_2FA is on.
REQUIRE_2FA_FOR_SUPERUSERS = env_bool("REQUIRE_2FA_FOR_SUPERUSERS", not DEBUG)
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", False)
# After n wrong codes a device refuses every code for 2**(n-1) seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# A staff session unused this long ends (0: never).
STAFF_SESSION_IDLE_HOURS = float(os.environ.get("STAFF_SESSION_IDLE_HOURS") or 8)
# Password reset mails: at most this many requests per address typed and per
# client address in each window; more get the same page and no mail.
STAFF_PASSWORD_RESET_LIMIT = env_int("STAFF_PASSWORD_RESET_LIMIT", 5)
STAFF_PASSWORD_RESET_WINDOW_MINUTES = env_int("STAFF_PASSWORD_RESET_WINDOW_MINUTES", 60)

# --- Site -------------------------------------------------------------------
SITE_NAME = os.environ.get("SITE_NAME", "Ask the Columnist")
OTP_TOTP_ISSUER = SITE_NAME  # the name authenticator apps show beside the code
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1  # django.contrib.sites: its domain is kept equal to SITE_URL's host

# --- Markdown editor (django-markdownx) ------------------------------------
# The widget posts to these paths; our own staff-only views answer them
# (advice.editor), not markdownx's stock views.
MARKDOWNX_URLS_PATH = "/editor/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/markdownx/upload/"
MARKDOWNX_MARKDOWNIFY_FUNCTION = "advice.markdown.render_markdown"
EDITOR_UPLOAD_MAX_BYTES = env_int("EDITOR_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
EDITOR_UPLOAD_MAX_PIXELS = env_int("EDITOR_UPLOAD_MAX_PIXELS", 40_000_000)
# Memory an accepted image may take once decoded (width x height x 4 bytes),
# read from its header before any pixel is decoded: a few-kilobyte lossless
# WebP can declare 40 megapixels (about 840 MB to decode).
EDITOR_UPLOAD_MAX_DECODED_BYTES = env_int("EDITOR_UPLOAD_MAX_DECODED_BYTES", 64 * 1024 * 1024)

# --- Comments (defaults follow WordPress's discussion settings) ------------
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 5)  # WordPress: thread_comments_depth 5
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)  # WordPress: comments_per_page 50
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", None)  # off
COMMENTS_HOLD_FIRST_TIME = env_bool("COMMENTS_HOLD_FIRST_TIME", True)  # comment_previously_approved
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)  # WordPress: comment_max_links 2
COMMENTS_HOLD_WORDS = env_list("COMMENTS_HOLD_WORDS", [])  # moderation_keys
COMMENTS_SPAM_WORDS = env_list("COMMENTS_SPAM_WORDS", [])  # disallowed_keys
COMMENTS_FLOOD_SECONDS = env_int("COMMENTS_FLOOD_SECONDS", 15)  # WordPress: 15 s
COMMENTS_SIGNATURE_MIN_AGE = env_int("COMMENTS_SIGNATURE_MIN_AGE", 2)  # seconds
COMMENTS_SIGNATURE_MAX_AGE = env_int("COMMENTS_SIGNATURE_MAX_AGE", 2 * 60 * 60)  # seconds
COMMENTS_TIMING_RULES = env_bool("COMMENTS_TIMING_RULES", True)
COMMENTS_IP_RETENTION_DAYS = env_int("COMMENTS_IP_RETENTION_DAYS", 90)
COMMENTS_TRUSTED_PROXIES = env_int("COMMENTS_TRUSTED_PROXIES", 0)
# Minutes a writer may edit or remove their own comment from the browser that
# posted it (Remark42's default edit window is 5; a typo is seen in minutes).
COMMENTS_EDIT_MINUTES = env_int("COMMENTS_EDIT_MINUTES", 10)
# Reply notifications (advice/comments/notify.py): at most this many e-mails
# an hour to one reader; a confirmation link lasts COMMENTS_NOTIFY_CONFIRM_DAYS;
# a subscription with no reply for COMMENTS_NOTIFY_RETENTION_DAYS ends.
COMMENTS_NOTIFY_MAX_PER_HOUR = env_int("COMMENTS_NOTIFY_MAX_PER_HOUR", 6)
COMMENTS_NOTIFY_CONFIRM_DAYS = env_int("COMMENTS_NOTIFY_CONFIRM_DAYS", 7)
COMMENTS_NOTIFY_RETENTION_DAYS = env_int("COMMENTS_NOTIFY_RETENTION_DAYS", 365)

# --- Note drafting ----------------------------------------------------------
NOTES_END_OF_DAY = os.environ.get("NOTES_END_OF_DAY", "17:00")
NOTES_LATE_AFTER = os.environ.get("NOTES_LATE_AFTER", "16:00")
NOTES_MORNING = os.environ.get("NOTES_MORNING", "09:00")
NOTES_BLANK_MAX_LENGTH = env_int("NOTES_BLANK_MAX_LENGTH", 200)  # characters

# --- Hostile-input tests ----------------------------------------------------
# Examples hypothesis tries per public form in tests/security/test_fuzz.py:
# 2,000 keeps CI quick; `make fuzz` runs 20,000.
FUZZ_EXAMPLES = env_int("FUZZ_EXAMPLES", 2000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "require_debug_true": {"()": "django.utils.log.RequireDebugTrue"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # Django's own defaults for its "django" logger, with errors mailed to
        # ADMINS through the queue (advice.error_mail) instead of at once.
        "django_console": {
            "class": "logging.StreamHandler",
            "level": "INFO",
            "filters": ["require_debug_true"],
        },
        "mail_admins": {
            "class": "advice.error_mail.QueuedAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "loggers": {"django": {"handlers": ["django_console", "mail_admins"], "level": "INFO"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
