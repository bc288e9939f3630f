"""A rate limiter shared by every web worker and node: counts live in the database (SQLite or PostgreSQL), no Redis.

    from duban.core import throttle

    verdict = throttle.hit("appeal.submit", client_address, limit=5, per=timedelta(hours=1))
    if not verdict.allowed:
        raise ServiceError(_("提交过于频繁，请%(minutes)d分钟后再试。") % {"minutes": verdict.minutes})

Windows are fixed and aligned to the epoch in UTC (a window of one day starts at 08:00 北京时间), so at a
window's edge up to twice `limit` attempts can pass within `per`: good enough against scripts, and one row
per identity and window. A hit is one statement, `INSERT … ON CONFLICT DO UPDATE SET count = count + 1
RETURNING count` (SQLite ≥ 3.35, PostgreSQL), so two requests at once both count and neither fails.

Call `hit` outside `transaction.atomic` (or before it): inside, a rollback of the request takes the count
back with it. Identities are stored as an HMAC with the secret key, never as they are (PIPL): an 11-digit
phone number's plain hash is found by trying them all. Rotating the secret key starts every count afresh.
Expired windows are deleted by the periodic job core.prune_throttles (`prune(now)`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import salted_hmac

from duban.core.models import Throttle

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may go ahead, and if not, in how many seconds the window ends."""

    allowed: bool
    retry_after: int = 0  # whole seconds, rounded up; 0 when allowed
    count: int = 0  # attempts counted in this window so far

    @property
    def minutes(self) -> int:
        """retry_after in whole minutes, rounded up (for a message to a person)."""
        return math.ceil(self.retry_after / 60)


def digest(scope: str, ident: str) -> str:
    """The stored key of an identity in a scope: an HMAC-SHA256 with the secret key, so the ident cannot be read back."""
    return salted_hmac("duban.core.throttle", f"{scope}\x00{ident}", algorithm="sha256").hexdigest()


def _window(per: dt.timedelta, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The start and end of the fixed window of length `per` that holds `now`."""
    seconds = per.total_seconds()
    if seconds < 1:
        raise ValueError("a throttle window is at least one second")
    start = EPOCH + dt.timedelta(seconds=math.floor((now - EPOCH).total_seconds() / seconds) * seconds)
    return start, start + per


def _verdict(count: int, limit: int, end: dt.datetime, now: dt.datetime) -> Verdict:
    if count <= limit:
        return Verdict(True, 0, count)
    return Verdict(False, max(1, math.ceil((end - now).total_seconds())), count)


def hit(scope: str, ident: str, *, limit: int, per: dt.timedelta) -> Verdict:
    """Count one attempt of `ident` in `scope`; allowed while the window holds at most `limit` of them (this one included)."""
    now = timezone.now()
    start, end = _window(per, now)
    connection = connections[router.db_for_write(Throttle)]
    ops = connection.ops
    table, scope_, key, start_, end_, count_ = map(ops.quote_name, [Throttle._meta.db_table, "scope", "key", "window_start", "expires_at", "count"])
    sql = (
        f"INSERT INTO {table} ({scope_}, {key}, {start_}, {end_}, {count_}) VALUES (%s, %s, %s, %s, 1) "
        f"ON CONFLICT ({scope_}, {key}, {start_}) DO UPDATE SET {count_} = {table}.{count_} + 1 RETURNING {count_}"
    )
    params = [scope, digest(scope, ident), ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (count,) = cursor.fetchone()
    return _verdict(count, limit, end, now)


def peek(scope: str, ident: str, *, limit: int, per: dt.timedelta) -> Verdict:
    """Whether one more attempt would be allowed now, without counting it (`count` is what that attempt would make)."""
    now = timezone.now()
    start, end = _window(per, now)
    count = Throttle.objects.filter(scope=scope, key=digest(scope, ident), window_start=start).values_list("count", flat=True).first() or 0
    return _verdict(count + 1, limit, end, now)


def blocked(scope: str, ident: str, *, limit: int, per: dt.timedelta) -> bool:
    """Whether `ident` has used up its `limit` attempts in `scope`'s current window (nothing is counted)."""
    return not peek(scope, ident, limit=limit, per=per).allowed


def clear(scope: str, ident: str) -> int:
    """Forget the attempts of `ident` in `scope` (after a successful sign-in, say); returns the rows deleted."""
    deleted, _ = Throttle.objects.filter(scope=scope, key=digest(scope, ident)).delete()
    return deleted


def prune(now: dt.datetime) -> int:
    """Delete the counts of windows that ended before `now`; returns how many."""
    deleted, _ = Throttle.objects.filter(expires_at__lte=now).delete()
    return deleted
