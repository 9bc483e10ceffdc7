"""One settings module; every knob comes from the environment (documented in README and docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PLATFORM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-local-development-key-change-me-in-production")

# Hosts: the base domain serves the national console, `<tenant>.<base>` serves a tenant.
BASE_DOMAIN = os.environ.get("PLATFORM_BASE_DOMAIN", "localhost")
PUBLIC_PORT = os.environ.get("PLATFORM_PORT", "8000")
PUBLIC_SCHEME = os.environ.get("PLATFORM_SCHEME", "http")
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}", *env_list("DJANGO_ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Reverse proxies in front of Django whose X-Forwarded-* headers are believed (tenants/client_ip.py). 0 = none:
# the client IP is REMOTE_ADDR and X-Forwarded-For is ignored. DJANGO_BEHIND_PROXY=true alone means 1.
PLATFORM_TRUSTED_PROXIES = int(
    os.environ.get("PLATFORM_TRUSTED_PROXIES", "1" if env_bool("DJANGO_BEHIND_PROXY", False) else "0")
)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PLATFORM_TRUSTED_PROXIES else None

# --- Apps -------------------------------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "shared_apps.ui",  # the UI kit (ADR 0018); before `captcha`, whose widget template it draws
    "shared_apps.accounts",
    "shared_apps.oversight",
    "shared_apps.directory",
    "shared_apps.broadcasts",
    "django.contrib.contenttypes",  # shared only: see ARCHITECTURE.md, stack facts
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "captcha",  # after django.contrib: its catalogue would otherwise override Django's own Chinese messages
]

TENANT_APPS = [
    "django.contrib.admin",
    "guardian",
    "tenant_apps.configuration",
    "tenant_apps.organisations",
    "tenant_apps.workflow",
    "tenant_apps.onboarding",
    "tenant_apps.notifications",
    "tenant_apps.certification",
    "tenant_apps.marketplace",
    "tenant_apps.vouchers",
    "tenant_apps.pilots",
    "tenant_apps.ecosystem",
    "tenant_apps.cultivation",
    "tenant_apps.portal",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
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
]

INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# New tenants are cloned from this schema instead of replaying migrations (ADR 0004).
TENANT_BASE_SCHEMA = "tenant_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
# `migrate_schemas` skips schemas that are current (one query over every schema's django_migrations) and migrates
# the rest in TENANT_MIGRATION_WORKERS forked processes; 1 = in this process (docs/migrations.md).
TENANT_MIGRATION_WORKERS = max(1, int(os.environ.get("TENANT_MIGRATION_WORKERS", 2)))
TENANT_MULTIPROCESSING_MAX_PROCESSES = TENANT_MIGRATION_WORKERS
GET_EXECUTOR_FUNCTION = "tenants.migration_state.migration_executor"
# `SET search_path` once per connection and schema switch, not before every query (it doubled the round trips of
# every request). django-tenants forgets the setting on rollback and savepoint rollback (a rolled-back SET is gone)
# and on close, so a pooled connection or an aborted transaction never runs in the wrong schema.
TENANT_LIMIT_SET_CALLS = True
DEFAULT_NOT_FOUND_TENANT_VIEW = "tenants.views.UnknownHostView"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"

MIDDLEWARE = [
    "config.health.HealthCheckMiddleware",  # first: /healthz and /readyz answer on any Host, before tenant routing
    "tenants.middleware.TenantHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "config.middleware.PathAwareCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "cms.middleware.AdminLanguageMiddleware",  # after the locale: Wagtail's admin is Chinese unless chosen otherwise
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.ControlCharacterMiddleware",  # after auth and locale: its 400 page is a normal page
    "django.contrib.messages.middleware.MessageMiddleware",
    "tenant_apps.organisations.middleware.TenantCmsAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.TenantOnlyRedirectMiddleware",
    "config.middleware.DomainErrorPageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "platform" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenant_apps.portal.context_processors.portal",
                "tenant_apps.notifications.context_processors.message_badge",  # unread_messages, message_centre_url
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
# The demo's web server (waitress, tenants/serving.py): a bounded thread pool, never a thread per request. Keep it
# at or below PLATFORM_DB_POOL_MAX so every busy thread gets a connection without waiting.
WEB_THREADS = int(os.environ.get("PLATFORM_WEB_THREADS", 8))
WEB_CONNECTION_LIMIT = int(os.environ.get("PLATFORM_WEB_CONNECTION_LIMIT", 256))

# --- Database ---------------------------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    _database_url = os.environ["DATABASE_URL"]
else:
    from config.embedded_db import embedded_database_url

    _database_url = embedded_database_url(VAR_DIR / "postgres", os.environ.get("PLATFORM_DB_NAME", "pilot"))
# A bounded pool per process (psycopg_pool) instead of a persistent connection per thread: a burst of requests waits
# for a free connection (up to PLATFORM_DB_POOL_TIMEOUT seconds) instead of exhausting PostgreSQL's
# max_connections. Keep pool size × processes (web + worker + beat) below the server's max_connections; the demo
# checks this. django-tenants sets the search_path on every cursor, so a pooled connection keeps no tenant.
DB_POOL_MAX = int(os.environ.get("PLATFORM_DB_POOL_MAX", 10))
# CONN_HEALTH_CHECKS: the pool tests a connection before handing it out, so after a PostgreSQL restart no request
# gets a dead one (tests/test_db_restart.py: back within 10 s, no manual step).
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=0, conn_health_checks=True)}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
if DB_POOL_MAX > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX,
        "timeout": float(os.environ.get("PLATFORM_DB_POOL_TIMEOUT", 10)),
    }
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity ---------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Roles come from the membership in the current tenant, never from global groups (ADR 0003).
    "tenant_apps.organisations.backends.TenantRoleBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [{"NAME": "shared_apps.accounts.passwords.TenantPasswordValidator"}]
PLATFORM_PASSWORD_POLICY = "tenant_apps.configuration.selectors.password_policy"
PLATFORM_SMS_BACKEND = os.environ.get("PLATFORM_SMS_BACKEND", "shared_apps.accounts.sms.OutboxBackend")
# Every SMS starts with 【signature】: a tenant host's own (its configuration, editable by the city admin), the
# console's and public host's this one.
PLATFORM_SMS_SIGNATURE = os.environ.get("PLATFORM_SMS_SIGNATURE", "中小企业数字化转型城市试点")
PLATFORM_SMS_SIGNATURE_SOURCE = "tenant_apps.configuration.selectors.sms_signature"
PLATFORM_SMS_OUTBOX_VISIBLE = env_bool("PLATFORM_SMS_OUTBOX_VISIBLE", False)  # also shown whenever DEBUG is on
# Lockout (ADR 0016): failures of one account from anywhere in 24 h before its passwords lock, for how long, and
# failures from one address across accounts in 15 min before that address pauses (raise it behind a shared NAT).
PLATFORM_LOCKOUT_PER_ACCOUNT = int(os.environ.get("PLATFORM_LOCKOUT_PER_ACCOUNT", 10))
PLATFORM_LOCKOUT_ACCOUNT_MINUTES = int(os.environ.get("PLATFORM_LOCKOUT_ACCOUNT_MINUTES", 30))
PLATFORM_LOCKOUT_PER_IP = int(os.environ.get("PLATFORM_LOCKOUT_PER_IP", 20))
PLATFORM_SMS_DAILY_PER_MOBILE = int(os.environ.get("PLATFORM_SMS_DAILY_PER_MOBILE", 10))
PLATFORM_SMS_DAILY_PER_IP = int(os.environ.get("PLATFORM_SMS_DAILY_PER_IP", 30))
# Sub-account creation attempts per main account (identity) in any hour, workbench and API together: each attempt
# may say that a username or mobile is taken nationally (tenant_apps.organisations.services).
PLATFORM_SUB_ACCOUNT_ATTEMPTS_PER_HOUR = int(os.environ.get("PLATFORM_SUB_ACCOUNT_ATTEMPTS_PER_HOUR", 20))
CAPTCHA_FONT_SIZE = 28
CAPTCHA_IMAGE_SIZE = (110, 40)
CAPTCHA_TIMEOUT = 5
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = int(os.environ.get("PLATFORM_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an inactivity timeout
GUARDIAN_MONKEY_PATCH_USER = False
ANONYMOUS_USER_NAME = None

# --- Internationalisation ---------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# config/locale: the English catalogue of our strings (makemessages writes it). config/wagtail_locale: Chinese for the
# Wagtail admin strings Wagtail's own zh_Hans catalogues leave untranslated (maintained by hand, not makemessages).
LOCALE_PATHS = [BASE_DIR / "config" / "locale", BASE_DIR / "config" / "wagtail_locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from finders until collectstatic fills it
STATICFILES_DIRS = [BASE_DIR / "platform" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

S3_BUCKET = os.environ.get("S3_BUCKET") or os.environ.get("AWS_STORAGE_BUCKET_NAME")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "tenants.storage.TenantS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or os.environ.get("AWS_S3_ENDPOINT_URL"),
            "access_key": os.environ.get("S3_ACCESS_KEY") or os.environ.get("AWS_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("S3_SECRET_KEY") or os.environ.get("AWS_SECRET_ACCESS_KEY"),
            "region_name": os.environ.get("S3_REGION") or os.environ.get("AWS_S3_REGION_NAME") or "us-east-1",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "tenants.storage.TenantFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Cache: keys carry the schema, or Wagtail serves one tenant's site paths to another --------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if os.environ.get("REDIS_CACHE_URL")
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": os.environ.get("REDIS_CACHE_URL", "pilot"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Celery (ADR 0002: a broker that needs no server by default) ------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
_celery_dir = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem"):
    for _sub in ("queue", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        # Kombu keeps its exchange tables under `control/` of the working directory unless told otherwise.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or f"file://{_celery_dir / 'results'}"
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "pilot")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "tenants.scheduler.ServingTenantsScheduler"
CELERY_BEAT_SCHEDULE = {
    # No `tenant_schemas` key: the scheduler sends it once into every serving tenant.
    "rollup-figures": {
        "task": "oversight.rollup_tenant_figures",
        "schedule": float(os.environ.get("PLATFORM_ROLLUP_SECONDS", 300)),
    },
}

# --- API ----------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "shared_apps.accounts.tokens.ApiTokenAuthentication",  # hashed, expiring, revocable (ADR 0015)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",  # unique component names, the one error shape
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "tenants.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("PLATFORM_ANON_API_RATE", "120/minute")},
    # Throttles identify the client as tenants.client_ip does: the same count of trusted proxies.
    "NUM_PROXIES": PLATFORM_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "中小企业数字化转型城市试点平台 API",
    "DESCRIPTION": "Per-tenant API; the host picks the tenant.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["config.openapi.api_v1_only"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Wagtail ----------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "中小企业数字化转型城市试点平台"
WAGTAILADMIN_BASE_URL = f"{PUBLIC_SCHEME}://{BASE_DOMAIN}:{PUBLIC_PORT}"
WAGTAIL_I18N_ENABLED = False  # content localisation: one language of content per tenant
# The admin speaks Chinese whatever the browser asks (cms.middleware.AdminLanguageMiddleware); an editor may pick
# English in Wagtail's account settings (ADR 0006).
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Editors sign in, out and reset passwords through the platform (captcha, lockout, SMS; cms/urls.py).
WAGTAILADMIN_LOGIN_URL = "login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # the password policy and its history live in the platform
WAGTAIL_PASSWORD_RESET_ENABLED = False
# The admin makes no requests to the internet: no Gravatar avatars, no release check, no "what's new" banner.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Substring search: PostgreSQL has no Chinese text-search parser here, so full-text search would treat a run of
# Chinese characters as one word (ADR 0012). Queries run in the tenant schema, so search is per tenant.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database.fallback"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.forms.DocumentForm"

# --- Security headers and cookies (docs/configuration.md, "Security headers") ------------------------------
_https = PUBLIC_SCHEME == "https"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG and _https)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS is sent on HTTPS requests only (behind a proxy: X-Forwarded-Proto from a trusted proxy). Tenants are
# subdomains of the base domain, so the policy covers them.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000 if _https and not DEBUG else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)  # usually the proxy redirects
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail's preview frames a page of the same host; nothing else frames us
PLATFORM_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), browsing-topics=()"
)
# No inline script anywhere we render: scripts are files under /static/ (or carry request.csp_nonce). Styles may be
# inline (the tenant's brand colour, Swagger UI); a nonce in style-src would switch that off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
# Third-party UIs with inline scripts get them allowed on their own prefix only (Wagtail's admin renders inline
# panel and widget initialisers). Swagger UI is served with its initialiser as a file (SpectacularSwaggerSplitView).
PLATFORM_CSP_RELAXED_PREFIXES = {"/cms/": {"script-src": [SELF, UNSAFE_INLINE]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Audit trail retention (issue 10 #9; Cybersecurity Law art. 21: at least six months) ---------------------
# Rows older than this are archived to storage as JSONL and then pruned; below 180 days is raised to 180.
PLATFORM_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("PLATFORM_AUDIT_RETENTION_DAYS", 180)))
_audit_archive_every = float(os.environ.get("PLATFORM_AUDIT_ARCHIVE_SECONDS", 24 * 3600))
CELERY_BEAT_SCHEDULE["archive-audit-trail"] = {  # every serving tenant: its work-order log
    "task": "oversight.archive_audit_trail",
    "schedule": _audit_archive_every,
}
CELERY_BEAT_SCHEDULE["expire-vouchers"] = {  # every serving tenant: vouchers past their validity keep nothing
    "task": "vouchers.expire_due",
    "schedule": float(os.environ.get("PLATFORM_VOUCHER_EXPIRY_SECONDS", 3600)),
}
CELERY_BEAT_SCHEDULE["remind-onsite-deadlines"] = {  # every serving tenant: on-site rectification deadlines
    "task": "pilots.remind_onsite_deadlines",
    "schedule": float(os.environ.get("PLATFORM_ONSITE_REMINDER_SECONDS", 86400)),
}
CELERY_BEAT_SCHEDULE["cultivation-daily"] = {  # every serving tenant with cultivation: lapse, expiry/window notices
    "task": "cultivation.daily",
    "schedule": float(os.environ.get("PLATFORM_CULTIVATION_DAILY_SECONDS", 86400)),
}
# Transactional outbox (ADR 0027): beat publishes every tenant's undelivered notifications; one published this long
# ago and still undelivered is taken as lost and published again (delivery is idempotent, docs/tasks.md).
PLATFORM_OUTBOX_REDELIVER_SECONDS = float(os.environ.get("PLATFORM_OUTBOX_REDELIVER_SECONDS", 600))
CELERY_BEAT_SCHEDULE["relay-outbox"] = {  # every serving tenant: notifications the after-commit publish missed
    "task": "notifications.outbox_relay",
    "schedule": float(os.environ.get("PLATFORM_OUTBOX_RELAY_SECONDS", 60)),
}
CELERY_BEAT_SCHEDULE["archive-audit-trail-public"] = {  # public: security events and audit entries
    "task": "oversight.archive_audit_trail",
    "schedule": _audit_archive_every,
    "tenant_schemas": ["public"],
}
# public, once a day (local time, default 23:50): every city's latest roll-up (beat rolls up every
# PLATFORM_ROLLUP_SECONDS) becomes that day's row of the console's trends (ADR 0028).
_snapshot_hour, _snapshot_minute = os.environ.get("PLATFORM_SNAPSHOT_AT", "23:50").split(":")
# The same job prunes snapshots older than this many days (≈3 years); 0 keeps them forever.
PLATFORM_SNAPSHOT_KEEP_DAYS = int(os.environ.get("PLATFORM_SNAPSHOT_KEEP_DAYS", 1830))
CELERY_BEAT_SCHEDULE["snapshot-figures"] = {
    "task": "oversight.snapshot_figures",
    "schedule": crontab(hour=_snapshot_hour, minute=_snapshot_minute),
    "tenant_schemas": ["public"],
}

# --- Uploads are downloaded, never rendered in the site's origin (issue 10 #13; checks in tenants/uploads.py) ----
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
