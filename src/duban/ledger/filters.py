"""The one FilterSet of the ledger: the list page, the API and the Excel export all filter through it."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.choices import Role
from duban.core.models import Unit, User
from duban.core.paging import Keyset
from duban.core.scope import subtree_ids
from duban.ledger import search
from duban.ledger.choices import FINISHED_STATES, OPEN_STATES, TaskState
from duban.ledger.kind import TASK_KIND
from duban.ledger.models import Campaign, Front, Task
from duban.matters import obstruction
from duban.matters.choices import Light, Schedule
from duban.matters.obstruction import IDLE_MAX_DAYS, idle_cutoff

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
# Each condition is written once, in matters.obstruction, and used both by the analytics' counts and by the
# list's filters below (lead_unit, idle, passed_on, returned, returned_by, reassign_by): a number on the
# analytics pages and the ledger list it links to are the same matters by construction.


def led_by(unit_ids: list[int]) -> Q:
    """Tasks whose lead unit is one of `unit_ids`."""
    return obstruction.led_by(TASK_KIND, unit_ids)


def idle_condition(days: int, today: dt.date) -> Q:
    """Open tasks (signed for or waiting to be, not paused) whose lead unit has not reported progress for
    `days` working days or more (matters.obstruction.idle_condition)."""
    return obstruction.idle_condition(TASK_KIND, days, today)


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
    # The dashboard's drill-downs (reports.figures): 超/达/欠进度 and the tasks closed in a month.
    schedule = django_filters.MultipleChoiceFilter(label=_("序时进度"), choices=[c for c in Schedule.choices if c[0]])
    closed_after = django_filters.DateFilter(label=_("办结日期不早于"), field_name="closed_on", lookup_expr="gte")
    closed_before = django_filters.DateFilter(label=_("办结日期不晚于"), field_name="closed_on", lookup_expr="lte")
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
            "campaign", "front", "unit", "leader", "light", "state", "due_after", "due_before", "schedule", "closed_after", "closed_before", "q",
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
        return queryset.filter(pk__in=obstruction.returns(TASK_KIND, subtree_ids(unit)).values("matter_id"))

    def filter_reassign_by(self, queryset, name, unit):
        if unit is None:
            return queryset
        return queryset.filter(pk__in=obstruction.passings(TASK_KIND, subtree_ids(unit)).values("matter_id"))


__all__ = ["DEFAULT_SORT", "FINISHED_STATES", "IDLE_MAX_DAYS", "SORTS", "TaskFilter", "idle_cutoff", "keyset_for", "subtree_ids"]
