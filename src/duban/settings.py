"""Django settings for duban, read from DUBAN_* environment variables (see README)."""

import datetime as dt
import secrets
from pathlib import Path

import dj_database_url

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
    "duban.api",
    "ninja",  # its swagger-ui files, served locally (no CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "duban.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
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

# --- language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
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
DUBAN_UPLOAD_MAX_MB = env_int("DUBAN_UPLOAD_MAX_MB", 20, "largest file a user may upload, in MB", minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DUBAN_CALENDAR_CACHE_SECONDS = env_int("DUBAN_CALENDAR_CACHE_SECONDS", 300, "how long a process trusts its copy of the holiday table", minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DUBAN_LOG_LEVEL", "INFO", "log level: DEBUG, INFO, WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}
WHITENOISE_AUTOREFRESH = DEBUG
