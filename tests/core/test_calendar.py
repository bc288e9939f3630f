"""Working days on the Chinese public calendar: the 2026 National Day week, a year the package does not
know (2027), the admin's holiday table, the counting conventions as properties, and the shared cache."""

import datetime as dt
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from duban.core import calendar, services
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import AuditEntry, CalendarDay
from tests.conftest import SYSTEM

pytestmark = pytest.mark.django_db

d = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")

# The calendar table is read once per process and trusted for a TTL; these properties never change it,
# so hypothesis may run its examples inside one test's fixtures.
PROPERTY = hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
dates = st.dates(min_value=d(2020, 1, 1), max_value=d(2030, 12, 31))
counts = st.integers(min_value=-60, max_value=60)


def brute_is_workday(day: dt.date) -> bool:
    """The rule without the cache: the package for the years it knows, else Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def days(start: dt.date, stop: dt.date):
    """Every date from start to stop, both included."""
    return [start + dt.timedelta(days=i) for i in range((stop - start).days + 1)]


# --- the 2026 National Day week: 10-01..07 off, Saturday 10-10 worked (调休) -------------------------


def test_the_package_ships_2026_and_not_2027():
    # The exact dates below come from chinesecalendar's 2026 data; 2027 is the first year it lacks.
    assert chinese_calendar.is_workday(d(2026, 10, 10)) is True
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d(2027, 1, 4))


def test_national_day_week_is_off_and_the_adjusted_saturday_is_worked():
    assert [day for day in days(d(2026, 9, 28), d(2026, 10, 12)) if calendar.is_workday(day)] == [
        d(2026, 9, 28), d(2026, 9, 29), d(2026, 9, 30),
        d(2026, 10, 8), d(2026, 10, 9), d(2026, 10, 10), d(2026, 10, 12),
    ]
    assert calendar.is_workday(d(2026, 9, 30)) is True
    assert not any(calendar.is_workday(day) for day in days(d(2026, 10, 1), d(2026, 10, 7)))
    assert calendar.is_workday(d(2026, 10, 10)) is True  # Saturday, 调休上班
    assert calendar.is_workday(d(2026, 10, 11)) is False  # Sunday
    assert calendar.is_workday(d(2026, 9, 20)) is True  # the Sunday worked before the Mid-Autumn/National Day break


def test_one_working_day_after_the_last_day_before_the_holiday_is_the_day_after_it():
    assert calendar.add_workdays(d(2026, 9, 30), 1) == d(2026, 10, 8)


def test_three_working_days_from_tuesday_before_the_holiday():
    # 09-30 (1), 10-08 (2), 10-09 (3)
    assert calendar.add_workdays(d(2026, 9, 29), 3) == d(2026, 10, 9)


def test_a_five_working_day_deadline_set_on_monday_before_the_holiday_falls_on_the_adjusted_saturday():
    # 09-29 (1), 09-30 (2), 10-08 (3), 10-09 (4), 10-10 Saturday worked (5)
    assert calendar.add_workdays(d(2026, 9, 28), 5) == d(2026, 10, 10)
    # one more skips Sunday 10-11
    assert calendar.add_workdays(d(2026, 9, 28), 6) == d(2026, 10, 12)


def test_counting_from_inside_the_holiday():
    assert calendar.add_workdays(d(2026, 10, 3), 1) == d(2026, 10, 8)
    assert calendar.add_workdays(d(2026, 10, 3), 0) == d(2026, 10, 8)
    assert calendar.next_workday(d(2026, 10, 1)) == d(2026, 10, 8)
    assert calendar.add_workdays(d(2026, 10, 5), -1) == d(2026, 9, 30)
    assert calendar.add_workdays(d(2026, 10, 8), -1) == d(2026, 9, 30)
    assert calendar.add_workdays(d(2026, 10, 12), -3) == d(2026, 10, 8)


def test_working_days_between_across_the_holiday():
    assert calendar.workdays_between(d(2026, 9, 30), d(2026, 10, 12)) == 4  # 10-08, 09, 10, 12
    assert calendar.workdays_between(d(2026, 9, 28), d(2026, 10, 11)) == 5  # 09-29, 30, 10-08, 09, 10
    assert calendar.workdays_between(d(2026, 10, 1), d(2026, 10, 7)) == 0
    assert calendar.workdays_between(d(2026, 9, 30), d(2026, 9, 30)) == 0
    # backwards: minus the working days in [end, start)
    assert calendar.workdays_between(d(2026, 10, 12), d(2026, 9, 30)) == -4  # 09-30, 10-08, 09, 10


def test_aware_datetimes_count_as_their_date_in_shanghai():
    # 2026-09-30 20:00 UTC is already 10-01 04:00 in Shanghai: a holiday.
    late_utc = dt.datetime(2026, 9, 30, 20, 0, tzinfo=dt.UTC)
    assert calendar.is_workday(late_utc) is False
    assert calendar.add_workdays(late_utc, 1) == d(2026, 10, 8)
    assert calendar.add_workdays(dt.datetime(2026, 9, 30, 23, 59, tzinfo=SHANGHAI), 1) == d(2026, 10, 8)
    assert calendar.is_workday(dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.UTC)) is True  # 23:59 local
    assert calendar.workdays_between(dt.datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI), late_utc) == 0


# --- 2027: no package data; Monday to Friday until the admin enters the schedule --------------------


def test_a_january_2027_deadline_falls_back_to_monday_to_friday():
    # 12-31 Thursday (1), 2027-01-01 Friday (2: no data yet, so a working day), 01-04 Monday (3)
    assert calendar.add_workdays(d(2026, 12, 30), 3) == d(2027, 1, 4)
    assert calendar.is_workday(d(2027, 1, 1)) is True
    assert calendar.is_workday(d(2027, 1, 2)) is False
    assert calendar.workdays_between(d(2026, 12, 30), d(2027, 1, 8)) == 7
    assert calendar.add_workdays(d(2027, 3, 1), -1) == d(2027, 2, 26)
    # far beyond any data: still answers, Monday to Friday
    assert calendar.add_workdays(d(2040, 6, 1), 5) == d(2040, 6, 8)


def test_an_admin_entered_new_year_holiday_takes_effect_at_once(county, django_capture_on_commit_callbacks):
    sysadmin = Actor(user=county.people["sysadmin"])
    assert calendar.is_workday(d(2027, 1, 1)) is True  # cached from here on

    with django_capture_on_commit_callbacks(execute=True):
        services.set_calendar_day(sysadmin, d(2027, 1, 1), "holiday", "元旦")

    assert calendar.is_workday(d(2027, 1, 1)) is False
    # 12-31 (1), 01-04 (2), 01-05 (3)
    assert calendar.add_workdays(d(2026, 12, 30), 3) == d(2027, 1, 5)
    assert calendar.workdays_between(d(2026, 12, 31), d(2027, 1, 4)) == 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.actor_id, entry.after["kind"]) == ("calendar.set", county.people["sysadmin"].pk, "holiday")


def test_an_admin_entered_working_saturday_counts(django_capture_on_commit_callbacks):
    friday, saturday = d(2027, 2, 19), d(2027, 2, 20)
    assert calendar.add_workdays(friday, 1) == d(2027, 2, 22)

    with django_capture_on_commit_callbacks(execute=True):
        services.set_calendar_day(SYSTEM, saturday, "workday", "春节调休")

    assert calendar.is_workday(saturday) is True
    assert calendar.add_workdays(friday, 1) == saturday
    assert calendar.workdays_between(friday, d(2027, 2, 22)) == 2


def test_deleting_the_entry_restores_the_fallback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_calendar_day(SYSTEM, d(2027, 1, 1), "holiday", "元旦")
    assert calendar.is_workday(d(2027, 1, 1)) is False

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_calendar_day(SYSTEM, CalendarDay.objects.get(date=d(2027, 1, 1)))

    assert calendar.is_workday(d(2027, 1, 1)) is True
    assert calendar.add_workdays(d(2026, 12, 30), 3) == d(2027, 1, 4)


def test_the_table_overrides_the_package_too(django_capture_on_commit_callbacks):
    # e.g. a county-wide day off the State Council did not announce
    with django_capture_on_commit_callbacks(execute=True):
        services.set_calendar_day(SYSTEM, d(2026, 10, 9), "holiday", "县里调休")
    assert calendar.add_workdays(d(2026, 9, 30), 2) == d(2026, 10, 10)


def test_only_the_system_admin_keeps_the_table(county):
    with pytest.raises(NotAllowed):
        services.set_calendar_day(Actor(user=county.people["secadmin"]), d(2027, 1, 1), "holiday", "元旦")
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(action="calendar.set").exists()


def test_an_unknown_kind_is_refused_and_nothing_is_stored():
    with pytest.raises(ServiceError, match="放假"):
        services.set_calendar_day(SYSTEM, d(2027, 1, 1), "vacation", "元旦")
    assert not CalendarDay.objects.exists()
    assert not AuditEntry.objects.filter(action="calendar.set").exists()


# --- the conventions of calendar.py, as properties over 2020..2030 ---------------------------------


@PROPERTY
@given(day=dates, n=counts)
def test_counting_back_the_days_added_gives_n(day, n):
    if n != 0:
        assert calendar.workdays_between(day, calendar.add_workdays(day, n)) == n


@PROPERTY
@given(day=dates, n=counts)
def test_adding_working_days_lands_on_a_working_day(day, n):
    assert calendar.is_workday(calendar.add_workdays(day, n))


@PROPERTY
@given(day=dates, n=counts)
def test_add_workdays_matches_a_day_by_day_count(day, n):
    result = calendar.add_workdays(day, n)
    if n == 0:
        expected = day
        while not brute_is_workday(expected):
            expected += dt.timedelta(days=1)
    else:
        step = dt.timedelta(days=1 if n > 0 else -1)
        expected, left = day, abs(n)
        while left:
            expected += step
            left -= brute_is_workday(expected)
    assert result == expected


@PROPERTY
@given(day=dates, n=counts, m=counts)
def test_more_working_days_never_end_earlier(day, n, m):
    n, m = min(n, m), max(n, m)
    first, second = calendar.add_workdays(day, n), calendar.add_workdays(day, m)
    assert first <= second
    if n < m and not (n == 0 and m == 1 and not calendar.is_workday(day)):
        # the one tie: from a day off, "0 days" and "1 day" both mean the next working day
        assert first < second


@PROPERTY
@given(a=dates, b=dates)
def test_workdays_between_is_a_day_by_day_count(a, b):
    b = min(max(b, a - dt.timedelta(days=120)), a + dt.timedelta(days=120))
    if a <= b:
        expected = sum(brute_is_workday(x) for x in days(a, b)[1:])  # (a, b]
    else:
        expected = -sum(brute_is_workday(x) for x in days(b, a)[:-1])  # [b, a)
    assert calendar.workdays_between(a, b) == expected


@PROPERTY
@given(a=dates, b=dates)
def test_swapping_the_ends_flips_the_sign_when_both_ends_are_alike(a, b):
    forward, backward = calendar.workdays_between(a, b), calendar.workdays_between(b, a)
    if calendar.is_workday(a) == calendar.is_workday(b):
        assert backward == -forward
    else:
        # (a, b] and [a, b) differ by the ends: exactly the documented conventions
        low, high = min(a, b), max(a, b)
        assert forward + backward == (1 if calendar.is_workday(high) else -1)
        assert low < high


# --- the in-process cache --------------------------------------------------------------------------


def test_the_cache_gives_the_same_answers_from_many_threads(settings):
    """Threads asking about dates spread over decades widen the shared table while others read it."""
    settings.DUBAN_CALENDAR_CACHE_SECONDS = 3600  # no thread needs the database
    rng = random.Random(2026)
    questions = []
    for _ in range(600):
        day = d(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 45))
        kind = rng.choice(["is", "add", "between"])
        arg = rng.randrange(-40, 41) if kind != "between" else day + dt.timedelta(days=rng.randrange(-90, 91))
        questions.append((kind, day, arg))

    def ask(question):
        kind, day, arg = question
        if kind == "is":
            return calendar.is_workday(day)
        if kind == "add":
            return calendar.add_workdays(day, arg)
        return calendar.workdays_between(day, arg)

    expected = [ask(q) for q in questions]  # one thread, the table grown once
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often
    try:
        for round_ in range(2):
            calendar.invalidate()
            calendar.is_workday(d(2026, 11, 24))  # read the (empty) table here, not in the workers
            with ThreadPoolExecutor(max_workers=12) as pool:
                answers = list(pool.map(ask, questions))
            wrong = [(q, e, a) for q, e, a in zip(questions, expected, answers, strict=False) if e != a]
            assert wrong == [], f"round {round_}: {len(wrong)} wrong answers, e.g. {wrong[:3]}"
    finally:
        sys.setswitchinterval(old_interval)


def test_widening_the_span_keeps_earlier_answers():
    before = [calendar.add_workdays(d(2026, 9, 28), 5), calendar.workdays_between(d(2026, 9, 30), d(2026, 10, 12))]
    assert calendar.add_workdays(d(1990, 1, 1), 1) == d(1990, 1, 2)  # widens the span far back
    assert calendar.add_workdays(d(2080, 12, 29), 3) == d(2081, 1, 1)  # and far ahead (Mon-Fri)
    assert [calendar.add_workdays(d(2026, 9, 28), 5), calendar.workdays_between(d(2026, 9, 30), d(2026, 10, 12))] == before
    assert calendar.workdays_between(d(1990, 1, 1), d(1990, 1, 8)) == 5


@pytest.mark.parametrize("ask", [
    lambda: calendar.is_workday(d(2026, 10, 8)),
    lambda: calendar.add_workdays(d(2026, 9, 30), 1),
    lambda: calendar.add_workdays(d(2026, 10, 8), -1),
    lambda: calendar.workdays_between(d(2026, 9, 30), d(2026, 10, 12)),
    lambda: calendar.workdays_between(d(2026, 10, 12), d(2026, 9, 30)),
], ids=["is_workday", "add", "add_back", "between", "between_back"])
def test_a_span_widened_in_the_middle_of_a_question_does_not_shift_its_answer(ask, monkeypatch):
    """The worst interleaving, made certain: right after each lookup in the table, "another thread"
    widens it back to 1990 (which puts ~9,000 more working days in front of every index)."""
    expected = ask()
    calendar.invalidate()
    calendar.is_workday(d(2026, 11, 24))  # a fresh table for the years around now
    real_left, real_right = calendar.bisect.bisect_left, calendar.bisect.bisect_right
    widen_to, widened = iter([2010, 2000, 1990]), []

    def widening_after(lookup):
        def wrapped(*args, **kwargs):
            result = lookup(*args, **kwargs)
            year = next(widen_to, None)
            if year is not None:
                widened.append(year)
                calendar.is_workday(d(year, 6, 1))
            return result
        return wrapped

    monkeypatch.setattr(calendar.bisect, "bisect_left", widening_after(real_left))
    monkeypatch.setattr(calendar.bisect, "bisect_right", widening_after(real_right))
    answer = ask()
    monkeypatch.undo()
    assert widened and answer == expected
