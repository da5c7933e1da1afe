"""Settings for ml-connector, read from the environment (and an optional `.env` file).

Development (`DEBUG=true`) gets convenient defaults. Production (`DEBUG` unset or false) refuses to start
when a value is missing or malformed, and says which variable to fix and how.
"""

import os
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE="" disables the file (the tests do, so a developer's .env cannot change them).
_env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if _env_file and Path(_env_file).is_file():
    environ.Env.read_env(_env_file, overwrite=False)


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def _bool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}.")


def _int(name, default):
    try:
        return env.int(name, default=default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {env.str(name)!r}.") from exc


DEBUG = _bool("DEBUG", False)
PRODUCTION = not DEBUG

# --- secret key ---------------------------------------------------------------------------------------------
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdefghij"
elif PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("dev-only")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use at least 50 random characters.")

# --- hosts --------------------------------------------------------------------------------------------------
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set it to the comma-separated host names the app is served on, "
        "e.g. ALLOWED_HOSTS=connector.example.com"
    )
if PRODUCTION and any(host.strip() in ("*", ".") for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the hosts the app is served on; '*' accepts forged Host headers in production."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- field encryption ---------------------------------------------------------------------------------------
# One key, or several separated by commas with the newest first: the first encrypts, all of them decrypt.
FIELD_ENCRYPTION_KEY = env.list("FIELD_ENCRYPTION_KEY", default=[])
_KEY_HELP = (
    "Generate one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`; "
    "when rotating, list the new key first and keep the old one after it until `manage.py rotate_encryption_key` "
    "has run."
)
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not set. {_KEY_HELP}")
for _position, _key in enumerate(FIELD_ENCRYPTION_KEY, start=1):
    try:
        Fernet(_key)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEY entry {_position} is not a valid Fernet key (32 url-safe base64-encoded bytes). "
            f"{_KEY_HELP}"
        ) from exc

# --- applications -------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "encrypted_model_fields",
    "connections",
    "mappings",
    "syncs",
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
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
                # Pages outside the admin's own views (the mapping grid...) get the admin's header and navigation.
                "syncs.chrome.admin_site_context",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------------------
_DATABASE_HELP = "Use e.g. postgres://user:password@host:5432/dbname or sqlite:///path/to/db.sqlite3"
_database_url = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
if _database_url.split("://", 1)[0] not in ("postgres", "postgresql", "pgsql", "sqlite"):
    raise ImproperlyConfigured(f"DATABASE_URL must be a PostgreSQL or SQLite URL. {_DATABASE_HELP}")
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except (ImproperlyConfigured, ValueError, KeyError) as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed. {_DATABASE_HELP}") from exc
DATABASES["default"]["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 60 if PRODUCTION else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server, the worker and the tests share one SQLite file. In WAL mode,
    # synchronous=NORMAL keeps every commit through a crash of any process and syncs at checkpoints instead of at
    # each commit; only a power cut can take back the last commits, and a write whose settling was lost that way
    # is found by its key in the destination before it is sent again.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth, i18n, static -------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["connections.throttle.ThrottledModelBackend"]
# After this many failed sign-ins on one account within the window, the account is refused until the window passes.
LOGIN_FAILURE_LIMIT = _int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_FAILURE_WINDOW_SECONDS = _int("LOGIN_FAILURE_WINDOW_SECONDS", 900)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- security (production) ----------------------------------------------------------------------------------
if _bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# /healthz is probed by load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# --- background work (django-q2) ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "ml-connector",
    "workers": _int("Q_WORKERS", 2),
    "timeout": _int("Q_TIMEOUT", 600),
    "retry": _int("Q_TIMEOUT", 600) + 60,
    # Our ledger decides when a record is dead; django-q2's own attempt count misses killed workers.
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "poll": 1,
    # On SIGTERM a cluster stops taking work but still runs every task it has already pulled from the broker
    # before it exits. django-q2 pulls workers² by default (4 with 2 workers): a stop then waited for two more
    # rounds of tasks after the running ones. One task in hand is enough to keep the workers fed; what is not
    # started stays in the broker for the next cluster.
    "queue_limit": 1,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- sync behaviour -----------------------------------------------------------------------------------------
# With the back-off of syncs/ledger.py (30 s doubling, capped at an hour) ten attempts span about three hours, so an
# outage of the destination that long leaves records waiting rather than dead.
SYNC_MAX_ATTEMPTS = _int("SYNC_MAX_ATTEMPTS", 10)
# A claim older than this is taken to belong to a dead worker. It must outlast the task timeout (django-q2 kills
# a task at its timeout), with a margin, or two workers could post the same record.
SYNC_CLAIM_TIMEOUT_SECONDS = _int("SYNC_CLAIM_TIMEOUT_SECONDS", Q_CLUSTER["timeout"] + 120)
if SYNC_CLAIM_TIMEOUT_SECONDS < Q_CLUSTER["timeout"] + 30:
    raise ImproperlyConfigured(
        "SYNC_CLAIM_TIMEOUT_SECONDS must exceed Q_TIMEOUT by at least 30 seconds, "
        f"got {SYNC_CLAIM_TIMEOUT_SECONDS} with Q_TIMEOUT {Q_CLUSTER['timeout']}."
    )
TOKEN_REFRESH_MARGIN_SECONDS = _int("TOKEN_REFRESH_MARGIN_SECONDS", 300)
HTTP_CONNECT_TIMEOUT = env.float("HTTP_CONNECT_TIMEOUT", default=5.0)
HTTP_READ_TIMEOUT = env.float("HTTP_READ_TIMEOUT", default=60.0)
# Waits longer than this are not slept inside a worker: the task is rescheduled instead.
HTTP_MAX_INLINE_WAIT_SECONDS = env.float("HTTP_MAX_INLINE_WAIT_SECONDS", default=5.0)
SANDBOX_URL = env.str("SANDBOX_URL", default="http://127.0.0.1:8100")
# Bearer token for /metrics; when empty, metrics are served only with DEBUG on or to loopback clients.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if PRODUCTION and len(METRICS_TOKEN) < 24:
    # Behind a proxy on the same host every client looks local: production metrics need a real token.
    raise ImproperlyConfigured(
        "METRICS_TOKEN is not set (or shorter than 24 characters). /metrics lists every tenant's volumes; "
        "set a long random token and give it to the scraper as `Authorization: Bearer <token>`."
    )

# --- alerts -------------------------------------------------------------------------------------------------
# Outgoing mail, as a URL: smtp+tls://user:password@host:587 (django-environ's EMAIL_URL); the console by default.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update({name: value for name, value in EMAIL_CONFIG.items() if value is not None})  # EMAIL_BACKEND, ...
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ml-connector <alerts@localhost>")
# Failed or waiting records untouched for longer than this are alerted to the tenant's admins.
ALERT_STALE_HOURS = _int("ALERT_STALE_HOURS", 24)
if ALERT_STALE_HOURS < 1:
    raise ImproperlyConfigured(f"ALERT_STALE_HOURS must be 1 or more, got {ALERT_STALE_HOURS}.")
# The address people open the app at, for the links in alert emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- logging ------------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "connections.redaction.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
