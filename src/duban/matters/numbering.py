"""One numberer at a time for a sequence of matter codes ("2026-0042", "YH2026-00017").

Codes of a kind are one sequence per year whoever creates them; two creators reading the highest code at
once would both take the next. PostgreSQL: a transaction-scoped advisory lock on (kind, year), which also
covers rows no lock could be taken on yet. SQLite: nothing to do, its IMMEDIATE transactions already let one
writer in at a time. Call inside the creating transaction.
"""

from __future__ import annotations

import zlib

from django.db import connection


def lock(sequence: str, year: int) -> None:
    if connection.vendor == "postgresql":
        space = zlib.crc32(sequence.encode()) & 0x7FFFFFFF
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, year])


def next_number(queryset, field: str, prefix: str, width: int) -> str:
    """The next code `prefix` + number (zero-padded to `width`) among `queryset`'s `field` values. For
    sequences that stay within `width` digits (the text order is the number order); take `lock` first."""
    last = queryset.filter(**{f"{field}__startswith": prefix}).order_by(f"-{field}").values_list(field, flat=True).first()
    number = int(last[len(prefix):]) if last else 0
    return f"{prefix}{number + 1:0{width}d}"
