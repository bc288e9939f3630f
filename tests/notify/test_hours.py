"""Working hours follow the public calendar (调休 included) and the DUBAN_WORK_START/END settings."""

from __future__ import annotations

import datetime as dt

import pytest

from duban.core.models import CalendarDay
from duban.notify.hours import in_working_hours
from tests.notify.conftest import SHANGHAI


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize("text, expected", [
    ("2026-03-11 08:29:59", False),
    ("2026-03-11 08:30", True),
    ("2026-03-11 17:59:59", True),
    ("2026-03-11 18:00", False),
    ("2026-03-14 10:00", False),  # Saturday
    ("2026-05-04 10:00", False),  # Labour Day holiday on a Monday
    ("2026-05-09 10:00", True),  # the Saturday worked in its place (调休)
])
def test_working_hours_on_the_public_calendar(db, text, expected):
    assert in_working_hours(moment(text)) is expected


def test_utc_moments_are_read_in_beijing_time(db):
    assert in_working_hours(dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)) is True  # 09:00 in Beijing
    assert in_working_hours(dt.datetime(2026, 3, 11, 10, 30, tzinfo=dt.UTC)) is False  # 18:30


def test_the_admins_holiday_table_and_the_hours_settings_apply(db, settings):
    from duban.core import calendar

    CalendarDay.objects.create(date=dt.date(2027, 2, 8), kind="holiday", name="春节")
    calendar.invalidate()
    assert in_working_hours(moment("2027-02-08 10:00")) is False
    settings.DUBAN_WORK_START, settings.DUBAN_WORK_END = dt.time(9, 0), dt.time(17, 30)
    assert in_working_hours(moment("2026-03-11 08:45")) is False
    assert in_working_hours(moment("2026-03-11 17:15")) is True
