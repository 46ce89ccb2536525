"""Settings for one region portal, read from the environment.

With nothing set, the portal runs on its embedded default: an SQLite file under data/ and
Celery tasks executed in-process, so `make run` works on a bare machine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PORTAL_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def peer_url_overrides(value: str) -> dict[int, str]:
    """PORTAL_PEER_URLS: a JSON object {"<region id>": "<base URL of its peer API>"}."""
    if not value.strip():
        return {}
    try:
        data = json.loads(value)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        overrides = {int(key): str(url).rstrip("/") for key, url in data.items()}
    except ValueError as error:
        raise ImproperlyConfigured(
            f'PORTAL_PEER_URLS must be a JSON object like {{"2": "http://10.0.0.2:8000"}}: {error}'
        ) from error
    for region_id, url in overrides.items():
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ImproperlyConfigured(f"PORTAL_PEER_URLS: region {region_id}: {url!r} is no URL")
    return overrides


def secret_key_read(path: Path) -> str:
    """The key `make run` made in PORTAL_DATA_DIR, read as its shell does (`$(cat file)`), so
    manage.py signs and encrypts with the same key as the server; "" without the file."""
    try:
        return path.read_text().rstrip("\n")
    except FileNotFoundError:
        return ""


DEBUG = env_bool("DEBUG")

# The environment's key, else the one `make run` keeps in PORTAL_DATA_DIR.
_secret_key_file = DATA_DIR / "secret_key"
SECRET_KEY = os.environ.get("SECRET_KEY", "") or secret_key_read(_secret_key_file)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set and {_secret_key_file} is missing or empty. Set SECRET_KEY in "
            "the environment, run `make run` once to make the file (or point PORTAL_DATA_DIR "
            "at the directory that holds it), or set DEBUG=1 for development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

# Encrypts API secret keys at rest (identity/crypto.py); comma-separated to rotate (the first
# encrypts, all decrypt). Defaults to SECRET_KEY, so changing that alone loses stored secrets.
PORTAL_ENCRYPTION_KEY = os.environ.get("PORTAL_ENCRYPTION_KEY", "") or SECRET_KEY

PORTAL_PUBLIC_URL = os.environ.get("PORTAL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
_public_host = urlsplit(PORTAL_PUBLIC_URL).hostname or "127.0.0.1"

# How this region reaches another region's peer API when not at its registered endpoint
# (a private network between regions; the tests put a fault proxy there). Server-to-server
# peer calls only: the registered endpoint is still what every region publishes.
PEER_URL_OVERRIDES: dict[int, str] = peer_url_overrides(os.environ.get("PORTAL_PEER_URLS", ""))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", f"127.0.0.1,localhost,{_public_host}")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", PORTAL_PUBLIC_URL)

# Two portals on one host share cookies across ports, so every region needs its own names.
_cookie_prefix = os.environ.get("PORTAL_COOKIE_PREFIX", "regionportal")
SESSION_ENGINE = "portal.sessions"
SESSION_COOKIE_NAME = f"{_cookie_prefix}_sessionid"
CSRF_COOKIE_NAME = f"{_cookie_prefix}_csrftoken"
# The CloudStack API's `sessionkey` cookie (identity/cloudstack/auth.py), per region as well.
CLOUDSTACK_SESSIONKEY_COOKIE_NAME = f"{_cookie_prefix}_sessionkey"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_secure_cookies = PORTAL_PUBLIC_URL.startswith("https://")
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Messages live in the session, under the region's own cookie: no `messages` cookie that two
# regions on one host would share.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
if _secure_cookies:
    # Served over HTTPS (PORTAL_PUBLIC_URL=https://...), behind a TLS proxy that sets
    # X-Forwarded-Proto (docs/operations.md, Security): browsers keep to HTTPS for a year.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("PORTAL_HSTS_SECONDS", "31536000"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "formtools",
    "bootstrap",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.idp.oidc",
    "portal",
    "identity",
    "identity.sso",
    "regions",
    "zones",
    "console",
]

# What the roles allow: the policy behind portal.permissions (may, require, visible).
PORTAL_PERMISSIONS = "identity.permissions"
# Which models replicate, for the check that every model's declaration agrees
# (portal/declarations.py).
PORTAL_REPLICATED_MODELS = "regions.federation.replication.registry.registered_models"

# Who is calling the CloudStack API (signatures, sessions, login and logout).
CLOUDSTACK_AUTH = "identity.cloudstack.auth"

# Where pages may post forms besides the portal itself (the CSP's form-action): every
# registered region's portal, which single sign-on posts through.
PORTAL_FORM_TARGETS = "regions.selectors.region_origins"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.audit.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "regions.middleware.SetupRequiredMiddleware",
    "identity.middleware.SessionTimeoutMiddleware",
    "identity.sso.middleware.GlobalSignOutMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.navigation.navigation",
                "identity.sso.context_processors.region_navigation",
            ],
        },
    },
]

if not os.environ.get("DATABASE_URL"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
# One backend: Django's username and password check behind the sign-in throttle.
AUTHENTICATION_BACKENDS = ["identity.backends.PortalBackend"]
# auth.W004 ("User.username is not unique"): it is, case-insensitively, by a unique index on
# lower(username) (identity.User's Meta.constraints), which Django's check does not read.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Password checks allowed per window (identity.sign_in_limits): (attempts, seconds). The
# account-wide limit is above the per-address one, so one address cannot keep a user out.
SIGN_IN_LIMITS = {
    "account-address": (
        int(os.environ.get("PORTAL_SIGN_IN_LIMIT_ACCOUNT_ADDRESS", "5")),
        60,
    ),
    "address": (int(os.environ.get("PORTAL_SIGN_IN_LIMIT_ADDRESS", "30")), 60),
    "account": (int(os.environ.get("PORTAL_SIGN_IN_LIMIT_ACCOUNT", "10")), 60),
}
# Reverse proxies in front of the portal that append to X-Forwarded-For: 0 trusts no
# header and throttles by the connection's own address.
PORTAL_PROXY_HOPS = int(os.environ.get("PORTAL_PROXY_HOPS", "0"))
# Attempts are written on their own connection (autocommit), so a rolled-back transaction
# cannot take a failed guess back.
DATABASES["sign_in"] = {**DATABASES["default"], "CONN_MAX_AGE": 0}
SIGN_IN_DATABASE = "sign_in"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL: readers do not block the one writer (the sign-in connection writes while a
    # request's transaction reads).
    for _alias in ("default", "sign_in"):
        DATABASES[_alias].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Length and character rules come from the password.policy.* global settings.
    {"NAME": "identity.password_validation.PasswordPolicyValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Never the first: only single sign-on client secrets (random, 256 bits) use it.
    "identity.sso.hashers.ClientSecretHasher",
]
if env_bool("PORTAL_FAST_PASSWORD_HASHER"):
    # Test runs only: PBKDF2's cost is deliberate and would dominate the suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "regions:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username"}
# identity.sign_in_limits throttles every password check, this form's included; allauth's
# own per-username limit would let anyone lock a user out of the form.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "identity.adapters.PortalAccountAdapter"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"

# Single sign-on between regions (identity/sso/): every region is an OpenID Connect
# provider (allauth.idp.oidc) and a client of every other region (the `region` provider).
SOCIALACCOUNT_ADAPTER = "identity.sso.adapters.RegionSocialAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = True  # the switcher's redirect is a GET: no "Continue?" page
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # users are matched by their replicated UUID only
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 5
IDP_OIDC_ADAPTER = "identity.sso.adapters.RegionIdpAdapter"
IDP_OIDC_AUTHORIZATION_CODE_EXPIRES_IN = 60
IDP_OIDC_ID_TOKEN_EXPIRES_IN = 60
IDP_OIDC_ACCESS_TOKEN_EXPIRES_IN = 60
IDP_OIDC_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "portal.api.filters.OrderingFilter",
        "portal.api.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.portal_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Region Portal API",
    "DESCRIPTION": "Regions, zones and the cloud-wide identity hierarchy of one region portal.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.postprocess",
    ],
    # Machines here are offline: Swagger UI is served from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        # Accounts and users share one set of states.
        "StateEnum": "identity.models.AccountState",
        "ProjectStateEnum": "identity.models.ProjectState",
        "AccountTypeEnum": "identity.models.AccountType",
        "HostStateEnum": "zones.models.HostState",
    },
}

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# Redis, when configured, backs the cache (peer pull locks) and the event channel.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _cookie_prefix,
        }
    }

CELERY_BEAT_SCHEDULE = {
    "replication-sweep": {
        "task": "regions.tasks.replication_sweep",
        "schedule": float(os.environ.get("REPLICATION_SWEEP_SECONDS", "10")),
    },
    "sso-tokens-purge": {"task": "identity.sso.tasks.sso_tokens_purge", "schedule": 3600.0},
    "change-log-purge": {"task": "regions.tasks.change_log_purged", "schedule": 86400.0},
    # each host is pinged by its zone's ping.interval; this is how often the due ones are found
    "hosts-ping": {
        "task": "zones.tasks.hosts_ping",
        "schedule": float(os.environ.get("HOST_PING_SWEEP_SECONDS", "10")),
    },
    # capacity is recomputed once per capacity.check.period; this is how often it is asked
    "capacity-check": {
        "task": "zones.tasks.capacity_check",
        "schedule": float(os.environ.get("CAPACITY_SWEEP_SECONDS", "30")),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
