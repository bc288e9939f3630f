"""Report cycles: the stored codes and their labels, the codes refused, and when the next report falls due
on the 2026 public calendar (Spring Festival, Mid-Autumn and National Day, adjusted working Saturdays)."""

import calendar as gregorian
import datetime as dt

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from duban.core import calendar
from duban.matters.cycles import CycleKind, ReportCycle

d = dt.date


# --- codes and labels -----------------------------------------------------------------------------------

CODES = [
    # code, kind, number, label
    ("", CycleKind.NONE, 0, "无"),
    ("weekly:1", CycleKind.WEEKLY, 1, "每周一前"),
    ("weekly:5", CycleKind.WEEKLY, 5, "每周五前"),
    ("weekly:7", CycleKind.WEEKLY, 7, "每周日前"),
    ("monthly:25", CycleKind.MONTHLY, 25, "每月25日前"),
    ("monthly:1", CycleKind.MONTHLY, 1, "每月1日前"),
    ("monthly:31", CycleKind.MONTHLY, 31, "每月31日前"),
    ("monthly:0", CycleKind.MONTHLY, 0, "每月月底前"),
    ("quarterly:0", CycleKind.QUARTERLY, 0, "每季度末"),
    ("quarterly:10", CycleKind.QUARTERLY, 10, "每季度次月10日前"),
    ("workdays:5", CycleKind.WORKDAYS, 5, "每5个工作日"),
    ("workdays:1", CycleKind.WORKDAYS, 1, "每1个工作日"),
    ("halfmonthly", CycleKind.HALFMONTHLY, 0, "每半月"),
    ("quarterlast:25", CycleKind.QUARTERLAST, 25, "每季度最后一个月25日前"),
    ("halfyearly", CycleKind.HALFYEARLY, 0, "每半年"),
    ("yearly:910", CycleKind.YEARLY, 910, "每年9月10日前"),
    ("yearly:1231", CycleKind.YEARLY, 1231, "每年12月31日前"),
    ("yearly:229", CycleKind.YEARLY, 229, "每年2月29日前"),
    ("days:14", CycleKind.DAYS, 14, "每两周"),
    ("days:10", CycleKind.DAYS, 10, "每10天"),
]


@pytest.mark.parametrize("code, kind, n, label", CODES)
def test_a_stored_code_reads_as_its_cycle_and_label_and_writes_back_unchanged(code, kind, n, label):
    cycle = ReportCycle.parse(code)
    assert (cycle.kind, cycle.n) == (kind, n)
    assert cycle.label == label
    assert str(cycle) == code
    assert bool(cycle) is (code != "")


REFUSED_CODES = [
    "weekly:0",  # weekdays are 1 (Monday) to 7 (Sunday)
    "weekly:8",
    "monthly:32",
    "monthly:05",  # one code per cycle: no leading zeros
    "monthly",  # a monthly cycle needs its day
    "quarterly",
    "quarterly:32",
    "workdays:0",
    "workdays:251",
    "halfmonthly:15",
    "quarterlast:0",  # that is quarterly:0
    "halfyearly:6",
    "yearly",
    "yearly:230",  # no 2月30日
    "yearly:1301",
    "yearly:0910",
    "days:0",
    "days:367",
    "daily:1",
    "Weekly:5",
    " weekly:5",
    "weekly:5 ",
    "weekly: 5",
    "monthly:-1",
    "每月25日前",
]


@pytest.mark.parametrize("code", REFUSED_CODES)
def test_anything_but_a_canonical_code_is_refused_naming_it(code):
    with pytest.raises(ValueError, match="报送周期") as refused:
        ReportCycle.parse(code)
    assert f"“{code}”" in str(refused.value)


@pytest.mark.parametrize("kind, n", [("weekly", 9), ("monthly", -1), ("halfmonthly", 3), ("yearly", 1), ("workdays", 0)])
def test_a_cycle_built_directly_is_checked_too(kind, n):
    with pytest.raises(ValueError, match="报送周期"):
        ReportCycle(kind, n)


def test_a_kind_given_as_text_becomes_the_enum_and_compares_equal():
    assert ReportCycle("monthly", 25) == ReportCycle.parse("monthly:25")
    assert ReportCycle("monthly", 25).kind is CycleKind.MONTHLY
    assert ReportCycle() == ReportCycle.parse("")


def test_no_cycle_has_no_due_date():
    assert ReportCycle().next_due(d(2026, 6, 1)) is None


# --- when the next report is due -----------------------------------------------------------------------

NEXT_DUE = [
    # code, after, next due, why
    ("weekly:5", d(2026, 9, 23), d(2026, 9, 24), "Friday 09-25 is Mid-Autumn: due the Thursday before"),
    ("weekly:5", d(2026, 9, 24), d(2026, 9, 30), "Friday 10-02 is National Day: due Wednesday 09-30"),
    ("weekly:5", d(2026, 9, 30), d(2026, 10, 9), "the Friday after the holiday is a working day"),
    ("weekly:1", d(2026, 9, 28), d(2026, 9, 30), "Monday 10-05 is off; the working day before it is 09-30"),
    ("weekly:1", d(2026, 9, 30), d(2026, 10, 12), "the next Monday"),
    ("weekly:7", d(2026, 2, 13), d(2026, 2, 14), "Sunday 02-15 is off; Saturday 02-14 is worked (调休)"),
    ("weekly:7", d(2026, 2, 14), d(2026, 2, 28), "Sunday 02-22 moves back to 02-14, past; 03-01 to Saturday 02-28"),
    ("monthly:25", d(2026, 1, 10), d(2026, 1, 23), "Sunday 01-25: due Friday 01-23"),
    ("monthly:25", d(2026, 1, 23), d(2026, 2, 25), "reported on the due day: the next month's"),
    ("monthly:25", d(2026, 1, 24), d(2026, 2, 25), "a day after January's due day, before its nominal 25th"),
    ("monthly:25", d(2026, 2, 25), d(2026, 3, 25), "a working Wednesday"),
    ("monthly:0", d(2026, 10, 1), d(2026, 10, 30), "Saturday 10-31: due Friday 10-30"),
    ("monthly:0", d(2026, 2, 1), d(2026, 2, 28), "Saturday 02-28 is worked after the Spring Festival"),
    ("monthly:0", d(2028, 2, 1), d(2028, 2, 29), "leap year"),
    ("monthly:31", d(2026, 4, 1), d(2026, 4, 30), "April has no 31st: its last day"),
    ("monthly:30", d(2027, 2, 1), d(2027, 2, 26), "February 2027 ends on a Sunday: the Friday before"),
    ("quarterly:0", d(2026, 1, 1), d(2026, 3, 31), "first quarter"),
    ("quarterly:0", d(2026, 3, 31), d(2026, 6, 30), "reported on the last day: the next quarter"),
    ("quarterly:0", d(2026, 10, 1), d(2026, 12, 31), "fourth quarter"),
    ("quarterly:10", d(2026, 9, 30), d(2026, 10, 10), "the third quarter's report: Saturday 10-10 is worked (调休)"),
    ("quarterly:10", d(2026, 10, 10), d(2027, 1, 8), "the fourth quarter's: Sunday 2027-01-10 moves to Friday"),
    ("quarterly:31", d(2026, 1, 1), d(2026, 1, 30), "last year's fourth quarter: Saturday 01-31 moves to Friday"),
    ("quarterly:31", d(2026, 1, 30), d(2026, 4, 30), "April has 30 days"),
    ("halfmonthly", d(2026, 2, 1), d(2026, 2, 14), "Sunday 02-15 is in the Spring Festival: Saturday 02-14 is worked"),
    ("halfmonthly", d(2026, 2, 14), d(2026, 2, 28), "the month's end, a worked Saturday"),
    ("halfmonthly", d(2026, 2, 28), d(2026, 3, 13), "Sunday 03-15: due Friday 03-13"),
    ("halfmonthly", d(2026, 3, 13), d(2026, 3, 31), "the month's end"),
    ("workdays:5", d(2026, 9, 28), d(2026, 10, 10), "09-29, 09-30, 10-08, 10-09 and the worked Saturday 10-10"),
    ("workdays:1", d(2026, 9, 30), d(2026, 10, 8), "the first working day after National Day"),
    ("workdays:3", d(2027, 1, 1), d(2027, 1, 6), "2027 has no data yet: Monday to Friday"),
    ("quarterlast:25", d(2026, 4, 1), d(2026, 6, 25), "the last month of the second quarter"),
    ("quarterlast:25", d(2026, 6, 25), d(2026, 9, 24), "Friday 09-25 is Mid-Autumn: due Thursday 09-24"),
    ("halfyearly", d(2026, 1, 1), d(2026, 6, 30), "the first half year"),
    ("halfyearly", d(2026, 6, 30), d(2026, 12, 31), "the second half year"),
    ("yearly:910", d(2026, 1, 1), d(2026, 9, 10), "once a year"),
    ("yearly:910", d(2026, 9, 10), d(2027, 9, 10), "reported on the day: next year's"),
    ("days:14", d(2026, 9, 14), d(2026, 9, 28), "two weeks after the report"),
    ("days:14", d(2026, 9, 18), d(2026, 9, 30), "10-02 is National Day: the working day before it"),
    ("days:1", d(2026, 9, 30), d(2026, 10, 8), "moving back would reach the report itself: forward instead"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("code, after, due, why", NEXT_DUE, ids=[f"{c}-{a}" for c, a, _, _ in NEXT_DUE])
def test_the_next_report_falls_due(code, after, due, why):
    assert ReportCycle.parse(code).next_due(after) == due, why


# --- properties ----------------------------------------------------------------------------------------

# Built per kind rather than filtered out of one pool, so hypothesis never rejects most of what it draws.
workdays_cycles = st.builds(ReportCycle, st.just(CycleKind.WORKDAYS), st.integers(1, 250))
by_day_cycles = st.one_of(
    st.builds(ReportCycle, st.just(CycleKind.WEEKLY), st.integers(1, 7)),
    st.builds(ReportCycle, st.just(CycleKind.MONTHLY), st.integers(0, 31)),
    st.builds(ReportCycle, st.just(CycleKind.QUARTERLY), st.integers(0, 31)),
    st.just(ReportCycle(CycleKind.HALFMONTHLY)),
    st.builds(ReportCycle, st.just(CycleKind.QUARTERLAST), st.integers(1, 31)),
    st.just(ReportCycle(CycleKind.HALFYEARLY)),
    st.builds(ReportCycle, st.just(CycleKind.YEARLY), st.dates(d(2000, 1, 1), d(2000, 12, 31)).map(lambda x: 100 * x.month + x.day)),
)
days_cycles = st.builds(ReportCycle, st.just(CycleKind.DAYS), st.integers(1, 366))
active_cycles = st.one_of(by_day_cycles, workdays_cycles, days_cycles)
cycles = st.one_of(active_cycles, st.just(ReportCycle()))
dates = st.dates(min_value=d(2020, 1, 1), max_value=d(2030, 12, 31))
# The calendar table is read once and never changed here, so examples may share one test's fixtures.
PROPERTY = hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@given(cycle=cycles)
def test_every_cycle_round_trips_through_its_code(cycle):
    assert ReportCycle.parse(str(cycle)) == cycle
    assert str(ReportCycle.parse(str(cycle))) == str(cycle)


@given(code=st.text(max_size=16))
def test_parse_accepts_only_what_it_writes(code):
    try:
        cycle = ReportCycle.parse(code)
    except ValueError:
        return
    assert str(cycle) == code


@pytest.mark.django_db
@PROPERTY
@given(cycle=active_cycles, day=dates)
def test_the_next_due_date_is_a_later_working_day(cycle, day):
    due = cycle.next_due(day)
    assert due > day
    assert calendar.is_workday(due)


@pytest.mark.django_db
@PROPERTY
@given(cycle=active_cycles, day=dates, later=st.integers(0, 120))
def test_the_next_due_date_never_goes_back_as_time_passes(cycle, day, later):
    assert cycle.next_due(day) <= cycle.next_due(day + dt.timedelta(days=later))


@pytest.mark.django_db
@PROPERTY
@given(cycle=workdays_cycles, day=dates)
def test_a_working_day_cycle_counts_its_working_days(cycle, day):
    assert calendar.workdays_between(day, cycle.next_due(day)) == cycle.n


@pytest.mark.django_db
@PROPERTY
@given(cycle=days_cycles, day=dates)
def test_a_calendar_day_cycle_is_due_on_the_working_day_nearest_before_its_day(cycle, day):
    nominal = day + dt.timedelta(days=cycle.n)
    due = cycle.next_due(day)
    # On the day; else the last working day before it; else (that would be the report's own day) the first after.
    later = [x for x in (nominal - dt.timedelta(days=i) for i in range(cycle.n)) if x > day and calendar.is_workday(x)]
    assert due == (later[0] if later else calendar.next_workday(nominal))


def is_nominal(cycle: ReportCycle, day: dt.date) -> bool:
    """True if the cycle's wording names `day` ("每月25日前": every 25th), before any move to a working day."""
    last = gregorian.monthrange(day.year, day.month)[1]
    match cycle.kind:
        case CycleKind.WEEKLY:
            return day.isoweekday() == cycle.n
        case CycleKind.MONTHLY:
            return day.day == (min(cycle.n, last) if cycle.n else last)
        case CycleKind.HALFMONTHLY:
            return day.day in (15, last)
        case CycleKind.QUARTERLAST:
            return day.month % 3 == 0 and day.day == min(cycle.n, last)
        case CycleKind.HALFYEARLY:
            return day.month % 6 == 0 and day.day == last
        case CycleKind.YEARLY:
            return day.month == cycle.n // 100 and day.day == min(cycle.n % 100, last)
        case CycleKind.QUARTERLY if cycle.n == 0:
            return day.month % 3 == 0 and day.day == last
        case CycleKind.QUARTERLY:
            return day.month % 3 == 1 and day.day == min(cycle.n, last)


@pytest.mark.django_db
@PROPERTY
@given(cycle=by_day_cycles, day=dates)
def test_the_next_due_date_is_the_first_working_day_that_closes_a_named_day(cycle, day):
    # Brute force: a working day is a due date when a named day lies between it and the next working day.
    expected = day + dt.timedelta(days=1)
    while not (
        calendar.is_workday(expected)
        and any(
            is_nominal(cycle, expected + dt.timedelta(days=i))
            for i in range((calendar.add_workdays(expected, 1) - expected).days)
        )
    ):
        expected += dt.timedelta(days=1)
    assert cycle.next_due(day) == expected
