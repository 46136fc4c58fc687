"""Settings for the advice site: one file, every value from the environment.

Development defaults let ``make run`` work with nothing set; production sets
``DEBUG=0`` with ``SECRET_KEY`` and ``ALLOWED_HOSTS`` (``check --deploy`` then
reports nothing). Scaling out means setting ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL`` / ``CACHE_URL``; nothing else changes.
"""

import os
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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "csp",
    "advice",
    "notes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # seconds to wait on the write lock
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
# Seconds to wait for the mail server: mail is sent during a reader's
# request (a held comment, a new question), and a dead SMTP server must not
# hang it for minutes (advice/mail.py logs the failure and carries on).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "advice@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MANAGERS = [("Editors", addr) for addr in env_list("MANAGERS", [])]

# --- Security ---------------------------------------------------------------
# A refused CSRF check shows the reader's text back instead of Django's page.
CSRF_FAILURE_VIEW = "advice.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
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
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Site -------------------------------------------------------------------
SITE_NAME = os.environ.get("SITE_NAME", "Ask the Columnist")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
