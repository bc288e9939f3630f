"""/api/v1/tasks…: the ledger over REST. Validate, scope, call the service, answer; no business logic here.

Every read goes through `Task.objects.visible_to(user)` (a task outside the caller's scope is 404, as if it
did not exist), lists filter through the one `TaskFilter` and page by keyset, and every change is one call
of a `ledger.services` function, whose refusals come back as 400/403/409 with the service's own message.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.http import Http404, QueryDict
from django.utils import timezone
from ninja import Field, Path, Query, Router, Status
from ninja.errors import ValidationError
from pydantic import StrictBool, StrictInt

from duban.api.schemas import ERRORS, MAX_ID, Input, Ref, Schema
from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.models import Attachment, Unit
from duban.core.paging import BadCursor, Keyset
from duban.ledger import policies, services
from duban.ledger.choices import EventKind, QualityGrade, RequestState, TaskSource, TaskState
from duban.ledger.filters import DEFAULT_SORT, SORTS, TaskFilter, keyset_for
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import ExtensionRequest, ProgressReport, ReassignRequest, Task, TaskEvent
from duban.matters.choices import Light, Schedule

router = Router(tags=["重点工作台账"])

PAGE_MAX = 100
NOT_FOUND = "未找到任务 {code}，或该任务不在您的职责范围内。"
LONG_TEXT = 5000  # a progress report or a reason; longer text belongs in an attachment
SHORT_TEXT = 300  # reasons stored in 300-character columns (pause_reason)

SortName = Literal[tuple(SORTS)]  # type: ignore[valid-type]
StateName = Literal[("open", *TaskState.values)]  # type: ignore[valid-type]
LightName = Literal[tuple(Light.values)]  # type: ignore[valid-type]
GradeName = Literal[tuple(QualityGrade.values)]  # type: ignore[valid-type]
Version = Field(..., ge=1, le=MAX_ID, description="读取任务时得到的 version；他人已先修改时返回 409")
OptionalVersion = Field(None, ge=1, le=MAX_ID, description="可选：读取任务时得到的 version；与当前不符时返回 409")


# --- shapes ----------------------------------------------------------------------------------------


class FrontRef(Schema):
    id: int
    number: int
    name: str


class TaskItem(Schema):
    """One row of the ledger."""

    code: str = Field(..., description="任务编号")
    title: str = Field(..., description="工作任务（干什么）")
    state: str
    state_label: str
    light: str
    light_label: str
    light_reason: str
    schedule: str
    schedule_label: str
    progress: int = Field(..., description="完成进度 %")
    due_date: dt.date | None = Field(None, description="完成时限（长期坚持的任务为空）")
    deadline_text: str
    standing: bool = Field(..., description="长期坚持")
    paused_since: dt.date | None
    next_report_due: dt.date | None
    campaign: Ref
    front: FrontRef | None
    parent: str | None = Field(None, description="上级任务编号")
    lead_unit: Ref | None = Field(None, description="牵头单位")
    cooperating_units: list[Ref] = Field(..., description="配合单位")
    leader_in_charge: Ref | None = Field(None, description="牵头县领导")
    responsible: str = Field(..., description="责任人")
    version: int
    updated_at: dt.datetime


class Action(Schema):
    name: str
    label: str


class CompletionRequestOut(Schema):
    id: int
    requested_at: dt.datetime
    summary: str


class ExtensionRequestOut(Schema):
    id: int
    requested_at: dt.datetime
    old_due: dt.date | None
    new_due: dt.date
    reason: str
    can_decide: bool = Field(..., description="调用者能否审批（POST /extension-requests/{id}/decision）")


class ReassignmentRequestOut(Schema):
    id: int
    requested_at: dt.datetime
    unit: Ref
    reason: str
    suggested_unit: Ref | None
    can_decide: bool = Field(..., description="调用者能否处理（POST /reassignment-requests/{id}/decision）")


class TaskDetail(TaskItem):
    """A task with its five clarities (五明确), sub-tasks, pending requests and what the caller may do now."""

    seq: str
    standard: str = Field(..., description="标准（怎么干）：每行一项，销账时逐项核验")
    standard_items: list[str]
    assigning_leader: Ref | None = Field(None, description="交办领导")
    responsible_person: Ref | None
    start_date: dt.date
    report_cycle: str = Field(..., description="报送周期")
    reward_penalty: str = Field(..., description="奖惩")
    source: str
    source_label: str
    source_ref: str
    grade: str
    grade_label: str
    signed_at: dt.datetime | None
    last_report_on: dt.date | None
    completed_on: dt.date | None
    closed_on: dt.date | None
    pause_reason: str
    under_notice: bool
    return_count: int
    reassign_count: int
    created_at: dt.datetime
    subtasks: list[str] = Field(..., description="子任务编号（调用者能看到的）")
    actions: list[Action] = Field(..., description="调用者现在可以办理的操作")
    completion_request: CompletionRequestOut | None = Field(None, description="待审核的销账申请")
    extension_request: ExtensionRequestOut | None = Field(None, description="待审批的延期申请")
    reassignment_request: ReassignmentRequestOut | None = Field(None, description="待处理的调整申请")


class TaskPage(Schema):
    items: list[TaskItem]
    next: str | None = Field(None, description="下一页游标（作为 cursor 传回）")
    prev: str | None = Field(None, description="上一页游标")


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class ReportOut(Schema):
    id: int
    reported_on: dt.date
    created_at: dt.datetime
    unit: Ref
    author: Ref | None
    percent: int
    text: str
    problems: str
    next_steps: str
    attachments: list[AttachmentOut]


class ReportPage(Schema):
    items: list[ReportOut]
    next: str | None = None
    prev: str | None = None


class EventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    actor: str
    text: str
    data: dict


class EventPage(Schema):
    items: list[EventOut]
    next: str | None = None
    prev: str | None = None


class TaskQuery(Schema):
    """The ledger filters (the same TaskFilter as the list page and the Excel export), sort and paging."""

    campaign: int | None = Field(None, ge=1, le=MAX_ID, description="专项行动 id")
    front: int | None = Field(None, ge=1, le=MAX_ID, description="战线 id")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="单位 id（牵头或配合）")
    leader: int | None = Field(None, ge=1, le=MAX_ID, description="牵头县领导的人员 id")
    light: list[LightName] | None = Field(None, description="亮灯，可多选")
    state: list[StateName] | None = Field(None, description="状态，可多选；open 表示全部在办")
    due_after: dt.date | None = Field(None, description="完成时限不早于")
    due_before: dt.date | None = Field(None, description="完成时限不晚于")
    q: str | None = Field(None, max_length=100, description="关键词：任务名称、编号开头或责任人")
    sort: SortName = Field(DEFAULT_SORT, description="排序：due 时限从近到远，-due 从远到近，code 编号，-updated 最近更新")
    cursor: str | None = Field(None, max_length=400, description="翻页游标（上一页返回的 next 或 prev）")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=400, description="翻页游标")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


class ReportIn(Input):
    percent: StrictInt = Field(..., ge=0, le=100, description="完成进度 %（牵头单位报送时更新任务进度）")
    text: str = Field(..., max_length=LONG_TEXT, description="工作进展")
    problems: str = Field("", max_length=LONG_TEXT, description="存在问题")
    next_steps: str = Field("", max_length=LONG_TEXT, description="下步打算")
    version: int | None = OptionalVersion


class VersionIn(Input):
    version: int = Version


class OptionalVersionIn(Input):
    version: int | None = OptionalVersion


class CompletionIn(Input):
    version: int = Version
    summary: str = Field(..., max_length=LONG_TEXT, description="完成情况")


class CloseIn(Input):
    version: int = Version
    checklist: list[StrictBool] = Field(..., max_length=200, description="标准逐项核验结果，与 standard_items 一一对应")
    grade: GradeName = Field(..., description="销账评定：excellent 优秀、good 良好、pass 合格")
    note: str = Field("", max_length=LONG_TEXT, description="审核意见")


class ReturnIn(Input):
    version: int = Version
    reason: str = Field(..., max_length=LONG_TEXT, description="退回理由")
    checklist: list[StrictBool] | None = Field(None, max_length=200, description="可选：逐项核验结果")


class ExtensionIn(Input):
    version: int | None = OptionalVersion
    new_due: dt.date = Field(..., description="申请延至")
    reason: str = Field(..., max_length=LONG_TEXT, description="延期理由")


class ReassignmentIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field(..., max_length=LONG_TEXT, description="调整理由")
    suggested_unit: int | None = Field(None, ge=1, le=MAX_ID, description="建议承办单位 id")


class ReasonIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field(..., max_length=SHORT_TEXT, description="原因")


class LongReasonIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field(..., max_length=LONG_TEXT, description="原因")


class ReopenIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field("", max_length=LONG_TEXT, description="说明（可空）")


class ExtensionDecisionIn(Input):
    version: int | None = OptionalVersion
    approve: StrictBool = Field(..., description="true 同意，false 不同意")
    note: str = Field("", max_length=LONG_TEXT, description="审批意见")


class ReassignmentDecisionIn(Input):
    version: int | None = OptionalVersion
    approve: StrictBool = Field(..., description="true 调整，false 不同意调整")
    new_unit: int | None = Field(None, ge=1, le=MAX_ID, description="调整后的承办单位 id（空则用申请中建议的单位）")
    note: str = Field("", max_length=LONG_TEXT, description="处理意见")


# --- reading ---------------------------------------------------------------------------------------


def _ref(obj, name: str | None = None) -> dict | None:
    if obj is None:
        return None
    return {"id": obj.pk, "name": name if name is not None else str(obj)}


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.full_name or user.username}


def _local(value):
    return timezone.localtime(value) if value is not None else None


def _rows(user):
    """The caller's tasks with everything a ledger row shows, in a fixed number of queries."""
    return (
        Task.objects.visible_to(user)
        .select_related("campaign", "front", "lead_unit", "leader_in_charge", "responsible_person")
        .prefetch_related(Prefetch("cooperating_units", queryset=Unit.objects.order_by("sort_key")))
        .annotate(parent_code=F("parent__code"))
    )


def _item(task: Task) -> dict:
    front = task.front
    return {
        "code": task.code, "title": task.title,
        "state": task.state, "state_label": str(TaskState(task.state).label),
        "light": task.light, "light_label": str(Light(task.light).label), "light_reason": task.light_reason,
        "schedule": task.schedule, "schedule_label": str(Schedule(task.schedule).label) if task.schedule in Schedule.values else "",
        "progress": task.progress, "due_date": task.due_date, "deadline_text": task.deadline_text, "standing": task.standing,
        "paused_since": task.paused_since, "next_report_due": task.next_report_due,
        "campaign": _ref(task.campaign),
        "front": {"id": front.pk, "number": front.number, "name": front.name} if front else None,
        "parent": task.parent_code,
        "lead_unit": _ref(task.lead_unit),
        "cooperating_units": [_ref(u) for u in task.cooperating_units.all()],
        "leader_in_charge": _person(task.leader_in_charge),
        "responsible": task.responsible_display,
        "version": task.version, "updated_at": _local(task.updated_at),
    }


def _task_or_404(request, code: str) -> Task:
    if "\x00" in code:
        raise Http404(NOT_FOUND.format(code=""))
    task = _rows(request.auth).select_related("assigning_leader").filter(code=code).first()
    if task is None:
        raise Http404(NOT_FOUND.format(code=code))
    return task


def _detail(task: Task, user) -> dict:
    pending = RequestState.PENDING
    completion = task.completion_requests.filter(state=pending).order_by("-requested_at", "-id").first()
    extension = task.extension_requests.filter(state=pending).order_by("-requested_at", "-id").first()
    reassignment = task.reassign_requests.filter(state=pending).select_related("unit", "suggested_unit").order_by("-requested_at", "-id").first()
    data = _item(task)
    data.update({
        "seq": task.seq, "standard": task.standard, "standard_items": task.standard_items,
        "assigning_leader": _person(task.assigning_leader), "responsible_person": _person(task.responsible_person),
        "start_date": task.start_date, "report_cycle": task.report_cycle, "reward_penalty": task.reward_penalty,
        "source": task.source, "source_label": str(TaskSource(task.source).label) if task.source in TaskSource.values else task.source,
        "source_ref": task.source_ref,
        "grade": task.grade, "grade_label": str(QualityGrade(task.grade).label) if task.grade in QualityGrade.values else "",
        "signed_at": _local(task.signed_at), "last_report_on": task.last_report_on,
        "completed_on": task.completed_on, "closed_on": task.closed_on, "pause_reason": task.pause_reason,
        "under_notice": task.under_notice, "return_count": task.return_count, "reassign_count": task.reassign_count,
        "created_at": _local(task.created_at),
        "subtasks": list(Task.objects.visible_to(user).filter(parent=task).order_by("code").values_list("code", flat=True)),
        "actions": [{"name": n, "label": TASK_MACHINE.transitions[n].label} for n in services.available_actions(task, user)],
        "completion_request": completion and {"id": completion.pk, "requested_at": _local(completion.requested_at), "summary": completion.summary},
        "extension_request": extension and {
            "id": extension.pk, "requested_at": _local(extension.requested_at), "old_due": extension.old_due,
            "new_due": extension.new_due, "reason": extension.reason, "can_decide": policies.decides_extension(task, user),
        },
        "reassignment_request": reassignment and {
            "id": reassignment.pk, "requested_at": _local(reassignment.requested_at), "unit": _ref(reassignment.unit),
            "reason": reassignment.reason, "suggested_unit": _ref(reassignment.suggested_unit),
            "can_decide": policies.is_office(user),
        },
    })
    return data


def _page(keyset: Keyset, queryset, cursor: str | None, limit: int):
    """A keyset page; a cursor that does not decode for this ordering is a 400, never a 500."""
    if cursor:
        try:
            _, values = keyset.decode(cursor, queryset.model)
        except DjangoValidationError:
            raise BadCursor("翻页参数无效，请从第一页重新浏览。") from None
        for value in values:
            if isinstance(value, str) and "\x00" in value or isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise BadCursor("翻页参数无效，请从第一页重新浏览。")
    return keyset.page(queryset, cursor=cursor or None, size=limit)


def _filtered(request, query: TaskQuery):
    data = QueryDict(mutable=True)
    for name in ("campaign", "front", "unit", "leader", "q"):
        value = getattr(query, name)
        if value is not None:
            data[name] = str(value)
    for name in ("due_after", "due_before"):
        value = getattr(query, name)
        if value is not None:
            data[name] = value.isoformat()
    for name in ("light", "state"):
        values = getattr(query, name)
        if values:
            data.setlist(name, [str(v) for v in values])
    filterset = TaskFilter(data, queryset=_rows(request.auth))
    if not filterset.is_valid():
        raise ValidationError([
            {"loc": ("query", name), "msg": " ".join(messages), "type": "value_error"}
            for name, messages in filterset.errors.items()
        ])
    return filterset.qs


@router.get("/tasks", response={200: TaskPage, **ERRORS}, summary="任务列表")
def list_tasks(request, filters: Query[TaskQuery]):
    """调用者职责范围内的任务，可按专项行动、战线、单位、县领导、亮灯、状态、时限和关键词筛选；按游标翻页。"""
    page = _page(keyset_for(filters.sort), _filtered(request, filters), filters.cursor, filters.limit)
    return {"items": [_item(t) for t in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


@router.get("/tasks/{code}", response={200: TaskDetail, **ERRORS}, summary="任务详情")
def get_task(request, code: str = Path(..., max_length=24)):
    """五明确、配合单位、子任务、亮灯与状态、版本号、待处理的申请，以及调用者现在可以办理的操作。"""
    return _detail(_task_or_404(request, code), request.auth)


@router.get("/tasks/{code}/reports", response={200: ReportPage, **ERRORS}, summary="进展报送列表")
def list_reports(request, paging: Query[PageQuery], code: str = Path(..., max_length=24)):
    """任务的进展报送，最新的在前；按游标翻页。"""
    task = _task_or_404(request, code)
    reports = ProgressReport.objects.filter(task=task).select_related("unit", "author")
    page = _page(Keyset(["-created_at", "-id"]), reports, paging.cursor, paging.limit)
    files: dict[str, list] = {}
    if page.rows:
        for attachment in Attachment.objects.filter(owner_type=ProgressReport._meta.label, owner_id__in=[str(r.pk) for r in page.rows]):
            files.setdefault(attachment.owner_id, []).append(attachment)
    return {"items": [_report(r, files.get(str(r.pk), [])) for r in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


def _report(report: ProgressReport, attachments) -> dict:
    return {
        "id": report.pk, "reported_on": report.reported_on, "created_at": _local(report.created_at),
        "unit": _ref(report.unit), "author": _person(report.author), "percent": report.percent, "text": report.text,
        "problems": report.problems, "next_steps": report.next_steps,
        "attachments": [{"id": a.pk, "name": a.name, "size": a.size, "content_type": a.content_type} for a in attachments],
    }


@router.get("/tasks/{code}/events", response={200: EventPage, **ERRORS}, summary="任务时间线")
def list_events(request, paging: Query[PageQuery], code: str = Path(..., max_length=24)):
    """任务的每一步（建账、立账、签收、进展、申请、审批……），按时间先后；按游标翻页。"""
    task = _task_or_404(request, code)
    page = _page(Keyset(["at", "id"]), TaskEvent.objects.filter(task=task), paging.cursor, paging.limit)
    items = [{
        "id": e.pk, "at": _local(e.at), "kind": e.kind,
        "kind_label": str(EventKind(e.kind).label) if e.kind in EventKind.values else e.kind,
        "actor": e.actor_name, "text": e.text, "data": e.data or {},
    } for e in page.rows]
    return {"items": items, "next": page.next_cursor, "prev": page.prev_cursor}


# --- changing --------------------------------------------------------------------------------------


def _unit(unit_id: int | None, field: str) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ServiceError(f"没有编号为 {unit_id} 的在用单位。", field=field)
    return unit


def _done(request, code: str):
    return _detail(_task_or_404(request, code), request.auth)


@router.post("/tasks/{code}/reports", response={201: ReportOut, **ERRORS}, summary="报送进展")
def create_report(request, payload: ReportIn, code: str = Path(..., max_length=24)):
    """牵头单位或配合单位报送进展（文字、进度、存在问题、下步打算）。附件请在网页上传。"""
    task = _task_or_404(request, code)
    report = services.report_progress(Actor.from_request(request), task, percent=payload.percent, text=payload.text,
                                      problems=payload.problems, next_steps=payload.next_steps, expected_version=payload.version)
    report = ProgressReport.objects.select_related("unit", "author").get(pk=report.pk)
    return Status(201, _report(report, []))


TRANSITION = {200: TaskDetail, **ERRORS}


@router.post("/tasks/{code}/transitions/register", response=TRANSITION, summary="立账交办")
def register(request, payload: VersionIn, code: str = Path(..., max_length=24)):
    """县督查室或主要领导：五明确齐全的建账任务立账交办给牵头单位。"""
    services.register_task(Actor.from_request(request), _task_or_404(request, code), expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/sign", response=TRANSITION, summary="签收")
def sign(request, payload: VersionIn, code: str = Path(..., max_length=24)):
    """牵头单位的联络员或一把手签收任务。"""
    services.sign_task(Actor.from_request(request), _task_or_404(request, code), expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/request_completion", response=TRANSITION, summary="申请销账")
def request_completion(request, payload: CompletionIn, code: str = Path(..., max_length=24)):
    """牵头单位说明完成情况，申请销账（证明材料请在网页上传）。"""
    services.request_completion(Actor.from_request(request), _task_or_404(request, code), summary=payload.summary,
                                expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/close", response=TRANSITION, summary="审核销账")
def close(request, payload: CloseIn, code: str = Path(..., max_length=24)):
    """县督查室逐项核验标准、评定等级并销账。"""
    services.close_task(Actor.from_request(request), _task_or_404(request, code), checklist=list(payload.checklist),
                        grade=payload.grade, note=payload.note, expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/return", response=TRANSITION, summary="退回")
def return_(request, payload: ReturnIn, code: str = Path(..., max_length=24)):
    """县督查室写明理由，把销账申请退回牵头单位。"""
    services.return_task(Actor.from_request(request), _task_or_404(request, code), reason=payload.reason,
                         checklist=list(payload.checklist) if payload.checklist is not None else None,
                         expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/request_extension", response=TRANSITION, summary="申请延期")
def request_extension(request, payload: ExtensionIn, code: str = Path(..., max_length=24)):
    """牵头单位向牵头县领导申请把完成时限延至 new_due。"""
    services.request_extension(Actor.from_request(request), _task_or_404(request, code), new_due=payload.new_due,
                               reason=payload.reason, expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/request_reassignment", response=TRANSITION, summary="申请调整承办单位")
def request_reassignment(request, payload: ReassignmentIn, code: str = Path(..., max_length=24)):
    """牵头单位说明任务不属于本单位（每次申请都计入统计）。"""
    task = _task_or_404(request, code)
    suggested = _unit(payload.suggested_unit, "suggested_unit")
    services.request_reassignment(Actor.from_request(request), task, reason=payload.reason, suggested_unit=suggested,
                                  expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/pause", response=TRANSITION, summary="挂起计时")
def pause(request, payload: ReasonIn, code: str = Path(..., max_length=24)):
    """县督查室或分管县领导：任务在等待外部事项，挂起计时（挂起期间不计时限）。"""
    services.pause_clock(Actor.from_request(request), _task_or_404(request, code), reason=payload.reason, expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/resume_clock", response=TRANSITION, summary="恢复计时")
def resume_clock(request, payload: OptionalVersionIn, code: str = Path(..., max_length=24)):
    """恢复计时，完成时限顺延挂起的工作日数。"""
    services.resume_clock(Actor.from_request(request), _task_or_404(request, code), expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/suspend", response=TRANSITION, summary="暂停任务")
def suspend(request, payload: ReasonIn, code: str = Path(..., max_length=24)):
    """主要领导写明原因暂停任务。"""
    services.suspend_task(Actor.from_request(request), _task_or_404(request, code), reason=payload.reason, expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/reopen", response=TRANSITION, summary="恢复办理")
def reopen(request, payload: ReopenIn, code: str = Path(..., max_length=24)):
    """主要领导恢复已暂停的任务，回到暂停前的状态。"""
    services.reopen_task(Actor.from_request(request), _task_or_404(request, code), reason=payload.reason, expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/cancel", response=TRANSITION, summary="撤销任务")
def cancel(request, payload: LongReasonIn, code: str = Path(..., max_length=24)):
    """主要领导写明原因撤销任务（任务留在台账上，灰灯）。"""
    services.cancel_task(Actor.from_request(request), _task_or_404(request, code), reason=payload.reason, expected_version=payload.version)
    return _done(request, code)


@router.post("/extension-requests/{request_id}/decision", response=TRANSITION, summary="审批延期")
def decide_extension(request, payload: ExtensionDecisionIn, request_id: int = Path(..., ge=1, le=MAX_ID)):
    """牵头县领导或主要领导同意（时限随之改变）或不同意延期申请。"""
    extension = ExtensionRequest.objects.visible_to(request.auth).select_related("task").filter(pk=request_id).first()
    if extension is None:
        raise Http404("未找到该延期申请，或它不在您的职责范围内。")
    services.decide_extension(Actor.from_request(request), extension, approve=payload.approve, note=payload.note,
                              expected_version=payload.version)
    return _done(request, extension.task.code)


@router.post("/reassignment-requests/{request_id}/decision", response=TRANSITION, summary="处理调整申请")
def decide_reassignment(request, payload: ReassignmentDecisionIn, request_id: int = Path(..., ge=1, le=MAX_ID)):
    """县督查室把任务调整给另一单位（须重新签收），或不同意调整。"""
    reassignment = ReassignRequest.objects.visible_to(request.auth).select_related("task").filter(pk=request_id).first()
    if reassignment is None:
        raise Http404("未找到该调整申请，或它不在您的职责范围内。")
    new_unit = _unit(payload.new_unit, "new_unit")
    services.decide_reassignment(Actor.from_request(request), reassignment, approve=payload.approve, new_unit=new_unit,
                                 note=payload.note, expected_version=payload.version)
    return _done(request, reassignment.task.code)
