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
  when b < a, so `workdays_between(d, add_workdays(d, n)) == n` for every n ≠ 0.
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
    """Sorted ordinals of every working day in a span of years, built once and extended on demand."""

    def __init__(self, overrides: dict[dt.date, bool], first_year: int, last_year: int):
        self.overrides = overrides
        self.first_year, self.last_year = first_year, last_year
        self.ordinals = self._build(first_year, last_year)

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

    def cover(self, *days: dt.date) -> None:
        low = min(d.year for d in days) - 1
        high = max(d.year for d in days) + 1
        if low < self.first_year or high > self.last_year:
            with _lock:
                low, high = min(low, self.first_year), max(high, self.last_year)
                self.ordinals = self._build(low, high)
                self.first_year, self.last_year = low, high

    def rank(self, day: dt.date) -> int:
        """How many working days in the span fall on or before `day`."""
        return bisect.bisect_right(self.ordinals, day.toordinal())


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
    cal = _calendar()
    cal.cover(day)
    return cal.rank(day) - cal.rank(day - dt.timedelta(days=1)) == 1


def add_workdays(day, n: int) -> dt.date:
    """The n-th working day after `day` (before it for negative n; see the module docstring)."""
    day = _as_date(day)
    cal = _calendar()
    # A working day every 3 calendar days at worst (the Spring Festival week is 7 days off).
    cal.cover(day, day + dt.timedelta(days=3 * n + 30), day - dt.timedelta(days=3 * abs(n) + 30))
    base = cal.rank(day)
    ordinals = cal.ordinals
    if n > 0:
        return dt.date.fromordinal(ordinals[base + n - 1])
    if n == 0:
        return dt.date.fromordinal(ordinals[bisect.bisect_left(ordinals, day.toordinal())])
    before = bisect.bisect_left(ordinals, day.toordinal())  # working days strictly before `day`
    return dt.date.fromordinal(ordinals[before + n])


def workdays_between(start, end) -> int:
    """Working days in (start, end]; negative when end is before start (see the module docstring)."""
    start, end = _as_date(start), _as_date(end)
    cal = _calendar()
    cal.cover(start, end)
    if start <= end:
        return cal.rank(end) - cal.rank(start)
    ordinals = cal.ordinals
    return -(bisect.bisect_left(ordinals, start.toordinal()) - bisect.bisect_left(ordinals, end.toordinal()))


def next_workday(day) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it."""
    return add_workdays(day, 0)
