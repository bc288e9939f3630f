"""承办 and 销账: the lead unit signs for a task, reports its progress and asks to close it; the office closes
it with a quality grade or returns it with its reasons."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.ledger import policies
from duban.ledger.choices import FINISHED_STATES, QualityGrade, RequestState, TaskState
from duban.ledger.kind import TASK_KIND
from duban.ledger.models import CompletionRequest, ProgressReport, Task
from duban.ledger.services.common import attach, create_pending, end_pending_requests, next_report_due, required, today
from duban.matters import services as kernel


@transaction.atomic
def sign_task(actor: Actor, task: Task, *, expected_version: int | None = None) -> Task:
    """签收: the lead unit accepts the task; reports fall due from now on the task's cycle."""
    now = timezone.now()
    kernel.perform(actor, task, "sign", expected_version=expected_version, kind=TASK_KIND,
                   changes=lambda _p: {"state": TaskState.IN_PROGRESS, "signed_at": now,
                                       "next_report_due": next_report_due(task, timezone.localdate(now))},
                   text=f"{actor.user.unit if actor.user else ''}签收".strip())
    return task


@transaction.atomic
def report_progress(actor: Actor, task: Task, *, percent: int, text: str, problems: str = "", next_steps: str = "",
                    files=(), expected_version: int | None = None) -> ProgressReport:
    """报送进展: text, percent, problems and next steps (attachments optional); the next report falls due."""

    def valid():
        if not isinstance(percent, int) or not 0 <= percent <= 100:
            raise ServiceError(_("完成进度应为 0 到 100 之间的整数。"), field="percent")
        if not (text or "").strip():
            raise ServiceError(_("请填写工作进展。"), field="text")

    on = today()
    unit = actor.user.unit if actor.user and actor.user.unit_id else task.lead_unit

    def file_report() -> ProgressReport:
        # The report and its files before the task's row: a refused file then leaves the task as it was.
        report = ProgressReport.objects.create(task=task, unit=unit, author=actor.user, reported_on=on, percent=percent,
                                               text=text.strip(), problems=problems.strip(), next_steps=next_steps.strip())
        attach(files, report, actor)
        return report

    def changes(_report) -> dict:
        # The lead unit answers for the task: its report sets the percent and the next report's due date.
        # A cooperating unit's report informs the lead unit and the office; it neither moves the percent
        # nor stands in for the lead unit's own report (a late lead unit stays yellow).
        if actor.user is None or policies.is_lead_unit(task, actor.user):
            return {"progress": percent, "last_report_on": on, "next_report_due": next_report_due(task, on, owed=task.next_report_due)}
        return {}

    done = kernel.perform(actor, task, "report", guard=valid, expected_version=expected_version, prepare=file_report,
                          changes=changes, text=f"{unit}报送进展：{percent}%", data=lambda r: {"report_id": r.pk}, kind=TASK_KIND)
    return done.prepared


@transaction.atomic
def request_completion(actor: Actor, task: Task, *, summary: str, files=(), no_evidence_reason: str = "",
                       expected_version: int | None = None) -> CompletionRequest:
    """申请销账: the lead unit says the work is done and shows its evidence — at least one file, or why there is
    none (SPEC §3: evidence where it decides closing); the office verifies."""
    said = (summary or "").strip()
    why_none = "" if files else (no_evidence_reason or "").strip()

    def ready():
        required(said, _("完成情况"))
        if task.children.exclude(state__in=FINISHED_STATES).exists():
            open_codes = _("、").join(task.children.exclude(state__in=FINISHED_STATES).values_list("code", flat=True)[:5])
            raise ServiceError(_("子任务 %(codes)s 尚未销账，请待全部子任务销账后再申请。") % {"codes": open_codes})
        if not files and not why_none:
            raise ServiceError(_("请上传至少一份佐证材料（验收报告、文件、照片等）；确实没有的，请写明没有佐证材料的原因。"))

    def file_request() -> CompletionRequest:
        request = create_pending(CompletionRequest, task=task, requested_by=actor.user, summary=said, no_evidence_reason=why_none)
        attach(files, request, actor)
        return request

    done = kernel.perform(actor, task, "request_completion", guard=ready, expected_version=expected_version, prepare=file_request,
                          changes={"state": TaskState.COMPLETION_REQUESTED, "completed_on": today()}, text=said,
                          data=lambda r: {"request_id": r.pk}, kind=TASK_KIND)
    return done.prepared


def _pending_completion(task: Task) -> CompletionRequest:
    request = task.completion_requests.filter(state=RequestState.PENDING).first()
    if request is None:
        raise ServiceError(_("没有待审核的销账申请。"))
    return request


@transaction.atomic
def close_task(actor: Actor, task: Task, *, checklist: list[bool], grade: str, note: str = "",
               expected_version: int | None = None) -> Task:
    """销账: the office ticks every item of the task's standard, grades the work and closes it."""
    items = task.standard_items
    note = note.strip()

    def verified():
        if len(checklist) != len(items):
            raise ServiceError(_("验收清单有 %(count)s 项，请逐项核验。") % {"count": len(items)}, field="checklist")
        unmet = [item for item, met in zip(items, checklist, strict=True) if not met]
        if unmet:
            raise ServiceError(_("以下标准未达到，不能销账，请退回并写明理由：%(unmet)s") % {"unmet": _("；").join(unmet)}, field="checklist")
        if grade not in QualityGrade.values:
            raise ServiceError(_("请选择销账评定：优秀、良好或合格。"), field="grade")
        _pending_completion(task)

    def decide():
        request = _pending_completion(task)
        CompletionRequest.objects.filter(pk=request.pk).update(
            state=RequestState.APPROVED, decided_by=actor.user, decided_at=timezone.now(), grade=grade, note=note,
            checklist=[{"item": i, "met": True} for i in items],
        )
        end_pending_requests(task, "任务已销账，此申请不再办理。")

    kernel.perform(actor, task, "close", guard=verified, expected_version=expected_version, prepare=decide, kind=TASK_KIND,
                   changes={"state": TaskState.CLOSED, "grade": grade, "closed_on": today(), "progress": 100,
                            "next_report_due": None, "paused_since": None},
                   text=f"销账，评定：{QualityGrade(grade).label if grade in QualityGrade.values else grade}。{note}".strip())
    return task


@transaction.atomic
def return_task(actor: Actor, task: Task, *, reason: str, checklist: list[bool] | None = None,
                expected_version: int | None = None) -> Task:
    """退回: the office sends a completion request back with its reasons; the task is in progress again."""
    said = (reason or "").strip()

    def given():
        required(said, _("退回理由"))
        _pending_completion(task)

    def decide():
        request = _pending_completion(task)
        items = task.standard_items
        ticks = [{"item": i, "met": bool(m)} for i, m in zip(items, checklist or [False] * len(items), strict=False)]
        CompletionRequest.objects.filter(pk=request.pk).update(state=RequestState.REJECTED, decided_by=actor.user,
                                                               decided_at=timezone.now(), note=said, checklist=ticks)

    kernel.perform(actor, task, "return", guard=given, expected_version=expected_version, prepare=decide, kind=TASK_KIND,
                   changes={"state": TaskState.IN_PROGRESS, "completed_on": None, "return_count": F("return_count") + 1},
                   text=said)
    return task
