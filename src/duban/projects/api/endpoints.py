"""/api/v1/projects…, /api/v1/procedures…, /api/v1/project-reports…: reads through `visible_to`, and the moves."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Status
from ninja.errors import ValidationError

from duban.api.filtering import as_params, check
from duban.api.schemas import ERRORS
from duban.core.actor import Actor
from duban.core.models import Unit, User
from duban.matters import services as kernel
from duban.projects import selectors, services
from duban.projects.api import router
from duban.projects.api.schemas import (
    NOT_FOUND,
    PROCEDURE_MULTIPLE,
    PROCEDURE_SINGLE,
    PROJECT_MULTIPLE,
    PROJECT_SINGLE,
    REPORT_MULTIPLE,
    REPORT_SINGLE,
    ProcedureDetail,
    ProcedureExtendIn,
    ProcedureFinishIn,
    ProcedurePage,
    ProcedureQuery,
    ProcedureStartIn,
    ProcedureWaiveIn,
    ProjectDetail,
    ProjectIn,
    ProjectMoveIn,
    ProjectPage,
    ProjectQuery,
    ProjectReportCorrectIn,
    ProjectReportDetail,
    ProjectReportPage,
    ProjectReportQuery,
    ProjectReportSubmitIn,
    ProjectStopIn,
)
from duban.projects.choices import STAGE_DATE_FIELD
from duban.projects.filters import KEYSET, PROCEDURE_KEYSET, REPORT_KEYSET
from duban.projects.kind import PROCEDURE_KIND, PROJECT_KIND, REPORT_KIND
from duban.projects.models import InvestmentReport, Procedure, Project, ProjectProblem, ReportPhoto

CODE = Path(..., max_length=32)
PROJECT_RELATED = ("lead_unit", "leader_in_charge", "township")
PROCEDURE_RELATED = ("project", "lead_unit")
REPORT_RELATED = ("project", "lead_unit")
PROCEDURES, REPORTS = ["项目手续"], ["投资月报"]


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.full_name or user.username}


def _listing(filterset, keyset, related, item, filters) -> dict:
    """One page of a list: the page's FilterSet (its refusals a 422), its keyset, each row as `item` shapes it."""
    page = keyset.page(check(filterset).qs.select_related(*related), cursor=filters.cursor or None, size=filters.limit)
    return {"items": [item(row) for row in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


def _visible(find, what: str, request, code: str):
    """The project, procedure or report `find` (a selector through `visible_to`) gives the caller, else 404."""
    found = find(request.auth, code)
    if found is None:
        raise Http404(str(NOT_FOUND[what]) % {"code": code})
    return found


def _refused(field: str, message: str) -> ValidationError:
    """A body field naming something that does not exist: 422, like the schema's own refusals."""
    return ValidationError([{"loc": ("body", field), "msg": message, "type": "value_error"}])


def _unit(pk: int | None, field: str) -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise _refused(field, _("没有 id 为 %(id)s 的在用单位，请从单位名录中选择。") % {"id": pk})
    return unit


def _user(pk: int | None, field: str) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise _refused(field, _("没有 id 为 %(id)s 的在用人员。") % {"id": pk})
    return user


def _rate(project: Project) -> float | None:
    rate = project.completion_rate
    return None if rate is None else float(rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- projects ----------------------------------------------------------------------------------------------


def _project_item(p: Project) -> dict:
    return {
        "code": p.code, "name": p.name, "investor": p.investor, "industry": p.industry, "industry_label": p.get_industry_display(),
        "project_type": p.project_type, "project_type_label": p.get_project_type_display(), "level": p.level,
        "level_label": p.get_level_display(), "stage": p.state, "stage_label": p.get_state_display(), "lead_unit": _ref(p.lead_unit),
        "leader_in_charge": _person(p.leader_in_charge), "township": _ref(p.township), "total_investment": p.total_investment,
        "plan_year": p.plan_year, "annual_plan": p.annual_plan, "year_completed": p.year_completed, "cumulative": p.cumulative,
        "completion_rate": _rate(p), "light": p.light, "light_reason": p.light_reason,
    }


def _project_or_404(request, code: str) -> Project:
    return _visible(selectors.visible_project, "project", request, code)


def _month(r: InvestmentReport) -> dict:
    return {"code": r.code, "month": r.month, "state": r.state, "state_label": r.get_state_display(), "planned": r.planned,
            "completed": r.completed, "year_to_date": r.year_to_date, "due_date": r.due_date, "light": r.light}


def _problem(p: ProjectProblem) -> dict:
    matter = p.matter
    return {"title": p.title, "route": p.route, "matter": matter.code if matter else None, "light": matter.light if matter else None,
            "raised_at": timezone.localtime(p.raised_at)}


def _project_detail(request, code: str) -> dict:
    user = request.auth
    p = _project_or_404(request, code)
    procedures = Procedure.objects.visible_to(user).filter(project=p).select_related(*PROCEDURE_RELATED).order_by("sort", "id")
    months = InvestmentReport.objects.visible_to(user).filter(project=p, year=timezone.localdate().year).order_by("month")
    problems = ProjectProblem.objects.filter(project=p).select_related("appeal", "task")
    return {
        **_project_item(p), "version": p.version, "investor_credit_code": p.investor_credit_code, "contact_name": p.contact_name,
        "contact_phone": p.contact_phone, "location": p.location, "content": p.content, "cumulative_before": p.cumulative_before,
        "progress_note": p.progress_note, "issues_note": p.issues_note,
        "stage_dates": {str(stage): getattr(p, field) for stage, field in STAGE_DATE_FIELD.items()}, "stop_reason": p.stop_reason,
        "procedures": [_procedure_item(x) for x in procedures], "months": [_month(r) for r in months],
        "problems": [_problem(x) for x in problems], "actions": [t.name for t in kernel.offered(p, user, kind=PROJECT_KIND)],
    }


@router.get("/projects", response={200: ProjectPage, **ERRORS}, summary="重点项目列表")
def list_projects(request, filters: Query[ProjectQuery]):
    """调用者职责范围内的重点项目（与项目列表页、导出同一套筛选）：可按阶段、产业、级别、包抓领导、责任单位、乡镇、亮灯、
    手续办理单位和阶段日期筛选；总投资大的在前，按游标翻页。"""
    filterset = selectors.project_filter(request, as_params(filters, PROJECT_SINGLE, PROJECT_MULTIPLE))
    return _listing(filterset, KEYSET, PROJECT_RELATED, _project_item, filters)


@router.get("/projects/{code}", response={200: ProjectDetail, **ERRORS}, summary="重点项目详情")
def get_project(request, code: str = CODE):
    """项目的基本情况、各阶段日期、手续（办理单位、时限与亮灯）、今年各月计划与完成投资、问题清单、版本号，以及调用者现在可以办理的操作。"""
    return _project_detail(request, code)


@router.post("/projects", response={201: ProjectDetail, **ERRORS}, summary="录入项目")
def create_project(request, payload: ProjectIn):
    """县重点项目办或主要领导录入项目：按项目类型的模板列入手续（未启动，各有默认办理单位）；已到前期手续及以后阶段的，列入本月投资月报。"""
    values = payload.dict(exclude={"lead_unit", "leader_in_charge", "township", "stage", "stage_on", "with_procedures"})
    values = {k: v for k, v in values.items() if v is not None}
    project = services.create_project(
        Actor.from_request(request), stage=payload.stage, stage_on=payload.stage_on, with_procedures=payload.with_procedures,
        lead_unit=_unit(payload.lead_unit, "lead_unit"), leader_in_charge=_user(payload.leader_in_charge, "leader_in_charge"),
        township=_unit(payload.township, "township"), **values)
    return Status(201, _project_detail(request, project.code))


@router.post("/projects/{code}/move", response={200: ProjectDetail, **ERRORS}, summary="推进阶段")
def move(request, payload: ProjectMoveIn, code: str = CODE):
    """项目向后推进（可跨阶段），记下进入该阶段的日期。该阶段所需的手续未办结时拒绝（400），说明是哪项手续、在哪个单位办理，项目不变。"""
    services.move_stage(Actor.from_request(request), _project_or_404(request, code), payload.stage, on=payload.on, note=payload.note,
                        expected_version=payload.version)
    return _project_detail(request, code)


@router.post("/projects/{code}/stop", response={200: ProjectDetail, **ERRORS}, summary="终止项目")
def stop(request, payload: ProjectStopIn, code: str = CODE):
    """县重点项目办写明原因终止项目：未办结的手续转为无需办理，未报的月报不再报送。"""
    services.stop_project(Actor.from_request(request), _project_or_404(request, code), reason=payload.reason,
                          expected_version=payload.version)
    return _project_detail(request, code)


# --- procedures --------------------------------------------------------------------------------------------


def _procedure_item(x: Procedure) -> dict:
    return {
        "code": x.code, "name": x.name, "project": {"code": x.project.code, "name": x.project.name}, "lead_unit": _ref(x.lead_unit),
        "state": x.state, "state_label": x.get_state_display(), "required_before": x.required_before,
        "required_before_label": x.get_required_before_display() if x.required_before else "", "workdays": x.workdays,
        "start_date": x.start_date, "due_date": x.due_date, "completed_on": x.completed_on, "approval_no": x.approval_no,
        "note": x.note, "light": x.light, "light_reason": x.light_reason,
    }


def _procedure_or_404(request, code: str) -> Procedure:
    return _visible(selectors.visible_procedure, "procedure", request, code)


def _procedure_detail(request, code: str) -> dict:
    x = _procedure_or_404(request, code)
    return {**_procedure_item(x), "version": x.version, "title": x.title, "deadline_cycle": x.deadline_cycle,
            "actions": [t.name for t in kernel.offered(x, request.auth, kind=PROCEDURE_KIND)]}


@router.get("/procedures", response={200: ProcedurePage, **ERRORS}, summary="项目手续列表", tags=PROCEDURES)
def list_procedures(request, filters: Query[ProcedureQuery]):
    """调用者职责范围内的项目手续（与手续列表页同一套筛选）：可按手续类型、办理状态、办理单位、亮灯、项目编号和关键词筛选；
    时限早的在前，按游标翻页。"""
    filterset = selectors.procedure_filter(request, as_params(filters, PROCEDURE_SINGLE, PROCEDURE_MULTIPLE))
    return _listing(filterset, PROCEDURE_KEYSET, PROCEDURE_RELATED, _procedure_item, filters)


@router.get("/procedures/{code}", response={200: ProcedureDetail, **ERRORS}, summary="项目手续详情", tags=PROCEDURES)
def get_procedure(request, code: str = CODE):
    """手续的办理单位、时限、办结情况、亮灯、版本号，以及调用者现在可以办理的操作。"""
    return _procedure_detail(request, code)


@router.post("/procedures/{code}/start", response={200: ProcedureDetail, **ERRORS}, summary="启动办理", tags=PROCEDURES)
def start(request, payload: ProcedureStartIn, code: str = CODE):
    """办理单位、项目责任单位或县重点项目办登记受理：时限从受理日期起按工作日计算。"""
    services.start_procedure(Actor.from_request(request), _procedure_or_404(request, code), lead_unit=_unit(payload.lead_unit, "lead_unit"),
                             on=payload.on, workdays=payload.workdays, expected_version=payload.version)
    return _procedure_detail(request, code)


@router.post("/procedures/{code}/finish", response={200: ProcedureDetail, **ERRORS}, summary="办结", tags=PROCEDURES)
def finish(request, payload: ProcedureFinishIn, code: str = CODE):
    """登记手续办结（批复、许可证已出），带批复文号。"""
    services.finish_procedure(Actor.from_request(request), _procedure_or_404(request, code), approval_no=payload.approval_no,
                              on=payload.on, expected_version=payload.version)
    return _procedure_detail(request, code)


@router.post("/procedures/{code}/waive", response={200: ProcedureDetail, **ERRORS}, summary="确认无需办理", tags=PROCEDURES)
def waive(request, payload: ProcedureWaiveIn, code: str = CODE):
    """县重点项目办写明理由，确认该项目不需要这项手续（已有用地、豁免环评等）。"""
    services.waive_procedure(Actor.from_request(request), _procedure_or_404(request, code), reason=payload.reason,
                             expected_version=payload.version)
    return _procedure_detail(request, code)


@router.post("/procedures/{code}/extend", response={200: ProcedureDetail, **ERRORS}, summary="调整时限", tags=PROCEDURES)
def extend(request, payload: ProcedureExtendIn, code: str = CODE):
    """县重点项目办写明理由，调整办理中手续的办结时限（听证、公示期等）；督办从第一步重新开始。"""
    services.extend_procedure(Actor.from_request(request), _procedure_or_404(request, code), due_date=payload.due_date,
                              reason=payload.reason, expected_version=payload.version)
    return _procedure_detail(request, code)


# --- monthly reports ---------------------------------------------------------------------------------------


def _report_item(r: InvestmentReport) -> dict:
    return {
        "code": r.code, "project": {"code": r.project.code, "name": r.project.name}, "year": r.year, "month": r.month, "state": r.state,
        "state_label": r.get_state_display(), "lead_unit": _ref(r.lead_unit), "planned": r.planned, "completed": r.completed,
        "year_to_date": r.year_to_date, "cumulative": r.cumulative, "due_date": r.due_date,
        "submitted_at": timezone.localtime(r.submitted_at) if r.submitted_at else None, "light": r.light, "light_reason": r.light_reason,
    }


def _report_or_404(request, code: str) -> InvestmentReport:
    return _visible(selectors.visible_report, "report", request, code)


def _report_detail(request, code: str) -> dict:
    r = _report_or_404(request, code)
    photos = ReportPhoto.objects.filter(report=r).order_by("id").values_list("attachment_id", flat=True)
    return {**_report_item(r), "version": r.version, "title": r.title, "image_progress": r.image_progress,
            "submitted_by": _person(r.submitted_by), "photos": list(photos),
            "actions": [t.name for t in kernel.offered(r, request.auth, kind=REPORT_KIND)]}


@router.get("/project-reports", response={200: ProjectReportPage, **ERRORS}, summary="投资月报列表", tags=REPORTS)
def list_reports(request, filters: Query[ProjectReportQuery]):
    """调用者职责范围内的投资月报（与月报列表页同一套筛选）：可按年度、月份、报送状态、责任单位、亮灯和项目编号筛选；
    报送期限早的在前，按游标翻页。"""
    filterset = selectors.report_filter(request, as_params(filters, REPORT_SINGLE, REPORT_MULTIPLE))
    return _listing(filterset, REPORT_KEYSET, REPORT_RELATED, _report_item, filters)


@router.get("/project-reports/{code}", response={200: ProjectReportDetail, **ERRORS}, summary="投资月报详情", tags=REPORTS)
def get_report(request, code: str = CODE):
    """一个项目一个月的计划投资、完成投资、累计、形象进度、照片（附件 id）、版本号，以及调用者现在可以办理的操作。"""
    return _report_detail(request, code)


@router.post("/project-reports/{code}/submit", response={200: ProjectReportDetail, **ERRORS}, summary="报送月报", tags=REPORTS)
def submit(request, payload: ProjectReportSubmitIn, code: str = CODE):
    """项目责任单位报送本月完成投资（万元）和形象进度；本年累计、累计和完成率随之更新。形象进度照片请在网页上传。"""
    services.submit_report(Actor.from_request(request), _report_or_404(request, code), completed=payload.completed,
                           image_progress=payload.image_progress, expected_version=payload.version)
    return _report_detail(request, code)


@router.post("/project-reports/{code}/correct", response={200: ProjectReportDetail, **ERRORS}, summary="更正月报", tags=REPORTS)
def correct(request, payload: ProjectReportCorrectIn, code: str = CODE):
    """写明原因更正已报送的本月完成投资；之后各月的累计随之更新。"""
    services.correct_report(Actor.from_request(request), _report_or_404(request, code), completed=payload.completed,
                            image_progress=payload.image_progress, reason=payload.reason, expected_version=payload.version)
    return _report_detail(request, code)
