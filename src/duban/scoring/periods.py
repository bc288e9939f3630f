"""Periods of evaluation: a month ("2026-11") or a year ("2026"), as first and last day."""

from __future__ import annotations

import calendar as months
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from duban.core.errors import ServiceError

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Period:
    code: str
    start: dt.date
    end: dt.date

    @property
    def is_month(self) -> bool:
        return len(self.code) == 7

    @property
    def label(self) -> str:
        if self.is_month:
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        return _("%(year)s年度") % {"year": self.start.year}

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def parse(code: str) -> Period:
    """"2026-11" → November 2026, "2026" → the year; anything else is refused in Chinese."""
    match = _PERIOD.match((code or "").strip())
    month = int(match.group(2)) if match and match.group(2) else None
    if not match or (month is not None and not 1 <= month <= 12) or not 2000 <= int(match.group(1)) <= 2100:
        raise ServiceError(_("考核期格式应为“2026-11”（月度）或“2026”（年度）。"), field="period")
    year = int(match.group(1))
    if month is None:
        return Period(f"{year}", dt.date(year, 1, 1), dt.date(year, 12, 31))
    return Period(f"{year}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, months.monthrange(year, month)[1]))


def month_of(day: dt.date) -> Period:
    return parse(f"{day.year}-{day.month:02d}")
