"""One environment-driven settings module.

Fail closed: with DEBUG off, the app refuses to start without SECRET_KEY and ALLOWED_HOSTS,
unless it runs in demo or test mode, which keep their own secret key under ./var/.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("DRYNEEDLING_VAR_DIR", Path.cwd() / "var")).resolve()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _instance_file() -> dict[str, object]:
    """What `dryneedling demo`/`serve` recorded in this var dir (var/instance.json): whether it
    holds the demo database, and the public URL they bound. Missing or unreadable: nothing."""
    try:
        data = json.loads((VAR_DIR / INSTANCE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    url = data.get("public_url")
    if not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        data.pop("public_url", None)
    return data


INSTANCE_FILE = "instance.json"
_INSTANCE = _instance_file()
DEBUG = env_bool("DEBUG", False)
# A var dir that `dryneedling demo` prepared is the demo's, so every command run against it (send-due,
# stats, serve) is in demo mode without a variable. Never when a SECRET_KEY or DATABASE_URL is set:
# a production environment has those, so a stray instance file cannot lower its settings.
_PRODUCTION_ENV = bool(os.environ.get("SECRET_KEY") or os.environ.get("DATABASE_URL"))
_DEMO_VAR_DIR = _INSTANCE.get("demo") is True and not _PRODUCTION_ENV
DEMO = env_bool("DRYNEEDLING_DEMO", _DEMO_VAR_DIR)
# pytest (8.2+) sets PYTEST_VERSION before pytest-django loads these settings.
TESTING = env_bool("DRYNEEDLING_TEST", "PYTEST_VERSION" in os.environ)
LOCAL = DEBUG or DEMO or TESTING  # runs on this machine only, plain http


def _local_secret_key() -> str:
    """Demo and test mode create a secret key once and keep it under ./var/."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or run `make demo`).")
    SECRET_KEY = _local_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not LOCAL:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated).")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dryneedling.accounts",
    "dryneedling.patients",
    "dryneedling.intake",
    "dryneedling.treatment",
    "dryneedling.followup",
    "dryneedling.safetyrecords",
    "dryneedling.scheduling",
    "dryneedling.accounting",
    "dryneedling.reports",
    "dryneedling.interop",
    "dryneedling.fhir",
    "dryneedling.web",
    "ninja",  # the API's documentation page and its static files (issue 13)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, saving the session only when needed, and never failing a committed write (issue 14).
    "dryneedling.accounts.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The acting membership (clinic and role) is read once per request (accounts/tenancy.py).
    "dryneedling.accounts.tenancy.TenancyMiddleware",
    "dryneedling.web.middleware.PrivateResponseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dryneedling.accounts.audit.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # After OTPMiddleware: a user who must use two-factor sign-in reaches only the verify and
    # enrol pages (and sign-out) until a code has been checked in this session.
    "dryneedling.accounts.middleware.TwoFactorRequiredMiddleware",
    # Runs inside SessionMiddleware: the Active sessions row follows a session whose key changed.
    "dryneedling.accounts.middleware.SessionKeyTrackingMiddleware",
]

ROOT_URLCONF = "dryneedling.urls"
WSGI_APPLICATION = "dryneedling.wsgi.application"

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
                "dryneedling.web.context.membership",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default: WAL + synchronous=FULL so a committed write survives a crash; IMMEDIATE
# transactions and a busy timeout so concurrent writers queue instead of failing.
SQLITE_PATH = VAR_DIR / "dryneedling.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# recursive_triggers: without it `INSERT OR REPLACE` deletes a row without firing the delete
# triggers that keep audit rows append-only (migration accounts/0006 also refuses it outright).
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
    " PRAGMA recursive_triggers=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SQLITE_PATH)}}
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database["OPTIONS"] = {**SQLITE_OPTIONS, **_database.get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dryneedling.accounts.passwords.BreachedPasswordValidator"},
]
# Optional local breach list (one password a line, .gz allowed), checked without any network.
BREACHED_PASSWORDS_FILE = os.environ.get("DRYNEEDLING_BREACHED_PASSWORDS_FILE", "")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# Two-factor sign-in (TOTP, django-otp): the issuer name the authenticator app shows.
OTP_TOTP_ISSUER = os.environ.get("DRYNEEDLING_OTP_ISSUER", "dryneedling")
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting: 5 failures per (email, IP) lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form field (it holds the email address)
AXES_VERBOSE = False
# The same 429 page, Retry-After and audit row as the app's own rate limits, and the same client address.
AXES_LOCKOUT_CALLABLE = "dryneedling.web.views.accounts.auth.axes_lockout"
AXES_CLIENT_IP_CALLABLE = "dryneedling.accounts.client.client_address"


def _rate_limits(raw: str) -> dict[str, tuple[int, int]]:
    """DRYNEEDLING_RATE_LIMITS="login-address=20/900,public-link=30/60": requests per seconds."""
    limits = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            scope, rate = item.split("=", 1)
            count, seconds = rate.split("/", 1)
            limits[scope.strip()] = (int(count), int(seconds))
        except ValueError:
            raise ImproperlyConfigured(f"DRYNEEDLING_RATE_LIMITS: {item!r} is not scope=requests/seconds") from None
    return limits


# Rate limits over the defaults in dryneedling/accounts/ratelimit.py (DEFAULT_LIMITS), counted in
# the database so that every gunicorn worker sees the same counts.
RATE_LIMITS = _rate_limits(os.environ.get("DRYNEEDLING_RATE_LIMITS", ""))
# The client's address is REMOTE_ADDR unless a trusted reverse proxy sets a header (e.g.
# "X-Real-IP", or "X-Forwarded-For", whose last address is taken). Never set this without such a
# proxy in front: a client could then choose its own address.
_ADDRESS_HEADER = os.environ.get("DRYNEEDLING_CLIENT_ADDRESS_HEADER", "").strip()
DRYNEEDLING_CLIENT_ADDRESS_HEADER = "HTTP_" + _ADDRESS_HEADER.upper().replace("-", "_") if _ADDRESS_HEADER else ""
# Password reset links work for an hour (Django's default is 3 days) and once.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_SECONDS", "3600"))

# Sessions live in the database: "sign out everywhere else" deletes another browser's session row
# (a signed-cookie session could not be ended from the server). The Active sessions page reads when a
# session was last used from its expiry, which accounts.middleware.SessionMiddleware keeps current to
# within a few minutes (issue 14: saving the session on every request made every page a write).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Idle timeout: the session ends after SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_HTTPS = env_bool("DRYNEEDLING_HTTPS", not LOCAL)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
if env_bool("DRYNEEDLING_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "dryneedling.web.static_storage.StaticStorage"  # WhiteNoise's, lenient before collectstatic
    },
}
WHITENOISE_USE_FINDERS = LOCAL
if LOCAL:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dryneedling@localhost")
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Text messages (appointment reminders): a backend like the email backends (scheduling/sms.py).
# Console by default; "dryneedling.scheduling.sms.FileBackend" writes under SMS_FILE_PATH;
# "dryneedling.scheduling.sms.TwilioBackend" sends through Twilio with the three settings below.
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    "dryneedling.scheduling.sms.LocmemBackend" if TESTING else "dryneedling.scheduling.sms.ConsoleBackend",
)
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(VAR_DIR / "sms"))
SMS_FROM = os.environ.get("SMS_FROM", "")
SMS_TWILIO_ACCOUNT_SID = os.environ.get("SMS_TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = os.environ.get("SMS_TWILIO_AUTH_TOKEN", "")
# Appointment reminders go out this many hours before the start (by `dryneedling send-due`).
APPOINTMENT_REMINDER_HOURS = int(os.environ.get("APPOINTMENT_REMINDER_HOURS", "24"))
# Absolute links for patients (check-in, consent, home care) start with this: the variable, else
# the address `dryneedling serve`/`demo` last bound in this var dir (var/instance.json), else the
# demo's default.
PUBLIC_BASE_URL = str(
    os.environ.get("DRYNEEDLING_PUBLIC_URL") or _INSTANCE.get("public_url") or "http://127.0.0.1:8000"
).rstrip("/")

# --- Patients -------------------------------------------------------------------------------
# Automatic MRNs: {n} is the clinic's next number, {clinic} its slug in capitals, {year} the year.
MRN_FORMAT = os.environ.get("DRYNEEDLING_MRN_FORMAT", "{n:06d}")
try:
    _MRN_SAMPLE = MRN_FORMAT.format(n=123456, clinic="CLINIC", year=2026)
except (KeyError, IndexError, ValueError) as _error:
    raise ImproperlyConfigured(f"DRYNEEDLING_MRN_FORMAT is not a valid format ({_error}).") from None
if "{n" not in MRN_FORMAT:
    raise ImproperlyConfigured("DRYNEEDLING_MRN_FORMAT must contain {n} (the clinic's next number).")

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Application logs never carry patient data: only ids, actions and outcomes. 403/404 lines carry
# no traceback and link tokens are redacted from paths (dryneedling/logfilter.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"request": {"()": "dryneedling.logfilter.RequestLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["request"]},
        "django.server": {"filters": ["request"]},
        "django.security": {"filters": ["request"]},
    },
}

# "What predicts response" is computed over every treated episode: stored, and recomputed by the
# periodic job (send-due) once older than this, or by the page's Recompute button (issue 12).
RESPONSE_FIGURES_MAX_AGE_MINUTES = int(os.environ.get("RESPONSE_FIGURES_MAX_AGE_MINUTES", "60"))
# The clinic dashboard's figures for a set of filters are kept this long before a view recomputes
# them; the periodic job refreshes the whole-clinic and per-clinician sets (issue 12).
ANALYTICS_FIGURES_MAX_AGE_MINUTES = int(os.environ.get("ANALYTICS_FIGURES_MAX_AGE_MINUTES", "15"))

# --- FHIR Bulk Data export (issue 13) -------------------------------------------------------
# Each export's NDJSON files are written under FHIR_EXPORT_DIR/<export id>/ and removed this many
# hours after the export finished (or at once when the client DELETEs it).
FHIR_EXPORT_DIR = Path(os.environ.get("FHIR_EXPORT_DIR", str(VAR_DIR / "fhir-exports")))
FHIR_EXPORT_HOURS = int(os.environ.get("FHIR_EXPORT_HOURS", "24"))
# A runner holds an export this long; one that died is claimed again after it (at most 3 runs).
FHIR_EXPORT_LEASE_MINUTES = int(os.environ.get("FHIR_EXPORT_LEASE_MINUTES", "30"))
# Exports run in the periodic job (`dryneedling send-due`, cron every minute) and, unless this is
# off, in one background thread of the server started at the kick-off (never in tests).
FHIR_EXPORT_THREAD = env_bool("FHIR_EXPORT_THREAD", not TESTING)
