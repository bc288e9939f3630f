"""/api/v1/tasks… reads: the list through the one TaskFilter and keyset paging, a task, its reports and its
timeline — every one through `Task.objects.visible_to(user)`."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Path, Query
from ninja.errors import ValidationError

from duban.api.schemas import ERRORS, MAX_ID
from duban.core.models import Attachment, Unit
from duban.core.paging import BadCursor, Keyset
from duban.ledger import services
from duban.ledger.api import router
from duban.ledger.api.schemas import NOT_FOUND, EventPage, PageQuery, ReportPage, TaskDetail, TaskPage, TaskQuery
from duban.ledger.choices import QualityGrade, RequestState, TaskSource, TaskState
from duban.ledger.filters import TaskFilter, keyset_for
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import ProgressReport, Task
from duban.matters.choices import Light, Schedule

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
        "actions": [{"name": n, "label": str(TASK_MACHINE.transitions[n].label)} for n in services.available_actions(task, user)],
        "completion_request": completion and {"id": completion.pk, "requested_at": _local(completion.requested_at), "summary": completion.summary},
        "extension_request": extension and {
            "id": extension.pk, "requested_at": _local(extension.requested_at), "old_due": extension.old_due,
            "new_due": extension.new_due, "reason": extension.reason, "can_decide": TASK_MACHINE.transitions["decide_extension"].permits(task, user),
        },
        "reassignment_request": reassignment and {
            "id": reassignment.pk, "requested_at": _local(reassignment.requested_at), "unit": _ref(reassignment.unit),
            "reason": reassignment.reason, "suggested_unit": _ref(reassignment.suggested_unit),
            "can_decide": TASK_MACHINE.transitions["decide_reassignment"].permits(task, user),
        },
    })
    return data


def _page(keyset: Keyset, queryset, cursor: str | None, limit: int):
    """A keyset page; a cursor that does not decode for this ordering is a 400, never a 500."""
    if cursor:
        try:
            _, values = keyset.decode(cursor, queryset.model)
        except DjangoValidationError:
            raise BadCursor(gettext("翻页参数无效，请从第一页重新浏览。")) from None
        for value in values:
            if isinstance(value, str) and "\x00" in value or isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise BadCursor(gettext("翻页参数无效，请从第一页重新浏览。"))
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
    page = _page(Keyset(["at", "id"]), task.events, paging.cursor, paging.limit)
    items = [{
        "id": e.pk, "at": _local(e.at), "kind": e.event, "kind_label": e.label, "actor": e.person_name, "text": e.text, "data": e.data or {},
    } for e in page.rows]
    return {"items": items, "next": page.next_cursor, "prev": page.prev_cursor}
