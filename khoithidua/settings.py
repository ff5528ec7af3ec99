"""Settings, every value read from the environment (see README, "Configuration")."""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from khoithidua.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", False)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = envstr("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off.")
# Earlier keys still accepted (signed cookies, an open ballot box sealed before a key rotation; see README, Backups).
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_ROOT = envstr("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # The project's apps, lowest layer first (README, "Architecture"): each imports only those above it here.
    "core",
    "covenant",
    "reports",
    "scoring",
    "awards",
    "documents",
    "workspace",
    "council",
    "demo",
    "bench",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "khoithidua.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khoithidua.middleware.VietnameseFirstMiddleware",
    "khoithidua.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (the CSRF check reads the form).
    "khoithidua.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "khoithidua.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: answers a locked-out login with its page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "khoithidua.urls"
WSGI_APPLICATION = "khoithidua.wsgi.application"

# Every form field with errors is marked is-invalid where it is drawn (core.forms.MarkedBoundField).
FORM_RENDERER = "core.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default so that a fresh clone runs the demo with no service; PostgreSQL in CI and production.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        # A kept connection is pinged before its first query of each request (one cheap query): after a database
        # restart no request answers an error. 0 to save that query and answer one error per process instead.
        conn_health_checks=envbool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, waiting for a restarting database (khoithidua/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "khoithidua.postgresql"
DATABASE_CONNECT_RETRY_SECONDS = envint("DATABASE_CONNECT_RETRY_SECONDS", 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "khoithidua.validators.MinimumLength"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One query loads the user with the profile every page needs (role, unit, bloc, province).
# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = ["khoithidua.throttle.AxesBackend", "core.auth.ProfileBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["khoithidua.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploaded evidence is never served from a public URL: only through a view that checks permission.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
# Evidence files: local disk under MEDIA_ROOT (one server), or an S3-compatible bucket (MinIO, Ceph, a cloud) shared
# by every server. The bucket must be private: files are only handed out by the view that checks permission.
STORAGE_BACKEND = envstr("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "local":
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("S3_BUCKET", ""),
            "endpoint_url": envstr("S3_ENDPOINT_URL", "") or None,
            "access_key": envstr("S3_ACCESS_KEY_ID", "") or None,
            "secret_key": envstr("S3_SECRET_ACCESS_KEY", "") or None,
            "region_name": envstr("S3_REGION", "") or None,
            "addressing_style": envstr("S3_ADDRESSING_STYLE", "path") or None,
            "location": envstr("S3_LOCATION", ""),
            "default_acl": None,
            "querystring_auth": True,
            # An upload never replaces another file: names are random, a clash gets a new name as on local disk.
            "file_overwrite": False,
        },
    }
    if not _DEFAULT_STORAGE["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET.")
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', got {STORAGE_BACKEND!r}.")
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or envbool("TESTING", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# EMAIL_BACKEND (the environment variable) names the backend that talks to the mail server; Django's EMAIL_BACKEND
# wraps it so that an email sent by a background task is delivered at most once (ops/mail.py).
EMAIL_DELIVERY_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_BACKEND = "ops.mail.RecordedDeliveryBackend"
if EMAIL_DELIVERY_BACKEND == EMAIL_BACKEND:
    raise ImproperlyConfigured("EMAIL_BACKEND names the backend that talks to the mail server, e.g. the SMTP one.")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "khoithidua@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS: on by default in production; each can be switched off for a TLS proxy or a local benchmark.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# A session ends after SESSION_IDLE_HOURS without a request and SESSION_MAX_HOURS after the login, whichever comes
# first (khoithidua.middleware.SessionTimeoutMiddleware); the cookie lives no longer than that.
SESSION_IDLE_SECONDS = int(envint("SESSION_IDLE_MINUTES", 8 * 60) * 60)
SESSION_MAX_SECONDS = envint("SESSION_MAX_HOURS", 24) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS

# Brute force (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one user name, or from one address, lock that
# name or address out for LOGIN_LOCKOUT_MINUTES (a Vietnamese page); the secretariat unlocks its units' officers
# on the accounts page, a superuser anyone in the admin. Password-reset requests are limited the same way per
# address and per email (khoithidua/throttle.py).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "khoithidua.throttle.client_ip"
AXES_VERBOSE = False
PASSWORD_RESET_LIMIT = envint("PASSWORD_RESET_LIMIT", 3)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only (static/, vendored);
# no inline script. Style attributes stay allowed (style-src-attr): templates use a few for widths.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), "
    "interest-cohort=()"
)
X_FRAME_OPTIONS = "DENY"

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The supervised worker (manage.py run_worker, ops/worker.py): it writes a heartbeat every WORKER_HEARTBEAT_SECONDS; a
# task still running after its worker went silent for TASK_STALE_SECONDS is queued again, up to TASK_MAX_ATTEMPTS
# claims; after a database outage the worker retries with pauses growing to WORKER_RECONNECT_MAX_SECONDS.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 15)
TASK_STALE_SECONDS = envint("TASK_STALE_SECONDS", 300)
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 3)
WORKER_RECONNECT_MAX_SECONDS = envint("WORKER_RECONNECT_MAX_SECONDS", 30)

# Pages that only change when the data changes are kept, per user and browser, keyed on the bloc's data version
# (core/pagecache.py). By default each server process keeps its own (nothing to run beside the application);
# with several servers, Redis shares them (PAGE_CACHE_BACKEND=redis; give the Redis server a maxmemory and the
# allkeys-lru policy, since PAGE_CACHE_ENTRIES only bounds the per-process cache).
PAGE_CACHE = envbool("PAGE_CACHE", True)
PAGE_CACHE_BACKEND = envstr("PAGE_CACHE_BACKEND", "locmem")
if PAGE_CACHE_BACKEND == "locmem":
    _PAGES_CACHE = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": envint("PAGE_CACHE_ENTRIES", 1000)},
    }
elif PAGE_CACHE_BACKEND == "redis":
    _PAGES_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": envstr("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": envstr("PAGE_CACHE_KEY_PREFIX", "khoithidua"),
    }
else:
    raise ImproperlyConfigured(f"PAGE_CACHE_BACKEND must be 'locmem' or 'redis', got {PAGE_CACHE_BACKEND!r}.")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {**_PAGES_CACHE, "TIMEOUT": envint("PAGE_CACHE_SECONDS", 3600)},
}
PAGE_CACHE_MAX_BYTES = envint("PAGE_CACHE_MAX_KB", 256) * 1024

# Where manage.py backup writes its archives when no --output is given (ops/archive.py).
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(BASE_DIR / "backups")))

# Evidence upload limit, in megabytes (DOMAIN: default 20 MB).
EVIDENCE_MAX_MB = envint("EVIDENCE_MAX_MB", 20)
# Public verification of printed codes (/verify/): requests a client address may make per minute.
VERIFY_PER_MINUTE = envint("VERIFY_PER_MINUTE", 30)

# The whole request body, refused before it is read (khoithidua.middleware.RequestBodyLimitMiddleware): the largest
# form is a report with one upload per section. Keep nginx's client_max_body_size the same (deploy/nginx).
REQUEST_MAX_MB = envint("REQUEST_MAX_MB", 150)
# A body without files (the form fields) is at most this; files are not counted here.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files up to this size stay in memory; larger ones go to a temporary file, written only up to EVIDENCE_MAX_MB.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "khoithidua.uploads.LimitedTemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO; keep its warnings only.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Periodic reports (DOMAIN.md assumptions, configurable): deadline N days after the quarter ends,
# lock date M days after the deadline, a returned report is due back after K days, and the
# deadline reminder goes out R days before the deadline.
REPORT_DEADLINE_DAYS = envint("REPORT_DEADLINE_DAYS", 10)
REPORT_LOCK_DAYS = envint("REPORT_LOCK_DAYS", 20)
RESUBMIT_DAYS = envint("RESUBMIT_DAYS", 5)
REMINDER_DAYS_BEFORE = envint("REMINDER_DAYS_BEFORE", 3)
# Days the units have to contest their released reviewed scores before the approval (issue 16: no approval seconds
# after the release); an earlier approval needs a reason.
CONTEST_WINDOW_DAYS = envint("CONTEST_WINDOW_DAYS", 3)

# Documents of blocs with more member units than this are rendered by the task worker while the page
# shows progress, so that no request waits for a long WeasyPrint run.
DOCUMENT_INLINE_MAX_UNITS = envint("DOCUMENT_INLINE_MAX_UNITS", 100)
# A document still "being generated" this long after it was queued is queued again (its worker died).
DOCUMENT_PENDING_SECONDS = envint("DOCUMENT_PENDING_SECONDS", 600)
