""""My work" from the ledger: what each role must do today, one source (a count and a page: two queries) per
kind of work, each in the order the home page shows it (most urgent first, then by due date).

liaison / unit head: tasks to sign for, progress reports due within two working days or late, returned tasks ·
supervision office: completion requests to verify, reassignment requests to decide, drafts to register ·
leader in charge / principal leader: extension requests to approve.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import calendar
from duban.core.choices import Role
from duban.core.scope import acting_units
from duban.core.work import LATER, OVERDUE, TODAY, Source, WorkItem, from_queryset
from duban.ledger.choices import EventKind, RequestState, TaskState
from duban.ledger.kind import ARRIVALS, PAUSE_ENDS, TASK_KIND
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import ExtensionRequest, ReassignRequest, Task
from duban.matters.models import MatterEvent

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


def ledger_work(user, today: dt.date) -> list[Source]:
    roles = user.roles
    sources: list[Source] = []
    if roles & {Role.LIAISON, Role.UNIT_HEAD} and user.unit_id:
        sources += unit_work(user, today)
    if Role.SUPERVISION in roles:
        sources += office_work(today)
    if roles & {Role.LEADER, Role.PRINCIPAL}:
        sources += extension_work(user, today)
    return sources


def _task_url(task) -> str:
    return reverse("ledger:task_detail", args=[task.code])


def _title(task) -> str:
    return f"{task.code} {task.title}"


def unit_work(user, today: dt.date) -> list[Source]:
    """签收 within one working day, 报送进展 when due or late, 整改 after a return."""
    horizon = calendar.add_workdays(today, REPORT_HORIZON_WORKDAYS)
    events = MatterEvent.objects.filter(kind=TASK_KIND.key, matter_id=OuterRef("pk")).order_by("-at", "-id")
    mine = Task.objects.filter(lead_unit_id__in=acting_units(user)).only(*ROW_FIELDS)
    # The day to sign by runs from the arrival: the earliest arrival is the most pressing.
    to_sign = (mine.filter(state=TaskState.ASSIGNED)
               .annotate(arrived_at=Coalesce(Subquery(events.filter(event__in=SIGN_CLOCK_STARTS).values("at")[:1]), "created_at",
                                             output_field=DateTimeField()))
               .order_by("arrived_at", "id"))
    to_report = mine.filter(state=TaskState.IN_PROGRESS, next_report_due__lte=horizon, paused_since__isnull=True).order_by("next_report_due", "id")
    returned = (mine.filter(state=TaskState.IN_PROGRESS, return_count__gt=0)
                .annotate(last_turn=Subquery(events.filter(event__in=RETURN_ANSWERS).values("event")[:1]))
                .filter(last_turn=EventKind.RETURNED)
                # By due_date, not due_sort: walking the (lead_unit, state, due_sort) index for its order, SQLite
                # read every task the unit has in progress to find the few returned ones; no index serves this
                # order, so the (lead_unit, state, return_count) index finds them and they are sorted.
                .order_by(F("due_date").asc(nulls_last=True), "id"))

    def sign(task):
        sign_by = calendar.add_workdays(timezone.localdate(task.arrived_at), 1)
        return WorkItem(_("待签收"), _title(task), _task_url(task), sign_by, OVERDUE if sign_by < today else TODAY, _("交办后 1 个工作日内签收"))

    def report(task):
        late = task.next_report_due < today
        return WorkItem(_("进展逾期未报") if late else _("报送进展"), _title(task), _task_url(task), task.next_report_due, OVERDUE if late else TODAY)

    def rework(task):
        return WorkItem(_("退回整改"), _title(task), _task_url(task), task.due_date, TODAY, _("整改后重新申请销账"))

    return [
        from_queryset("ledger.sign", _("待签收"), to_sign, sign),
        from_queryset("ledger.report", _("报送进展"), to_report, report),
        from_queryset("ledger.returned", _("退回整改"), returned, rework),
    ]


def office_work(today: dt.date) -> list[Source]:
    """审核销账, 处理调整申请, 立账. The tasks come in due order, the order the home page shows them in, read
    straight from the (state, due_sort, id) index (by request date, SQLite sorted every one of them)."""
    verifying = Task.objects.filter(state=TaskState.COMPLETION_REQUESTED).only(*ROW_FIELDS).order_by("due_sort", "id")
    pending = (
        ReassignRequest.objects.filter(state=RequestState.PENDING, task__state__in=DECIDABLE["decide_reassignment"])
        .select_related("task", "unit")
        .only("id", "requested_at", "unit__name", "task__code", "task__title", "task__due_date").order_by("task__due_sort", "id")
    )
    drafts = Task.objects.filter(state=TaskState.DRAFT).only(*ROW_FIELDS).order_by("due_sort", "id")

    def verify(task):
        note = _("%(month)02d月%(day)02d日申请") % {"month": task.completed_on.month, "day": task.completed_on.day} if task.completed_on else ""
        return WorkItem(_("审核销账"), _title(task), _task_url(task), task.due_date, TODAY, note)

    def reassign(request):
        url = reverse("ledger:decide_reassignment", args=[request.task.code, request.pk])
        return WorkItem(_("处理调整申请"), _title(request.task), url, request.task.due_date, TODAY, _("%(unit)s申请调整") % {"unit": request.unit.name})

    def register(task):
        return WorkItem(_("待立账"), _title(task), _task_url(task), task.due_date, LATER, _("五明确填全后立账交办"))

    return [
        from_queryset("ledger.verify", _("审核销账"), verifying, verify),
        from_queryset("ledger.reassign", _("处理调整申请"), pending, reassign),
        from_queryset("ledger.register", _("待立账"), drafts, register),
    ]


def extension_work(user, today: dt.date) -> list[Source]:
    """审批延期: a principal leader sees every pending request, a leader those of the tasks they lead."""
    pending = ExtensionRequest.objects.filter(state=RequestState.PENDING, task__state__in=DECIDABLE["decide_extension"])
    if Role.PRINCIPAL not in user.roles:
        pending = pending.filter(Q(task__leader_in_charge_id=user.pk) | Q(task__assigning_leader_id=user.pk))
    pending = pending.select_related("task").only(
        "id", "old_due", "new_due", "task__code", "task__title", "task__due_date",
    ).order_by("task__due_sort", "id")

    def decide(request):
        due = request.task.due_date
        url = reverse("ledger:decide_extension", args=[request.task.code, request.pk])
        note = _("申请延至 %(day)s") % {"day": f"{request.new_due:%Y-%m-%d}"}
        return WorkItem(_("审批延期"), _title(request.task), url, due, OVERDUE if due and due < today else TODAY, note)

    return [from_queryset("ledger.extension", _("审批延期"), pending, decide)]
