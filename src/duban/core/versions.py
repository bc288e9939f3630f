"""The data version, and figures kept at it (docs/adr/022-figures-at-a-data-version.md).

Every statement that writes a business table raises one number (`DataVersion`) in the same transaction: the
database layer does it (a query wrapper installed on every connection), so no service, sweep, import or admin
page can forget to. A figure computed while the number was N is therefore current exactly while it is still N;
`figures(key, compute)` keeps what `compute()` returned with the number it was computed at and gives it back
while the number holds, else computes again. Nothing can be served stale: a write anywhere moves the number
before any reader can see the write.

What does not count as a write: the bookkeeping tables below (sessions, sign-in attempts, the audit trail, job
runs, throttles, the number itself and the kept figures), which no figure reads.

The raise is a separate statement on the same database connection, outside Django's query log: pages that
assert their query counts see the queries they run, not this one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.backends.signals import connection_created
from django.utils import timezone

VERSION_TABLE = "core_dataversion"
SNAPSHOT_TABLE = "core_figuresnapshot"
# Tables no figure reads: writing them does not move the number.
BOOKKEEPING = frozenset({
    VERSION_TABLE, SNAPSHOT_TABLE, "django_session", "django_migrations", "core_auditentry", "core_audithead",
    "core_throttle", "core_jobrun", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog",
    "axes_accessattemptexpiration",
})
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
_RAISE = f'UPDATE "{VERSION_TABLE}" SET "number" = "number" + 1 WHERE "id" = 1'
_FIRST = f'INSERT INTO "{VERSION_TABLE}" ("id", "number") VALUES (1, 1)'


@lru_cache(maxsize=4096)
def written_table(sql: str) -> str | None:
    """The business table a statement writes, or None (a read, or a bookkeeping table)."""
    match = _WRITE.match(sql)
    if match is None:
        return None
    table = match.group(1).lower()
    return None if table in BOOKKEEPING else table


def _ready(connection) -> bool:
    """Whether the number's table exists (not before its migration has run: the migrations before it write too)."""
    if not getattr(connection, "_duban_versioned", False):
        connection._duban_versioned = VERSION_TABLE in connection.introspection.table_names()
    return connection._duban_versioned


def _raise_number(connection) -> None:
    if not _ready(connection):
        return
    cursor = connection.connection.cursor()  # the DB-API connection: same transaction, not in the query log
    try:
        cursor.execute(_RAISE)
        if cursor.rowcount == 0:  # a database emptied by a test's flush: the row is made again
            cursor.execute(_FIRST)
    finally:
        cursor.close()


def raise_now(using: str = "default") -> None:
    """Raise the number by hand, for a write Django's connection does not see as SQL (a COPY)."""
    connection = connections[using]
    connection.ensure_connection()
    _raise_number(connection)


def _wrapper(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if written_table(sql) is not None:
        _raise_number(context["connection"])
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """Wrap `connection`'s queries (every new connection, through the connection_created signal)."""
    if _wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_wrapper)


def install_everywhere() -> None:
    connection_created.connect(install, dispatch_uid="duban.core.versions")
    for connection in connections.all(initialized_only=True):
        install(connection=connection)


def current(using: str = "default") -> int:
    """The data version now."""
    from duban.core.models import DataVersion

    number = DataVersion.objects.using(using).filter(pk=1).values_list("number", flat=True).first()
    return number or 0


def is_kept(key: str, version: int | None = None) -> bool:
    """Whether figures are kept under `key` at `version` (the current one by default)."""
    from duban.core.models import FigureSnapshot

    version = current() if version is None else version
    return FigureSnapshot.objects.filter(key=key, version=version).exists()


def figures(key: str, compute: Callable[[], Any]) -> Any:
    """What `compute()` returns (JSON-able), computed at the current data version or read back if it was already.

    The version is read before computing: a write during the computation moves it, and the next reader computes
    again (what is kept may then be newer than its number says, never older)."""
    from duban.core.models import FigureSnapshot

    version = current()
    kept = FigureSnapshot.objects.filter(key=key).values_list("version", "body").first()
    if kept is not None and kept[0] == version:
        return json.loads(kept[1])
    value = compute()
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    FigureSnapshot.objects.update_or_create(key=key, defaults={"version": version, "body": body, "computed_at": timezone.now()})
    return json.loads(body)
