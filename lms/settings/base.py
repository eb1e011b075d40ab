"""Settings shared by every environment, read from the environment with django-environ.

The embedded default needs no setup: SQLite under ``var/``, Celery in eager mode when no
broker is configured, console e-mail. Production differs only by what its environment says.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# A development key; lms.settings.production refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="dev-only-insecure-key-0f6c2d9e8b7a4c1f3e5d7b9a2c4e6f8a0b1d3f5a7c9e",
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The floors, from the ground up (docs/architecture.md): an app imports only those above it
# in this list; lms, the project package, wires them together.
INSTALLED_APPS = [
    "people",
    "courses",
    "quizzes",
    "mentors",
    "careers",
    "rampup",
    "demo",
    "lms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "polymorphic",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "people.middleware.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the person's choice (kept in the cookie), else the browser's, else
    # LANGUAGE_CODE (people/languages.py).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

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
                "django.template.context_processors.i18n",
                "people.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
# A read replica for the reports (the ramp-up dashboard and its exports, people/replica.py):
# DATABASE_REPLICA_URL names it; unset, everything reads the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
REPORTS_DATABASE = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["people.replica.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# How long the ramp-up dashboard's computed figures are reused (docs/ramp-up.md, "Freshness").
RAMP_DASHBOARD_CACHE_SECONDS = env.int("RAMP_DASHBOARD_CACHE_SECONDS", default=300)
# A director whose profile names an office sees only that office's people on the ramp-up
# dashboard, its exports and drill-down, the career team pages and the mentor bonuses
# (people.selectors.office_scope_of; docs/ramp-up.md, docs/career.md, docs/bonuses.md); off:
# everyone sees every office.
# CAREERS_DIRECTORS_SEE_OWN_OFFICE, its earlier name (the career pages), is read as a fallback.
OFFICE_SCOPE = env.bool(
    "OFFICE_SCOPE", default=env.bool("CAREERS_DIRECTORS_SEE_OWN_OFFICE", default=False)
)
_CACHE_CLASS = CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
_PER_PROCESS_CACHE = _CACHE_CLASS in {"LocMemCache", "DummyCache"}
# With a shared cache, sessions are read from it and written through to the database
# (Django's cached_db): a signed-in request makes one query fewer. Not with a per-process
# cache, where a logout in one worker would not reach another worker's copy.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("db" if _PER_PROCESS_CACHE else "cached_db")
# Separation of duties (docs/security.md): who approved a bonus statement does not also mark
# it paid; a second person with the approver's role does.
BONUS_PAYMENT_NEEDS_SECOND_PERSON = env.bool("BONUS_PAYMENT_NEEDS_SECOND_PERSON", default=True)
# The roles that may change a bonus rule's amounts, thresholds and provenances (and create
# rules): the director only by default, never whoever profits from them (docs/security.md).
BONUS_RULE_EDITOR_ROLES = env.list("BONUS_RULE_EDITOR_ROLES", default=["Director"])
# The roles that confirm typed activity (never the trainee or their mentor, see
# mentors/permissions.py may_confirm_activity).
ACTIVITY_CONFIRMER_ROLES = env.list("ACTIVITY_CONFIRMER_ROLES", default=["HR", "Head of sales"])
# The folders an activity connector may read a file from (docs/sources.md): HR sets a
# connector's path in the admin, so it must not reach any other file of the server.
ACTIVITY_SOURCE_ROOTS = env.list(
    "ACTIVITY_SOURCE_ROOTS",
    default=["/var/log/asterisk/cdr-csv", str(VAR_DIR / "sources")],
)
# A new bonus rule's burst limit: more typed activities than this for one trainee on one day
# are flagged for the approver (each rule has its own, docs/bonuses.md).
BONUS_TYPED_ACTIVITIES_PER_DAY = env.int("BONUS_TYPED_ACTIVITIES_PER_DAY", default=30)
# PostgreSQL only: the activity table partitioned by month (mentors/partitioning.py,
# docs/performance.md "Partitioning"); converted after the next migrate or by
# `manage.py activity_partitions`. No effect on SQLite. Turning it off later does not convert
# a partitioned table back.
ACTIVITY_PARTITIONED = env.bool("ACTIVITY_PARTITIONED", default=False)
# How many months after the current one have their partition made in advance (daily beat task).
ACTIVITY_PARTITION_MONTHS_AHEAD = env.int("ACTIVITY_PARTITION_MONTHS_AHEAD", default=3)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses logins of a locked-out username from the same address.
    "people.auth.LockoutBackend",
    # Django's ModelBackend, with the request's user loaded in one query (people/auth.py).
    "people.auth.SignedInUserBackend",
    # Never reached by a login (the backend above answers first); kept so that sessions made
    # before it, and tools that log in through Django's own backend, stay signed in.
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None

# Self-service password reset (people/password_reset.py, docs/security.md): one flow for
# everyone, throttled per e-mail address and per client IP; Wagtail's own admin reset is off.
PASSWORD_RESET_FOR_TRAINEES = env.bool("PASSWORD_RESET_FOR_TRAINEES", default=True)
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=3)
PASSWORD_RESET_PER_IP_PER_HOUR = env.int("PASSWORD_RESET_PER_IP_PER_HOUR", default=20)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=24 * 3600)
WAGTAIL_PASSWORD_RESET_ENABLED = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: every user-facing string is marked for translation.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
# Dates, times and numbers as each language writes them («2 декабря 2026», «25 000»).
FORMAT_MODULE_PATH = ["people.formats"]
# A year: the choice is also on the profile, and logging in sets the cookie again.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
# The program's pages in both languages (Wagtail's own locales; docs/languages.md): an
# original and its translations share a translation key; each reader sees the copy in their
# language at the original's address, and progress stays with the original.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
TIME_ZONE = env("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="RUB")
QUIZ_GRADING_LEASE_MINUTES = env.int("QUIZ_GRADING_LEASE_MINUTES", default=30)
# Active mentees per mentor and program, unless the program's mentoring settings say otherwise.
MENTOR_MAX_MENTEES = env.int("MENTOR_MAX_MENTEES", default=3)
# When a mentorship ends by itself (docs/bonuses.md, "When a mentorship ends"): "sign_off"
# (the day the trainee is signed off as ready; the bonus window ends then too),
# "window_close" (the day its bonus window closes, signed off or not) or "both" (once both
# happened, the later day: never a window cut short nor a mentor gone mid-onboarding).
MENTORSHIP_ENDS_AT = env("MENTORSHIP_ENDS_AT", default="both")

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 2**20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20

# E-mail: console by default; EMAIL_URL such as smtp+tls://user:pass@host:587 in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="onboarding@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Security headers, all environment-driven; lms.settings.production turns the defaults on.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
    else None
)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy: only the site's own scripts; inline styles are allowed because the
# Wagtail admin and the server-drawn SVG charts carry them. Embeds (videos in stage pages) are
# framed from the hosts listed in CSP_FRAME_SOURCES.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        # blob: plays back a recording in the browser before it is uploaded (docs/coaching.md).
        "media-src": [SELF, "blob:"],
        "frame-src": [
            SELF,
            *env.list(
                "CSP_FRAME_SOURCES",
                default=[
                    "https://www.youtube.com",
                    "https://www.youtube-nocookie.com",
                    "https://player.vimeo.com",
                ],
            ),
        ],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Recordings (docs/coaching.md): recorded answers, live role-plays and calls, stored with
# STORAGES["default"] (local files under MEDIA_ROOT; S3 through django-storages where the
# deployment configures it) and served only through permission-checked views.
RECORDING_MAX_MB = env.int("RECORDING_MAX_MB", default=50)
RECORDING_LIVE_MAX_SECONDS = env.int("RECORDING_LIVE_MAX_SECONDS", default=3600)
RECORDING_CALL_MAX_SECONDS = env.int("RECORDING_CALL_MAX_SECONDS", default=7200)
# Days a recording is kept before the nightly purge deletes it (0: kept until deleted by hand).
RECORDING_RETENTION_DAYS = env.int("RECORDING_RETENTION_DAYS", default=180)
# Answers, notes and CSV uploads are bounded (see also DATA_UPLOAD_MAX_MEMORY_SIZE).
ANSWER_MAX_LENGTH = env.int("ANSWER_MAX_LENGTH", default=20_000)
# Background imports of activities (mentors/jobs.py): rows per committed chunk, and how long
# the file of a job that failed or was cancelled is kept (a finished job's file is deleted).
IMPORT_JOB_CHUNK_SIZE = env.int("IMPORT_JOB_CHUNK_SIZE", default=2000)
IMPORT_JOB_FILE_RETENTION_DAYS = env.int("IMPORT_JOB_FILE_RETENTION_DAYS", default=7)
X_FRAME_OPTIONS = "DENY"  # Wagtail sets SAMEORIGIN on its own preview views

# Celery. Without a broker the embedded default runs tasks eagerly in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
# Tasks are idempotent, so a message is acknowledged only once its work is done.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers a message nobody acknowledged (its worker was killed whole, with kill -9
# or a lost machine) once its visibility timeout has passed: matched to the time limit, so a
# running task is never delivered twice while a dead worker's task is back within minutes, not
# an hour. Every live worker looks for such messages every CELERY_UNACKED_RESTORE_SECONDS (the
# throttle of 1 makes that interval the whole delay; kombu's default is 10 x 10 s).
CELERY_VISIBILITY_MARGIN_SECONDS = env.int("CELERY_VISIBILITY_MARGIN_SECONDS", default=60)
CELERY_UNACKED_RESTORE_SECONDS = env.int("CELERY_UNACKED_RESTORE_SECONDS", default=10)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + CELERY_VISIBILITY_MARGIN_SECONDS,
    "unacked_restore_interval": CELERY_UNACKED_RESTORE_SECONDS,
    "unacked_restore_throttle": 1,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker of `make run`: messages as files under var/broker/ (kombu's
    # filesystem transport), shared by the web server and the worker on one machine.
    # CELERY_BROKER_DIR moves it (the integration test of `make run` uses a temporary one).
    _BROKER_DIR = Path(env("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "messages"),
        "data_folder_out": str(_BROKER_DIR / "messages"),
        "control_folder": str(_BROKER_DIR / "control"),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The queues (docs/architecture.md, "Queues"). Off by default: every task goes to Celery's
# default queue and any worker runs it. With CELERY_SPLIT_QUEUES=true the imports, the bonus
# computations and the e-mails go to queues of their own, so that a long finalization never
# holds up a password-reset e-mail; each worker then runs the queues it is started with
# (`celery -A lms worker -Q celery,imports,bonuses,email`): `make run`, `make worker` and the
# integration tests' workers consume all of TASK_QUEUES, so routing changes nothing for them.
TASK_QUEUES = ("celery", "imports", "bonuses", "email")
CELERY_TASK_ROUTES = (
    {
        "mentors.tasks.*import*": {"queue": "imports"},
        "mentors.tasks.*": {"queue": "bonuses"},
        "people.tasks.notification*": {"queue": "email"},
    }
    if env.bool("CELERY_SPLIT_QUEUES", default=False)
    else {}
)

# Wagtail 8's own background tasks (django-tasks) run immediately unless configured.
TASKS = {
    "default": {
        "BACKEND": env(
            "DJANGO_TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="Onboarding")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
# No avatars from gravatar.com: the site makes no requests to third parties.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 2**20
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 2**20

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, with JSON nested too deeply or holding lone surrogates answered 400.
    "DEFAULT_PARSER_CLASSES": [
        "lms.api.GuardedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Onboarding API",
    "DESCRIPTION": (
        "Activities, bonus rules and statements, enrollments and ramp-up, the career ladder."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Only the project's API; Wagtail's admin API is internal to the admin.
    "PREPROCESSING_HOOKS": ["lms.api.only_public_api"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
