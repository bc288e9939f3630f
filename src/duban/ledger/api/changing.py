"""/api/v1/tasks… changes: each endpoint validates, loads the task through the scope, builds the actor from
the request and calls one `ledger.services` function; refusals come back as 400/403/409."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Status

from duban.api.schemas import ERRORS, MAX_ID
from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.models import Unit
from duban.ledger import services
from duban.ledger.api import router
from duban.ledger.api.reading import _detail, _report, _task_or_404
from duban.ledger.api.schemas import (
    CloseIn,
    CompletionIn,
    ExtensionDecisionIn,
    ExtensionIn,
    LongReasonIn,
    OptionalVersionIn,
    ReasonIn,
    ReassignmentDecisionIn,
    ReassignmentIn,
    ReopenIn,
    ReportIn,
    ReportOut,
    TaskDetail,
    TaskReturnIn,
    VersionIn,
)
from duban.ledger.models import ExtensionRequest, ProgressReport, ReassignRequest

# --- changing --------------------------------------------------------------------------------------


def _unit(unit_id: int | None, field: str) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ServiceError(_("没有编号为 %(id)s 的在用单位。") % {"id": unit_id}, field=field)
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
                                no_evidence_reason=payload.no_evidence_reason, expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/close", response=TRANSITION, summary="审核销账")
def close(request, payload: CloseIn, code: str = Path(..., max_length=24)):
    """县督查室逐项核验标准、评定等级并销账。"""
    services.close_task(Actor.from_request(request), _task_or_404(request, code), checklist=list(payload.checklist),
                        grade=payload.grade, note=payload.note, expected_version=payload.version)
    return _done(request, code)


@router.post("/tasks/{code}/transitions/return", response=TRANSITION, summary="退回")
def return_(request, payload: TaskReturnIn, code: str = Path(..., max_length=24)):
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
        raise Http404(_("未找到该延期申请，或它不在您的职责范围内。"))
    services.decide_extension(Actor.from_request(request), extension, approve=payload.approve, note=payload.note,
                              expected_version=payload.version)
    return _done(request, extension.task.code)


@router.post("/reassignment-requests/{request_id}/decision", response=TRANSITION, summary="处理调整申请")
def decide_reassignment(request, payload: ReassignmentDecisionIn, request_id: int = Path(..., ge=1, le=MAX_ID)):
    """县督查室把任务调整给另一单位（须重新签收），或不同意调整。"""
    reassignment = ReassignRequest.objects.visible_to(request.auth).select_related("task").filter(pk=request_id).first()
    if reassignment is None:
        raise Http404(_("未找到该调整申请，或它不在您的职责范围内。"))
    new_unit = _unit(payload.new_unit, "new_unit")
    services.decide_reassignment(Actor.from_request(request), reassignment, approve=payload.approve, new_unit=new_unit,
                                 note=payload.note, expected_version=payload.version)
    return _done(request, reassignment.task.code)
