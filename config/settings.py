"""Settings for the commercial-management product.

Every value that changes between machines comes from the environment through the
typed readers in config.env; `.env.example` lists them all. No setting is read
from anywhere else.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# "development" or "production". Production refuses insecure defaults and demo data.
ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV={ENVIRONMENT!r} is invalid; use development or production."
    )
IS_PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DJANGO_DEBUG", not IS_PRODUCTION)
if IS_PRODUCTION:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")
else:
    SECRET_KEY = env_str(
        "DJANGO_SECRET_KEY", "development-only-key-never-use-in-production"
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Public address of the site, used for links inside e-mails and PDFs.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# History reasons hold what staff type (an annulment's or a reassignment's
# reason after a fixed prefix), so they are text without a length limit. The
# default, 100 characters, made PostgreSQL reject longer reasons.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "zones",
    "customers",
    "telemarketing",
    "visits",
    "tariffs",
    "quote_requests",
    "quotations",
    "subscribers",
    "terminations",
    "onboarding",
    "service_orders",
    "field_work",
    "billing",
    "certificates",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so that it receives the outcome of authentication.
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
                "core.context_processors.company",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL names another database (PostgreSQL in production).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers continue while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Django's cache lives in a database table, so every worker process reads the same
# counts (the certificate verification rate limit) and a restart keeps them. The
# migration core.0006 creates the table, as `createcachetable` would.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}

# Failed log-ins: after AXES_FAILURE_LIMIT failures from one user name and address,
# that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", "Español (Colombia)")]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Static files are served from the finders in development, from STATIC_ROOT after
# `collectstatic` in production.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: the import screens and the competitor-list upload accept spreadsheets up
# to IMPORT_MAX_UPLOAD_MB.
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 50)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Public quote-request form (/cotizar/): at most QUOTE_REQUEST_RATE_LIMIT requests per
# client address in QUOTE_REQUEST_RATE_WINDOW_MINUTES; the queue highlights open
# requests older than QUOTE_REQUEST_STALE_HOURS.
QUOTE_REQUEST_RATE_LIMIT = env_int("QUOTE_REQUEST_RATE_LIMIT", 5)
QUOTE_REQUEST_RATE_WINDOW_MINUTES = env_int("QUOTE_REQUEST_RATE_WINDOW_MINUTES", 60)
QUOTE_REQUEST_STALE_HOURS = env_int("QUOTE_REQUEST_STALE_HOURS", 24)
# Reverse proxies in front of the application that append to X-Forwarded-For; 0 takes
# the client address from the connection (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Version of the personal-data policy (Ley 1581 de 2012) the web form asks consent for.
DATA_POLICY_VERSION = env_str("DATA_POLICY_VERSION", "2026-01")

# E-mail. Development writes messages as files under var/mail so that nothing leaves
# the machine; production sends through SMTP.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ventas@aseo-sumapaz.example.com")
# send_pending_emails stops retrying a message after this many attempts; the outbox
# screen can still retry it by hand.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
if EMAIL_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        f"EMAIL_MAX_ATTEMPTS={EMAIL_MAX_ATTEMPTS} is invalid; use 1 or more."
    )

# The company's letterhead on pages, e-mails and PDFs.
COMPANY_NAME = env_str("COMPANY_NAME", "ASEO VALLE DEL SUMAPAZ S.A. E.S.P.")
COMPANY_NIT = env_str("COMPANY_NIT", "900.373.923-8")
COMPANY_ADDRESS = env_str("COMPANY_ADDRESS", "Calle 7 # 24-15, Melgar, Tolima")
COMPANY_PHONE = env_str("COMPANY_PHONE", "+57 608 245 0000")
COMPANY_LOGO = env_str("COMPANY_LOGO", "")

# Quotations: code format (fields {year} and {number}), days of validity, whether
# IVA and totals round to whole pesos instead of cents, and the days without
# contact after which an open quotation shows as overdue in the follow-up.
QUOTATION_NUMBER_FORMAT = env_str("QUOTATION_NUMBER_FORMAT", "COT-{year}-{number:05d}")
QUOTATION_VALIDITY_DAYS = env_int("QUOTATION_VALIDITY_DAYS", 30)
QUOTATION_ROUND_TO_PESOS = env_bool("QUOTATION_ROUND_TO_PESOS", False)
QUOTATION_FOLLOW_UP_DAYS = env_int("QUOTATION_FOLLOW_UP_DAYS", 7)
# Code format of each numbered document kind (core.numbering); one series per year.
DOCUMENT_NUMBER_FORMATS = {"quotation": QUOTATION_NUMBER_FORMAT}

# After a quotation is accepted. UPLOAD_MAX_MB is the largest upload staff may attach
# (legal documents, signed orders, proof of service, receipts). A Cámara de Comercio
# certificate older than CHAMBER_CERTIFICATE_MAX_AGE_DAYS is warned as old. Service
# orders and certificates get their own code formats. BILLING_HANDOFF_EMAILS receive
# the monthly hand-off besides the users with the billing and coordinator roles.
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 10)
CHAMBER_CERTIFICATE_MAX_AGE_DAYS = env_int("CHAMBER_CERTIFICATE_MAX_AGE_DAYS", 30)
DOCUMENT_NUMBER_FORMATS["service_order"] = env_str(
    "SERVICE_ORDER_NUMBER_FORMAT", "OS-{year}-{number:05d}"
)
DOCUMENT_NUMBER_FORMATS["certificate"] = env_str(
    "CERTIFICATE_NUMBER_FORMAT", "CERT-{year}-{number:05d}"
)
BILLING_HANDOFF_EMAILS = env_list("BILLING_HANDOFF_EMAILS", [])

# Proof of service (field_work): the proof kinds an executed order needs before its
# proof counts as complete. Each entry is one requirement and "|" separates kinds
# that satisfy it alike. PROOF_WEIGHED_REQUIRED_KINDS is added when a line of the
# order is charged by weight (a unit in PROOF_WEIGHED_UNITS).
PROOF_REQUIRED_KINDS = env_list("PROOF_REQUIRED_KINDS", ["orden_firmada|acta_obra"])
PROOF_WEIGHED_REQUIRED_KINDS = env_list(
    "PROOF_WEIGHED_REQUIRED_KINDS", ["tiquete_bascula"]
)
PROOF_WEIGHED_UNITS = env_list("PROOF_WEIGHED_UNITS", ["tonelada"])
# Executed quantities (field_work): a line's executed quantity may be at most this
# many times its ordered quantity. A larger one is rejected as a typing or unit mistake.
EXECUTED_QUANTITY_MAX_FACTOR = env_int("EXECUTED_QUANTITY_MAX_FACTOR", 10)
# Prepayments (field_work): one payment may be at most this many times the aforo's
# charge. A larger one is rejected as a typing mistake (extra digits).
PREPAYMENT_MAX_FACTOR = env_int("PREPAYMENT_MAX_FACTOR", 10)
# Public certificate verification page (/v/<token>/): after
# CERTIFICATE_VERIFY_MISS_LIMIT unknown tokens from one client address within
# CERTIFICATE_VERIFY_WINDOW_MINUTES, that address gets 429 for every lookup until the
# window ends. The count lives in Django's database cache, shared by every worker.
CERTIFICATE_VERIFY_MISS_LIMIT = env_int("CERTIFICATE_VERIFY_MISS_LIMIT", 20)
CERTIFICATE_VERIFY_WINDOW_MINUTES = env_int("CERTIFICATE_VERIFY_WINDOW_MINUTES", 60)

# Termination requests filed by competitors (terminations): business days to answer
# the subscriber, calendar months to make the termination or withdrawal effective,
# business days ahead that the daily digest covers, months of notice (preaviso) the
# joint-billing company gets, the size limit of a signed form, and the code format
# of the desistimiento forms. A competitor's list left in preview longer than
# TERMINATION_LIST_PREVIEW_HOURS is discarded with its file, and a row of a list
# filed more than TERMINATION_FILED_MAX_AGE_MONTHS before the list was received is
# rejected as a mistyped date.
TERMINATION_RESPONSE_BUSINESS_DAYS = env_int("TERMINATION_RESPONSE_BUSINESS_DAYS", 15)
TERMINATION_EFFECTIVE_MONTHS = env_int("TERMINATION_EFFECTIVE_MONTHS", 2)
TERMINATION_DIGEST_BUSINESS_DAYS = env_int("TERMINATION_DIGEST_BUSINESS_DAYS", 3)
TERMINATION_BILLING_NOTICE_MONTHS = env_int("TERMINATION_BILLING_NOTICE_MONTHS", 2)
TERMINATION_SIGNED_FORM_MAX_MB = env_int("TERMINATION_SIGNED_FORM_MAX_MB", 10)
TERMINATION_LIST_PREVIEW_HOURS = env_int("TERMINATION_LIST_PREVIEW_HOURS", 24)
TERMINATION_FILED_MAX_AGE_MONTHS = env_int("TERMINATION_FILED_MAX_AGE_MONTHS", 24)
DOCUMENT_NUMBER_FORMATS["desistimiento"] = env_str(
    "DESISTIMIENTO_NUMBER_FORMAT", "DES-{year}-{number:05d}"
)

# Business-day calendar (core.calendar): working weekdays (0 = Monday) and how many
# business days before a deadline it shows as due soon.
CALENDAR_WORKING_WEEKDAYS = env_list(
    "CALENDAR_WORKING_WEEKDAYS", ["0", "1", "2", "3", "4"]
)
DEADLINE_DUE_SOON_BUSINESS_DAYS = env_int("DEADLINE_DUE_SOON_BUSINESS_DAYS", 3)

# Outbound commercial contact (Ley 2300 de 2023, telemarketing.rules): allowed hours
# Monday to Friday and on Saturdays (HH:MM-HH:MM, Bogotá time; never Sundays or
# holidays), contacts a day per customer, and channels a week per customer.
CONTACT_WEEKDAY_HOURS = env_str("CONTACT_WEEKDAY_HOURS", "07:00-19:00")
CONTACT_SATURDAY_HOURS = env_str("CONTACT_SATURDAY_HOURS", "08:00-15:00")
CONTACT_MAX_PER_DAY = env_int("CONTACT_MAX_PER_DAY", 1)
CONTACT_MAX_CHANNELS_PER_WEEK = env_int("CONTACT_MAX_CHANNELS_PER_WEEK", 1)

# Production hardening, checked by `manage.py check --deploy`.
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools log every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
