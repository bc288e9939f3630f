"""The ladder's arithmetic: on which working day each step of a matter falls, which are due on a given day,
and when the matter next needs looking at. Pure functions of dates and the ladder (no database), so that the
sweep, the task page and the tests agree.

A step `offset` working days from the due date fires on `add_workdays(due, offset)`: the working day on or
after the due date for 0, the n-th working day after it (before it when negative). Its dates follow the
ladder, not the sweep's clock: a sweep that runs late (or catches up after a stop) issues the same actions
with the same dates as sweeps that ran every day. Beyond the ladder's own steps:

- an unanswered notice is chased: on the first working day after its reply is due, a second notice
  (slot "notice-2", 再次督办) goes out with its own reply deadline;
- the accountability proposal fires at its offset or on the first working day after the second notice's
  reply was due, unanswered — whichever comes first ("20 days after due or after two unanswered notices").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from duban.core import calendar
from duban.supervision.choices import ActionKind

NOTICE_AGAIN = "notice-2"
NEVER = dt.date.max  # nothing left to fire in this cycle


@dataclass(frozen=True)
class Step:
    kind: str
    offset: int
    reply_days: int
    target: str


@dataclass(frozen=True)
class Fired:
    """What a matter already has in this cycle: slot → (fired on, reply due, replied?)."""

    on: dt.date
    reply_due: dt.date | None
    replied: bool


@dataclass(frozen=True)
class Due:
    slot: str
    step: Step
    on: dt.date  # the day the ladder puts it on
    reply_due: dt.date | None


def step_day(due: dt.date, offset: int) -> dt.date:
    return calendar.add_workdays(due, offset)


def reply_day(on: dt.date, step: Step) -> dt.date | None:
    return calendar.add_workdays(on, step.reply_days) if step.reply_days else None


def plan(due: dt.date, steps: list[Step], fired: dict[str, Fired], today: dt.date) -> tuple[list[Due], dt.date]:
    """The steps due by `today` that have not fired (in ladder order), and the next day anything may fall due."""
    result: list[Due] = []
    upcoming: list[dt.date] = []
    done = dict(fired)
    by_kind = {s.kind: s for s in steps}
    for step in steps:
        if step.kind == ActionKind.ACCOUNTABILITY:
            continue  # after the notices: it may be brought forward by them
        slot = step.kind
        if slot in done:
            continue
        on = step_day(due, step.offset)
        if on <= today:
            reply = reply_day(on, step)
            result.append(Due(slot, step, on, reply))
            done[slot] = Fired(on, reply, False)
        else:
            upcoming.append(on)
    notice = by_kind.get(ActionKind.NOTICE)
    first = done.get(ActionKind.NOTICE)
    second_day = None
    if notice is not None and first is not None and first.reply_due is not None and not first.replied:
        if NOTICE_AGAIN not in done:
            on = calendar.next_workday(first.reply_due + dt.timedelta(days=1))
            if on <= today:
                reply = reply_day(on, notice)
                result.append(Due(NOTICE_AGAIN, notice, on, reply))
                done[NOTICE_AGAIN] = Fired(on, reply, False)
            else:
                upcoming.append(on)
    again = done.get(NOTICE_AGAIN)
    if again is not None and again.reply_due is not None and not again.replied:
        second_day = calendar.next_workday(again.reply_due + dt.timedelta(days=1))
    accountability = by_kind.get(ActionKind.ACCOUNTABILITY)
    if accountability is not None and ActionKind.ACCOUNTABILITY not in done:
        on = step_day(due, accountability.offset)
        if second_day is not None:
            on = min(on, second_day)
        if on <= today:
            result.append(Due(ActionKind.ACCOUNTABILITY, accountability, on, reply_day(on, accountability)))
        else:
            upcoming.append(on)
    result.sort(key=lambda d: (d.on, ORDER.get(d.slot, 99)))
    return result, min(upcoming, default=NEVER)


ORDER = {ActionKind.REMIND: 0, ActionKind.URGE: 1, ActionKind.NOTICE: 2, NOTICE_AGAIN: 3, ActionKind.INTERVIEW: 4,
         ActionKind.ACCOUNTABILITY: 5}


# The default ladder of SPEC §4, and the stricter one for major matters (a principal leader's instruction).
DEFAULT = [
    Step(ActionKind.REMIND, -3, 0, "unit"),
    Step(ActionKind.URGE, 0, 0, "unit"),
    Step(ActionKind.NOTICE, 3, 2, "unit"),
    Step(ActionKind.INTERVIEW, 10, 0, "leader"),
    Step(ActionKind.ACCOUNTABILITY, 20, 0, "principal"),
]
MAJOR = [
    Step(ActionKind.REMIND, -5, 0, "unit"),
    Step(ActionKind.URGE, 0, 0, "unit"),
    Step(ActionKind.NOTICE, 1, 1, "unit"),
    Step(ActionKind.INTERVIEW, 5, 0, "leader"),
    Step(ActionKind.ACCOUNTABILITY, 10, 0, "principal"),
]
