"""Django settings for duban, read from DUBAN_* environment variables (see README)."""

import datetime as dt
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from duban.env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = env_path("DUBAN_DATA_DIR", Path.cwd() / "var", "where the SQLite database, attachments and the generated secret key live")
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)  # WhiteNoise warns on every request until collectstatic has run


def _secret_key() -> str:
    """Read DUBAN_SECRET_KEY, else a key generated once into the data dir (never in the repo)."""
    key = env_str("DUBAN_SECRET_KEY", "", "Django secret key; generated into DATA_DIR/secret_key when unset")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DUBAN_DEBUG", False, "debug pages and verbose errors; never in production")
ALLOWED_HOSTS = env_list("DUBAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"], "comma-separated host names the site answers to")
CSRF_TRUSTED_ORIGINS = env_list("DUBAN_CSRF_TRUSTED_ORIGINS", [], "comma-separated origins (https://duban.example.gov.cn) behind a proxy")
CSRF_FAILURE_VIEW = "duban.core.views.csrf_failure"  # in Chinese, with what to do
SECURE = env_bool("DUBAN_SECURE", False, "behind HTTPS: secure cookies, HSTS, redirect to https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "duban.core",
    "duban.matters",
    "duban.ledger",
    "duban.safety",
    "duban.appeals",
    "duban.projects",
    "duban.scoring",
    "duban.reports",
    "duban.notify",
    "duban.supervision",
    "duban.api",
    "huey.contrib.djhuey",
    "ninja",  # its swagger-ui files, served locally (no CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "duban.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "duban.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "duban.core.middleware.InvisibleCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "duban.core.middleware.PasswordExpiryMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "duban.urls"
WSGI_APPLICATION = "duban.wsgi.application"

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
                "duban.core.context_processors.shell",
                "duban.notify.context_processors.inbox",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DUBAN_DATABASE_URL", "", "postgres://user:pass@host:5432/db; SQLite in DATA_DIR when unset")
SQLITE_OPTIONS = {
    # Records here decide accountability: a committed write must survive power loss (FULL),
    # readers never block the writer (WAL), and writers queue instead of failing (timeout).
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "duban.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and sign-in (SPEC §9, docs/adr/002-password-policy.md) ---------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env_int("DUBAN_PASSWORD_MIN_LENGTH", 8, "minimum password length (MLPS 2.0: 8)", minimum=6)
PASSWORD_MIN_CLASSES = env_int("DUBAN_PASSWORD_MIN_CLASSES", 3, "of upper, lower, digit, symbol: how many a password must mix", minimum=1)
PASSWORD_MAX_AGE_DAYS = env_int("DUBAN_PASSWORD_MAX_AGE_DAYS", 90, "days before a password must be changed; 0 turns this off", minimum=0)
AUTH_PASSWORD_VALIDATORS = [
    # Our own length rule: Django 5.2's zh-Hans catalogue misses its new message, which then shows in English.
    {"NAME": "duban.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "duban.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env_int("DUBAN_LOCKOUT_FAILURES", 5, "failed sign-ins before an account is locked", minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("DUBAN_LOCKOUT_MINUTES", 30, "minutes an account stays locked", minimum=1))
# The lock runs from the last counted failure; tries while locked (even with the right password) do not
# restart it, so "try again in 30 minutes" is true. (axes' default restarts the clock on every try.)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Lock the account, not the address: a township's whole office shares one NAT address (MLPS locks accounts).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "duban.core.views.lockout"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

SESSION_COOKIE_AGE = env_int("DUBAN_IDLE_MINUTES", 30, "minutes without a request before a session ends", minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age above is then an idle timeout, not a fixed lifetime
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None


def _networks(name: str, doc: str) -> list:
    import ipaddress

    try:
        return [ipaddress.ip_network(item, strict=False) for item in env_list(name, [], doc)]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}; expected comma-separated addresses or networks such as 127.0.0.1,10.0.0.0/24") from None


# X-Forwarded-For is read only from these (the reverse proxy's own address); empty: REMOTE_ADDR is the client.
DUBAN_TRUSTED_PROXIES = _networks("DUBAN_TRUSTED_PROXIES", "addresses or networks of the reverse proxies whose X-Forwarded-For is believed (empty: served directly, the connection's address is the client's)")
# django-axes records the address of failed sign-ins by the same rule.
AXES_CLIENT_IP_CALLABLE = "duban.core.actor.client_ip"

# --- language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch (/i18n/setlang/) keeps the choice in this cookie; Chinese unless it or Accept-Language says otherwise.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SECURE
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files --------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "duban.core.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "staticfiles.json").exists()

# --- duban -------------------------------------------------------------------------------------
# The audit chain's heads, appended daily (and by every backup) outside the database: `duban audit verify`
# checks the chain against the newest one (docs/adr/013-audit-chain-head.md).
DUBAN_AUDIT_HEAD_LOG = env_path("DUBAN_AUDIT_HEAD_LOG", DATA_DIR / "audit-heads.log", "append-only file of kept audit chain heads (another disk or a write-once mount is better than the data dir)")
DUBAN_API_TOKEN_MAX_DAYS = env_int("DUBAN_API_TOKEN_MAX_DAYS", 90, "longest life of a personal API access token, in days (every token expires)", minimum=1)
DUBAN_UPLOAD_MAX_MB = env_int("DUBAN_UPLOAD_MAX_MB", 20, "largest file a user may upload, in MB", minimum=1)
DUBAN_PHOTO_MAX_MB = env_int("DUBAN_PHOTO_MAX_MB", 15, "largest hazard photo a user may upload, in MB", minimum=1)
DUBAN_PHOTO_MAX_PIXELS = env_int("DUBAN_PHOTO_MAX_PIXELS", 50_000_000, "most pixels a hazard photo may have (width × height)", minimum=1)
DUBAN_PHOTO_KEEP_GPS = env_bool("DUBAN_PHOTO_KEEP_GPS", False, "read a hazard photo's GPS position into the hazard's coordinates (the stored photo never keeps its EXIF)")
DUBAN_SAFETY_TOWNSHIP_VERIFIES = env_bool("DUBAN_SAFETY_TOWNSHIP_VERIFIES", True, "a township may verify and strike off the general hazards in its territory (0: the safety office verifies all)")
DUBAN_PROJECTS_OFFICE_UNIT = env_str("DUBAN_PROJECTS_OFFICE_UNIT", "发改局", "the project office's unit (name or short name): its head and liaisons keep the key-project ledger")
DUBAN_PROJECT_REPORT_DAY = env_int("DUBAN_PROJECT_REPORT_DAY", 25, "the day of the month by which a project's monthly investment report is due (a holiday moves it to the next working day)", minimum=1)
DUBAN_SCORING_BASE = env_int("DUBAN_SCORING_BASE", 100, "the base score of every ranked unit in a period, before its deductions and additions", minimum=0)
DUBAN_SCORING_CONTEST_DAYS = env_int("DUBAN_SCORING_CONTEST_DAYS", 5, "working days after a month ends in which a unit may contest a point of that month", minimum=0)
DUBAN_SCORING_SIGN_DAYS = env_int("DUBAN_SCORING_SIGN_DAYS", 1, "working days after arrival within which a task or appeal must be signed for, else it scores as a late sign-for", minimum=0)
DUBAN_APPEALS_OFFICE_UNIT = env_str("DUBAN_APPEALS_OFFICE_UNIT", "", "the business office's unit (name or short name) that accepts, dispatches and calls back on appeals; empty: the unit of its staff")
DUBAN_DUTY_GRACE_MINUTES = env_int("DUBAN_DUTY_GRACE_MINUTES", 30, "minutes after a shift on a critical duty post starts before, unconfirmed, it becomes a matter for the township", minimum=0)
# The public appeal pages (/appeal/, no account): the county's name on them and on the QR poster, and the rate
# limits that keep a script from filling the desk or guessing query codes (counted in the database by
# duban.core.throttle, shared by every worker and node).
DUBAN_COUNTY_NAME = env_str("DUBAN_COUNTY_NAME", "", "the county's name as the public appeal pages and the QR poster print it (某某县); empty: the pages say only 企业诉求直通车")
DUBAN_APPEAL_SUBMITS_PER_IP = env_int("DUBAN_APPEAL_SUBMITS_PER_IP", 5, "appeals one client address may submit on the public form in an hour", minimum=1)
DUBAN_APPEAL_SUBMITS_PER_PHONE = env_int("DUBAN_APPEAL_SUBMITS_PER_PHONE", 3, "appeals with one contact phone number the public form takes in a day", minimum=1)
DUBAN_APPEAL_GUESSES_PER_IP = env_int("DUBAN_APPEAL_GUESSES_PER_IP", 10, "wrong tracking number or query code one client address may enter in an hour before the tracking page refuses it", minimum=1)
DUBAN_APPEAL_GUESSES_PER_NUMBER = env_int("DUBAN_APPEAL_GUESSES_PER_NUMBER", 10, "wrong query codes entered for one tracking number in an hour before the tracking page refuses that number", minimum=1)
# --- background jobs (huey): SQLite storage in the data dir on one machine, Redis beyond it -------------------
# docs/architecture.md "Background jobs"; periodic jobs fire once across all nodes (duban.core.jobs).
REDIS_URL = env_str("DUBAN_REDIS_URL", "", "Redis for the job queue and cross-node locks (empty: SQLite storage in the data dir, one machine)")
HUEY = {
    "name": env_str("DUBAN_JOB_QUEUE", "duban", "name of the job queue; installations sharing one Redis need different names"),
    "immediate": False,  # djhuey's default follows DEBUG; jobs always go through the queue (tests switch it on)
    "utc": True,
    "results": False,  # nobody waits for a job's return value; stored results would pile up in the queue's storage
    **({"huey_class": "huey.RedisHuey", "url": REDIS_URL} if REDIS_URL
       else {"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "jobs.sqlite3")}),
    "consumer": {
        "workers": env_int("DUBAN_JOB_WORKERS", 2, "threads of each background worker (`duban worker`, and the one `duban serve` embeds)", minimum=1),
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
    },
}
EMBEDDED_WORKER = env_bool("DUBAN_EMBEDDED_WORKER", True, "`duban serve` runs a background worker beside the web server (0: dedicated `duban worker`s run the jobs)")

# Everything is served from this server (Bootstrap, htmx and swagger-ui are vendored), and no template
# has an inline script, on…= handler or style="…" (static/duban/duban.js does their work from data
# attributes): the browser runs and styles nothing else. Bootstrap's form controls draw with data: SVGs.
DUBAN_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DUBAN_CALENDAR_CACHE_SECONDS = env_int("DUBAN_CALENDAR_CACHE_SECONDS", 300, "how long a process trusts its copy of the holiday table", minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_4xx_traceback": {"()": "duban.core.logging.NoTracebackFor4xx"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DUBAN_LOG_LEVEL", "INFO", "log level: DEBUG, INFO, WARNING")},
    # An ordinary 403 (or 404) is one line in the log, not a traceback (duban.core.logging).
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"filters": ["no_4xx_traceback"]}},
}
WHITENOISE_AUTOREFRESH = DEBUG

# --- notifications (notify): links, e-mail, SMS gateway, working hours, retries (docs/deploy.md) ----------
import json  # noqa: E402


def _clock(name: str, default: str, doc: str) -> dt.time:
    value = env_str(name, default, doc).strip()
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a time of day such as 08:30") from None


def _seconds_list(name: str, default: list[str], doc: str) -> list[int]:
    try:
        values = [int(v) for v in env_list(name, default, doc)]
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected comma-separated whole seconds such as 60,300,1800") from None
    if any(v < 0 for v in values):
        raise ImproperlyConfigured(f"{name}: seconds cannot be negative")
    return values


def _json_object(name: str, doc: str) -> dict[str, str]:
    raw = env_str(name, "", doc)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ImproperlyConfigured(f'{name}: expected a JSON object of strings such as {{"X-Api-Key": "…"}}')
    return value


DUBAN_SITE_URL = env_str("DUBAN_SITE_URL", "", "the address users open (https://duban.example.gov.cn): links in e-mails and robot posts").rstrip("/")
DUBAN_WORK_START = _clock("DUBAN_WORK_START", "08:30", "working hours start (working days): pushes go out at once from here; the daily digest too")
DUBAN_WORK_END = _clock("DUBAN_WORK_END", "18:00", "working hours end: after it only urgent messages are pushed, the rest wait for the digest")
if DUBAN_WORK_START >= DUBAN_WORK_END:
    raise ImproperlyConfigured("DUBAN_WORK_START must be before DUBAN_WORK_END")
DUBAN_NOTIFY_RETRY_DELAYS = _seconds_list("DUBAN_NOTIFY_RETRY_DELAYS", ["60", "300", "1800"], "seconds before each retry of a failed push; their number is the number of retries")
# Robot webhooks may point only at the robots' own addresses, or at an intranet gateway that relays to them.
DUBAN_ROBOT_GATEWAYS = env_list("DUBAN_ROBOT_GATEWAYS", [], "comma-separated URL prefixes of intranet gateways (http://10.0.0.9:8080/robot/) a unit's robot webhook may point at, besides qyapi.weixin.qq.com and oapi.dingtalk.com")
DUBAN_NOTIFY_TIMEOUT = env_int("DUBAN_NOTIFY_TIMEOUT", 5, "seconds to wait for a robot webhook or the SMS gateway", minimum=1)

DUBAN_EMAIL_HOST = env_str("DUBAN_EMAIL_HOST", "", "SMTP server; e-mail notifications are off while it is empty")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = DUBAN_EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("DUBAN_EMAIL_PORT", 25, "SMTP port (587 with STARTTLS, 465 with SSL)", minimum=1)
EMAIL_HOST_USER = env_str("DUBAN_EMAIL_USER", "", "SMTP user name")
EMAIL_HOST_PASSWORD = env_str("DUBAN_EMAIL_PASSWORD", "", "SMTP password")
EMAIL_USE_TLS = env_bool("DUBAN_EMAIL_TLS", False, "SMTP with STARTTLS")
EMAIL_USE_SSL = env_bool("DUBAN_EMAIL_SSL", False, "SMTP over SSL (port 465)")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("DUBAN_EMAIL_TLS and DUBAN_EMAIL_SSL exclude each other: set one of them")
EMAIL_TIMEOUT = env_int("DUBAN_EMAIL_TIMEOUT", 10, "seconds to wait for the SMTP server", minimum=1)
DEFAULT_FROM_EMAIL = env_str("DUBAN_EMAIL_FROM", "duban@localhost", "sender address of notification e-mails")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

DUBAN_SMS_URL = env_str("DUBAN_SMS_URL", "", "SMS gateway URL ({phone} and {text} may appear in it); SMS is off while it is empty")
DUBAN_SMS_METHOD = env_str("DUBAN_SMS_METHOD", "POST", "GET or POST").upper()
if DUBAN_SMS_METHOD not in {"GET", "POST"}:
    raise ImproperlyConfigured(f"DUBAN_SMS_METHOD={DUBAN_SMS_METHOD!r}: expected GET or POST")
DUBAN_SMS_HEADERS = _json_object("DUBAN_SMS_HEADERS", 'request headers as a JSON object, e.g. {"Content-Type": "application/json", "X-Api-Key": "…"}')
DUBAN_SMS_BODY = env_str("DUBAN_SMS_BODY", '{"phone": "{phone}", "text": "{text}"}', "POST body template with {phone} and {text}, escaped for the Content-Type header (JSON, form or plain)")
DUBAN_SMS_SUCCESS = env_str("DUBAN_SMS_SUCCESS", "", "how a sent SMS is recognised: empty = any 2xx answer; json:FIELD=VALUE (json:code=0); else text the answer must contain")
DUBAN_SMS_URGENT_ONLY = env_bool("DUBAN_SMS_URGENT_ONLY", True, "send SMS only for urgent messages (the others reach people in the inbox, by e-mail and in the digest)")

# --- supervision notices (督办通知单) ---------------------------------------------------------------------
DUBAN_NOTICE_WORD = env_str("DUBAN_NOTICE_WORD", "县督字", "the 发文字号 word of supervision notices: 县督字〔2026〕12号")
DUBAN_NOTICE_ISSUER = env_str("DUBAN_NOTICE_ISSUER", "县委县政府督查室", "the issuing office named on supervision notices")
