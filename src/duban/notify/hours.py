"""Working hours (SPEC §4): pushes go out at once in them; outside them only urgent ones do.

Working hours are DUBAN_WORK_START–DUBAN_WORK_END (Asia/Shanghai) on working days of the public calendar
(`core.calendar`: holidays and adjusted working weekends included).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from duban.core import calendar


def in_working_hours(moment: dt.datetime) -> bool:
    """True if `moment` falls in working hours of a working day."""
    local = timezone.localtime(moment)
    if not settings.DUBAN_WORK_START <= local.time() < settings.DUBAN_WORK_END:
        return False
    return calendar.is_workday(local.date())
