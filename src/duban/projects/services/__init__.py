"""Project services (SPEC §6): one function per transition, each through `matters.services.perform` (who may,
the state, the write, the timeline event, the light, the audit entry, one transaction).

    create_project → 线索 ─ move_stage → 在谈 → 签约 → 前期手续 → 开工 → 竣工 → 投产   (stop_project: 终止)
                              a move is refused while a procedure the stage needs is open
    procedures: add_procedure → 未启动 ─ start_procedure → 办理中 ─ finish_procedure → 已办结
                                                        └ extend_procedure   waive_procedure → 无需办理
    reports: open_reports (each month, the worker) → 待报送 ─ submit_report → 已报送 ─ correct_report
    problems: raise_problem → an enterprise appeal or a key-work task, linked to the project
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import attachments as attachment_store
from duban.core import calendar
from duban.core import photos as photo_check
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import Unit
from duban.matters import clock, numbering
from duban.matters import services as kernel
from duban.matters.models import MatterEvent
from duban.projects import policies
from duban.projects.choices import (
    FINISHED_STAGES,
    PIPELINE,
    REPORTING_STAGES,
    STAGE_DATE_FIELD,
    STAGE_ORDER,
    Industry,
    Level,
    ProblemRoute,
    ProcedureState,
    ProjectType,
    ReportState,
    Stage,
)
from duban.projects.kind import PROCEDURE_KIND, PROJECT_KIND, REPORT_KIND
from duban.projects.models import (
    InvestmentReport,
    Procedure,
    ProcedureTemplate,
    ProcedureType,
    Project,
    ProjectProblem,
    ReportPhoto,
)

MAX_PHOTOS = 9
ZERO = Decimal("0")


def today() -> dt.date:
    return timezone.localdate()


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _text(value, what: str, field: str, limit: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("请填写%(what)s。") % {"what": what}, field=field)
    if len(value) > limit:
        raise ServiceError(_("%(what)s最多 %(n)s 个字，请精简后再提交。") % {"what": what, "n": limit}, field=field)
    return value


def _amount(value, what: str, field: str, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ServiceError(_("请填写%(what)s（万元）。") % {"what": what}, field=field)
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ServiceError(_("%(what)s应为以万元计的数字，如 1250 或 1250.5。") % {"what": what}, field=field) from None
    if amount < 0:
        raise ServiceError(_("%(what)s不能为负数。") % {"what": what}, field=field)
    if amount >= Decimal("1e12"):
        raise ServiceError(_("%(what)s过大，请确认单位是万元。") % {"what": what}, field=field)
    return amount


def report_day(year: int, month: int) -> dt.date:
    """The report day of a month (DUBAN_PROJECT_REPORT_DAY, the 25th by default); a holiday moves it to the next
    working day."""
    day = min(int(getattr(settings, "DUBAN_PROJECT_REPORT_DAY", 25)), 28)
    return calendar.next_workday(dt.date(year, month, day)) if not calendar.is_workday(dt.date(year, month, day)) else dt.date(year, month, day)


# --- projects --------------------------------------------------------------------------------------------

# Fields `create_project` / `edit_project` accept.
PROJECT_FIELDS = (
    "name", "investor", "investor_credit_code", "contact_name", "contact_phone", "industry", "project_type", "level",
    "location", "township", "content", "total_investment", "plan_year", "annual_plan", "cumulative_before",
    "progress_note", "issues_note", "lead_unit", "leader_in_charge", "responsible_person", "responsible_name",
)
AMOUNT_FIELDS = {"total_investment": "总投资", "annual_plan": "年度计划投资", "cumulative_before": "以前年度累计完成投资"}


def _check_project(values: dict) -> dict:
    unknown = sorted(set(values) - set(PROJECT_FIELDS))
    if unknown:
        raise ServiceError(_("这些内容不能修改：%(fields)s。") % {"fields": "、".join(unknown)})
    if "name" in values:
        values["name"] = _text(values["name"], _("项目名称"), "name")
    for field, what in AMOUNT_FIELDS.items():
        if field in values:
            values[field] = _amount(values[field], what, field) or ZERO
    if "industry" in values and values["industry"] not in Industry.values:
        raise ServiceError(_("请选择产业类别。"), field="industry")
    if "project_type" in values and values["project_type"] not in ProjectType.values:
        raise ServiceError(_("请选择项目类型。"), field="project_type")
    if "level" in values and values["level"] not in Level.values:
        raise ServiceError(_("项目级别只能是省重点、市重点、县重点或一般项目。"), field="level")
    if values.get("lead_unit") is not None and not values["lead_unit"].is_active:
        raise ServiceError(_("责任单位“%(name)s”已停用，请选择其他单位。") % {"name": values["lead_unit"]}, field="lead_unit")
    leader = values.get("leader_in_charge")
    if leader is not None and not leader.roles & {"leader", "principal"}:
        raise ServiceError(_("包抓领导须是县级领导（主要领导或分管领导）：%(name)s 不是。") % {"name": leader.full_name}, field="leader_in_charge")
    for field in ("content", "progress_note", "issues_note", "investor", "location"):
        if field in values:
            values[field] = (values[field] or "").strip()
    return values


def _next_project_code(year: int) -> str:
    numbering.lock(PROJECT_KIND.key, year)
    return numbering.next_number(Project.objects.all(), "code", f"XM{year}-", 4)


@transaction.atomic
def create_project(actor: Actor, *, stage: str = Stage.LEAD, stage_on: dt.date | None = None, with_procedures: bool = True,
                   **values) -> Project:
    """录入项目: a project enters the ledger at the stage it has reached, with the procedures its type's template
    lists (未启动, each with its usual handling unit)."""
    user = actor.user
    if user is not None and not policies.may_create(user):
        raise NotAllowed(_("只有县重点项目办或主要领导可以录入项目。"))
    if stage not in PIPELINE:
        raise ServiceError(_("请选择项目阶段。"), field="stage")
    values = _check_project(dict(values))
    if "name" not in values:
        raise ServiceError(_("请填写项目名称。"), field="name")
    if values.get("lead_unit") is None:
        raise ServiceError(_("请选择项目责任单位。"), field="lead_unit")
    on = stage_on or today()
    if on > today():
        raise ServiceError(_("阶段日期不能晚于今天。"), field="stage_on")
    values.setdefault("plan_year", on.year if stage_on is None else today().year)
    project = Project(code=_next_project_code(today().year), state=stage, start_date=on, **values)
    setattr(project, STAGE_DATE_FIELD[stage], on)
    project.cumulative = project.cumulative_before
    project.save()
    if with_procedures:
        _list_procedures(actor, project)
    kernel.created(actor, project, text=f"录入项目：{project.name}（{project.get_state_display()}）", kind=PROJECT_KIND)
    if stage in REPORTING_STAGES:
        _open_month(actor, project, today())
    return project


def procedure_title(project: Project, name: str) -> str:
    return f"{project.name} {name}"[:260]


def report_title(project: Project, year: int, month: int) -> str:
    return f"{project.name} {year}年{month}月投资月报"[:260]


def _procedure_code(project: Project, n: int) -> str:
    return f"{project.code}-{n:02d}"


def _list_procedures(actor: Actor, project: Project) -> list[Procedure]:
    templates = (ProcedureTemplate.objects.filter(project_type=project.project_type, procedure_type__active=True)
                 .select_related("procedure_type").order_by("sort", "id"))
    made = [
        Procedure(project=project, procedure_type=t.procedure_type, name=t.procedure_type.name,
                  title=procedure_title(project, t.procedure_type.name), code=_procedure_code(project, n),
                  required_before=t.procedure_type.required_before, workdays=t.workdays or t.procedure_type.workdays,
                  lead_unit_id=t.procedure_type.default_unit_id, leader_in_charge_id=project.leader_in_charge_id,
                  sort=t.sort, state=ProcedureState.PENDING, start_date=project.start_date,
                  light="green", light_reason="未启动", light_checked_on=today())  # as procedure_light has it
        for n, t in enumerate(templates, start=1)
    ]
    Procedure.objects.bulk_create(made)
    MatterEvent.objects.bulk_create([kernel.new_event(PROCEDURE_KIND, actor, p, "created", f"列入手续：{p.name}") for p in made])
    return made


@transaction.atomic
def edit_project(actor: Actor, project: Project, *, expected_version: int | None = None, **values) -> Project:
    """修改项目: the project office corrects what the ledger says of a project (not its stage: move_stage)."""
    values = _check_project(dict(values))
    changed = {k: v for k, v in values.items() if getattr(project, k) != v}
    if not changed:
        return project
    if "cumulative_before" in changed:
        changed["cumulative"] = changed["cumulative_before"] + _reported_sum(project)
    kernel.perform(actor, project, "edit", changes=changed, expected_version=expected_version, kind=PROJECT_KIND,
                   text="修改：" + "、".join(str(Project._meta.get_field(k).verbose_name) for k in changed if k != "cumulative"))
    if "name" in changed:
        for procedure in Procedure.objects.filter(project=project).only("id", "name"):
            Procedure.objects.filter(pk=procedure.pk).update(title=procedure_title(project, procedure.name))
        for report in InvestmentReport.objects.filter(project=project).only("id", "year", "month"):
            InvestmentReport.objects.filter(pk=report.pk).update(title=report_title(project, report.year, report.month))
    if "leader_in_charge" in changed:
        Procedure.objects.filter(project=project).update(leader_in_charge=changed["leader_in_charge"])
    if "lead_unit" in changed:
        InvestmentReport.objects.filter(project=project, state__in=[ReportState.UPCOMING, ReportState.DUE]).update(lead_unit=changed["lead_unit"])
    return project


def open_procedures_for(project: Project, stage: str) -> list[Procedure]:
    """The project's procedures still open that must be done before it may enter `stage`."""
    before = [s for s in PIPELINE if STAGE_ORDER[s] <= STAGE_ORDER[stage]]
    return list(Procedure.objects.filter(project=project, required_before__in=before, state__in=[ProcedureState.PENDING, ProcedureState.IN_PROGRESS])
                .select_related("lead_unit").order_by("sort", "id"))


def blocking_message(project: Project, stage: str, blocking: list[Procedure]) -> str:
    listed = "；".join(f"{p.name}（{p.lead_unit.short_name or p.lead_unit.name if p.lead_unit else _('未定办理单位')}，{p.get_state_display()}）"
                       for p in blocking)
    return _("项目“%(name)s”还有手续未办结，不能进入“%(stage)s”阶段：%(list)s。请先办结这些手续，或由县重点项目办确认无需办理。") % {
        "name": project.name, "stage": Stage(stage).label, "list": listed}


@transaction.atomic
def move_stage(actor: Actor, project: Project, stage: str, *, on: dt.date | None = None, note: str = "",
               expected_version: int | None = None) -> Project:
    """推进阶段: forward along the pipeline (a step may be skipped), on the day it happened; refused while a
    procedure the stage needs is open. Entering 前期手续、开工 or 竣工 puts the project on the monthly report."""
    on = on or today()

    def ready():
        if stage not in PIPELINE or STAGE_ORDER[stage] <= STAGE_ORDER[project.state]:
            raise ServiceError(_("项目当前为“%(now)s”，只能向后推进（下一阶段：%(next)s）。") % {
                "now": project.get_state_display(), "next": "、".join(str(Stage(s).label) for s in PIPELINE if STAGE_ORDER[s] > STAGE_ORDER[project.state])}, field="stage")
        if on > today():
            raise ServiceError(_("阶段日期不能晚于今天。"), field="on")
        previous = getattr(project, STAGE_DATE_FIELD[project.state])
        if previous and on < previous:
            raise ServiceError(_("阶段日期不能早于上一阶段的日期（%(day)s）。") % {"day": _day(previous)}, field="on")
        blocking = open_procedures_for(project, stage)
        if blocking:
            raise ServiceError(blocking_message(project, stage, blocking), field="stage")

    changes = {"state": stage, STAGE_DATE_FIELD[stage]: on}
    if stage == Stage.PRODUCING:
        changes["closed_on"] = on
    words = f"推进到“{Stage(stage).label}”（{_day(on)}）" + (f"：{note.strip()}" if note.strip() else "")
    kernel.perform(actor, project, "move", guard=ready, changes=changes, expected_version=expected_version, kind=PROJECT_KIND,
                   text=words, data={"stage": stage, "on": on.isoformat()})
    if stage in REPORTING_STAGES:
        _open_month(actor, project, today())
    return project


@transaction.atomic
def stop_project(actor: Actor, project: Project, *, reason: str, expected_version: int | None = None) -> Project:
    """终止项目: a lead that came to nothing, a project the investor withdrew; its open procedures and reports
    are closed with it (not needed any more)."""
    reason = _text(reason, _("终止原因"), "reason", 300)
    kernel.perform(actor, project, "stop", changes={"state": Stage.STOPPED, "stopped_on": today(), "stop_reason": reason,
                                                    "closed_on": today()},
                   expected_version=expected_version, kind=PROJECT_KIND, text=f"终止：{reason}")
    # Each part closed by its own move (its event, its audit entry, its light): the ladder stops chasing it.
    for procedure in Procedure.objects.filter(project=project, state__in=[ProcedureState.PENDING, ProcedureState.IN_PROGRESS]):
        kernel.perform(actor, procedure, "waive", kind=PROCEDURE_KIND, changes={"state": ProcedureState.WAIVED, "note": "项目终止",
                                                                               "closed_on": today()}, text="项目终止，无需办理")
    for report in InvestmentReport.objects.filter(project=project, state__in=[ReportState.UPCOMING, ReportState.DUE]):
        kernel.perform(actor, report, "exempt", kind=REPORT_KIND, changes={"state": ReportState.EXEMPT, "closed_on": today()},
                       text="项目终止，免报")
    return project


# --- procedures ------------------------------------------------------------------------------------------


@transaction.atomic
def add_procedure(actor: Actor, project: Project, *, procedure_type: ProcedureType, lead_unit: Unit | None = None,
                  workdays: int | None = None) -> Procedure:
    """增加手续: one the template does not list (a 水土保持方案, a 文物勘探) — the project office adds it."""
    user = actor.user
    if user is not None and not policies.is_project_office(user):
        raise NotAllowed(_("只有县重点项目办可以增加项目手续。"))
    if project.state in FINISHED_STAGES:
        raise ServiceError(_("项目已%(state)s，不能再增加手续。") % {"state": project.get_state_display()})
    if Procedure.objects.filter(project=project, procedure_type=procedure_type).exists():
        raise ServiceError(_("项目已列有“%(name)s”手续。") % {"name": procedure_type.name}, field="procedure_type")
    Project.objects.select_for_update().filter(pk=project.pk).first()
    n = Procedure.objects.filter(project=project).count() + 1
    while Procedure.objects.filter(code=_procedure_code(project, n)).exists():
        n += 1
    procedure = Procedure.objects.create(
        project=project, procedure_type=procedure_type, name=procedure_type.name, code=_procedure_code(project, n),
        title=procedure_title(project, procedure_type.name),
        required_before=procedure_type.required_before, workdays=workdays or procedure_type.workdays,
        lead_unit=lead_unit or procedure_type.default_unit, leader_in_charge_id=project.leader_in_charge_id,
        sort=procedure_type.sort, state=ProcedureState.PENDING, start_date=today())
    kernel.created(actor, procedure, text=f"列入手续：{procedure.name}", kind=PROCEDURE_KIND)
    return procedure


@transaction.atomic
def start_procedure(actor: Actor, procedure: Procedure, *, lead_unit: Unit | None = None, on: dt.date | None = None,
                    workdays: int | None = None, expected_version: int | None = None) -> Procedure:
    """启动办理: the clock starts — the limit is `workdays` working days from the day the application was taken."""
    on = on or today()
    unit = lead_unit or procedure.lead_unit
    days = int(workdays or procedure.workdays)

    def ready():
        if unit is None:
            raise ServiceError(_("请选择办理单位。"), field="lead_unit")
        if on > today():
            raise ServiceError(_("受理日期不能晚于今天。"), field="on")
        if days < 1 or days > 720:
            raise ServiceError(_("办理时限应为 1 至 720 个工作日。"), field="workdays")

    due = calendar.add_workdays(on, days) if unit is not None and 1 <= days <= 720 else None
    kernel.perform(actor, procedure, "start", guard=ready, expected_version=expected_version, kind=PROCEDURE_KIND,
                   changes={"state": ProcedureState.IN_PROGRESS, "lead_unit": unit, "start_date": on, "workdays": days, "due_date": due},
                   text=f"启动办理（{unit}，{days} 个工作日，{_day(due)}前办结）" if due else "")
    return procedure


@transaction.atomic
def finish_procedure(actor: Actor, procedure: Procedure, *, approval_no: str = "", on: dt.date | None = None,
                     expected_version: int | None = None) -> Procedure:
    """办结: the approval is issued (批复、许可证), with its document number."""
    on = on or today()

    def ready():
        if on > today():
            raise ServiceError(_("办结日期不能晚于今天。"), field="on")
        if on < procedure.start_date:
            raise ServiceError(_("办结日期不能早于受理日期（%(day)s）。") % {"day": _day(procedure.start_date)}, field="on")

    approval_no = (approval_no or "").strip()[:80]
    late = procedure.due_date and on > procedure.due_date
    kernel.perform(actor, procedure, "finish", guard=ready, expected_version=expected_version, kind=PROCEDURE_KIND,
                   changes={"state": ProcedureState.DONE, "completed_on": on, "closed_on": on, "approval_no": approval_no},
                   text=f"办结（{_day(on)}{'，超时限' if late else ''}）" + (f"，批复文号 {approval_no}" if approval_no else ""))
    return procedure


@transaction.atomic
def waive_procedure(actor: Actor, procedure: Procedure, *, reason: str, expected_version: int | None = None) -> Procedure:
    """确认无需办理: the project office says the procedure does not apply (已有用地, 豁免环评 …), with why."""
    reason = _text(reason, _("无需办理的理由"), "reason", 300)
    kernel.perform(actor, procedure, "waive", expected_version=expected_version, kind=PROCEDURE_KIND,
                   changes={"state": ProcedureState.WAIVED, "note": reason, "closed_on": today()}, text=f"无需办理：{reason}")
    return procedure


@transaction.atomic
def extend_procedure(actor: Actor, procedure: Procedure, *, due_date: dt.date, reason: str,
                     expected_version: int | None = None) -> Procedure:
    """调整时限: the project office moves a procedure's limit (a hearing, a public notice period); a new deadline
    cycle, so the ladder runs again from its first step."""
    reason = _text(reason, _("调整理由"), "reason", 300)

    def ready():
        if due_date <= today():
            raise ServiceError(_("新的办理时限应晚于今天。"), field="due_date")

    kernel.perform(actor, procedure, "extend", guard=ready, expected_version=expected_version, kind=PROCEDURE_KIND,
                   changes={**clock.extended(procedure, due_date), "note": reason},
                   text=f"办理时限调整为 {_day(due_date)}：{reason}")
    return procedure


# --- monthly reports -------------------------------------------------------------------------------------


def report_code(project: Project, year: int, month: int) -> str:
    return f"{project.code}-{year}{month:02d}"


def _open_month(actor: Actor, project: Project, on: dt.date) -> InvestmentReport | None:
    """This month's report of a reporting project, made due (created if missing)."""
    report = InvestmentReport.objects.filter(project=project, year=on.year, month=on.month).first()
    if report is None:
        report = InvestmentReport.objects.create(
            project=project, year=on.year, month=on.month, code=report_code(project, on.year, on.month), state=ReportState.DUE,
            title=report_title(project, on.year, on.month),
            lead_unit_id=project.lead_unit_id, leader_in_charge_id=project.leader_in_charge_id, start_date=dt.date(on.year, on.month, 1),
            due_date=report_day(on.year, on.month))
        kernel.created(actor, report, text=f"{on.year}年{on.month}月投资月报，{_day(report.due_date)}前报送", kind=REPORT_KIND)
    elif report.state == ReportState.UPCOMING:
        # The month opens by the calendar (the system's step, as the worker's), whoever's move brought the project here:
        # the unit's own move to 开工 may not take the office's "open" itself.
        kernel.perform(OPENER, report, "open", kind=REPORT_KIND, changes={
            "state": ReportState.DUE, "lead_unit_id": project.lead_unit_id, "leader_in_charge_id": project.leader_in_charge_id,
            "due_date": report_day(on.year, on.month)}, text=f"进入报送期，{_day(report_day(on.year, on.month))}前报送")
    return report


OPENER = Actor.system("项目月报")


@transaction.atomic
def open_reports(on: dt.date | None = None) -> int:
    """每月报送: this month's report of every project in a reporting stage, made due; returns how many. Run by
    the worker every day (idempotent: a month already open is left as it is)."""
    on = on or today()
    opened = InvestmentReport.objects.filter(project_id=OuterRef("pk"), year=on.year, month=on.month,
                                             state__in=[ReportState.DUE, ReportState.SUBMITTED, ReportState.EXEMPT])
    projects = list(Project.objects.filter(state__in=sorted(REPORTING_STAGES)).exclude(Exists(opened)))
    for project in projects:
        _open_month(OPENER, project, on)
    return len(projects)


def _checked_photos(files) -> list:
    files = list(files or ())
    if len(files) > MAX_PHOTOS:
        raise ServiceError(_("一次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, field="photos")
    return [photo_check.clean(f, field="photos") for f in files]


def _reported_sum(project: Project, *, year: int | None = None) -> Decimal:
    rows = InvestmentReport.objects.filter(project=project, state=ReportState.SUBMITTED)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.aggregate(s=Sum("completed"))["s"] or ZERO


def retotal(project: Project) -> None:
    """The running totals of every submitted month (本年累计, 累计) and the project's, from the months' figures."""
    running_total = project.cumulative_before
    year_totals: dict[int, Decimal] = {}
    changed = []
    for report in InvestmentReport.objects.filter(project=project, state=ReportState.SUBMITTED).order_by("year", "month"):
        amount = report.completed or ZERO
        year_totals[report.year] = year_totals.get(report.year, ZERO) + amount
        running_total += amount
        if (report.year_to_date, report.cumulative) != (year_totals[report.year], running_total):
            report.year_to_date, report.cumulative = year_totals[report.year], running_total
            changed.append(report)
    InvestmentReport.objects.bulk_update(changed, ["year_to_date", "cumulative"])
    # The project's totals are derived (like its light): written without a new version.
    Project.objects.filter(pk=project.pk).update(year_completed=year_totals.get(project.plan_year, ZERO), cumulative=running_total)
    project.year_completed, project.cumulative = year_totals.get(project.plan_year, ZERO), running_total


@transaction.atomic
def submit_report(actor: Actor, report: InvestmentReport, *, completed, image_progress: str = "", photos=(),
                  expected_version: int | None = None) -> InvestmentReport:
    """报送月报: the month's completed investment (万元) and its image progress, with photos (checked by content,
    stored without EXIF); the totals follow."""
    amount = _amount(completed, _("本月完成投资"), "completed", required=True)
    cleaned = _checked_photos(photos)
    image_progress = (image_progress or "").strip()[:2000]

    def keep():
        for photo in cleaned:
            attachment = attachment_store.store(photo.upload, owner=report, user=actor.user)
            ReportPhoto.objects.create(report=report, attachment=attachment, width=photo.width, height=photo.height)

    late = report.due_date and today() > report.due_date
    kernel.perform(actor, report, "submit", prepare=keep, expected_version=expected_version, kind=REPORT_KIND,
                   changes={"state": ReportState.SUBMITTED, "completed": amount, "image_progress": image_progress,
                            "submitted_at": timezone.now(), "submitted_by": actor.user, "completed_on": today(), "closed_on": today()},
                   text=f"报送：本月完成投资 {amount} 万元" + ("（逾期报送）" if late else ""))
    retotal(report.project)
    return report


@transaction.atomic
def correct_report(actor: Actor, report: InvestmentReport, *, completed, image_progress: str | None = None,
                   reason: str, expected_version: int | None = None) -> InvestmentReport:
    """更正月报: a reported figure corrected (统计口径 revised), with why; the totals of later months follow."""
    amount = _amount(completed, _("本月完成投资"), "completed", required=True)
    reason = _text(reason, _("更正原因"), "reason", 300)
    changes = {"completed": amount}
    if image_progress is not None:
        changes["image_progress"] = image_progress.strip()[:2000]
    kernel.perform(actor, report, "correct", expected_version=expected_version, kind=REPORT_KIND, changes=changes,
                   text=f"更正：本月完成投资 {report.completed} → {amount} 万元（{reason}）")
    retotal(report.project)
    return report


@transaction.atomic
def set_month_plans(actor: Actor, project: Project, year: int, plans: dict[int, object]) -> list[InvestmentReport]:
    """月度计划: the planned investment of each month of a year (the sheet's "N月计划投资"); a month not yet
    reported is listed as upcoming."""
    user = actor.user
    if user is not None and not (policies.is_project_office(user) or policies.is_project_unit(project, user)):
        raise NotAllowed(_("只有县重点项目办或项目责任单位可以填报月度计划投资。"))
    rows = []
    for month, value in sorted(plans.items()):
        if not 1 <= int(month) <= 12:
            raise ServiceError(_("月份应为 1 至 12。"), field="month")
        amount = _amount(value, _("%(m)s月计划投资") % {"m": month}, f"plan_{month}")
        report = InvestmentReport.objects.filter(project=project, year=year, month=month).first()
        if report is None:
            report = InvestmentReport.objects.create(
                project=project, year=year, month=month, code=report_code(project, year, month), state=ReportState.UPCOMING,
                title=report_title(project, year, month),
                lead_unit_id=project.lead_unit_id, leader_in_charge_id=project.leader_in_charge_id,
                start_date=dt.date(year, month, 1), due_date=report_day(year, month), planned=amount)
        elif report.planned != amount:
            InvestmentReport.objects.filter(pk=report.pk).update(planned=amount)
            report.planned = amount
        rows.append(report)
    return rows


# --- problems ------------------------------------------------------------------------------------------


@transaction.atomic
def raise_problem(actor: Actor, project: Project, *, title: str, detail: str = "", route: str = ProblemRoute.APPEAL,
                  category: str = "", campaign=None, lead_unit: Unit | None = None, due_date: dt.date | None = None,
                  contact_name: str = "", contact_phone: str = "", expected_version: int | None = None) -> ProjectProblem:
    """提出问题: a problem holding the project up becomes an enterprise appeal (the business office dispatches it,
    on the appeal's clocks) or a key-work task (a draft on a campaign's ledger) and stays linked to the project."""
    title = _text(title, _("问题"), "title", 200)
    detail = (detail or "").strip()
    made: dict = {}

    def ready():
        if route not in ProblemRoute.values:
            raise ServiceError(_("请选择转办方式：转企业诉求或转重点工作任务。"), field="route")
        if route == ProblemRoute.TASK:
            if actor.user is not None and not policies.may_make_task(actor.user):
                raise ServiceError(_("转重点工作任务由县督查室或主要领导办理；您可以转企业诉求，由县营商办派单。"), field="route")
            if campaign is None or not campaign.is_active:
                raise ServiceError(_("转重点工作任务须选择一个进行中的专项行动。"), field="campaign")

    def create():
        if route == ProblemRoute.APPEAL:
            from duban.appeals.choices import Channel
            from duban.appeals.services.intake import submit_appeal

            submitted = submit_appeal(
                actor, channel=Channel.PROJECT, enterprise_name=project.investor or project.name,
                credit_code=project.investor_credit_code, contact_name=contact_name or project.contact_name or actor.name,
                phone=contact_phone or project.contact_phone, category=category or "other",
                description=f"【项目问题】{project.name}（{project.code}）：{title}" + (f"\n{detail}" if detail else ""))
            made["appeal"] = submitted.appeal
        else:
            from duban.ledger import services as ledger_services
            from duban.ledger.choices import TaskSource

            made["task"] = ledger_services.create_task(
                actor, campaign, title=f"{project.name}：{title}"[:200], standard=detail, lead_unit=lead_unit or project.lead_unit,
                due_date=due_date, source=TaskSource.PROJECT, source_ref=f"重点项目 {project.code}")
        return ProjectProblem.objects.create(project=project, title=title, detail=detail, route=route, raised_by=actor.user,
                                             appeal=made.get("appeal"), task=made.get("task"))

    def words(problem):
        target = f"企业诉求 {problem.appeal.code}" if problem.appeal_id else f"重点工作任务 {problem.task.code}"
        return f"提出问题：{title}（转{target}）"

    performed = kernel.perform(actor, project, "raise_problem", guard=ready, prepare=create, expected_version=expected_version,
                               kind=PROJECT_KIND, text=words, data=lambda p: {"problem": p.pk})
    return performed.prepared


__all__ = [
    "add_procedure", "correct_report", "create_project", "edit_project", "extend_procedure", "finish_procedure", "move_stage",
    "open_reports", "raise_problem", "report_day", "retotal", "set_month_plans", "start_procedure", "stop_project",
    "submit_report", "waive_procedure",
]
