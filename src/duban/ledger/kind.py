"""The key-work task as a kind of matter: what the kernel (runner, lights, sweep, 中梗阻 analytics) needs to
know about it, declared once and registered from `LedgerConfig.ready()`."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from duban.ledger.choices import FINISHED_STATES, OPEN_STATES, EventKind, TaskSource, TaskState
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import Task
from duban.matters import clock, registry
from duban.matters.choices import Light, Schedule

KEY = "ledger.task"

# Fields of the five clarities that `create_task` / `update_task` accept.
TASK_FIELDS = (
    "title", "standard", "assigning_leader", "leader_in_charge", "lead_unit", "responsible_person",
    "responsible_name", "deadline_text", "standing", "due_date", "start_date", "report_cycle", "reward_penalty",
    "source", "source_ref", "front", "seq",
)
AUDITED = TASK_FIELDS + (
    "state", "progress", "grade", "paused_since", "pause_reason", "deadline_cycle", "version", "signed_at",
    "last_report_on", "next_report_due", "completed_on", "closed_on", "return_count", "reassign_count",
)

# 中梗阻 (SPEC §4) in the task's own events. A matter lies idle only while its unit holds the ball: signed for
# or waiting to be, not paused (a matter waiting on the office's verification, 申请销账, is the office's to move).
IDLE_STATES = (TaskState.ASSIGNED, TaskState.IN_PROGRESS)
# The matter came to its (current) lead unit: the start of its dwell there.
ARRIVALS = (EventKind.REGISTERED, EventKind.REASSIGN_APPROVED)
# What restarts the idle count besides the lead unit's own progress report (last_report_on): the matter came
# to the unit (立账交办, 调整到本单位), was sent back for rework (退回), or its clock started again (恢复办理,
# 恢复计时).
IDLE_RESTARTS = (EventKind.REGISTERED, EventKind.REASSIGN_APPROVED, EventKind.RETURNED, EventKind.REOPENED, EventKind.RESUMED)
# A pause (挂起) or a suspension (暂停) stops the clock; resuming or reopening starts it again.
PAUSE_STARTS = (EventKind.PAUSED, EventKind.SUSPENDED)
PAUSE_ENDS = (EventKind.RESUMED, EventKind.REOPENED)


def light(task, on: dt.date, *, reported: bool | None = None) -> clock.LightResult:
    """The task's own light on `on` (a parent's is then made no better than its worst open child's).

    A draft (建账) is not on anyone's clock yet: no schedule class and a neutral light. `reported`: see
    `clock.evaluate` (a parent has reported when it or any of its sub-tasks has).
    """
    if task.state == TaskState.DRAFT:
        return clock.LightResult(Light.GREEN, "建账中，尚未立账", Schedule.NONE)
    result = clock.evaluate(task, on, closed=task.state in FINISHED_STATES, reported=reported)
    if task.state == TaskState.CANCELLED:
        return clock.LightResult(Light.GREY, "已撤销", "")
    return result


def task_list(**params) -> str:
    """The ledger list filtered by `params` (a list value repeats the key): ledger.filters.TaskFilter."""
    return reverse("ledger:task_list") + ("?" + urlencode(params, doseq=True) if params else "")


def _link(column: str, unit, idle_days: int, passed_on: int) -> str:
    return {
        "in_hand": lambda: task_list(lead_unit=unit.pk, state="open"),
        "idle": lambda: task_list(lead_unit=unit.pk, idle=idle_days),
        "passed_on": lambda: task_list(lead_unit=unit.pk, state="open", passed_on=passed_on),
        "returns": lambda: task_list(returned_by=unit.pk),
        "reassigns": lambda: task_list(reassign_by=unit.pk),
    }.get(column, lambda: "")()


TASK_KIND = registry.MatterKind(
    key=KEY, label=gettext_noop("重点工作任务"), model=Task, noun=_("该任务"), word=pgettext_lazy("in a sentence", "任务"),
    chased_states=(TaskState.ASSIGNED, TaskState.IN_PROGRESS),
    open_states=tuple(sorted(OPEN_STATES)),
    finished_states=tuple(sorted(FINISHED_STATES)),
    excluded_states=(TaskState.CANCELLED,),
    parent_field="parent",
    machine=TASK_MACHINE,
    url=lambda code: reverse("ledger:task_detail", args=[code]),
    list_url=task_list,
    light=light,
    # Major: a leader's written instruction (领导批示件) takes the stricter ladder.
    major=Q(source=TaskSource.INSTRUCTION),
    demands={
        "remind": "请抓紧推进，按时报送进展；确实无法按期完成的，请及时申请延期。",
        "urge": "请立即办结并申请销账；未能办结的，请说明原因并报送下步打算。",
    },
    events=EventKind,
    audit_prefix="task",
    audited=AUDITED,
    obstruction=registry.Obstruction(
        idle_states=IDLE_STATES, arrival_events=ARRIVALS, restart_events=IDLE_RESTARTS,
        pause_start_events=PAUSE_STARTS, pause_end_events=PAUSE_ENDS,
        returned_event=EventKind.RETURNED, passed_on_event=EventKind.REASSIGN_REQUESTED,
        passed_on_field="reassign_count", started_field="signed_at", link=_link,
    ),
)


def register() -> None:
    registry.register(TASK_KIND)
