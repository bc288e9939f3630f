"""The light rule of SPEC §2, one pure function of a matter's clock, state and a date.

green on track · yellow within `YELLOW_WORKDAYS` working days of the due date, a progress report late,
or behind schedule (欠进度: reported percent below the elapsed share of the matter's time, 序时进度; a
matter that has not reported yet, before its first report falls due, is not judged on schedule) ·
red overdue or under an open supervision notice · grey closed.

The elapsed share is measured in months, the way county bulletins count it: a calendar-year task is
11/12 = 91.7% due at the end of November; inside a month, the days of that month count pro rata.

The stored reason names what the light stands on and nothing that moves by itself: "已逾期（完成时限
2026年7月28日）", "临近完成时限（2026年7月30日到期）", "欠进度（已报 30%）". The counts that grow each day
(working days late or left, the elapsed share) are put in when the reason is shown (`shown_reason`): a
reason with a day count in it would change every day with nothing happening, and the sweep would rewrite
every overdue row each morning. A paused clock stands still, so a paused matter's reason is stored with its
counts, as shown.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import re
from collections.abc import Callable
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
    moving = matter.paused_since is None  # else the counts stand still and are stored as shown
    if due is not None and today > due:
        reason = overdue_reason(due)
        return LightResult(Light.RED, _show(reason, today) if not moving else reason, schedule)
    if matter.under_notice:
        return LightResult(Light.RED, "督办通知未回复", schedule)
    if due is not None and calendar.workdays_between(today, due) <= YELLOW_WORKDAYS:
        reason = "今天到期" if today == due else near_reason(due)
        return LightResult(Light.YELLOW, _show(reason, today) if not moving else reason, schedule)
    if matter.next_report_due is not None and today > matter.next_report_due:
        return LightResult(Light.YELLOW, f"进展逾期未报（应于 {matter.next_report_due:%m月%d日} 前报送）", schedule)
    if schedule == Schedule.BEHIND:
        reason = behind_reason(matter.progress)
        return LightResult(Light.YELLOW, _show(reason, today, matter) if not moving else reason, schedule)
    return LightResult(Light.GREEN, "按期推进", schedule)


# --- the reason as stored, and as shown ---------------------------------------------------------------


def written(day: dt.date) -> str:
    """A date as a reason writes it, with its year (a reason is read long after, and on its own in a roll-up)."""
    return f"{day.year}年{day.month}月{day.day}日"


def overdue_reason(due: dt.date) -> str:
    return f"已逾期（完成时限 {written(due)}）"


def near_reason(due: dt.date) -> str:
    return f"临近完成时限（{written(due)}到期）"


def behind_reason(progress: int) -> str:
    return f"欠进度（已报 {progress}%）"


DATE = r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日"
# A stored form → its shown form on `today`, or None to show it as stored. The date is read from the text, not
# from the matter: a parent's reason "子任务 X：已逾期（完成时限 …）" is its child's, with the child's date.
# A form that needs the matter's own clock (the elapsed share) is anchored at the start: never a roll-up's.
ShownForm = Callable[[re.Match, dt.date, object], str | None]
SHOWN_FORMS: list[tuple[re.Pattern, ShownForm]] = []


def shown_form(pattern: str) -> Callable[[ShownForm], ShownForm]:
    """Register how a stored reason ending in `pattern` is shown (a kind may add its own moving reasons)."""

    def register(function: ShownForm) -> ShownForm:
        SHOWN_FORMS.append((re.compile(pattern + "$"), function))
        return function

    return register


def dated(match: re.Match) -> dt.date | None:
    try:
        return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


@shown_form(f"已逾期（完成时限 {DATE}）")
def _overdue(match, today, matter):
    due = dated(match)
    if due is None or today <= due:
        return None
    late = calendar.workdays_between(due, today)
    # The day after a Friday deadline is a Saturday: past it, no working day lost yet.
    return f"已逾期 {late} 个工作日（完成时限 {written(due)}）" if late > 0 else f"已过完成时限（{written(due)}）"


@shown_form(f"临近完成时限（{DATE}到期）")
def _near(match, today, matter):
    due = dated(match)
    if due is None or today > due:
        return None  # not relit yet today: the stored words are still true enough
    if today == due:
        return "今天到期"
    return f"距完成时限还有 {calendar.workdays_between(today, due)} 个工作日（{written(due)}到期）"


@shown_form(r"^欠进度（已报 (?P<progress>\d+)%）")
def _behind(match, today, matter):
    start, due = _field(matter, "start_date"), _field(matter, "due_date")
    if start is None or due is None:
        return None
    return f"欠进度：已报 {match['progress']}%，序时进度 {elapsed_share(start, due, today) * 100:.1f}%"


def _field(matter, name):
    return matter.get(name) if isinstance(matter, dict) else getattr(matter, name, None)


def _show(reason: str, today: dt.date, matter=None) -> str:
    for pattern, function in SHOWN_FORMS:
        match = pattern.search(reason)
        if match:
            shown = function(match, today, matter)
            return reason if shown is None else reason[:match.start()] + shown
    return reason


def shown_reason(matter, today: dt.date) -> str:
    """The matter's stored light reason as a page shows it on `today`, with the day counts and the elapsed share
    put in ("已逾期 12 个工作日（完成时限 2026年7月28日）"); `matter` is a model instance or a values row with
    `light_reason` (and `start_date`, `due_date` for the elapsed share)."""
    return _show(_field(matter, "light_reason") or "", today, matter)


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
