"""Strict parsing of DUBAN_* environment variables: a typo fails at start-up, never silently."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# Every variable duban reads, with its meaning; `duban env` prints this and README mirrors it.
DOCUMENTED: dict[str, str] = {}


def _raw(name: str, default: str | None, doc: str) -> str | None:
    DOCUMENTED[name] = doc
    return os.environ.get(name, default)


def env_str(name: str, default: str, doc: str = "") -> str:
    return _raw(name, default, doc) or default


def env_bool(name: str, default: bool, doc: str = "") -> bool:
    value = _raw(name, None, doc)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, doc: str = "", minimum: int | None = None) -> int:
    value = _raw(name, None, doc)
    if value is None or value.strip() == "":
        return default
    try:
        parsed = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if minimum is not None and parsed < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: must be at least {minimum}")
    return parsed


def env_list(name: str, default: list[str], doc: str = "") -> list[str]:
    value = _raw(name, None, doc)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path, doc: str = "") -> Path:
    value = _raw(name, None, doc)
    return Path(value).expanduser().resolve() if value else default.resolve()
