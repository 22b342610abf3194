"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
# Old keys still accepted when reading signatures, so rotating the key keeps sessions and the
# communities' printed QR codes (signed self-service addresses) working.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])


def database_config() -> dict:
    """DATABASE_URL when set, otherwise the embedded PostgreSQL server under ./var/."""
    if "DATABASE_URL" in env:
        url = env("DATABASE_URL")
    else:
        from config.embedded_db import embedded_database_url

        url = embedded_database_url(BASE_DIR)
    config = env.db_url_config(url)
    if not config["ENGINE"].endswith("postgresql"):
        raise environ.ImproperlyConfigured("DATABASE_URL must point at PostgreSQL.")
    # Short web queries: PostgreSQL's JIT compiler costs more than it saves (seconds on a
    # 100,000-row export's query).
    options = config.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    config["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "pgtrigger",
    "pghistory",
    "communities",
    "cadres",
    "supervision",
    "supplies",
    "appraisal",
    "audit",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "communities.security.SessionIdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who, from where and which URL, carried into the audit trail's database triggers.
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a login refused after repeated failures into its answer.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communities.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "communities.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "communities:home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's, with a message translated here (communities.security).
        "NAME": "communities.security.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("DJANGO_PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
# A session unused this long is logged out (communities.security.SessionIdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env.int("DJANGO_SESSION_IDLE_TIMEOUT", default=2 * 60 * 60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
# Uploaded evidence of problems. Never served as static files: a scoped view hands them out.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "communities.security.csrf_failure"

# Content security policy (django-csp): our scripts and styles only, from our own static files;
# nothing inline, no plugins, never framed. QR codes and Swagger UI's icons may be data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# The shared cache of rate limits and throttles: Redis when REDIS_URL (or any CACHE_URL) is set,
# otherwise the database (a cache per process would let each gunicorn worker count apart).
if "REDIS_URL" in env:
    CACHES = {
        "default": env.cache_url_config(
            env("REDIS_URL"), backend="django.core.cache.backends.redis.RedisCache"
        )
    }
elif "CACHE_URL" in env:
    CACHES = {"default": env.cache_url_config(env("CACHE_URL"))}
else:
    CACHES = {
        "default": {
            "BACKEND": "communities.cache.DatabaseCache",
            "LOCATION": "zaizhi_cache",
        }
    }

# Login lockout (django-axes), counted in the database. A client is refused once either the
# account (from any address: a slow guess spread over many addresses) or the address (for any
# account: one machine trying many accounts) has failed DJANGO_LOGIN_FAILURE_LIMIT times within
# the cool-off; a refused attempt starts the cool-off again. The pair alone would let an
# attacker spread guesses over addresses, and the address alone would let them rotate accounts.
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "communities.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "communities.security.client_ip"
# A success does not wipe the address's failures: a valid account must not reset a spray.
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
# No version banner on every command; lockouts are still logged and kept in the database.
AXES_VERBOSE = False

# The public self-service page: submissions per client address (django-ratelimit, shared cache).
SELF_SERVICE_RATE = env("DJANGO_SELF_SERVICE_RATE", default="20/h")
# Its form carries the signed time it was issued: sent sooner than this (a script) or later
# than the maximum age, it is refused and shown again.
SELF_SERVICE_MIN_FILL_SECONDS = env.int("DJANGO_SELF_SERVICE_MIN_FILL_SECONDS", default=3)
SELF_SERVICE_FORM_MAX_AGE = env.int("DJANGO_SELF_SERVICE_FORM_MAX_AGE", default=24 * 60 * 60)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, plus the error answers (401, 403, 400, 404 …) each operation can give.
    "DEFAULT_SCHEMA_CLASS": "communities.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "communities.api.errors.exception_handler",
    # Per account (its token or session) and, before login, per address; a 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("DJANGO_API_ANON_RATE", default="60/min"),
        "user": env("DJANGO_API_USER_RATE", default="600/min"),
    },
    # Reverse proxies of ours in front of the app: the client's address is read from
    # X-Forwarded-For that many hops from the right (0: REMOTE_ADDR, the header is ignored).
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
}

# How many days late a team may still post a day's report.
SUPERVISION_REPORT_DAYS_BACK = env.int("SUPERVISION_REPORT_DAYS_BACK", default=7)
# A report posted after this hour (local time) of its day, or on a later day, counts as late.
SUPERVISION_REPORT_LATE_HOUR = env.int("SUPERVISION_REPORT_LATE_HOUR", default=20)

SPECTACULAR_SETTINGS = {
    "TITLE": "在职党员进社区 API",
    "DESCRIPTION": "Areas and places, work units, cadres, registrations, posts and branches, "
    "scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's files ship inside drf-spectacular-sidecar: nothing loads from the internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind` field with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "PostKindEnum": "cadres.choices.PostKind",
        "BranchKindEnum": "cadres.choices.BranchKind",
        "EstateKindEnum": "communities.choices.EstateKind",
        "ProblemStatusEnum": "supervision.choices.ProblemStatus",
        "MeasureStatusEnum": "supervision.choices.MeasureStatus",
        "EntryKindEnum": "supplies.choices.EntryKind",
        "ItemUnitEnum": "supplies.choices.ItemUnit",
        "GradeEnum": "appraisal.choices.Grade",
        "CommendationKindEnum": "appraisal.choices.CommendationKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
