"""The appeal as a kind of matter: what the kernel (runner, lights, sweep, 中梗阻 analytics) needs to know about
it, declared once and registered from `AppealsConfig.ready()`.

An appeal's life has several clocks — accept, dispatch, sign for, reply, call back — each the limit of one
step (appeals.models.TimeLimit). The engine runs them as it runs any deadline: the step's limit is the due
date, each step starts a new deadline cycle (the ladder fires afresh), and the ladder chases the unit whose
court the appeal is in (`chased_unit_field`): the business office to accept, dispatch and call back, the
handling unit to sign for and reply. An urgent appeal takes the stricter ladder."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from duban.appeals.choices import FINISHED_STATES, OPEN_STATES, AppealState, EventKind, Urgency
from duban.appeals.machine import APPEAL_MACHINE
from duban.appeals.models import Appeal
from duban.core import calendar
from duban.matters import clock, registry
from duban.matters.choices import Light, Schedule

KEY = "appeals.appeal"

AUDITED = (
    "state", "version", "category", "urgency", "channel", "title", "description", "enterprise_name", "credit_code",
    "contact_name", "phone", "identity_hidden", "lead_unit", "holder_unit", "leader_in_charge", "due_date",
    "deadline_cycle", "accepted_at", "decline_reason", "dispatched_at", "signed_at", "sendback_count", "is_complex",
    "extension_requested", "replied_at", "outcome", "rating", "reopen_count", "escalated", "closed_on",
    "closed_by_unit", "excluded", "excluded_reason", "repeat_of", "merged_into", "promoted_task",
)
EDITABLE = ("category", "urgency", "title", "description", "enterprise_name", "credit_code", "contact_name", "phone",
            "identity_hidden")

# What each step's limit is called in a light's reason ("签收超时（时限 2026年12月3日）").
STEP_WORDS = {
    AppealState.SUBMITTED: "受理", AppealState.ACCEPTED: "派单", AppealState.DISPATCHED: "签收",
    AppealState.HANDLING: "答复", AppealState.REPLIED: "回访",
}


def light(appeal, on: dt.date, *, reported: bool | None = None) -> clock.LightResult:
    """grey finished · red past the current step's limit or under an unanswered notice · yellow on the limit's
    day · green otherwise. The reason names the step and its limit, so it is stable from day to day."""
    if appeal.state in FINISHED_STATES:
        return clock.LightResult(Light.GREY, str(AppealState(appeal.state).label), Schedule.NONE)
    step = STEP_WORDS.get(appeal.state, "办理")
    due = appeal.due_date
    if due is not None and on > due:
        return clock.LightResult(Light.RED, f"{step}超时（时限 {clock.written(due)}）", Schedule.NONE)
    if appeal.under_notice:
        return clock.LightResult(Light.RED, "督办通知未回复", Schedule.NONE)
    if due is not None and calendar.workdays_between(on, due) <= 0:
        return clock.LightResult(Light.YELLOW, f"今天{step}到期（时限 {clock.written(due)}）", Schedule.NONE)
    return clock.LightResult(Light.GREEN, f"待{step}（时限 {clock.written(due)}）" if due else f"待{step}", Schedule.NONE)


def appeal_list(**params) -> str:
    """The appeal list filtered by `params`: appeals.filters.AppealFilter."""
    return reverse("appeals:appeal_list") + ("?" + urlencode(params, doseq=True) if params else "")


def _link(column: str, unit, idle_days: int, passed_on: int) -> str:
    return {
        "in_hand": lambda: appeal_list(unit=unit.pk, state="open"),
        "passed_on": lambda: appeal_list(unit=unit.pk, sent_back=1),
    }.get(column, lambda: "")()


APPEAL_KIND = registry.MatterKind(
    key=KEY, label="企业诉求", model=Appeal, noun="该诉求", word="诉求",
    chased_states=tuple(sorted(OPEN_STATES)),
    open_states=tuple(sorted(OPEN_STATES)),
    finished_states=tuple(sorted(FINISHED_STATES)),
    machine=APPEAL_MACHINE,
    chased_unit_field="holder_unit",
    url=lambda code: reverse("appeals:appeal_detail", args=[code]),
    list_url=appeal_list,
    light=light,
    major=Q(urgency=Urgency.URGENT),
    # Limits of a day or five: the ladder starts on the limit's day, not three working days before it.
    default_ladder=(("remind", 0, 0, "unit"), ("urge", 1, 0, "unit"), ("notice", 2, 1, "unit"),
                    ("interview", 5, 0, "leader"), ("accountability", 10, 0, "principal")),
    default_major_ladder=(("remind", 0, 0, "unit"), ("urge", 0, 0, "unit"), ("notice", 1, 1, "unit"),
                          ("interview", 3, 0, "leader"), ("accountability", 5, 0, "principal")),
    demands={
        "remind": "请在时限内办理该企业诉求：待签收的请签收，办理中的请答复企业。",
        "urge": "该企业诉求已超过办理时限，请立即办理并答复企业。",
        "notice": "请立即办理该企业诉求，并书面说明超时原因。",
    },
    events=EventKind,
    audit_prefix="appeal",
    audited=AUDITED,
    obstruction=registry.Obstruction(
        columns=("in_hand", "passed_on", "dwell"),
        idle_states=(AppealState.DISPATCHED, AppealState.HANDLING), arrival_events=(EventKind.DISPATCHED,),
        restart_events=(EventKind.DISPATCHED, EventKind.SIGNED),
        passed_on_event=EventKind.SENT_BACK, passed_on_field="sendback_count", started_field="signed_at", link=_link,
    ),
)


def register() -> None:
    registry.register(APPEAL_KIND)
