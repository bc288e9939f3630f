"""The light rule of SPEC §2, one pure function of a matter's clock, state and a date.

green on track · yellow within `YELLOW_WORKDAYS` working days of the due date, a progress report late,
or behind schedule (欠进度: reported percent below the elapsed share of the matter's time, 序时进度; a
matter that has not reported yet, before its first report falls due, is not judged on schedule) ·
red overdue or under an open supervision notice · grey closed.

The elapsed share is measured in months, the way county bulletins count it: a calendar-year task is
11/12 = 91.7% due at the end of November; inside a month, the days of that month count pro rata.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass

from duban.core import calendar
from duban.matters.choices import Light, Schedule

YELLOW_WORKDAYS = 3  # the reminder step of the default ladder fires at the same distance
AHEAD_MARGIN = 10  # percentage points above the elapsed share that count as 超进度


@dataclass(frozen=True)
class LightResult:
    light: str
    reason: str
    schedule: str


def month_position(day: dt.date) -> float:
    """Months since year 0 at the end of `day` (the 30th of a 30-day month is a whole month)."""
    days_in_month = _calendar.monthrange(day.year, day.month)[1]
    return day.year * 12 + (day.month - 1) + day.day / days_in_month


def elapsed_share(start: dt.date, due: dt.date, today: dt.date) -> float:
    """The share of the matter's time used by the end of `today`, between 0 and 1 (序时进度)."""
    if due < start:
        return 1.0
    begin = month_position(start - dt.timedelta(days=1))
    total = month_position(due) - begin
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (month_position(today) - begin) / total))


def schedule_class(progress: int, share: float) -> str:
    """超进度 / 达进度 / 欠进度 of an open matter from its percent and its elapsed share."""
    expected = share * 100
    # Compared with the share as bulletins print it (one decimal): at 91.7% a report of 91 is behind, 92 is
    # not. Truncating instead would let 91 pass; rounding also keeps float noise (50.0000001) from counting.
    if progress < round(expected, 1):
        return Schedule.BEHIND
    if progress >= expected + AHEAD_MARGIN:
        return Schedule.AHEAD
    return Schedule.ON_SCHEDULE


def awaiting_first_report(matter, today: dt.date, *, reported: bool | None = None) -> bool:
    """True while a matter has not reported yet and its first report is not yet due.

    Its percent is then no report, not no progress: it is not judged on schedule (a task assigned on
    1 February is not 欠进度 at "已报 0%，序时进度 4%"). `reported` overrides `last_report_on` for a kind
    whose percent comes from elsewhere (a parent's from its sub-tasks)."""
    if reported is None:
        reported = matter.last_report_on is not None
    return not reported and (matter.next_report_due is None or today <= matter.next_report_due)


def evaluate(matter, today: dt.date, *, closed: bool, reported: bool | None = None) -> LightResult:
    """The light, its reason in Chinese and the schedule class of `matter` on `today`."""
    if closed:
        early = matter.completed_on and matter.due_date and matter.completed_on < matter.due_date
        return LightResult(Light.GREY, "已办结", Schedule.DONE_EARLY if early else Schedule.DONE)
    if matter.paused_since is not None:
        today = min(today, matter.paused_since)  # a paused clock stands still
    due = matter.due_date
    schedule = Schedule.NONE
    if due is not None and not awaiting_first_report(matter, today, reported=reported):
        schedule = schedule_class(matter.progress, elapsed_share(matter.start_date, due, today))
    if due is not None and today > due:
        late = calendar.workdays_between(due, today)
        return LightResult(Light.RED, f"已逾期 {late} 个工作日" if late else "已过完成时限", schedule)
    if matter.under_notice:
        return LightResult(Light.RED, "督办通知未回复", schedule)
    if due is not None:
        left = calendar.workdays_between(today, due)
        if left <= YELLOW_WORKDAYS:
            return LightResult(Light.YELLOW, "今天到期" if today == due else f"距完成时限还有 {left} 个工作日", schedule)
    if matter.next_report_due is not None and today > matter.next_report_due:
        return LightResult(Light.YELLOW, f"进展逾期未报（应于 {matter.next_report_due:%m月%d日} 前报送）", schedule)
    if schedule == Schedule.BEHIND:
        share = elapsed_share(matter.start_date, due, today)
        return LightResult(Light.YELLOW, f"欠进度：已报 {matter.progress}%，序时进度 {share * 100:.1f}%", schedule)
    return LightResult(Light.GREEN, "按期推进", schedule)


# --- pause and extension arithmetic (SPEC §2: paused time does not count) ---------------------------------


def resumed(matter, today: dt.date) -> tuple[dict, int]:
    """The clock fields of `matter` once its pause ends on `today`, and the working days it stood still:
    the due date and the next report move on by those days; the pause is cleared."""
    paused_days = max(0, calendar.workdays_between(matter.paused_since, today)) if matter.paused_since else 0
    changes: dict = {"paused_since": None, "pause_reason": ""}
    if matter.due_date and paused_days:
        changes["due_date"] = calendar.add_workdays(matter.due_date, paused_days)
    if matter.next_report_due and paused_days:
        changes["next_report_due"] = calendar.add_workdays(matter.next_report_due, paused_days)
    return changes, paused_days


def extended(matter, new_due: dt.date) -> dict:
    """The clock fields after an approved extension: the new due date starts a new deadline cycle, so that
    the escalation ladder runs again from its first step (history keeps the old date)."""
    return {"due_date": new_due, "deadline_cycle": matter.deadline_cycle + 1}
