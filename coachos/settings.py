"""Coach OS settings. Configuration comes from environment variables only (12-factor).

With no variables set, the app runs on the embedded defaults: an SQLite file under
``var/``, console e-mail and SMS, and a Celery broker kept on the local disk.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from coachos.common.secret_key import DEV_SECRET_KEY as _DEV_SECRET

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("COACHOS_TESTING", "pytest" in sys.modules)
PORT = int(os.environ.get("PORT", "8000"))
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
_public = urlparse(PUBLIC_BASE_URL)
HTTPS = _public.scheme == "https"

# With DEBUG off a web server refuses to start on the development key (coachos/common/secret_key.py).
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if HTTPS:
        raise ImproperlyConfigured("SECRET_KEY must be set when PUBLIC_BASE_URL is https.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ",".join(filter(None, [_public.hostname, "127.0.0.1", "localhost"])))
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "waffle",  # feature flags per business: coachos/common/flags.py, /admin/waffle/flag/
    "coachos.common",
    "coachos.accounts",
    "coachos.tenancy",
    "coachos.clients",
    "coachos.scheduling",
    "coachos.credits",
    "coachos.onboarding",
    "coachos.comms",
    "coachos.billing",
    "coachos.books",
    "coachos.automations",
    "coachos.chat",
    "coachos.notes",
    "coachos.progress",
    "coachos.library",
    "coachos.insights",
    "coachos.integrations",
    "coachos.ops",  # health checks, metrics, feature flags (just under site)
    "coachos.site",  # the top floor: dashboard, navigation, demo seed (DESIGN.md, floors)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "coachos.common.logging.RequestLogMiddleware",
    "coachos.ops.metrics.MetricsMiddleware",  # Prometheus: rate, latency and queries per route pattern
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coachos.tenancy.security.SecurityContextMiddleware",  # address, browser, country for the security log
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "coachos.tenancy.middleware.TenancyMiddleware",
    "coachos.billing.middleware.ArrearsMiddleware",
    "coachos.common.ratelimit.RateLimitMiddleware",  # a view's RateLimited → 429 (page or problem details)
]

ROOT_URLCONF = "coachos.urls"
WSGI_APPLICATION = "coachos.wsgi.application"
ASGI_APPLICATION = "coachos.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coachos" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coachos.tenancy.context_processors.tenancy",
                "coachos.site.context_processors.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'coachos.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # IMMEDIATE: every transaction takes SQLite's write lock at its start, so a check and the
        # write that follows it cannot interleave with another writer (no double booking).
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
         "transaction_mode": "IMMEDIATE"}
    )
    # Tests use a file too (not the in-memory default), so threads get real, separate connections.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-coachos.sqlite3")}
elif env_bool("DB_POOL", True):
    # PostgreSQL: a bounded pool per process (psycopg_pool through Django's OPTIONS["pool"]). A request
    # borrows a connection and gives it back when it ends, so load waits in the pool's queue (up to
    # DB_POOL_TIMEOUT seconds) instead of opening connections until the server refuses ("too many
    # clients"); under ASGI no connection outlives its request. The pool replaces persistent
    # connections (CONN_MAX_AGE must be 0 with it). Many machines: PgBouncer, docs/operations.md.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "10")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache (rate limits need one cache shared by every web process) -------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis first; while it cannot be reached, the database cache (coachos/common/cache.py), so logins,
    # resets, pages and bookings keep working. Short timeouts: a dead Redis must not hold requests.
    CACHES: dict[str, dict] = {
        "default": {"BACKEND": "coachos.common.cache.FallbackCache",
                    "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_SECONDS": 5}},
        # Django's Redis cache with one client per pool instead of one per call (coachos/common/redis_cache.py).
        "redis": {"BACKEND": "coachos.common.redis_cache.RedisCache", "LOCATION": REDIS_URL,
                  "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}},
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coachos_cache"},
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coachos_cache"}
    }
# Chat's rate counts and "who is looking" are read and written on every message (coachos/chat): the
# shared cache when it is Redis (or the tests'); without Redis this process's memory, not a table —
# chat's sockets all live in one process then anyway (the in-memory channel layer below).
CACHES["chat"] = (dict(CACHES["default"]) if REDIS_URL or TESTING
                  else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chat"})

# --- real time (chat sockets): a frame sent by one web process reaches sockets held by the others ---
if REDIS_URL:
    # Redis Pub/Sub: a frame is one PUBLISH and reaches every process's subscriber at once. Delivery is at
    # most once, which the pages expect (after a reconnect they fetch what they missed). The list-based
    # RedisChannelLayer serialises a process's receives over several round trips each and fell seconds
    # behind in bench/bench_chat.py; with redis-py 8 its blocking receive also outlives the default 5 s
    # socket timeout and ends idle sockets (django/channels_redis#422).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "coachos"},
        }
    }
else:
    # One process (`make run`): frames stay in memory (channels' layer, without its clean-up walk per frame).
    CHANNEL_LAYERS = {"default": {"BACKEND": "coachos.chat.layers.InMemoryChannelLayer"}}

# --- auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first: fast, strong logins. PBKDF2 stays after it so that old hashes still verify and are
# upgraded to Argon2 on the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "coachos.accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "coachos.accounts.adapter.user_display"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "coachos.accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A reset request for an unknown address sends nothing (the page looks the same either way), so the
# reset form cannot be used to send mail to any address.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Coach OS] "
# The sixth failed login within five minutes, for one account or one address, is refused.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "login": os.environ.get("RATE_LIMIT_LOGIN", "30/m/ip"),
    "reset_password": os.environ.get("RATE_LIMIT_RESET_PASSWORD", "20/h/ip,5/h/key"),
    "reset_password_from_key": "20/m/ip",
    "signup": os.environ.get("RATE_LIMIT_SIGNUP", "5/h/ip"),  # new businesses per address
}
# Our own limits (coachos/common/ratelimit.py): "count/period" (s, m, h, d; e.g. "5/10m"), "" = off.
# Each may be overridden by RATE_LIMIT_<NAME> (e.g. RATE_LIMIT_HOLD_IP=10/10m). 429 + Retry-After.
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
RATE_LIMITS = {
    "public_ip": "120/m",      # a business's public pages (booking page, waitlist), per address
    "public_org": "3000/m",    # ... per business, from everyone
    "hold_ip": "5/10m",        # new holds on public booking pages, per address (any business)
    "hold_org": "60/10m",      # ... per business, from everyone
    "business_new": "10/h",    # businesses created by one user (sign-up counts in allauth's "signup")
    "api_token": "600/m",      # API calls per token
    "api_bad_token": "20/10m",  # unknown or revoked API tokens per address (token guessing)
}
RATE_LIMITS.update({name[len("RATE_LIMIT_"):].lower(): value for name, value in os.environ.items()
                    if name.startswith("RATE_LIMIT_") and name[len("RATE_LIMIT_"):].lower() in RATE_LIMITS})
MFA_ADAPTER = "coachos.accounts.mfa.MFAAdapter"
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", "")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Coach OS"
MFA_RECOVERY_CODE_COUNT = 10
USERSESSIONS_TRACK_ACTIVITY = False

# --- sessions and security ------------------------------------------------------------------
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", HTTPS) else None
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading is opt-in: it binds every subdomain to HTTPS for months and is hard to undo, so its
# absence is a choice, not a warning that should fail `check --deploy --fail-level WARNING`.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- i18n and time --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "coachos" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "coachos" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Never served as media: signatures and the like, reachable only through views that check access.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A file sent in a conversation (coachos/chat/attachments.py); larger uploads are refused before they are read.
CHAT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# A progress photo (coachos/progress/services/photos.py); larger uploads are refused before they are read.
PROGRESS_PHOTO_MAX_BYTES = 15 * 1024 * 1024
# The resource library (coachos/library, docs/library.md): per-file limits and each business's storage quota.
LIBRARY_VIDEO_MAX_BYTES = int(os.environ.get("LIBRARY_VIDEO_MAX_BYTES", 200 * 1024 * 1024))
LIBRARY_FILE_MAX_BYTES = int(os.environ.get("LIBRARY_FILE_MAX_BYTES", 25 * 1024 * 1024))
LIBRARY_QUOTA_BYTES = int(os.environ.get("LIBRARY_QUOTA_BYTES", 5 * 1024 * 1024 * 1024))
# S3-compatible storage for library files (django-storages), e.g. s3://key:secret@bucket?endpoint_url=https://…
# &region_name=…; unset: private local disk under PRIVATE_MEDIA_ROOT.
STORAGE_URL = os.environ.get("STORAGE_URL", "")
# "x-accel" (nginx) or "x-sendfile" (Apache, lighttpd): the proxy sends library files after the access check.
LIBRARY_SENDFILE = os.environ.get("LIBRARY_SENDFILE", "")

# --- e-mail ---------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
_email = urlparse(EMAIL_URL)
if _email.scheme in {"smtp", "smtps", "submission"}:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = _email.username or ""
    EMAIL_HOST_PASSWORD = _email.password or ""
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "submission"
elif _email.scheme == "locmem":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Coach OS <no-reply@coachos.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- background jobs ------------------------------------------------------------------------
# Production: Celery on Redis (workers and one beat on any machines). Embedded default: the
# same Celery tasks and schedule, on a broker kept in files under var/ (one machine).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue = VAR_DIR / "celery" / "queue"
    _queue.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "control").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = TESTING
CELERY_TASK_EAGER_PROPAGATES = TESTING
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- logging --------------------------------------------------------------------------------
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "coachos.common.logging.RedactFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {
            "()": "coachos.common.logging.TextFormatter",
            "format": "%(asctime)s %(levelname)-7s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in {"json", "text"} else "json",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # django.request would log raw paths, which may hold tokens; our request log logs routes.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
        # The embedded file broker has no host: kombu says so at every connection, which is noise.
        "kombu.connection": {"level": "ERROR"},
    },
}

# --- API ------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

# --- providers (later issues) ---------------------------------------------------------------
SMS_BACKEND = os.environ.get("SMS_BACKEND", "locmem" if TESTING else "console")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Web push (coachos/comms/push.py): `manage.py vapid_keys` makes a pair. Without both, push stays hidden.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "")  # mailto: or https: for push services to reach you
# Google Calendar (coachos/integrations, docs/integrations.md): an OAuth client of type "web application"
# with redirect URI PUBLIC_BASE_URL/integrations/google/oauth/callback/. Without both, Google stays hidden.
GOOGLE_CLIENT_ID = os.environ.get("GOOGLE_CLIENT_ID", "")
GOOGLE_CLIENT_SECRET = os.environ.get("GOOGLE_CLIENT_SECRET", "")
GOOGLE_AUTH_URI = os.environ.get("GOOGLE_AUTH_URI", "https://accounts.google.com/o/oauth2/auth")
GOOGLE_TOKEN_URI = os.environ.get("GOOGLE_TOKEN_URI", "https://oauth2.googleapis.com/token")
GOOGLE_CALENDAR_API_URL = os.environ.get("GOOGLE_CALENDAR_API_URL", "")  # empty: Google's own
# Push endpoints on loopback or private addresses, or plain http (tests and local development only).
PUSH_ENDPOINT_ALLOW_LOCAL = env_bool("PUSH_ENDPOINT_ALLOW_LOCAL", False)
# The local test checkout (paid without money) exists only with DEBUG or PAYMENTS_TEST_MODE=1 (the
# test suite turns it on); otherwise a business without Stripe takes manual payments only.
PAYMENTS_TEST_MODE = env_bool("PAYMENTS_TEST_MODE", TESTING)

INVITATION_MAX_AGE_DAYS = 14
SERVE_MEDIA = env_bool("SERVE_MEDIA", not HTTPS)

# --- watching the platform (docs/operations.md "Health, metrics and alerts") ---------------------
# /healthz answers 503 when one of these is down; default: the database, plus Redis and the broker
# when they are configured. HEALTHZ_REQUIRED=database keeps serving while Redis is down.
HEALTHZ_REQUIRED = env_list("HEALTHZ_REQUIRED") or None
HEALTHZ_MAX_JOB_LAG_SECONDS = int(os.environ.get("HEALTHZ_MAX_JOB_LAG_SECONDS", "600"))
# /metrics (Prometheus): a bearer token, or scrapes from these addresses/networks (default: this machine).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
# The security log (coachos/tenancy/security.py): the header a proxy/CDN puts the visitor's country in
# (Cloudflare: CF-IPCountry), and when failed sign-ins are flagged.
SECURITY_COUNTRY_HEADER = "HTTP_" + os.environ.get("SECURITY_COUNTRY_HEADER", "CF-IPCountry").upper().replace("-", "_")
SECURITY_FAILURES_FLAG = int(os.environ.get("SECURITY_FAILURES_FLAG", "5"))
SECURITY_FAILURES_WINDOW_MINUTES = int(os.environ.get("SECURITY_FAILURES_WINDOW_MINUTES", "15"))
# Error tracking (coachos/ops/sentry.py): off unless SENTRY_DSN is set; no personal data is sent.
# Feature flags (coachos/common/flags.py): an unknown flag is off.
WAFFLE_FLAG_DEFAULT = False
WAFFLE_CREATE_MISSING_FLAGS = False
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")
SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0"))
if SENTRY_DSN:  # the user's id and role on each error, once the tenancy middleware knows the role
    MIDDLEWARE.insert(MIDDLEWARE.index("coachos.tenancy.middleware.TenancyMiddleware") + 1,
                      "coachos.ops.sentry.SentryUserMiddleware")
