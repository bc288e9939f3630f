"""The light rule of SPEC §2 as a pure function of a matter's clock and a day, at exact working-day boundaries.

Every date below is on the 2026 public calendar as the State Council published it; the facts each test
leans on are asserted first, so a wrong calendar fails loudly instead of making a light test lie.
"""

import datetime as dt
from dataclasses import dataclass

import pytest

from duban.core import calendar
from duban.core.choices import CalendarDayKind
from duban.core.models import CalendarDay
from duban.matters import clock
from duban.matters.choices import Light, Schedule

pytestmark = pytest.mark.django_db  # the calendar reads the admin's holiday table

D = dt.date


@dataclass
class M:
    """Just the clock of a matter: what `clock.evaluate` reads."""

    due_date: dt.date | None = D(2026, 12, 31)
    start_date: dt.date = D(2026, 1, 1)
    progress: int = 100
    paused_since: dt.date | None = None
    under_notice: bool = False
    next_report_due: dt.date | None = None
    completed_on: dt.date | None = None
    last_report_on: dt.date | None = D(2026, 1, 1)  # it has reported: judged on schedule unless a test says not
    light_reason: str = ""  # what the sweep stored


def light_on(day, **clock_fields):
    """The light on `day` and its reason as a page shows it that day (stored: `stored_on`)."""
    matter = M(**clock_fields)
    matter.light_reason = clock.evaluate(matter, day, closed=False).reason
    return clock.evaluate(matter, day, closed=False).light, clock.shown_reason(matter, day)


def stored_on(day, **clock_fields):
    """The light on `day` and its reason as stored."""
    result = clock.evaluate(M(**clock_fields), day, closed=False)
    return result.light, result.reason


# --- the elapsed share (序时进度), measured in months ------------------------------------------------


def test_a_calendar_year_task_is_eleven_twelfths_due_at_the_end_of_november():
    share = clock.elapsed_share(D(2026, 1, 1), D(2026, 12, 31), D(2026, 11, 30))
    assert share == pytest.approx(11 / 12)
    assert f"{share * 100:.1f}" == "91.7"


def test_inside_a_month_the_days_count_pro_rata():
    # 15 of June's 30 days: five and a half months of twelve.
    assert clock.elapsed_share(D(2026, 1, 1), D(2026, 12, 31), D(2026, 6, 15)) == pytest.approx(5.5 / 12)
    # A quarter that starts on the 1st: at the end of its first month one third is due.
    assert clock.elapsed_share(D(2026, 4, 1), D(2026, 6, 30), D(2026, 4, 30)) == pytest.approx(1 / 3)


def test_the_share_stays_between_nothing_before_the_start_and_all_after_the_due_date():
    assert clock.elapsed_share(D(2026, 7, 1), D(2026, 12, 31), D(2026, 3, 1)) == 0.0
    assert clock.elapsed_share(D(2026, 1, 1), D(2026, 6, 30), D(2026, 9, 1)) == 1.0
    assert clock.elapsed_share(D(2026, 6, 1), D(2026, 5, 1), D(2026, 5, 15)) == 1.0  # due before start


@pytest.mark.parametrize(("progress", "expected"), [
    (91, Schedule.BEHIND),  # 91 < 91.7
    (92, Schedule.ON_SCHEDULE),
    (101, Schedule.ON_SCHEDULE),  # not 10 points ahead of 91.7
    (100, Schedule.ON_SCHEDULE),
])
def test_behind_schedule_is_judged_against_the_share_as_bulletins_print_it(progress, expected):
    assert clock.schedule_class(progress, 11 / 12) == expected


@pytest.mark.parametrize(("progress", "expected"), [
    (49, Schedule.BEHIND), (50, Schedule.ON_SCHEDULE), (59, Schedule.ON_SCHEDULE), (60, Schedule.AHEAD),
])
def test_ten_points_above_the_share_is_ahead(progress, expected):
    assert clock.schedule_class(progress, 0.5) == expected


def test_float_noise_in_the_share_does_not_make_an_exact_report_behind():
    assert clock.schedule_class(50, 0.5000000001) == Schedule.ON_SCHEDULE


# --- yellow within three working days; red after the due date ------------------------------------


def test_yellow_starts_exactly_three_working_days_before_the_due_date():
    due = D(2026, 6, 30)  # a Tuesday; the 27th and 28th are a weekend
    assert [calendar.is_workday(D(2026, 6, d)) for d in range(24, 31)] == [True, True, True, False, False, True, True]
    assert light_on(D(2026, 6, 24), due_date=due) == (Light.GREEN, "按期推进")  # 4 left: 25, 26, 29, 30
    assert light_on(D(2026, 6, 25), due_date=due) == (Light.YELLOW, "距完成时限还有 3 个工作日（2026年6月30日到期）")
    assert light_on(D(2026, 6, 27), due_date=due) == (Light.YELLOW, "距完成时限还有 2 个工作日（2026年6月30日到期）")  # Saturday
    assert light_on(D(2026, 6, 29), due_date=due) == (Light.YELLOW, "距完成时限还有 1 个工作日（2026年6月30日到期）")
    assert light_on(D(2026, 6, 30), due_date=due) == (Light.YELLOW, "今天到期")
    assert light_on(D(2026, 7, 1), due_date=due) == (Light.RED, "已逾期 1 个工作日（完成时限 2026年6月30日）")


def test_a_due_date_right_after_the_national_day_holiday_counts_only_working_days():
    due = D(2026, 10, 8)  # the first working day after 1–7 October
    assert not any(calendar.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert not calendar.is_workday(D(2026, 9, 25))  # Mid-Autumn Festival, a Friday
    # On 30 September eight calendar days remain but one working day: the 8th itself.
    assert calendar.workdays_between(D(2026, 9, 30), due) == 1
    assert light_on(D(2026, 9, 30), due_date=due) == (Light.YELLOW, "距完成时限还有 1 个工作日（2026年10月8日到期）")
    assert light_on(D(2026, 10, 4), due_date=due) == (Light.YELLOW, "距完成时限还有 1 个工作日（2026年10月8日到期）")
    # Four left on the 24th and still four on the holiday: 28, 29, 30 September and 8 October.
    assert light_on(D(2026, 9, 24), due_date=due) == (Light.GREEN, "按期推进")
    assert light_on(D(2026, 9, 25), due_date=due) == (Light.GREEN, "按期推进")
    assert light_on(D(2026, 9, 28), due_date=due) == (Light.YELLOW, "距完成时限还有 3 个工作日（2026年10月8日到期）")


def test_overdue_counts_working_days_across_a_weekend():
    due = D(2026, 7, 3)  # a Friday
    assert light_on(D(2026, 7, 4), due_date=due) == (Light.RED, "已过完成时限（2026年7月3日）")  # Saturday: no working day lost yet
    assert light_on(D(2026, 7, 5), due_date=due) == (Light.RED, "已过完成时限（2026年7月3日）")
    assert light_on(D(2026, 7, 6), due_date=due) == (Light.RED, "已逾期 1 个工作日（完成时限 2026年7月3日）")
    assert light_on(D(2026, 7, 10), due_date=due) == (Light.RED, "已逾期 5 个工作日（完成时限 2026年7月3日）")
    assert light_on(D(2026, 7, 13), due_date=due) == (Light.RED, "已逾期 6 个工作日（完成时限 2026年7月3日）")


def test_overdue_across_the_holiday_counts_the_adjusted_saturday():
    due = D(2026, 9, 30)
    assert light_on(D(2026, 10, 7), due_date=due) == (Light.RED, "已过完成时限（2026年9月30日）")
    assert light_on(D(2026, 10, 8), due_date=due) == (Light.RED, "已逾期 1 个工作日（完成时限 2026年9月30日）")
    assert light_on(D(2026, 10, 10), due_date=due) == (Light.RED, "已逾期 3 个工作日（完成时限 2026年9月30日）")  # Saturday, worked


def test_a_year_without_published_holidays_still_has_lights_and_follows_the_admins_table():
    # 2027 is not in the package: Monday to Friday until the admin enters the State Council's schedule.
    due = D(2027, 3, 31)  # a Wednesday
    assert light_on(D(2027, 3, 25), due_date=due, start_date=D(2027, 1, 1)) == (Light.GREEN, "按期推进")
    assert light_on(D(2027, 3, 26), due_date=due, start_date=D(2027, 1, 1)) == (Light.YELLOW, "距完成时限还有 3 个工作日（2027年3月31日到期）")
    CalendarDay.objects.create(date=D(2027, 3, 29), kind=CalendarDayKind.HOLIDAY, name="测试假日")
    calendar.invalidate()
    assert light_on(D(2027, 3, 26), due_date=due, start_date=D(2027, 1, 1)) == (Light.YELLOW, "距完成时限还有 2 个工作日（2027年3月31日到期）")
    # The holiday moves the turn one day earlier: the 25th, green before, now has 3 left (26, 30, 31).
    assert light_on(D(2027, 3, 25), due_date=due, start_date=D(2027, 1, 1)) == (Light.YELLOW, "距完成时限还有 3 个工作日（2027年3月31日到期）")


# --- the other reasons for yellow and red -----------------------------------------------------------


def test_behind_schedule_at_the_end_of_november_is_yellow_with_both_figures():
    assert light_on(D(2026, 11, 30), progress=91) == (Light.YELLOW, "欠进度：已报 91%，序时进度 91.7%")
    assert light_on(D(2026, 11, 30), progress=92) == (Light.GREEN, "按期推进")
    result = clock.evaluate(M(progress=92), D(2026, 11, 30), closed=False)
    assert result.schedule == Schedule.ON_SCHEDULE


def test_a_late_report_is_yellow_from_the_day_after_it_was_due():
    assert light_on(D(2026, 3, 25), next_report_due=D(2026, 3, 25)) == (Light.GREEN, "按期推进")
    assert light_on(D(2026, 3, 26), next_report_due=D(2026, 3, 25)) == (Light.YELLOW, "进展逾期未报（应于 03月25日 前报送）")


def test_a_standing_task_has_no_due_date_light_but_still_must_report():
    assert clock.evaluate(M(due_date=None, progress=0), D(2026, 11, 30), closed=False) == clock.LightResult(
        Light.GREEN, "按期推进", Schedule.NONE)
    assert light_on(D(2026, 4, 1), due_date=None, next_report_due=D(2026, 3, 31))[0] == Light.YELLOW


def test_an_open_supervision_notice_is_red_and_being_overdue_says_so_first():
    assert light_on(D(2026, 6, 1), under_notice=True) == (Light.RED, "督办通知未回复")
    assert light_on(D(2026, 7, 1), due_date=D(2026, 6, 30), under_notice=True) == (Light.RED, "已逾期 1 个工作日（完成时限 2026年6月30日）")


def test_the_due_date_window_says_more_than_a_late_report():
    assert light_on(D(2026, 6, 29), due_date=D(2026, 6, 30), next_report_due=D(2026, 6, 1)) == (
        Light.YELLOW, "距完成时限还有 1 个工作日（2026年6月30日到期）")


def test_a_paused_clock_shows_the_light_of_the_day_it_stopped():
    paused = dict(due_date=D(2026, 6, 30), paused_since=D(2026, 6, 24), progress=97)
    on_the_day = clock.evaluate(M(**paused), D(2026, 6, 24), closed=False)
    assert on_the_day == clock.LightResult(Light.GREEN, "按期推进", Schedule.ON_SCHEDULE)
    # Three weeks later, the due date long past, nothing has moved.
    assert clock.evaluate(M(**paused), D(2026, 7, 15), closed=False) == on_the_day
    stopped_in_the_window = dict(paused, paused_since=D(2026, 6, 25))
    assert light_on(D(2026, 8, 3), **stopped_in_the_window) == (Light.YELLOW, "距完成时限还有 3 个工作日（2026年6月30日到期）")


@pytest.mark.parametrize(("completed_on", "schedule"), [
    (D(2026, 6, 29), Schedule.DONE_EARLY),
    (D(2026, 6, 30), Schedule.DONE),
    (D(2026, 7, 2), Schedule.DONE),
    (None, Schedule.DONE),
])
def test_a_closed_matter_is_grey_and_done_early_only_before_its_due_date(completed_on, schedule):
    result = clock.evaluate(M(due_date=D(2026, 6, 30), completed_on=completed_on), D(2026, 7, 6), closed=True)
    assert result == clock.LightResult(Light.GREY, "已办结", schedule)


# --- a matter that has not reported yet -------------------------------------------------------------


def test_a_matter_that_has_not_reported_and_owes_no_report_yet_is_not_judged_on_schedule():
    # Assigned on 1 February with nothing reported: 0% against 8.6% is no report, not 欠进度.
    result = clock.evaluate(M(progress=0, last_report_on=None), D(2026, 2, 1), closed=False)
    assert result == clock.LightResult(Light.GREEN, "按期推进", Schedule.NONE)
    assert clock.awaiting_first_report(M(last_report_on=None), D(2026, 11, 30))  # nothing owed: still waiting


def test_until_the_first_report_falls_due_and_no_longer_after_it():
    first = dict(progress=0, last_report_on=None, next_report_due=D(2026, 3, 25))
    on_the_day = clock.evaluate(M(**first), D(2026, 3, 25), closed=False)
    assert on_the_day == clock.LightResult(Light.GREEN, "按期推进", Schedule.NONE)
    day_after = clock.evaluate(M(**first), D(2026, 3, 26), closed=False)
    assert day_after == clock.LightResult(Light.YELLOW, "进展逾期未报（应于 03月25日 前报送）", Schedule.BEHIND)


def test_once_it_has_reported_it_is_judged_even_before_the_next_report_is_due():
    reported = clock.evaluate(M(progress=5, last_report_on=D(2026, 3, 20), next_report_due=D(2026, 4, 24)), D(2026, 3, 31), closed=False)
    assert reported == clock.LightResult(Light.YELLOW, "欠进度（已报 5%）", Schedule.BEHIND)


def test_the_due_date_still_counts_before_the_first_report():
    waiting = dict(progress=0, last_report_on=None, due_date=D(2026, 6, 30))
    assert light_on(D(2026, 6, 24), **waiting) == (Light.GREEN, "按期推进")
    assert light_on(D(2026, 6, 25), **waiting) == (Light.YELLOW, "距完成时限还有 3 个工作日（2026年6月30日到期）")
    assert light_on(D(2026, 7, 1), **waiting) == (Light.RED, "已逾期 1 个工作日（完成时限 2026年6月30日）")
    assert light_on(D(2026, 6, 1), under_notice=True, **waiting) == (Light.RED, "督办通知未回复")


def test_a_kind_may_say_the_matter_has_reported_when_its_percent_comes_from_elsewhere():
    # A parent whose sub-tasks report: its own last_report_on stays empty, its percent is a report.
    result = clock.evaluate(M(progress=48, last_report_on=None), D(2026, 11, 30), closed=False, reported=True)
    assert result == clock.LightResult(Light.YELLOW, "欠进度（已报 48%）", Schedule.BEHIND)
    assert clock.evaluate(M(progress=48), D(2026, 11, 30), closed=False, reported=False).schedule == Schedule.NONE
