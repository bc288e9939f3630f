"""Working days on the Chinese public calendar (SPEC §2).

Order of authority for a date: the admin-maintained holiday table (CalendarDay) → the
`chinese-calendar` package for the years it ships → Monday to Friday. A year the package does not
know (2027 today) therefore works from the first day, and gets exact once the admin enters the State
Council's schedule for it.

Conventions, chosen so that deadlines read the way a county office counts them:
- `add_workdays(d, n)` for n ≥ 1 is the n-th working day *after* d (assigned Friday, "1 working day"
  → Monday); n = 0 is d itself if it is a working day, else the next one; n < 0 counts backwards
  (the |n|-th working day before d).
- `workdays_between(a, b)` counts the working days in (a, b] when a ≤ b, and minus those in [b, a)
  when b < a, so `workdays_between(d, add_workdays(d, n)) == n` for every n ≠ 0. Swapping the ends
  flips the sign when both are working days or both are days off; otherwise the two counts differ by
  the one end that is a working day (Friday → Saturday counts 0 forward, −1 back).
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import time

import chinese_calendar
from django.conf import settings

_lock = threading.Lock()
_cached: _WorkCalendar | None = None
_cached_at = 0.0


class _WorkCalendar:
    """Sorted ordinals of every working day in a span of years, built once and widened on demand.

    Threads share one instance. A question must use a single snapshot of the table: widening builds a
    new list and swaps it in, and an index into the old list points at another day in the new one.
    """

    def __init__(self, overrides: dict[dt.date, bool], first_year: int, last_year: int):
        self.overrides = overrides
        self._widen_lock = threading.Lock()
        # (first year, last year, ordinals), replaced as a whole; the list is never changed in place.
        self._span = (first_year, last_year, self._build(first_year, last_year))

    def _build(self, first_year: int, last_year: int) -> list[int]:
        day = dt.date(first_year, 1, 1)
        end = dt.date(last_year, 12, 31).toordinal()
        result = []
        for ordinal in range(day.toordinal(), end + 1):
            if self._is_workday(dt.date.fromordinal(ordinal)):
                result.append(ordinal)
        return result

    def _is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package has no data for
            return day.weekday() < 5

    def cover(self, *days: dt.date) -> list[int]:
        """The working-day ordinals of a span holding each day's year ±1: a snapshot to do all lookups in."""
        low = max(min(d.year for d in days) - 1, dt.MINYEAR)
        high = min(max(d.year for d in days) + 1, dt.MAXYEAR)
        first, last, ordinals = self._span
        if low < first or high > last:
            with self._widen_lock:
                first, last, ordinals = self._span  # another thread may have widened it meanwhile
                if low < first or high > last:
                    first, last = min(low, first), max(high, last)
                    ordinals = self._build(first, last)
                    self._span = (first, last, ordinals)
        return ordinals


def _calendar() -> _WorkCalendar:
    global _cached, _cached_at
    ttl = settings.DUBAN_CALENDAR_CACHE_SECONDS
    with _lock:
        if _cached is None or time.monotonic() - _cached_at > ttl:
            from duban.core.models import CalendarDay

            overrides = {row.date: row.kind == "workday" for row in CalendarDay.objects.all()}
            this_year = dt.date.today().year
            _cached = _WorkCalendar(overrides, this_year - 3, this_year + 3)
            _cached_at = time.monotonic()
        return _cached


def invalidate() -> None:
    """Forget the cached table (called when an admin edits it; other processes refresh within the TTL)."""
    global _cached
    with _lock:
        _cached = None


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def is_workday(day) -> bool:
    """True if `day` is a working day (adjusted working weekends included, holidays excluded)."""
    day = _as_date(day)
    ordinals = _calendar().cover(day)
    i = bisect.bisect_left(ordinals, day.toordinal())
    return i < len(ordinals) and ordinals[i] == day.toordinal()


def add_workdays(day, n: int) -> dt.date:
    """The n-th working day after `day` (before it for negative n; see the module docstring)."""
    day = _as_date(day)
    # A working day every 3 calendar days at worst (the Spring Festival week is 7 days off).
    ordinals = _calendar().cover(day, day + dt.timedelta(days=3 * n + 30), day - dt.timedelta(days=3 * abs(n) + 30))
    if n > 0:
        return dt.date.fromordinal(ordinals[bisect.bisect_right(ordinals, day.toordinal()) + n - 1])
    # n = 0: the first working day on or after `day`; n < 0: the |n|-th one strictly before it.
    return dt.date.fromordinal(ordinals[bisect.bisect_left(ordinals, day.toordinal()) + n])


def workdays_between(start, end) -> int:
    """Working days in (start, end]; negative when end is before start (see the module docstring)."""
    start, end = _as_date(start), _as_date(end)
    ordinals = _calendar().cover(start, end)
    if start <= end:
        return bisect.bisect_right(ordinals, end.toordinal()) - bisect.bisect_right(ordinals, start.toordinal())
    return -(bisect.bisect_left(ordinals, start.toordinal()) - bisect.bisect_left(ordinals, end.toordinal()))


def next_workday(day) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it."""
    return add_workdays(day, 0)
