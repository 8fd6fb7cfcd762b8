"""Django settings for casemgmt, read from the environment (12-factor, django-environ).

Every variable is listed with a comment in ``.env.example``. With ``DATABASE_URL`` or
``REDIS_URL`` unset, a private PostgreSQL / Redis is started under ``.data/``
(see ``casemgmt.lib.embedded``).
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if env.str("DATABASE_URL", default=""):
        # A configured deployment must bring its own secret.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set (see .env.example).")
    # Local machine on the embedded servers: a random key kept in the git-ignored .data/.
    from casemgmt.lib.embedded import local_secret_key

    SECRET_KEY = local_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "casemgmt.accounts",
    "casemgmt.audit",
    "casemgmt.notifications",
    "casemgmt.drafts",
    "casemgmt.lib.idempotency",
    "casemgmt.lib.i18n",
    "dashboard",
    "clients",
    "assessments",
    "careplans",
    "referrals",
    "health",
    "scheduling",
    "documents",
    "groups",
    "interop",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Client data is never cached (static files and the login page may be).
    "casemgmt.lib.cache_headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with the second factor too (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Admins (and everyone, with OTP_REQUIRED_FOR_ALL) set up two-factor sign-in first.
    "casemgmt.accounts.middleware.TwoFactorRequiredMiddleware",
    "casemgmt.accounts.middleware.TeamTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Keeps a form's POST as a draft when the session has ended or the server fails.
    "casemgmt.drafts.middleware.DraftMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "casemgmt.audit.services.AuditContextMiddleware",
    # After CSRF, login and messages: a repeated create form or Idempotency-Key POST
    # gets the first answer (casemgmt/lib/idempotency).
    "casemgmt.lib.idempotency.middleware.OneSavePerClickMiddleware",
    # AxesMiddleware should be the last middleware (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casemgmt.urls"
WSGI_APPLICATION = "casemgmt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["casemgmt.lib.template_filters"],  # relative_due
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casemgmt.notifications.context_processors.unread_notifications",
                "dashboard.context_processors.supervisor_queues",
            ],
        },
    },
]

# ----------------------------------------------------------------------------- databases
# Least privilege (casemgmt.lib.dbroles): the app connects as a role that owns nothing and
# may only read and write rows (the audit trail: only add and read them); migrate, flush
# and the test database's creation connect as the owner, DATABASE_OWNER (None: one role).
_OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    _owner_url = env.str("DATABASE_OWNER_URL", default="")
    DATABASE_OWNER = (
        {k: v for k, v in env.db_url_config(_owner_url).items() if k in _OWNER_KEYS}
        if _owner_url
        else None
    )
else:
    from casemgmt.lib.embedded import postgres_owner_settings, postgres_settings

    DATABASES = {"default": postgres_settings(env.str("DATABASE_APP_ROLE", default="casemgmt_app"))}
    DATABASE_OWNER = postgres_owner_settings(DATABASES["default"])
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# A persistent connection left stale by a database restart is checked (and replaced) at the
# start of the next request, instead of failing that request with a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Tests use a database of their own; TEST_DATABASE_NAME lets two checkouts (or two
# sessions) run their suites side by side on one server.
DATABASES["default"]["TEST"] = {
    "NAME": env.str("TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if env.str("REDIS_URL", default=""):
    REDIS_URL = env.str("REDIS_URL")
else:
    from casemgmt.lib.embedded import redis_url

    REDIS_URL = redis_url()

# ------------------------------------------------------------------------ authentication
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    # Must be first so a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle timeout: the session cookie expires this long after the last request.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Drafts (casemgmt.drafts): the idle warning shows this long before the timeout, with
# "Stay signed in"; long forms autosave every DRAFT_AUTOSAVE_SECONDS while they change;
# a form posted after the session ended, with an expired CSRF token, or answered by a
# server error is kept too; drafts are deleted DRAFT_RETENTION_DAYS after their last change.
IDLE_WARNING_SECONDS = env.int("IDLE_WARNING_SECONDS", default=120)
DRAFT_AUTOSAVE_SECONDS = env.int("DRAFT_AUTOSAVE_SECONDS", default=20)
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=7)
DRAFT_COOKIE_NAME = "casemgmt_draft"
CSRF_FAILURE_VIEW = "casemgmt.drafts.views.csrf_failure"

# Sign-in throttling per username (accounts.LoginThrottle): after this many failures in a
# row each further one doubles the wait before the next attempt (2, 4, 8 ... seconds, at
# most LOGIN_THROTTLE_MAX_SECONDS); the account is never locked, and the owner is told.
# A browser that signed in to the account before (a signed cookie kept this many days)
# counts in a bucket of its own, so failures elsewhere do not keep the owner out.
LOGIN_THROTTLE_FREE_FAILURES = env.int("LOGIN_THROTTLE_FREE_FAILURES", default=5)
LOGIN_THROTTLE_MAX_SECONDS = env.int("LOGIN_THROTTLE_MAX_SECONDS", default=15 * 60)
LOGIN_KNOWN_DEVICE_DAYS = env.int("LOGIN_KNOWN_DEVICE_DAYS", default=180)
# django-axes: lock an address (whatever the usernames) after this many failures within
# the cool-off; never a username, so nobody can lock someone else's account.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
# A success from an address does not wipe its failures (an attacker with one account of
# their own could otherwise reset the count between guesses); they expire after the cool-off.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Two-factor sign-in (django-otp: an authenticator app's TOTP, and recovery codes). Anyone
# with a device confirms a code after the password; staff, superusers and admins must set
# one up before anything else, and with OTP_REQUIRED_FOR_ALL everyone must.
OTP_REQUIRED_FOR_ALL = env.bool("OTP_REQUIRED_FOR_ALL", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="casemgmt")
# How long the password step waits for its code.
OTP_LOGIN_PENDING_SECONDS = 5 * 60
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "casemgmt.lib.addresses.client_address"

# How many proxies of ours stand in front of the app (each appends to X-Forwarded-For):
# 0 = the connection's peer address only; N = the N-th X-Forwarded-For hop from the
# right. Read by casemgmt.lib.addresses for the audit trail and the login lockout.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --------------------------------------------------------------------------- security
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]  # probes come over plain HTTP
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)

# Content-Security-Policy (django-csp): no inline script, no third-party origin.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# ------------------------------------------------------------------ i18n, time, static
# Staff pages are in English (no LocaleMiddleware: a browser's language does not switch
# them). What a client reads (the client copy of a plan, the safety plan, reminders, the
# portal) is rendered in the client's language with ``casemgmt.lib.i18n.render_in``, and
# its dates and numbers then follow that language's formats. Translations are gettext
# catalogues in the repository (locale/ and each app's locale/), compiled without GNU
# gettext by ``manage.py compilemessages_py``; the compiled .mo files are committed.
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents (the documents app). The file system under MEDIA_ROOT by default
# (git-ignored ``media/``; never served by URL: every download goes through the app,
# which checks access and audits it), or an S3-compatible bucket through django-storages
# with DOCUMENTS_STORAGE=s3 (private objects, no public URL, never overwritten).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # nothing is served there
DOCUMENT_MAX_MB = env.int("DOCUMENT_MAX_MB", default=20)
DOCUMENTS_STORAGE = env.str("DOCUMENTS_STORAGE", default="filesystem")
if DOCUMENTS_STORAGE == "s3":
    _documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env.str("DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENTS_S3_REGION", default="") or None,
            # Keys from DOCUMENTS_S3_ACCESS_KEY_ID / _SECRET_ACCESS_KEY, else boto3's own
            # chain (AWS_ACCESS_KEY_ID, an instance role, ...).
            "access_key": env.str("DOCUMENTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("DOCUMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("DOCUMENTS_S3_PREFIX", default="documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
elif DOCUMENTS_STORAGE == "filesystem":
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "documents", "base_url": None},
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DOCUMENTS_STORAGE is 'filesystem' or 's3'.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": _documents_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app folders when collectstatic has not run (dev, tests).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# -------------------------------------------------------------------------------- email
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="casemgmt <noreply@localhost>")
# The same SMTP backend, keeping the server's reply (its queue id) for the outbox.
if EMAIL_CONFIG.get("EMAIL_BACKEND") == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "casemgmt.notifications.backends.SMTPEmailBackend"
# A slow mail server must not hold a sender past its outbox claim.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --------------------------------------------------------------------------------- SMS
# Text messages leave through the outbox like email (casemgmt/notifications/sms.py):
# console (default), file (one JSON line per message in SMS_FILE_PATH), locmem (tests)
# or twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, SMS_FROM).
_SMS_BACKENDS = {
    "console": "casemgmt.notifications.sms.ConsoleBackend",
    "file": "casemgmt.notifications.sms.FileBackend",
    "locmem": "casemgmt.notifications.sms.LocmemBackend",
    "twilio": "casemgmt.notifications.sms.TwilioBackend",
}
SMS_BACKEND = _SMS_BACKENDS.get(
    env.str("SMS_BACKEND", default="console"), env.str("SMS_BACKEND", default="console")
)
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / ".data" / "sms.jsonl"))
SMS_FROM = env.str("SMS_FROM", default="")
SMS_TIMEOUT = env.int("SMS_TIMEOUT", default=15)
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="https://api.twilio.com")

# ---------------------------------------------------------------- client portal (portal/)
# Check-in links: hours open, how many times the date of birth may open them; wrong dates
# of birth before a link locks; the standing plan link's days and uses; requests per link
# and per address in a window (429 beyond); minutes before a risk answer escalates.
PORTAL_CHECKIN_HOURS = env.int("PORTAL_CHECKIN_HOURS", default=72)
PORTAL_CHECKIN_MAX_USES = env.int("PORTAL_CHECKIN_MAX_USES", default=5)
PORTAL_DOB_TRIES = env.int("PORTAL_DOB_TRIES", default=5)
PORTAL_PLAN_LINK_DAYS = env.int("PORTAL_PLAN_LINK_DAYS", default=180)
PORTAL_PLAN_LINK_MAX_USES = env.int("PORTAL_PLAN_LINK_MAX_USES", default=200)
PORTAL_RATE_WINDOW_SECONDS = env.int("PORTAL_RATE_WINDOW_SECONDS", default=600)
PORTAL_RATE_PER_LINK = env.int("PORTAL_RATE_PER_LINK", default=60)
PORTAL_RATE_PER_ADDRESS = env.int("PORTAL_RATE_PER_ADDRESS", default=120)
PORTAL_RISK_ACK_MINUTES = env.int("PORTAL_RISK_ACK_MINUTES", default=60)
# Automatic check-ins (re-administration schedule): at most one per client this often.
PORTAL_AUTO_MIN_DAYS = env.int("PORTAL_AUTO_MIN_DAYS", default=7)
# The key link tokens are derived with (HMAC-SHA256); empty: derived from SECRET_KEY.
PORTAL_TOKEN_KEY = env.str("PORTAL_TOKEN_KEY", default="")

# ------------------------------------------------------------------------------- cache
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL.replace("redis+socket://", "unix://"),
        "KEY_PREFIX": "casemgmt",
    }
}

# The quality measures' costliest figures (follow-up windows, depression outcomes,
# re-assessments overdue) are kept this long per teams and period; the page shows their
# time. 0 computes them on every request.
MEASURES_CACHE_SECONDS = env.int("MEASURES_CACHE_SECONDS", default=5 * 60)
# The unread count of the navigation bar's bell is kept this long in the cache (every
# write that changes it drops it; the expiry is a safety net). 0: counted every page.
UNREAD_COUNT_CACHE_SECONDS = env.int("UNREAD_COUNT_CACHE_SECONDS", default=5 * 60)

# ------------------------------------------------------------------------------ celery
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing (a request's "look at the outbox" nudge, a sweep's deliveries) gives up
# within a second when the broker is away: what was committed is found by the sweeps.
# The worker's own connection keeps retrying (broker_connection_max_retries).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".data" / "celerybeat-schedule")
# The supervisor's queue counts in the top bar (dashboard.context_processors): how long
# a user's counts are kept in the cache (seconds; 0: counted on every page).
QUEUE_COUNTS_SECONDS = env.int("QUEUE_COUNTS_SECONDS", default=60)
# The one list of periodic jobs (each also runs as a management command).
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "casemgmt.accounts.tasks.sessions_clear_expired",
        "schedule": 60 * 60,
    },
    "portal-auto-checkins": {
        "task": "portal.tasks.auto_checkins_sweep",
        "schedule": env.int("PORTAL_AUTO_SWEEP_SECONDS", default=60 * 60),
    },
    "clients-consent-expiry-sweep": {
        "task": "clients.tasks.consent_expiry_sweep",
        "schedule": env.int("CONSENT_EXPIRY_SWEEP_SECONDS", default=60 * 60),
    },
    "referrals-followup-sweep": {
        "task": "referrals.tasks.followups_sweep",
        "schedule": env.int("FOLLOWUP_SWEEP_SECONDS", default=5 * 60),
    },
    "drafts-purge": {
        "task": "casemgmt.drafts.tasks.drafts_purge",
        "schedule": 60 * 60,
    },
    "notifications-outbox-sweep": {
        "task": "casemgmt.notifications.tasks.outbox_sweep",
        "schedule": env.int("OUTBOX_SWEEP_SECONDS", default=60),
    },
    "submission-keys-expire": {
        "task": "casemgmt.lib.idempotency.tasks.submission_keys_expire",
        "schedule": 60 * 60,
    },
    "scheduling-recurrences-extend": {
        "task": "scheduling.tasks.recurrences_extend",
        "schedule": env.int("RECURRENCE_EXTEND_SECONDS", default=6 * 60 * 60),
    },
    "scheduling-reminders-sweep": {
        "task": "scheduling.tasks.appointment_reminders_sweep",
        "schedule": env.int("APPOINTMENT_REMINDER_SWEEP_SECONDS", default=5 * 60),
    },
    "groups-sessions-extend": {
        "task": "groups.tasks.group_sessions_extend",
        "schedule": 24 * 60 * 60,
    },
    "interop-adt-sweep": {
        "task": "interop.tasks.adt_sweep",
        "schedule": env.int("ADT_SWEEP_SECONDS", default=60),
    },
}
# HL7 v2 ADT intake (interop): the MLLP listener's address (`manage.py adt_listen`; bind
# to 0.0.0.0 only behind a VPN or TLS tunnel: MLLP itself is plain TCP) and the largest
# message accepted (a larger one is rejected with AR).
ADT_MLLP_HOST = env("ADT_MLLP_HOST", default="127.0.0.1")
ADT_MLLP_PORT = env.int("ADT_MLLP_PORT", default=2575)
ADT_MAX_BYTES = env.int("ADT_MAX_BYTES", default=256 * 1024)
# One save per click (casemgmt/lib/idempotency): how long a create form's submission key
# or an API Idempotency-Key is kept with its first answer, and how long a repeat waits
# for a first request that is still running before it answers 409.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", default=10)
# The outbox (notifications app): every email is a row sent by a worker. Rows per sender
# run, after how long a claim whose sender died is given back, and the retry backoff of
# temporary failures (base doubling per attempt, capped) before a message is failed.
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=100)
OUTBOX_CLAIM_TIMEOUT = env.int("OUTBOX_CLAIM_TIMEOUT", default=10 * 60)
OUTBOX_RETRY_SECONDS = env.int("OUTBOX_RETRY_SECONDS", default=60)
OUTBOX_RETRY_MAX = env.int("OUTBOX_RETRY_MAX", default=60 * 60)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
# Follow-up reminders (referrals app): local hour at which reminders go out, batch sizes,
# and after how long a queued-but-unsent reminder is queued again by the sweep.
# Appointments (scheduling): recurring series are written this many days ahead (beat
# extends them); a reminder goes out the day before at this local hour, none for an
# appointment booked less than the lead (minutes) ahead.
RECURRENCE_HORIZON_DAYS = env.int("RECURRENCE_HORIZON_DAYS", default=183)
APPOINTMENT_REMINDER_HOUR = env.int("APPOINTMENT_REMINDER_HOUR", default=9)
APPOINTMENT_REMINDER_MIN_LEAD = env.int("APPOINTMENT_REMINDER_MIN_LEAD", default=120)
FOLLOWUP_REMINDER_HOUR = env.int("FOLLOWUP_REMINDER_HOUR", default=8)
FOLLOWUP_SWEEP_BATCH = env.int("FOLLOWUP_SWEEP_BATCH", default=1000)
REMINDER_DELIVERY_BATCH = env.int("REMINDER_DELIVERY_BATCH", default=500)
REMINDER_REQUEUE_AFTER = env.int("REMINDER_REQUEUE_AFTER", default=10 * 60)
# Emergency access ("break the glass", 42 CFR 2.51): the roles that may use it (clinical
# roles only; never the auditor or an account without a role), and how many records one
# user may open that way in any 24 hours; each one more needs a supervisor's approval.
EMERGENCY_ACCESS_ROLES = env.list("EMERGENCY_ACCESS_ROLES", default=["case manager", "supervisor"])
EMERGENCY_ACCESS_DAILY_LIMIT = env.int("EMERGENCY_ACCESS_DAILY_LIMIT", default=3)

# ------------------------------------------------------------------------------- API
# An API token (one per user and device) stops working this many days after it was issued.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Expiring per-device tokens (accounts.ApiToken), "Authorization: Token <token>".
        # First, so that a refused token answers 401 with WWW-Authenticate: Token.
        "casemgmt.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with depth and size limits (a 400/413, never a RecursionError 500).
    "DEFAULT_PARSER_CLASSES": [
        "casemgmt.lib.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "casemgmt.lib.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "casemgmt.lib.schema.AutoSchema",
    "EXCEPTION_HANDLER": "casemgmt.lib.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "casemgmt API",
    "DESCRIPTION": "Case management for integrated dual-diagnosis care. All client data is "
    "scoped to the caller's teams; records out of reach are 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Blank enums as BlankEnum, the 400/403/404 every operation can answer, and the
    # Idempotency-Key header every POST takes (casemgmt/lib/idempotency).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "casemgmt.lib.idempotency.schema.document_idempotency_key",
        "casemgmt.lib.schema.document_errors",
    ],
    # One schema name per choice set (several models have a "status" or "kind").
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "clients.models.ClientStatus",
        "CarePlanStatusEnum": "careplans.models.PlanStatus",
        "CarePlanGoalStatusEnum": "careplans.models.GoalStatus",
        "CarePlanSignatureRoleEnum": "careplans.models.SignatureRole",
        # careplans' signature role also names a field "role": name the care-team one too.
        "CareTeamRoleEnum": "clients.models.CareTeamRole",
        "CarePlanSignatureMethodEnum": "careplans.models.SignatureMethod",
        "CarePlanInterventionCategoryEnum": "careplans.models.InterventionCategory",
        "DiagnosisStatusEnum": "clients.models.DiagnosisStatus",
        "DiagnosisCategoryEnum": "clients.models.DiagnosisCategory",
        "DiagnosisCodeKindEnum": "clients.models.CodeKind",
        "RiskFlagKindEnum": "clients.models.RiskFlagKind",
        "ConsentKindEnum": "clients.models.ConsentKind",
        "AuditActionEnum": "casemgmt.audit.models.AuditAction",
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "LevelOfCareEnum": "referrals.models.LevelOfCare",
        "ServiceStatusEnum": "referrals.models.ServiceStatus",
        "FollowUpStatusEnum": "referrals.models.FollowUpStatus",
        "AsamRatingEnum": "assessments.models.ASAM_RATINGS",
        "AsamLevelOfCareEnum": "assessments.models.LevelOfCare",
        "StageOfChangeEnum": "assessments.models.StageOfChange",
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "SubstancePatternEnum": "assessments.models.SubstancePattern",
        "SubstanceRouteEnum": "assessments.models.SubstanceRoute",
        "InstrumentCodeEnum": "assessments.models.INSTRUMENT_CHOICES",
        "ServiceCategoryEnum": "referrals.models.ServiceCategory",
        "VisitFocusEnum": "referrals.models.VisitFocus",
        "AppointmentKindEnum": "scheduling.models.AppointmentKind",
        "AppointmentStatusEnum": "scheduling.models.AppointmentStatus",
        "AttendanceStatusEnum": "groups.models.AttendanceStatus",
        "DocumentKindEnum": "documents.models.DocumentKind",
    },
}

# ----------------------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
