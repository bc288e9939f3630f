"""The safety ledgers' kinds of matter: what the kernel (runner, lights, sweep, 中梗阻 analytics) needs to know
about them, declared once and registered from `SafetyConfig.ready()`. A major hazard (重大隐患) is under listed
supervision (挂牌督办): it takes the engine's stricter ladder. A duty lapse (值守未确认) is the township's matter
of the day it happened: red while open, grey once confirmed late or explained."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from duban.core import calendar
from duban.matters import clock, registry
from duban.matters.choices import Light, Schedule
from duban.safety.choices import FINISHED_STATES, LAPSE_FINISHED_STATES, LAPSE_OPEN_STATES, OPEN_STATES, EventKind, HazardLevel, HazardState, LapseEvent
from duban.safety.machine import HAZARD_MACHINE, LAPSE_MACHINE
from duban.safety.models import DutyLapse, Hazard

KEY = "safety.hazard"

# Fields `report_hazard` / `assign_rectification` / `edit_hazard` accept.
REPORT_FIELDS = ("sector", "level", "place", "place_unit", "township", "latitude", "longitude", "title", "detail",
                 "found_on", "found_by_name")
ASSIGN_FIELDS = ("lead_unit", "responsible_person", "responsible_name", "measures", "due_date", "funds",
                 "plan_goal", "plan_person", "plan_contingency", "leader_in_charge")
AUDITED = REPORT_FIELDS + ASSIGN_FIELDS + (
    "state", "version", "result", "verified_by", "verified_at", "return_count", "rectified_on_spot", "closed_on",
    "recurrence_of", "closed_by_unit", "promoted_task", "verified_by_name",
)
UNASSIGNED_WORKDAYS = 1  # a hazard found and not put on the clock within a working day turns yellow


def light(hazard, on: dt.date, *, reported: bool | None = None) -> clock.LightResult:
    """grey struck off · red past the rectification deadline or under an unanswered notice · yellow within
    three working days of it, or found and not yet assigned after a working day · green otherwise."""
    if hazard.state in FINISHED_STATES:
        return clock.LightResult(Light.GREY, "已销号", Schedule.NONE)
    if hazard.state == HazardState.FOUND:
        if calendar.workdays_between(hazard.found_on, on) > UNASSIGNED_WORKDAYS:
            # The working days it has waited are put in when shown (_unassigned): stored, they would change daily.
            return clock.LightResult(Light.YELLOW, f"未及时交办整改（{clock.written(hazard.found_on)}发现）", Schedule.NONE)
        return clock.LightResult(Light.GREEN, "待交办整改", Schedule.NONE)
    if hazard.state == HazardState.AWAITING:
        return clock.LightResult(Light.GREEN, "待验收", Schedule.NONE)
    result = clock.evaluate(hazard, on, closed=False, reported=False)  # no progress reports: no 序时进度
    return clock.LightResult(result.light, result.reason, Schedule.NONE)


@clock.shown_form(f"未及时交办整改（{clock.DATE}发现）")
def _unassigned(match, today, hazard):
    found = clock.dated(match)
    if found is None:
        return None
    return f"发现后 {calendar.workdays_between(found, today)} 个工作日未交办整改（{clock.written(found)}发现）"


def hazard_list(**params) -> str:
    """The hazard ledger filtered by `params`: safety.filters.HazardFilter."""
    return reverse("safety:hazard_list") + ("?" + urlencode(params, doseq=True) if params else "")


def _link(column: str, unit, idle_days: int, passed_on: int) -> str:
    return {
        "in_hand": lambda: hazard_list(lead_unit=unit.pk, state="open"),
        "returns": lambda: hazard_list(lead_unit=unit.pk, returned=1),
    }.get(column, lambda: "")()


HAZARD_KIND = registry.MatterKind(
    key=KEY, label="安全隐患", model=Hazard, noun="该隐患",
    chased_states=(HazardState.RECTIFYING,),
    open_states=tuple(sorted(OPEN_STATES)),
    finished_states=tuple(sorted(FINISHED_STATES)),
    machine=HAZARD_MACHINE,
    url=lambda code: reverse("safety:hazard_detail", args=[code]),
    list_url=hazard_list,
    light=light,
    light_fields=("found_on",),
    major=Q(level=HazardLevel.MAJOR),
    demands={
        "remind": "请抓紧整改，按期完成后上传整改后照片申请验收；确实无法按期完成的，请报告县安委办。",
        "urge": "请立即完成整改并申请验收；未能完成的，请说明原因和管控措施。",
    },
    events=EventKind,
    audit_prefix="hazard",
    audited=AUDITED,
    obstruction=registry.Obstruction(
        columns=("in_hand", "returns", "dwell"),
        idle_states=(HazardState.RECTIFYING,), arrival_events=(EventKind.ASSIGNED,),
        restart_events=(EventKind.ASSIGNED, EventKind.RETURNED),
        returned_event=EventKind.RETURNED, link=_link,
    ),
)


LAPSE_KEY = "safety.duty_lapse"
LAPSE_AUDITED = ("state", "version", "reason", "closed_by", "closed_at", "closed_on", "completed_on", "lead_unit", "due_date")


def lapse_light(lapse, on: dt.date, *, reported: bool | None = None) -> clock.LightResult:
    """red while nobody has confirmed the shift or said why · grey once closed."""
    if lapse.state in LAPSE_FINISHED_STATES:
        return clock.LightResult(Light.GREY, "已关闭", Schedule.NONE)
    return clock.LightResult(Light.RED, "班次到点未确认到岗", Schedule.NONE)


LAPSE_KIND = registry.MatterKind(
    key=LAPSE_KEY, label="值守未确认", model=DutyLapse, noun="该值守事项", word="值守事项",
    chased_states=tuple(sorted(LAPSE_OPEN_STATES)),
    open_states=tuple(sorted(LAPSE_OPEN_STATES)),
    finished_states=tuple(sorted(LAPSE_FINISHED_STATES)),
    machine=LAPSE_MACHINE,
    url=lambda code: reverse("safety:lapse_detail", args=[code]),
    list_url=lambda **params: reverse("safety:duty_board"),
    light=lapse_light,
    demands={
        "remind": "请立即核实值守点人员是否到岗，到岗后由值班人员确认，或说明情况。",
        "urge": "请立即落实值守人员并说明未确认到岗的原因。",
    },
    events=LapseEvent,
    audit_prefix="duty_lapse",
    audited=LAPSE_AUDITED,
)


def register() -> None:
    registry.register(HAZARD_KIND)
    registry.register(LAPSE_KIND)
