"""Settings, read from the environment with defaults that run the demo on SQLite.

Every variable is read here through ``config`` and only here; ``docs/settings.md`` is
generated from these calls (``python -m grantmonitor.conf.reference``).
"""

import os
import tempfile
from pathlib import Path

from grantmonitor.conf.environment import config

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = config("DEBUG", default=False, kind="bool", help="Show tracebacks; never in production.")
SECRET_KEY = config(
    "SECRET_KEY",
    default="dev-only-insecure-key-change-me-in-production",
    secret=True,
    help="Signs sessions and tokens. Long and random in production.",
)
ALLOWED_HOSTS = config(
    "ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"],
    kind="list",
    help="Host names this site answers to, comma-separated.",
)
CSRF_TRUSTED_ORIGINS = config(
    "CSRF_TRUSTED_ORIGINS",
    default=[],
    kind="list",
    help="Origins (https://host) trusted for form posts behind a proxy, comma-separated.",
)

DATABASES = {
    "default": config(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'grantmonitor.sqlite3'}",
        kind="database url",
        default_text="SQLite file `var/grantmonitor.sqlite3` in the checkout",
        help="Database, e.g. `postgres://user:password@host:5432/grantmonitor`.",
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = config(
    "CONN_MAX_AGE",
    default=0,
    kind="int",
    help="Seconds a database connection is reused; 0 opens one per request.",
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # The test database is a file, not memory: the browser tests' live server answers a page's
    # requests in parallel threads, and an in-memory database would share one connection
    # among them. One file per test process, so runs side by side do not meet.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"grantmonitor-test-{os.getpid()}.sqlite3")
    }

CACHES = {
    "default": config(
        "CACHE_URL",
        default="locmemcache://",
        kind="cache url",
        help=(
            "Where pages, figures and charts are kept until a write changes them: "
            "`locmemcache://`, each worker its own, or a Redis database shared by every worker, "
            "`redis://host:6379/0` (after a write one worker renders a page again for all); "
            "one Redis database per grantmonitor database."
        ),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "grantmonitor.accounts",
    "grantmonitor.organisations",
    "grantmonitor.calls",
    "grantmonitor.register",
    "grantmonitor.kpis",
    "grantmonitor.dossiers",
    "grantmonitor.questions",
    "grantmonitor.imports",
    "grantmonitor.audit",
    "grantmonitor.ops",
    "grantmonitor.api",
    "grantmonitor.web",
    "grantmonitor.demo",
]

MIDDLEWARE = [
    "grantmonitor.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "grantmonitor.ops.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "grantmonitor.web.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "grantmonitor.web.security.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "grantmonitor.audit.middleware.ClientAddressMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "grantmonitor.urls"
WSGI_APPLICATION = "grantmonitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grantmonitor.web.casework.nav",
                "grantmonitor.web.audit.nav",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling: refuses when locked out
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = config(
    "LOGIN_FAILURE_LIMIT",
    default=5,
    kind="int",
    help="Failed logins for one user name from one address before the login is locked.",
)
AXES_COOLOFF_TIME = config(
    "LOGIN_COOLOFF_HOURS",
    default=1,
    kind="int",
    help="Hours a locked login stays locked.",
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
TWO_FACTOR_ROLES = config(
    "TWO_FACTOR_ROLES",
    default=["funder_admin", "inspector"],
    kind="list",
    help="Roles that confirm every sign-in with a code from an authenticator app "
    "(superusers always do), comma-separated.",
)
OTP_TOTP_ISSUER = "grantmonitor"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or codes
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

PSEUDONYM_KEY = config(
    "PSEUDONYM_KEY",
    default="dev-only-pseudonym-key-change-me",
    secret=True,
    help="Key of the keyed hash that pseudonymises national register numbers. Never change "
    "it on a running system: the same person would no longer be recognised.",
)
IDENTITY_KEYS = config(
    "GRANTMONITOR_IDENTITY_KEYS",
    default=[],
    kind="list",
    secret=True,
    help="Fernet keys that encrypt participants' names and contact details, comma-separated: "
    "the first encrypts, all decrypt (rotate: put a new key first, run `python -m grantmonitor "
    "participant rotate-keys`, then drop the old one). Required unless DEBUG; a new key is "
    "`cryptography.fernet.Fernet.generate_key()`.",
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "grantmonitor API",
    "DESCRIPTION": "Calls, projects, KPIs, register, dossiers, settlement, questions, answers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "grantmonitor.dossiers.models.DossierStatus",
        "CostVerdictEnum": "grantmonitor.dossiers.models.Verdict",
        "KpiVerdictEnum": "grantmonitor.kpis.rules.Verdict",
    },
}

RECOMPUTE_CONNECTIONS = config(
    "RECOMPUTE_CONNECTIONS",
    default=2,
    kind="int",
    help="Database connections a recompute of a large call counts on at once, each on the "
    "same snapshot (PostgreSQL); about the number of the database server's cores, 1: one.",
)
KEPT_KPI_INPUTS = config(
    "KEPT_KPI_INPUTS",
    default=True,
    kind="bool",
    help="Count the people who attended activities from inputs kept up to date by the "
    "database's triggers, not from every attendance (PostgreSQL; see kpis/kept.py); false: "
    "from the register each time.",
)
IMPORT_JOBS_IN_BACKGROUND = config(
    "IMPORT_JOBS_IN_BACKGROUND",
    default=True,
    kind="bool",
    help="Run an import uploaded in the browser in a background thread; off: in the request.",
)
FUNDER_NAME = config(
    "FUNDER_NAME",
    default="",
    help="The funder's name as the debtor of SEPA payment files.",
)
FUNDER_IBAN = config(
    "FUNDER_IBAN",
    default="",
    help="The account the funder pays balances from (SEPA payment files).",
)
FUNDER_BIC = config(
    "FUNDER_BIC",
    default="",
    help="The BIC of that account.",
)
QUESTION_ANSWER_DAYS = config(
    "QUESTION_ANSWER_DAYS",
    default=20,
    kind="int",
    help="Working days (Monday to Friday) a minister has to answer a written question.",
)
IATI_REPORTING_ORG_REF = config(
    "IATI_REPORTING_ORG_REF",
    default="",
    help="The funder's IATI organisation identifier, e.g. `BE-BCE_KBO-0316381039`, used as "
    "reporting-org in IATI exports.",
)
IATI_REPORTING_ORG_NAME = config(
    "IATI_REPORTING_ORG_NAME",
    default="",
    help="The funder's name in IATI exports; empty: the call's minister or portfolio.",
)
SUPPRESSION_THRESHOLD = config(
    "GRANTMONITOR_SUPPRESSION_THRESHOLD",
    default=5,
    kind="int",
    help="Published and cabinet tables show a count of people from 1 to one below this as "
    "`< 5`, and hide further counts so it cannot be recomputed from a total.",
)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = config(
    "STATIC_ROOT",
    default=str(VAR_DIR / "static"),
    default_text="`var/static` in the checkout",
    help="Where `collectstatic` puts the static files that whitenoise serves.",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Security: safe by default for a local demo over http; production sets these (docs/operations.md).
SECURE_SSL_REDIRECT = config(
    "SECURE_SSL_REDIRECT", default=False, kind="bool", help="Redirect http to https."
)
SESSION_COOKIE_SECURE = config(
    "SECURE_COOKIES",
    default=False,
    kind="bool",
    help="Send session and CSRF cookies over https only.",
)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = config(
    "SECURE_HSTS_SECONDS",
    default=0,
    kind="int",
    help="Strict-Transport-Security max-age; 31536000 in production behind https.",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if config(
    "BEHIND_HTTPS_PROXY",
    default=False,
    kind="bool",
    help="Trust the reverse proxy's X-Forwarded-Proto header to tell https requests.",
):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "grantmonitor.ops.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "grantmonitor.ops.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": config(
                "LOG_FORMAT",
                default="json",
                help="`json` (one object per line, for production) or `text`.",
            ),
        }
    },
    "root": {
        "handlers": ["console"],
        "level": config("LOG_LEVEL", default="INFO", help="Level of the application's logs."),
    },
    "loggers": {
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
