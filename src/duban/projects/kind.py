"""The project ledger's kinds of matter, declared once and registered from `ProjectsConfig.ready()`.

A procedure (立项、用地、规划许可、环评、施工许可 …) is a matter of its own: its handling unit owns it, its limit
runs in working days from when it started, the shared ladder chases that unit and the project's leader when it
passes. A monthly investment report is one too, while it is due: the project's unit owns it, the report day is
its due date. Neither kind needs anything of the engine that a key-work task does not.

The project is the container of both (`MatterKind.container`): its light is the worst of its open procedures'
and due reports' (with the procedure or report named in the reason, and the unit holding it), read by the
database per project (`light_annotations`) — the engine lights procedures and reports first, then projects.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Case, CharField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import reverse

from duban.matters import clock, registry
from duban.matters.choices import LIGHT_SEVERITY, Light, Schedule
from duban.projects.choices import (
    FINISHED_STAGES,
    OPEN_STAGES,
    PROCEDURE_FINISHED,
    PROCEDURE_OPEN,
    Level,
    ProcedureEvent,
    ProcedureState,
    ProjectEvent,
    ReportEvent,
    ReportState,
)
from duban.projects.machine import PROCEDURE_MACHINE, PROJECT_MACHINE, REPORT_MACHINE
from duban.projects.models import InvestmentReport, Procedure, Project

PROJECT_KEY, PROCEDURE_KEY, REPORT_KEY = "projects.project", "projects.procedure", "projects.report"

PROJECT_AUDITED = (
    "state", "version", "code", "name", "investor", "investor_credit_code", "contact_name", "contact_phone", "industry",
    "project_type", "level", "location", "township", "content", "total_investment", "plan_year", "annual_plan",
    "cumulative_before", "year_completed", "cumulative", "progress_note", "issues_note", "lead_unit", "leader_in_charge",
    "responsible_person", "responsible_name", "lead_on", "negotiating_on", "signed_on", "preparing_on", "started_on",
    "completed_stage_on", "producing_on", "stopped_on", "stop_reason",
)
PROCEDURE_AUDITED = ("state", "version", "name", "lead_unit", "required_before", "workdays", "start_date", "due_date",
                     "completed_on", "approval_no", "note", "deadline_cycle")
REPORT_AUDITED = ("state", "version", "planned", "completed", "year_to_date", "cumulative", "image_progress", "lead_unit",
                  "due_date", "submitted_at", "completed_on")


def procedure_light(procedure, on: dt.date, *, reported: bool | None = None) -> clock.LightResult:
    """grey done or not needed · green not started yet · the shared clock while in progress (red past its limit
    or under an unanswered notice, yellow within three working days of it)."""
    if procedure.state in PROCEDURE_FINISHED:
        return clock.LightResult(Light.GREY, "已办结" if procedure.state == ProcedureState.DONE else "无需办理", Schedule.NONE)
    if procedure.state == ProcedureState.PENDING:
        return clock.LightResult(Light.GREEN, "未启动", Schedule.NONE)
    result = clock.evaluate(procedure, on, closed=False, reported=False)
    return clock.LightResult(result.light, result.reason, Schedule.NONE)


def report_light(report, on: dt.date, *, reported: bool | None = None) -> clock.LightResult:
    """grey reported · red past the report day (逾期未报) or under a notice · yellow within three working days of it."""
    if report.state == ReportState.SUBMITTED:
        return clock.LightResult(Light.GREY, "已报送", Schedule.NONE)
    if report.state == ReportState.EXEMPT:
        return clock.LightResult(Light.GREY, "免报", Schedule.NONE)
    if report.state == ReportState.UPCOMING:
        return clock.LightResult(Light.GREEN, "未到报送期", Schedule.NONE)
    due = report.due_date
    if due is not None and on > due:
        return clock.LightResult(Light.RED, f"逾期未报（应于 {clock.written(due)}前报送）", Schedule.NONE)
    result = clock.evaluate(report, on, closed=False, reported=False)
    return clock.LightResult(result.light, result.reason if result.light != Light.GREEN else "待报送", Schedule.NONE)


def _severity(prefix: str = ""):
    return Case(*(When(**{f"{prefix}light": light}, then=Value(n)) for light, n in LIGHT_SEVERITY.items()),
                default=Value(0), output_field=IntegerField())


SEP = "｜"


def _worst(model, states, name):
    """A subquery: "light｜name｜unit｜reason" of the project's worst open matter of `model` (the most severe light,
    then the nearest limit) — one subquery per kind, the light rule splits it."""
    rows = (model.objects.filter(project_id=OuterRef("pk"), state__in=sorted(states)).annotate(severity=_severity())
            .order_by("-severity", "due_sort", "id")
            .annotate(described=Concat(F("light"), Value(SEP), name, Value(SEP),
                                       Coalesce(NullIf(F("lead_unit__short_name"), Value("")), F("lead_unit__name"), Value("")),
                                       Value(SEP), F("light_reason"), output_field=CharField())))
    return Subquery(rows.values("described")[:1])


def project_annotations() -> dict:
    return {
        "worst_procedure": _worst(Procedure, PROCEDURE_OPEN, F("name")),
        "worst_report": _worst(InvestmentReport, {ReportState.DUE}, Cast("month", CharField())),
    }


def _split(text: str | None) -> tuple[str, str, str, str]:
    light, name, unit, reason = ((text or "").split(SEP, 3) + ["", "", "", ""])[:4]
    return light, name, unit, reason


def project_light(project, on: dt.date, *, reported: bool | None = None) -> clock.LightResult:
    """grey in production or stopped · else the worst of its open procedures and due monthly reports, named with
    the unit holding it ("手续 施工许可（住建局）已逾期（完成时限 …）") · green when nothing is late."""
    if project.state in FINISHED_STAGES:
        return clock.LightResult(Light.GREY, "已投产" if project.state != "stopped" else "已终止", Schedule.NONE)
    candidates = []
    light, name, unit, reason = _split(getattr(project, "worst_procedure", None))
    if light in (Light.RED, Light.YELLOW):
        candidates.append((light, f"{name}（{unit}）{reason}"))
    light, month, unit, reason = _split(getattr(project, "worst_report", None))
    if light in (Light.RED, Light.YELLOW):
        candidates.append((light, f"{month}月投资月报（{unit}）{reason}"))
    if project.under_notice:
        candidates.append((Light.RED, "督办通知未回复"))
    if not candidates:
        return clock.LightResult(Light.GREEN, "正常推进", Schedule.NONE)
    light, reason = max(candidates, key=lambda c: LIGHT_SEVERITY[c[0]])
    return clock.LightResult(light, reason[:120], Schedule.NONE)


def project_list(**params) -> str:
    return reverse("projects:project_list") + ("?" + urlencode(params, doseq=True) if params else "")


def procedure_list(**params) -> str:
    return reverse("projects:procedure_list") + ("?" + urlencode(params, doseq=True) if params else "")


def _procedure_link(column: str, unit, idle_days: int, passed_on: int) -> str:
    return {"in_hand": lambda: procedure_list(lead_unit=unit.pk, state="open")}.get(column, lambda: "")()


PROCEDURE_KIND = registry.MatterKind(
    key=PROCEDURE_KEY, label="项目手续", model=Procedure, noun="该手续", word="手续",
    chased_states=(ProcedureState.IN_PROGRESS,),
    open_states=tuple(sorted(PROCEDURE_OPEN)),
    finished_states=tuple(sorted(PROCEDURE_FINISHED)),
    machine=PROCEDURE_MACHINE,
    url=lambda code: reverse("projects:procedure_detail", args=[code]),
    list_url=procedure_list,
    light=procedure_light,
    major=Q(project__level__in=[Level.PROVINCE, Level.CITY]),  # 省、市重点项目的手续: the stricter ladder
    demands={
        "remind": "请抓紧办理该项目手续，按时限办结后登记批复文号；确需延长的，请报县重点项目办。",
        "urge": "请立即办结该项目手续；不能按期办结的，请书面说明原因和办结时间。",
    },
    events=ProcedureEvent,
    audit_prefix="procedure",
    audited=PROCEDURE_AUDITED,
    container=(PROJECT_KEY, "project"),
    obstruction=registry.Obstruction(columns=("in_hand", "dwell"), idle_states=(ProcedureState.IN_PROGRESS,),
                                     arrival_events=(ProcedureEvent.STARTED,), link=_procedure_link),
)

REPORT_KIND = registry.MatterKind(
    key=REPORT_KEY, label="项目投资月报", model=InvestmentReport, noun="该月报", word="月报",
    chased_states=(ReportState.DUE,),
    open_states=(ReportState.DUE,),
    finished_states=(ReportState.SUBMITTED, ReportState.EXEMPT),
    machine=REPORT_MACHINE,
    url=lambda code: reverse("projects:report_detail", args=[code]),
    list_url=lambda **params: reverse("projects:report_list") + ("?" + urlencode(params, doseq=True) if params else ""),
    title_field="title",
    light=report_light,
    demands={
        "remind": "请按时报送本月项目投资完成情况和形象进度。",
        "urge": "项目投资月报已逾期未报，请立即报送。",
    },
    events=ReportEvent,
    audit_prefix="project_report",
    audited=REPORT_AUDITED,
    container=(PROJECT_KEY, "project"),
)

PROJECT_KIND = registry.MatterKind(
    key=PROJECT_KEY, label="重点项目", model=Project, noun="该项目", word="项目",
    chased_states=(),  # the project has no limit of its own: its procedures and reports are chased
    open_states=tuple(sorted(OPEN_STAGES)),
    finished_states=tuple(sorted(FINISHED_STAGES)),
    machine=PROJECT_MACHINE,
    url=lambda code: reverse("projects:project_detail", args=[code]),
    list_url=project_list,
    title_field="name",
    light=project_light,
    light_annotations=project_annotations,
    events=ProjectEvent,
    audit_prefix="project",
    audited=PROJECT_AUDITED,
)


def register() -> None:
    # In this order: the sweep lights each kind in turn, and a project's light reads its procedures' and reports'.
    registry.register(PROCEDURE_KIND)
    registry.register(REPORT_KIND)
    registry.register(PROJECT_KIND)
