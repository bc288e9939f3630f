""""My work" from the ledger: what each role must do today, a fixed number of queries whatever the count.

liaison / unit head: tasks to sign for, progress reports due within two working days or late, returned tasks ·
supervision office: completion requests to verify, reassignment requests to decide, drafts to register ·
leader in charge / principal leader: extension requests to approve.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import calendar
from duban.core.choices import Role
from duban.core.scope import acting_units
from duban.core.work import LATER, OVERDUE, TODAY, WorkItem
from duban.ledger.choices import EventKind, RequestState, TaskState
from duban.ledger.kind import ARRIVALS, PAUSE_ENDS, TASK_KIND
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import ExtensionRequest, ReassignRequest, Task
from duban.matters.models import MatterEvent

LIMIT = 50  # per kind of work: the home page is a to-do list, the ledger list holds the rest
REPORT_HORIZON_WORKDAYS = 2
# A pending request is asked for only while its task is in a state the decision may be taken in (a
# suspended task's requests wait until it is reopened): nobody is asked to decide what the service refuses.
DECIDABLE = {name: sorted(TASK_MACHINE.transitions[name].sources) for name in ("decide_extension", "decide_reassignment")}
# 交办后 1 个工作日内签收: the day runs from the task's arrival at its unit (立账交办, or 调整承办单位 to this
# unit), or from the end of a pause — never from whatever last touched the row.
SIGN_CLOCK_STARTS = (*ARRIVALS, *PAUSE_ENDS)
# 退回整改 asks the unit to act until it does: its next progress report or completion request after the return
# answers it, as does the task moving to another unit.
RETURN_ANSWERS = (EventKind.RETURNED, EventKind.PROGRESS, EventKind.COMPLETION_REQUESTED, EventKind.REASSIGN_APPROVED)
ROW_FIELDS = ("id", "code", "title", "state", "due_date", "updated_at", "next_report_due", "return_count", "paused_since", "completed_on", "lead_unit_id")


def ledger_work(user, today: dt.date) -> list[WorkItem]:
    roles = user.roles
    items: list[WorkItem] = []
    if roles & {Role.LIAISON, Role.UNIT_HEAD} and user.unit_id:
        items += unit_work(user, today)
    if Role.SUPERVISION in roles:
        items += office_work(today)
    if roles & {Role.LEADER, Role.PRINCIPAL}:
        items += extension_work(user, today)
    return items


def _task_url(task) -> str:
    return reverse("ledger:task_detail", args=[task.code])


def _title(task) -> str:
    return f"{task.code} {task.title}"


def unit_work(user, today: dt.date) -> list[WorkItem]:
    """签收 within one working day, 报送进展 when due or late, 整改 after a return: one query for all three."""
    horizon = calendar.add_workdays(today, REPORT_HORIZON_WORKDAYS)
    due_report = Q(next_report_due__lte=horizon, paused_since__isnull=True)
    events = MatterEvent.objects.filter(kind=TASK_KIND.key, matter_id=OuterRef("pk")).order_by("-at", "-id")
    tasks = (
        Task.objects.filter(lead_unit_id__in=acting_units(user))
        .annotate(last_turn=Subquery(events.filter(event__in=RETURN_ANSWERS).values("event")[:1]))
        .filter(Q(state=TaskState.ASSIGNED)
                | Q(state=TaskState.IN_PROGRESS) & (due_report | Q(return_count__gt=0, last_turn=EventKind.RETURNED)))
        .annotate(arrived_at=Coalesce(Subquery(events.filter(event__in=SIGN_CLOCK_STARTS).values("at")[:1]), "created_at",
                                      output_field=DateTimeField()))
        .only(*ROW_FIELDS).order_by("due_sort", "id")[: LIMIT * 2]
    )
    items = []
    for task in tasks:
        url = _task_url(task)
        if task.state == TaskState.ASSIGNED:
            sign_by = calendar.add_workdays(timezone.localdate(task.arrived_at), 1)
            items.append(WorkItem(_("待签收"), _title(task), url, sign_by, OVERDUE if sign_by < today else TODAY, _("交办后 1 个工作日内签收")))
            continue
        if task.next_report_due and task.next_report_due <= horizon and not task.paused_since:
            late = task.next_report_due < today
            items.append(WorkItem(_("进展逾期未报") if late else _("报送进展"), _title(task), url, task.next_report_due, OVERDUE if late else TODAY))
        if task.last_turn == EventKind.RETURNED:
            items.append(WorkItem(_("退回整改"), _title(task), url, task.due_date, TODAY, _("整改后重新申请销账")))
    return items


def office_work(today: dt.date) -> list[WorkItem]:
    """审核销账, 处理调整申请, 立账: three queries. The tasks come in due order, the order the home page shows them
    in, read straight from the (state, due_sort, id) index (by request date, SQLite sorted every one of them)."""
    items = []
    verifying = Task.objects.filter(state=TaskState.COMPLETION_REQUESTED).only(*ROW_FIELDS).order_by("due_sort", "id")[:LIMIT]
    for task in verifying:
        note = _("%(month)02d月%(day)02d日申请") % {"month": task.completed_on.month, "day": task.completed_on.day} if task.completed_on else ""
        items.append(WorkItem(_("审核销账"), _title(task), _task_url(task), task.due_date, TODAY, note))
    pending = (
        ReassignRequest.objects.filter(state=RequestState.PENDING, task__state__in=DECIDABLE["decide_reassignment"])
        .select_related("task", "unit")
        .only("id", "requested_at", "unit__name", "task__code", "task__title", "task__due_date").order_by("requested_at", "id")[:LIMIT]
    )
    for request in pending:
        url = reverse("ledger:decide_reassignment", args=[request.task.code, request.pk])
        items.append(WorkItem(_("处理调整申请"), _title(request.task), url, request.task.due_date, TODAY, _("%(unit)s申请调整") % {"unit": request.unit.name}))
    drafts = Task.objects.filter(state=TaskState.DRAFT).only(*ROW_FIELDS).order_by("due_sort", "id")[:LIMIT]
    for task in drafts:
        items.append(WorkItem(_("待立账"), _title(task), _task_url(task), task.due_date, LATER, _("五明确填全后立账交办")))
    return items


def extension_work(user, today: dt.date) -> list[WorkItem]:
    """审批延期: a principal leader sees every pending request, a leader those of the tasks they lead."""
    pending = ExtensionRequest.objects.filter(state=RequestState.PENDING, task__state__in=DECIDABLE["decide_extension"])
    if Role.PRINCIPAL not in user.roles:
        pending = pending.filter(Q(task__leader_in_charge_id=user.pk) | Q(task__assigning_leader_id=user.pk))
    pending = pending.select_related("task").only(
        "id", "old_due", "new_due", "task__code", "task__title", "task__due_date",
    ).order_by("requested_at", "id")[:LIMIT]
    items = []
    for request in pending:
        due = request.task.due_date
        url = reverse("ledger:decide_extension", args=[request.task.code, request.pk])
        note = _("申请延至 %(day)s") % {"day": f"{request.new_due:%Y-%m-%d}"}
        items.append(WorkItem(_("审批延期"), _title(request.task), url, due, OVERDUE if due and due < today else TODAY, note))
    return items
