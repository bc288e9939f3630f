"""The one FilterSet of the ledger: the list page, the API and the Excel export all filter through it."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core import calendar
from duban.core.choices import Role
from duban.core.models import Unit, User
from duban.core.paging import Keyset
from duban.ledger import search
from duban.ledger.choices import FINISHED_STATES, OPEN_STATES, EventKind, RequestState, TaskState
from duban.ledger.models import Campaign, CompletionRequest, Front, ReassignRequest, Task, TaskEvent
from duban.matters.choices import Light

STATE_CHOICES = [("open", _("未办结（全部在办）")), *TaskState.choices]

# sort name → (label, keyset fields)
SORTS = {
    "due": (_("完成时限从近到远"), ["due_sort", "id"]),
    "-due": (_("完成时限从远到近"), ["-due_sort", "-id"]),
    "code": (_("任务编号"), ["code", "id"]),
    "-updated": (_("最近更新"), ["-updated_at", "-id"]),
}
DEFAULT_SORT = "due"


def keyset_for(sort: str | None) -> Keyset:
    return Keyset(SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT])[1])


# --- 中梗阻 (SPEC §4): the matters behind each number of supervision.analytics -------------------------
# Each condition is written once, here, and used both by the analytics' counts and by the list's filters
# below (lead_unit, idle, passed_on, returned, returned_by, reassign_by): a number on the analytics pages
# and the ledger list it links to are the same matters by construction.

# A matter lies idle only while its unit holds the ball: signed for or waiting to be, not paused. A matter
# waiting on the office's verification (申请销账) is the office's to move.
IDLE_STATES = (TaskState.ASSIGNED, TaskState.IN_PROGRESS)
# What restarts the idle count besides the lead unit's own progress report (last_report_on): the matter came
# to the unit (立账交办, 调整到本单位), was sent back for rework (退回), or its clock started again (恢复办理,
# 恢复计时).
IDLE_RESTARTS = (EventKind.REGISTERED, EventKind.REASSIGN_APPROVED, EventKind.RETURNED, EventKind.REOPENED, EventKind.RESUMED)
IDLE_MAX_DAYS = 250  # a year of working days


def subtree_ids(unit: Unit) -> list[int]:
    """The ids of the unit and of every unit below it (一级抓一级): one query on the small unit table.

    The conditions below take ids, not a subquery: `lead_unit_id IN (1, 2, 3)` reads the tasks through the
    (lead_unit, state, due_sort, id) index, where `IN (SELECT … WHERE path LIKE …)` makes SQLite walk every
    task in due order (a township's open tasks of 100k: 20 against 118 ms)."""
    return list(Unit.objects.filter(path__startswith=unit.path).order_by().values_list("id", flat=True))


def led_by(unit_ids: list[int]) -> Q:
    """Tasks whose lead unit is one of `unit_ids`."""
    return Q(lead_unit_id__in=unit_ids)


def idle_cutoff(days: int, today: dt.date) -> dt.date:
    """The last day from which `days` working days have passed by `today` (calendar.workdays_between).

    The `days`-th working day counted back from today (today the first, if it is one) is the first day that
    is too recent; the day before it is the cutoff, whatever kind of day it is."""
    back = days - 1 if calendar.is_workday(today) else days
    return calendar.add_workdays(today, -back) - dt.timedelta(days=1)


def idle_condition(days: int, today: dt.date) -> Q:
    """Open tasks (signed for or waiting to be, not paused) whose lead unit has not reported progress for
    `days` working days or more: neither a report (last_report_on) nor a restart (IDLE_RESTARTS) nor the task
    itself is more recent than the cutoff."""
    cutoff = idle_cutoff(days, today)
    after = timezone.make_aware(dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min))
    restarted = TaskEvent.objects.filter(task_id=OuterRef("pk"), kind__in=IDLE_RESTARTS, at__gte=after)
    return (
        Q(state__in=IDLE_STATES, paused_since__isnull=True, created_at__lt=after)
        & (Q(last_report_on__isnull=True) | Q(last_report_on__lte=cutoff))
        & ~Q(Exists(restarted))
    )


def returned_requests(unit_ids: list[int]) -> QuerySet:
    """Completion requests of the units sent back for rework (退回整改): counted for the unit of the person
    who asked, or, when that person is gone, for the task's lead unit."""
    return CompletionRequest.objects.filter(state=RequestState.REJECTED).filter(
        Q(requested_by__unit_id__in=unit_ids) | Q(requested_by__isnull=True, task__lead_unit_id__in=unit_ids)
    )


def reassign_requests(unit_ids: list[int]) -> QuerySet:
    """Reassignment requests (申请调整: "not ours") that the units made, whatever became of them."""
    return ReassignRequest.objects.filter(unit_id__in=unit_ids)


class CountFilter(django_filters.Filter):
    """A whole number of at least 1 (a count of days or of times)."""

    field_class = forms.IntegerField


class TaskFilter(django_filters.FilterSet):
    """Campaign, front, unit (lead or cooperating), leader, light, state, due range and free text; and the
    中梗阻 analytics' filters: lead unit with its sub-units, idle days, times passed on or returned, the unit
    whose completion requests were returned or that asked for a reassignment."""

    campaign = django_filters.ModelChoiceFilter(label=_("专项行动"), queryset=Campaign.objects.all())
    front = django_filters.ModelChoiceFilter(label=_("战线"), queryset=Front.objects.select_related("campaign"))
    unit = django_filters.ModelChoiceFilter(label=_("责任单位"), queryset=Unit.objects.filter(is_active=True), method="filter_unit")
    leader = django_filters.ModelChoiceFilter(
        label=_("牵头县领导"), field_name="leader_in_charge",
        queryset=User.objects.filter(role_grants__role__in=[Role.LEADER, Role.PRINCIPAL]).distinct().order_by("id"),
    )
    light = django_filters.MultipleChoiceFilter(label=_("亮灯"), choices=Light.choices)
    state = django_filters.MultipleChoiceFilter(label=_("状态"), choices=STATE_CHOICES, method="filter_state")
    due_after = django_filters.DateFilter(label=_("完成时限不早于"), field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(label=_("完成时限不晚于"), field_name="due_date", lookup_expr="lte")
    q = django_filters.CharFilter(label=_("关键词"), method="filter_text")
    lead_unit = django_filters.ModelChoiceFilter(label=_("牵头单位（含下级单位）"), queryset=Unit.objects.all(), method="filter_lead_unit")
    idle = CountFilter(label=_("连续未报送进展的工作日不少于"), min_value=1, max_value=IDLE_MAX_DAYS, method="filter_idle")
    passed_on = CountFilter(label=_("申请调整次数不少于"), field_name="reassign_count", lookup_expr="gte", min_value=1, max_value=1000)
    returned = CountFilter(label=_("退回次数不少于"), field_name="return_count", lookup_expr="gte", min_value=1, max_value=1000)
    returned_by = django_filters.ModelChoiceFilter(label=_("销账申请被退回的单位"), queryset=Unit.objects.all(), method="filter_returned_by")
    reassign_by = django_filters.ModelChoiceFilter(label=_("申请调整的单位"), queryset=Unit.objects.all(), method="filter_reassign_by")

    class Meta:
        model = Task
        fields = [
            "campaign", "front", "unit", "leader", "light", "state", "due_after", "due_before", "q",
            "lead_unit", "idle", "passed_on", "returned", "returned_by", "reassign_by",
        ]

    def filter_unit(self, queryset, name, unit):
        """Tasks the unit leads or cooperates on: one condition, spelt for each database so that it reads both
        halves through their indexes.

        SQLite ORs the lead unit's index with the cooperating tasks' ids (MULTI-INDEX OR) for
        `lead_unit = X OR id IN (SELECT …)`. PostgreSQL cannot OR an index scan with `IN (SELECT …)`: it
        filters every task the other conditions keep (a unit's open tasks by light, 100k tasks: 35–65 ms); it
        does OR two bitmap index scans for `lead_unit = X OR id = ANY(ARRAY(SELECT …))` (2–10 ms). A UNION of
        the two id lists, measured too, gets plans that swing between nested loops and a hash join over every
        open task (4–80 ms)."""
        from django.db import connections, models

        if unit is None:
            return queryset
        cooperating = Task.cooperating_units.through.objects.filter(unit_id=unit.pk).values("task_id")
        if connections[queryset.db].vendor == "postgresql":
            from django.contrib.postgres.expressions import ArraySubquery

            # "ledger_task"."id" = ANY(ARRAY(SELECT task_id …)), as a boolean expression: written `pk=Func(…)`,
            # Django would put the right side in parentheses, and "= (ANY(…))" is not SQL.
            listed = models.Func(
                models.F("pk"), ArraySubquery(cooperating), arg_joiner=" = ANY(", template="%(expressions)s)",
                output_field=models.BooleanField(),
            )
            return queryset.filter(Q(lead_unit_id=unit.pk) | Q(listed))
        return queryset.filter(Q(lead_unit_id=unit.pk) | Q(pk__in=cooperating))

    def filter_state(self, queryset, name, values):
        if not values:
            return queryset
        states = set(values) - {"open"}
        if "open" in values:
            states |= set(OPEN_STATES)
        return queryset.filter(state__in=sorted(states))

    def filter_text(self, queryset, name, text):
        """Code, title and responsible person through the text index (ledger.search: CJK bigrams, whole words,
        the last word as a prefix so that a task number's beginning finds it)."""
        return search.filter_tasks(queryset, text)

    # The 中梗阻 analytics' filters (the conditions are defined above the class).

    def filter_lead_unit(self, queryset, name, unit):
        """Tasks the unit or one of its sub-units leads (cooperating units not included)."""
        return queryset.filter(led_by(subtree_ids(unit))) if unit is not None else queryset

    def filter_idle(self, queryset, name, days):
        """Open tasks without a progress report of their lead unit for `days` working days (idle_condition)."""
        return queryset.filter(idle_condition(days, timezone.localdate())) if days else queryset

    def filter_returned_by(self, queryset, name, unit):
        if unit is None:
            return queryset
        return queryset.filter(pk__in=returned_requests(subtree_ids(unit)).values("task_id"))

    def filter_reassign_by(self, queryset, name, unit):
        if unit is None:
            return queryset
        return queryset.filter(pk__in=reassign_requests(subtree_ids(unit)).values("task_id"))


__all__ = ["TaskFilter", "SORTS", "DEFAULT_SORT", "keyset_for", "FINISHED_STATES"]
