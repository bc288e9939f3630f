"""The side paths of a task (SPEC §3): extension (申请延期, approved by the leader in charge), reassignment
(申请调整, decided by the office and counted: passing work around is 中梗阻), pausing the clock (挂起), and a
principal leader's suspension (暂停), reopening (恢复办理) and cancellation (撤销)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.models import Unit
from duban.ledger.choices import EventKind, RequestState, TaskState
from duban.ledger.kind import TASK_KIND
from duban.ledger.models import ExtensionRequest, ReassignRequest, Task
from duban.ledger.services.common import create_pending, deadline_wording, end_pending_requests, required, today, unit_head
from duban.matters import clock
from duban.matters import services as kernel


@transaction.atomic
def request_extension(actor: Actor, task: Task, *, new_due: dt.date, reason: str, expected_version: int | None = None) -> ExtensionRequest:
    """申请延期: the lead unit asks the leader in charge for a later due date, with its reasons."""
    said = (reason or "").strip()

    def sound():
        required(said, _("延期理由"))
        if task.standing or task.due_date is None:
            raise ServiceError(_("长期坚持的任务没有完成时限，无需延期。"))
        if new_due <= task.due_date:
            raise ServiceError(_("申请延至的日期应晚于现在的完成时限 %(day)s。") % {"day": date_format(task.due_date, _("Y年m月d日"))}, field="new_due")

    def file_request() -> ExtensionRequest:
        return create_pending(ExtensionRequest, task=task, requested_by=actor.user, old_due=task.due_date, new_due=new_due, reason=said)

    # The row itself does not change until the leader decides; the entry records the pending request.
    done = kernel.perform(
        actor, task, "request_extension", guard=sound, expected_version=expected_version, prepare=file_request, kind=TASK_KIND,
        text=f"申请延期至 {new_due:%Y年%m月%d日}：{said}", data=lambda r: {"request_id": r.pk}, audit_message=said,
        audit_after=lambda before, r: {**before, "extension_request": r.pk, "old_due": task.due_date, "new_due": new_due},
    )
    return done.prepared


@transaction.atomic
def decide_extension(actor: Actor, request: ExtensionRequest, *, approve: bool, note: str = "",
                     expected_version: int | None = None) -> Task:
    """审批延期: the leader in charge approves (the clock moves, a new deadline cycle starts) or refuses.

    `expected_version` is the task's, as the leader saw it; the new date's wording replaces the old one.
    """
    task = Task.objects.get(pk=request.task_id)  # as it is now, not as it was when the request was read
    note = (note or "").strip()
    old_due = task.due_date  # the date replaced, kept in the timeline (normally the request's old_due)

    def decide():
        if ExtensionRequest.objects.filter(pk=request.pk, state=RequestState.PENDING).update(
            state=RequestState.APPROVED if approve else RequestState.REJECTED, decided_by=actor.user,
            decided_at=timezone.now(), note=note,
        ) != 1:
            raise ServiceError(_("这份延期申请已经审批过了。"))
        if approve and task.due_date is not None and request.new_due <= task.due_date:
            # The deadline moved since the request (a resumed clock, the office's edit): approving would shorten it.
            raise ServiceError(_("完成时限已是 %(due)s，不早于申请延至的 %(asked)s，"
                                 "无需按此申请延期。请选择不同意，如仍需延期由单位重新申请。") % {"due": date_format(task.due_date, _("Y年m月d日")), "asked": date_format(request.new_due, _("Y年m月d日"))})

    if not approve:
        kernel.perform(actor, task, "decide_extension", expected_version=expected_version, prepare=decide, kind=TASK_KIND,
                       event=EventKind.EXTENSION_REJECTED, audit_action="reject_extension", text=f"不同意延期。{note}".strip())
        return task
    kernel.perform(
        actor, task, "decide_extension", expected_version=expected_version, prepare=decide, kind=TASK_KIND,
        changes=lambda _p: {**clock.extended(task, request.new_due), "deadline_text": deadline_wording(request.new_due)},
        event=EventKind.EXTENSION_APPROVED, audit_action="approve_extension",
        text=f"同意延期：{old_due:%Y年%m月%d日} → {request.new_due:%Y年%m月%d日}。{note}".strip() if old_due else
        f"同意延期：— → {request.new_due:%Y年%m月%d日}。{note}".strip(),
        data={"old_due": old_due, "new_due": request.new_due},
    )
    return task


@transaction.atomic
def request_reassignment(actor: Actor, task: Task, *, reason: str, suggested_unit: Unit | None = None,
                         expected_version: int | None = None) -> ReassignRequest:
    """申请调整: the lead unit says the task is not theirs; every such request is counted against the unit."""
    said = (reason or "").strip()

    def sound():
        required(said, _("调整理由"))
        if suggested_unit is not None and suggested_unit.pk == task.lead_unit_id:
            raise ServiceError(_("建议的承办单位就是现在的牵头单位，请重新选择。"), field="suggested_unit")

    def file_request() -> ReassignRequest:
        return create_pending(ReassignRequest, task=task, unit=task.lead_unit, requested_by=actor.user, reason=said,
                              suggested_unit=suggested_unit)

    done = kernel.perform(actor, task, "request_reassignment", guard=sound, expected_version=expected_version, prepare=file_request,
                          changes={"reassign_count": F("reassign_count") + 1}, text=said, data=lambda r: {"request_id": r.pk},
                          kind=TASK_KIND)
    return done.prepared


@transaction.atomic
def decide_reassignment(actor: Actor, request: ReassignRequest, *, approve: bool, new_unit: Unit | None = None, note: str = "",
                        expected_version: int | None = None) -> Task:
    """The office moves the task to another unit (which must sign for it anew) or keeps it where it is.

    `expected_version` is the task's, as the office saw it.
    """
    task = Task.objects.get(pk=request.task_id)  # as it is now, not as it was when the request was read
    note = (note or "").strip()
    if approve and new_unit is None:
        new_unit = request.suggested_unit

    def sound():
        if approve and (new_unit is None or new_unit.pk == task.lead_unit_id):
            raise ServiceError(_("请选择调整后的承办单位（不能是原单位）。"), field="new_unit")

    def decide():
        if ReassignRequest.objects.filter(pk=request.pk, state=RequestState.PENDING).update(
            state=RequestState.APPROVED if approve else RequestState.REJECTED, decided_by=actor.user,
            decided_at=timezone.now(), new_unit=new_unit if approve else None, note=note,
        ) != 1:
            raise ServiceError(_("这份调整申请已经处理过了。"))

    if not approve:
        kernel.perform(actor, task, "decide_reassignment", guard=sound, expected_version=expected_version, prepare=decide,
                       event=EventKind.REASSIGN_REJECTED, audit_action="reject_reassignment", kind=TASK_KIND,
                       text=f"不同意调整，仍由{task.lead_unit}承办。{note}".strip())
        return task
    old_unit = task.lead_unit

    def moved(_p) -> dict:
        head = unit_head(new_unit)  # the old unit's person no longer answers for it
        return {"lead_unit": new_unit, "state": TaskState.ASSIGNED, "signed_at": None, "responsible_person": head,
                "responsible_name": "" if head else "单位主要负责人", "next_report_due": None}

    kernel.perform(actor, task, "decide_reassignment", guard=sound, expected_version=expected_version, prepare=decide,
                   changes=moved, event=EventKind.REASSIGN_APPROVED, audit_action="reassign", kind=TASK_KIND,
                   text=f"承办单位由{old_unit}调整为{new_unit}。{note}".strip(),
                   data=lambda _p: {"old_unit": old_unit.pk, "new_unit": new_unit.pk})
    return task


@transaction.atomic
def pause_clock(actor: Actor, task: Task, *, reason: str, expected_version: int | None = None) -> Task:
    """挂起: the task waits on something outside its owner's hands; paused time does not count."""
    said = (reason or "").strip()

    def sound():
        required(said, _("挂起原因"))
        if task.paused_since:
            raise ServiceError(_("该任务已于 %(day)s 挂起。") % {"day": date_format(task.paused_since, _("Y年m月d日"))})

    kernel.perform(actor, task, "pause", guard=sound, expected_version=expected_version, kind=TASK_KIND,
                   changes=lambda _p: {"paused_since": today(), "pause_reason": said}, text=said)
    return task


def _resumed(task: Task) -> tuple[dict, str]:
    """The clock fields after a pause ends (matters.clock.resumed), and the sentence that says what moved."""
    changes, paused_days = clock.resumed(task, today())
    text = f"恢复计时，挂起 {paused_days} 个工作日"
    if "due_date" in changes:
        changes["deadline_text"] = deadline_wording(changes["due_date"])
        text += f"，完成时限由 {task.due_date:%Y年%m月%d日} 顺延至 {changes['due_date']:%Y年%m月%d日}"
    return changes, text


@transaction.atomic
def resume_clock(actor: Actor, task: Task, *, expected_version: int | None = None) -> Task:
    """恢复计时: the due date (and next report) move on by the working days the clock stood still."""

    def paused():
        if not task.paused_since:
            raise ServiceError(_("该任务没有挂起。"))

    kernel.perform(actor, task, "resume_clock", guard=paused, expected_version=expected_version, prepare=lambda: _resumed(task),
                   changes=lambda p: p[0], text=lambda p: p[1], kind=TASK_KIND)
    return task


@transaction.atomic
def suspend_task(actor: Actor, task: Task, *, reason: str, expected_version: int | None = None) -> Task:
    """暂停: a principal leader halts the task (the clock stops with it)."""
    said = (reason or "").strip()

    def sound():
        required(said, _("暂停原因"))

    kernel.perform(actor, task, "suspend", guard=sound, expected_version=expected_version, kind=TASK_KIND,
                   changes=lambda _p: {"state": TaskState.SUSPENDED, "paused_since": task.paused_since or today(), "pause_reason": said},
                   text=said, data={"previous_state": task.state})
    return task


@transaction.atomic
def reopen_task(actor: Actor, task: Task, *, reason: str = "", expected_version: int | None = None) -> Task:
    """恢复办理: back to where the task was before it was suspended, the clock resumed."""

    def back() -> tuple[dict, str]:
        last = task.events.filter(event=EventKind.SUSPENDED).order_by("-at", "-id").first()
        previous = (last.data or {}).get("previous_state") if last else None
        if previous not in {TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.COMPLETION_REQUESTED}:
            previous = TaskState.IN_PROGRESS if task.signed_at else TaskState.ASSIGNED
        changes, text = _resumed(task) if task.paused_since else ({}, "")
        return {"state": previous, **changes}, "；".join(filter(None, [(reason or "恢复办理").strip(), text]))

    kernel.perform(actor, task, "reopen", expected_version=expected_version, prepare=back, changes=lambda p: p[0],
                   text=lambda p: p[1], kind=TASK_KIND)
    return task


@transaction.atomic
def cancel_task(actor: Actor, task: Task, *, reason: str, expected_version: int | None = None) -> Task:
    """撤销: a principal leader withdraws the task; it stays on the ledger, grey, with the reason."""
    said = (reason or "").strip()

    def sound():
        required(said, _("撤销原因"))

    kernel.perform(actor, task, "cancel", guard=sound, expected_version=expected_version, kind=TASK_KIND,
                   prepare=lambda: end_pending_requests(task, "任务已撤销，此申请不再办理。"),
                   changes={"state": TaskState.CANCELLED, "closed_on": today(), "next_report_due": None}, text=said)
    return task
