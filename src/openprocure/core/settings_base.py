"""Settings shared by both sites.

Each site's ``settings`` module star-imports this one, takes what it names after itself from
``site_settings`` and then sets what is its own (``SITE_NAME``, apps, navigation). Everything a production deployment changes comes
from environment variables, listed in ``docs/operators.md``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable as a list of non-empty strings."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def data_dir(site: str) -> Path:
    """The folder holding a site's SQLite database, mail spool, uploads and generated keys."""
    base = Path(os.environ.get("OPENPROCURE_DATA_DIR", Path.cwd() / "data"))
    path = base / site
    path.mkdir(parents=True, exist_ok=True)
    return path


def persistent_secret(site: str, name: str) -> str:
    """A random secret generated once per data folder (when no environment variable gives one).

    There is no default key in the code: a fresh installation generates its own and keeps it in
    the data folder with owner-only permissions.
    """
    path = data_dir(site) / f".{name}"
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(value)
    return value


def database_settings(site: str) -> dict[str, Any]:
    """``DATABASE_URL`` when set (PostgreSQL at scale), otherwise an embedded SQLite file in WAL mode."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        return {"default": config}
    return {
        "default": {
            "ENGINE": "openprocure.core.sqlite",
            "NAME": str(data_dir(site) / "db.sqlite3"),
            # One connection per thread for the life of the process: opening one per request
            # (and running the PRAGMAs) was a measurable share of a PunchOut setup request.
            "CONN_MAX_AGE": None,
            # Tests run on an in-memory database (named here: test tools only recognise Django's
            # own SQLite backend as SQLite).
            "TEST": {"NAME": ":memory:"},
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }


def tasks_backend_path() -> str:
    """Dotted path of the task backend class named by ``OPENPROCURE_TASKS_BACKEND``."""
    backend = os.environ.get("OPENPROCURE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    if "." not in backend:
        raise ImproperlyConfigured(
            f"OPENPROCURE_TASKS_BACKEND={backend!r} is not a dotted path to a task backend class, e.g. "
            "'django_tasks_db.DatabaseBackend' or 'django_tasks_rq.RQBackend'."
        )
    return backend


def uses_rq() -> bool:
    """True when the task backend is RQ on Redis (``django_tasks_rq.RQBackend``)."""
    return tasks_backend_path().split(".")[0] == "django_tasks_rq"


def tasks_settings() -> dict[str, Any]:
    """The task backend: Django's database backend by default, or any backend named by a dotted path."""
    return {"default": {"BACKEND": tasks_backend_path()}}


# Redis database of each site when OPENPROCURE_REDIS_URL is not set. The two sites must not share
# one: RQ queues are named by the task's queue name ("default") only, so a buyer worker would take
# the storefront's jobs. Like DATABASE_URL, each site's processes get their own URL in production.
REDIS_DEFAULT_DATABASE = {"buyer": 0, "supplier": 1}


def rq_settings(site: str) -> dict[str, Any]:
    """``RQ_QUEUES`` for django-rq when the RQ backend is chosen (nothing otherwise).

    ``OPENPROCURE_REDIS_URL`` names the Redis database; one queue, ``default``, carries every task.
    """
    if not uses_rq():
        return {}
    url = os.environ.get(
        "OPENPROCURE_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DEFAULT_DATABASE.get(site, 0)}"
    )
    # DEFAULT_TIMEOUT: the longest a job may run before RQ kills it (an outbox delivery is at most its
    # deadline plus the bookkeeping, a task of several deliveries to one slow host a multiple of it;
    # periodic jobs such as the spend refresh take longer). A job killed mid-delivery loses nothing:
    # its lease expires and the sweeper schedules the message again.
    return {"RQ_QUEUES": {"default": {"URL": url, "DEFAULT_TIMEOUT": 900}}}


def cache_settings(site: str) -> dict[str, Any]:
    """The cache every process of a site shares (rate-limit counters live there).

    ``OPENPROCURE_CACHE_URL`` names a Redis database (``redis://…``) at scale; by default a disk cache
    in the data folder (SQLite underneath: its increments are atomic across processes, which a
    per-process memory cache could never share).
    """
    url = os.environ.get("OPENPROCURE_CACHE_URL", "").strip()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    if url:
        raise ImproperlyConfigured(
            f"OPENPROCURE_CACHE_URL={url!r} is not a Redis URL (redis://host:port/db); leave it unset "
            "for the cache in the data folder."
        )
    return {
        "default": {
            "BACKEND": "diskcache.DjangoCache",
            "LOCATION": str(data_dir(site) / "cache"),
            # One shard: a rate-limit key is one row, and a sharded cache opens one SQLite file per shard.
            "SHARDS": 1,
            "DATABASE_TIMEOUT": 1.0,
            "OPTIONS": {"size_limit": 256 * 1024 * 1024},
        }
    }


def email_settings(site: str) -> dict[str, Any]:
    """SMTP when ``OPENPROCURE_SMTP_HOST`` is set; otherwise every message is written to the mail spool."""
    host = os.environ.get("OPENPROCURE_SMTP_HOST")
    if host:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": host,
            "EMAIL_PORT": int(os.environ.get("OPENPROCURE_SMTP_PORT", "587")),
            "EMAIL_HOST_USER": os.environ.get("OPENPROCURE_SMTP_USER", ""),
            "EMAIL_HOST_PASSWORD": os.environ.get("OPENPROCURE_SMTP_PASSWORD", ""),
            "EMAIL_USE_TLS": env_bool("OPENPROCURE_SMTP_TLS", True),
        }
    spool = data_dir(site) / "mail"
    spool.mkdir(exist_ok=True)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(spool),
    }


#: The demo's legal entities: the storefront's seller (EINVOICE_SELLER_SIREN) and the buyer ACME
#: (the SIREN of its business on the storefront).
DEMO_SIRENS = {"supplier": "732829304", "buyer": "732829320"}


def einvoice_platforms(site: str) -> dict[str, dict[str, Any]]:
    """Each legal entity's e-invoicing platform (``openprocure.core.platform``), by SIREN, from the
    JSON object ``OPENPROCURE_EINVOICE_PLATFORMS``. In the demo, without it, both sites share one
    folder platform under the data folder: what one writes out is what the other reads in."""
    text = os.environ.get("OPENPROCURE_EINVOICE_PLATFORMS", "").strip()
    if text:
        try:
            value = json.loads(text)
        except ValueError as error:
            raise ValueError(f"OPENPROCURE_EINVOICE_PLATFORMS is not JSON: {error}") from error
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise ValueError(
                'OPENPROCURE_EINVOICE_PLATFORMS must be a JSON object {"<SIREN>": {"adapter": …}}'
            )
        return {str(key).replace(" ", ""): config for key, config in value.items()}
    if not env_bool("OPENPROCURE_DEMO", False):
        return {}
    shared = Path(os.environ.get("OPENPROCURE_DATA_DIR", Path.cwd() / "data")) / "platform"
    to_buyer, to_supplier = str(shared / "to-buyer"), str(shared / "to-supplier")
    if site == "supplier":
        siren = os.environ.get("OPENPROCURE_EINVOICE_SELLER_SIREN", DEMO_SIRENS["supplier"])
        return {siren: {"adapter": "folder", "outbound": to_buyer, "inbound": to_supplier}}
    return {DEMO_SIRENS["buyer"]: {"adapter": "folder", "outbound": to_supplier, "inbound": to_buyer}}


def site_settings(site: str, *, public_port: int, peer_port: int) -> dict[str, Any]:
    """The settings each site names after itself: data folder, keys, modules, stores and cookies.

    ``public_port`` and ``peer_port`` are where this site and the demo's other site listen when
    ``OPENPROCURE_PUBLIC_URL`` / ``OPENPROCURE_DEMO_PEER_URL`` do not say.
    """
    return {
        "DATA_DIR": data_dir(site),
        "SECRET_KEY": os.environ.get("OPENPROCURE_SECRET_KEY") or persistent_secret(site, "secret_key"),
        # Key that encrypts the shared secrets we must send to partners (Fernet, urlsafe base64, 32 bytes).
        "ENCRYPTION_KEY": os.environ.get("OPENPROCURE_ENCRYPTION_KEY")
        or persistent_secret(site, "encryption_key"),
        "ROOT_URLCONF": f"openprocure.{site}.urls",
        "WSGI_APPLICATION": f"openprocure.{site}.wsgi.application",
        "DATABASES": database_settings(site),
        "CACHES": cache_settings(site),
        "TASKS": tasks_settings(),
        **rq_settings(site),
        **email_settings(site),
        "SESSION_COOKIE_NAME": f"openprocure_{site}_session",
        "CSRF_COOKIE_NAME": f"openprocure_{site}_csrftoken",
        "LANGUAGE_COOKIE_NAME": f"openprocure_{site}_language",
        # Where this site is reachable from the outside: used in links sent by e-mail and in
        # BrowserFormPost URLs.
        "PUBLIC_URL": os.environ.get("OPENPROCURE_PUBLIC_URL", f"http://127.0.0.1:{public_port}").rstrip("/"),
        # The demo's other site; used only to seed demo connections.
        "DEMO_PEER_URL": os.environ.get("OPENPROCURE_DEMO_PEER_URL", f"http://127.0.0.1:{peer_port}").rstrip(
            "/"
        ),
        # The host part of every payloadID we generate (cXML recommends the sender's domain name).
        "PAYLOAD_ID_DOMAIN": os.environ.get("OPENPROCURE_PAYLOAD_ID_DOMAIN", f"{site}.openprocure.local"),
        # Each legal entity's e-invoicing platform, by SIREN (openprocure.core.platform).
        "EINVOICE_PLATFORMS": einvoice_platforms(site),
    }


# Set for each site by ``site_settings``; declared here for the type checker, which reads the
# settings of the code it checks from the settings modules' text.
DATA_DIR: Path
ENCRYPTION_KEY: str
PUBLIC_URL: str
DEMO_PEER_URL: str
PAYLOAD_ID_DOMAIN: str
EINVOICE_PLATFORMS: dict[str, dict[str, Any]]
# Seconds between two pulls of the platforms' inbound flows (PLATFORM_PULL_SECONDS in core.tunables);
# every 10 s in the demo, so an invoice or a status crosses quickly.
PLATFORM_PULL_SECONDS = float(
    os.environ.get("OPENPROCURE_PLATFORM_PULL_SECONDS", "10" if env_bool("OPENPROCURE_DEMO", False) else "60")
)
PLATFORM_PULL_TASK = "openprocure.core.platform.tasks.pull_platforms"

DEBUG = env_bool("OPENPROCURE_DEBUG", False)
DEMO_MODE = env_bool("OPENPROCURE_DEMO", False)
ALLOWED_HOSTS = env_list("OPENPROCURE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Partners' URLs we connect to (setup, order, inbound cXML, platforms, conformance runs) must resolve
# to public addresses (punchout.netguard): these host names and networks (CIDR) may be non-public.
# The demo and OPENPROCURE_DEBUG run both sites on 127.0.0.1, so they allow loopback unless told otherwise.
PARTNER_ALLOWED_NETWORKS = env_list(
    "OPENPROCURE_PARTNER_ALLOWED_NETWORKS", "127.0.0.0/8,::1" if DEMO_MODE or DEBUG else ""
)
# Reverse proxies in front of the site (CIDR or addresses). Only a request whose peer is one of them
# has its client address read from X-Forwarded-For: the right-most address that is not itself a
# trusted proxy (openprocure.core.trust.client_address). Empty: the peer is the client.
TRUSTED_PROXIES = env_list("OPENPROCURE_TRUSTED_PROXIES")
CSRF_TRUSTED_ORIGINS = env_list("OPENPROCURE_CSRF_TRUSTED_ORIGINS")

SHARED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_ratelimit",
    *(["django_rq", "django_tasks_rq"] if uses_rq() else []),
    "openprocure.core",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a sign-in refused by the lockout into its page (AXES_LOCKOUT_CALLABLE below).
    "axes.middleware.AxesMiddleware",
]

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
                "openprocure.core.context_processors.site",
                "csp.context_processors.nonce",
            ],
        },
    },
]

AUTH_USER_MODEL = "core.User"
# The first backend refuses a sign-in while the account or the address is locked out (django-axes).
AUTHENTICATION_BACKENDS = [
    "openprocure.core.signin.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [str(PACKAGE_DIR / "locale")]
# How each language writes dates and numbers on pages (see openprocure/core/formats/__init__.py).
FORMAT_MODULE_PATH = ["openprocure.core.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("OPENPROCURE_TIME_ZONE", "Europe/Paris")

STATIC_URL = "/static/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("OPENPROCURE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Fixed exchange rates, one table for everything that compares or adds amounts in several currencies
# (spend dashboards, approval rules, spending limits): how many units of the base currency (the one
# whose rate is 1) one unit of each currency is worth. Rates between two other currencies are derived
# through the base (openprocure.core.reference.exchange_rate). A currency missing here is never guessed.
EXCHANGE_RATES: dict[str, str] = {"EUR": "1", "USD": "0.92", "GBP": "1.17", "CHF": "1.05"}

# Outbox deliveries (openprocure.core.outbox): the deadline of one attempt in seconds — connecting,
# sending and reading the partner's whole answer. Each message's lease is derived from it.
OUTBOX_DELIVERY_DEADLINE_SECONDS = float(os.environ.get("OPENPROCURE_DELIVERY_DEADLINE_SECONDS", "30"))
# Deliveries to one destination host at the same time; more wait their turn (a slow partner holds
# this many task slots at most).
OUTBOX_DELIVERIES_PER_DESTINATION = int(os.environ.get("OPENPROCURE_DELIVERIES_PER_DESTINATION", "2"))
# Task slots of one `openprocure worker` process: tasks (deliveries to different partners among them)
# run side by side, so a partner that answers slowly holds one slot, not the worker.
WORKER_CONCURRENCY = int(os.environ.get("OPENPROCURE_WORKER_CONCURRENCY", "4"))
# One worker of the installation is its scheduler (openprocure.core.scheduling): it holds a lease in
# the database, renewed every few seconds; when that worker dies, another takes over once this many
# seconds have passed without renewal.
SCHEDULER_LEASE_SECONDS = float(os.environ.get("OPENPROCURE_SCHEDULER_LEASE_SECONDS", "30"))

# Largest inbound cXML / OCI body we read, in bytes (a purchase order of thousands of lines fits).
CXML_MAX_BYTES = int(os.environ.get("OPENPROCURE_CXML_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = CXML_MAX_BYTES + 1024 * 1024
# Form fields read from one POST: an OCI cart comes back as a form of one field per value and line
# (up to 999 lines of some 40 OCI 5.0 fields), far above Django's default of 1000, which refused an
# 80-line cart with a bare 400 page. The body's size stays bounded by the setting above.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Paths and query strings in log messages lose their secrets (session keys, tokens, passwords).
    "filters": {"redact": {"()": "openprocure.core.redaction.RedactingFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENPROCURE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Web security: every value below is documented in docs/operators.md ("Security settings").

# Content-Security-Policy (django-csp). Scripts and styles come from our own static files, or carry
# the response's nonce (the PunchOut cart's auto-post page); nothing else runs. Pages are framed by
# nobody, except PunchOut pages, which the procurement system of the session's business may frame
# (openprocure.core.security.allow_framing, from the business's allowed return addresses).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
    }
}

# Sign-in lockout (django-axes): after OPENPROCURE_SIGNIN_FAILURE_LIMIT wrong passwords for one
# account from one client address, that account is refused from that address; after
# OPENPROCURE_SIGNIN_ADDRESS_FAILURE_LIMIT wrong passwords from one address over any accounts, every
# sign-in from the address is refused. A stranger elsewhere never locks anyone out of their own
# address. Each lockout lasts OPENPROCURE_SIGNIN_COOLOFF_MINUTES, doubled by every further failure
# during it (at most a day). Administrators unlock in the Django admin (Access attempts) or with
# `openprocure <site> axes_reset_username EMAIL` / `axes_reset_ip ADDRESS`.
AXES_FAILURE_LIMIT = int(os.environ.get("OPENPROCURE_SIGNIN_FAILURE_LIMIT", "5"))
SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("OPENPROCURE_SIGNIN_ADDRESS_FAILURE_LIMIT", "20"))
SIGNIN_COOLOFF_MINUTES = float(os.environ.get("OPENPROCURE_SIGNIN_COOLOFF_MINUTES", "5"))
AXES_COOLOFF_TIME = "openprocure.core.signin.cool_off"
AXES_LOCKOUT_PARAMETERS = "openprocure.core.signin.lockout_parameters"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "openprocure.core.signin.username_of"
AXES_LOCKOUT_CALLABLE = "openprocure.core.signin.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # only its start-up banner; failures and lockouts are always logged
# Axes reads the client address as the rate limits and the partner endpoints do: REMOTE_ADDR, or
# X-Forwarded-For when the peer is one of TRUSTED_PROXIES (openprocure.core.trust.client_address).
AXES_CLIENT_IP_CALLABLE = "openprocure.core.trust.client_address"

# Rate limits of /cxml/ and /oci/ (django-ratelimit, counted in the shared cache above):
# requests that fail (unreadable, unknown sender, wrong secret, any 4xx) count per client address and
# are refused, before the body is read, once the address is over OPENPROCURE_RATELIMIT_ANONYMOUS;
# accepted requests count per partner credential against OPENPROCURE_RATELIMIT_PARTNER. Rates are
# "<count>/<period>" with a period of s, m, h or d (e.g. "60/m", "1000/h"). A refused request gets
# HTTP 429 with Retry-After and a cXML Status 560 (temporary: send it again later).
RATELIMIT_ENABLE = env_bool("OPENPROCURE_RATELIMIT", True)
# The client address of a request, behind trusted proxies too (openprocure.core.trust.client_address).
RATELIMIT_IP_META_KEY = "openprocure.core.trust.client_address"
RATELIMIT_ANONYMOUS = os.environ.get("OPENPROCURE_RATELIMIT_ANONYMOUS", "60/m")
RATELIMIT_PARTNER = os.environ.get("OPENPROCURE_RATELIMIT_PARTNER", "6000/m")
# An address with this many failed requests in one window of the anonymous rate gets one cXML
# document read at a time, for RATELIMIT_SUSPECT_SECONDS.
RATELIMIT_SUSPECT_AFTER = int(os.environ.get("OPENPROCURE_RATELIMIT_SUSPECT_AFTER", "10"))
RATELIMIT_SUSPECT_SECONDS = int(os.environ.get("OPENPROCURE_RATELIMIT_SUSPECT_SECONDS", "600"))
# diskcache's and Redis's increments are atomic across processes; django-ratelimit only lists the
# memcached and django-redis backends as supported, so its "not officially supported" warning is noise.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
