"""中梗阻 analytics (SPEC §4): for each unit, the matters in its hands, how long they stay there, how often
its completion requests were sent back and how often it asked to pass work on, what lies idle; a matter
passed on twice or more is flagged.

Every count is taken in the database (GROUP BY the lead unit) over `Task.objects.visible_to(user)` — the
user's own scope, the one the ledger list applies — with the conditions written once in `ledger.filters`,
so that each number links to the ledger list of exactly its matters. A row is a unit with its sub-units
(一级抓一级): the counts per lead unit are added up to the rows in Python, from the units' paths. Only the
median dwell is taken in Python, from one query of the matters' dates, because working days need the
public calendar (duban.core.calendar). The queries are a fixed number whatever the units and tasks.

Definitions (the pages show them in Chinese, `analytics_definitions.html`):

- in hand (在办事项): open tasks (交办待签收, 承办中, 申请销账) whose lead unit is the unit or below it;
- idle (久拖未报): open tasks in the unit's court (not waiting on the office's verification, not paused)
  without a progress report of the lead unit for N working days or more, counted from the latest of the
  last report, the matter's arrival at the unit, a return for rework and a resumed clock
  (`ledger.filters.idle_condition`);
- passed on (多次推转): tasks in hand whose reassignment was asked for twice or more, by whichever units;
- returns (退回整改): the unit's completion requests the office sent back, times (and matters);
- reassignment requests (申请调整): the requests the unit made saying a matter is not theirs, times (and
  matters), whatever became of them — attributed to the unit that asked, not to the one holding it now;
- dwell (办理时长): working days from the lead unit's signature (签收: 办理时限自签收之日起算; not yet signed
  for, from the matter's arrival at the unit, 立账交办 or 调整到该单位) to its completion request (申请销账)
  or, still in hand, to today, less the working days its clock stood paused or suspended; the median is
  over the matters in hand and those closed this calendar year.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connections
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth
from django.urls import reverse
from django.utils import timezone

from duban.core import calendar
from duban.core.choices import UnitKind
from duban.core.models import Unit
from duban.core.scope import unit_scope
from duban.ledger.choices import OPEN_STATES, EventKind, TaskState
from duban.ledger.filters import (
    IDLE_RESTARTS, idle_condition, led_by, reassign_requests, returned_requests,
)
from duban.ledger.models import Task, TaskEvent

DEFAULT_IDLE_DAYS = 10
PASSED_ON_FLAG = 2  # a matter whose reassignment was asked for this many times is flagged (SPEC §4)
LIST_LIMIT = 20  # per list on a unit's page; the ledger list holds the rest
TREND_MONTHS = 6

# The matter came to its (current) lead unit: the start of its dwell there.
ARRIVALS = (EventKind.REGISTERED, EventKind.REASSIGN_APPROVED)
# A pause (挂起) or a suspension (暂停) stops the clock; resuming or reopening starts it again.
PAUSE_STARTS = frozenset({EventKind.PAUSED, EventKind.SUSPENDED})
PAUSE_ENDS = frozenset({EventKind.RESUMED, EventKind.REOPENED})

# The columns of the county table, each sortable: name → what it sorts by.
COLUMNS = ("unit", "in_hand", "dwell", "returns", "reassigns", "idle", "passed_on")
DEFAULT_SORT = "-idle"


@dataclass
class UnitFigures:
    """The 中梗阻 numbers of one unit with its sub-units."""

    unit: Unit
    in_hand: int = 0
    idle: int = 0
    passed_on: int = 0
    returns: int = 0
    returned_matters: int = 0
    reassigns: int = 0
    reassigned_matters: int = 0
    dwell: list[int] = field(default_factory=list)  # working days, one per matter in hand or closed this year

    @property
    def median_dwell(self) -> float | None:
        return statistics.median(self.dwell) if self.dwell else None

    @property
    def median_display(self) -> str:
        median = self.median_dwell
        if median is None:
            return "—"
        return f"{median:.1f}" if median % 1 else str(int(median))

    @property
    def is_empty(self) -> bool:
        return not (self.in_hand or self.idle or self.passed_on or self.returns or self.reassigns or self.dwell)

    def sort_value(self, column: str):
        if column == "unit":
            return self.unit.sort_key
        if column == "dwell":
            return self.median_dwell
        return getattr(self, column)


def ledger_link(**params) -> str:
    """The ledger list filtered by `params` (a list value repeats the key)."""
    return reverse("ledger:task_list") + "?" + urlencode(params, doseq=True)


def links(unit: Unit, idle_days: int) -> dict[str, str]:
    """The ledger list behind each number of `unit` (ledger.filters.TaskFilter's analytics filters)."""
    return {
        "in_hand": ledger_link(lead_unit=unit.pk, state="open"),
        "idle": ledger_link(lead_unit=unit.pk, idle=idle_days),
        "passed_on": ledger_link(lead_unit=unit.pk, state="open", passed_on=PASSED_ON_FLAG),
        "returns": ledger_link(returned_by=unit.pk),
        "reassigns": ledger_link(reassign_by=unit.pk),
    }


# --- which units ---------------------------------------------------------------------------------------


def county_rows(user) -> list[Unit]:
    """The rows of the county table: the top units of the user's scope (the county-level departments,
    townships and offices for whoever sees everything; a leader's charged units), leadership left out.
    One query (plus the scope's, once per user)."""
    scope = unit_scope(user)
    units = Unit.objects.exclude(kind=UnitKind.LEADERSHIP).order_by("sort_key")
    if scope.everything:
        return list(units.filter(parent__isnull=True))
    if not scope.unit_ids:
        return []
    in_scope = list(units.filter(id__in=sorted(scope.unit_ids)))
    return [u for u in in_scope if u.parent_id not in scope.unit_ids]


def unit_and_children(user, pk: int) -> tuple[Unit | None, list[Unit]]:
    """The unit `pk` if it is in the user's scope (else None) and its direct sub-units in scope: one query."""
    candidates = unit_scope(user).filter(Unit.objects.filter(Q(pk=pk) | Q(parent_id=pk)), "id").order_by("sort_key")
    unit, children = None, []
    for candidate in candidates:
        if candidate.pk == pk:
            unit = candidate
        else:
            children.append(candidate)
    return unit, children


def _subtrees(rows: list[Unit]) -> QuerySet:
    """The rows and every unit below them, as a queryset of units."""
    return Unit.objects.filter(functools.reduce(operator.or_, (Q(path__startswith=row.path) for row in rows)))


def _prefixes(path: str) -> list[str]:
    """'/1/5/12/' → ['/1/', '/1/5/', '/1/5/12/']: the paths of the unit and every unit above it."""
    ids = [part for part in path.split("/") if part]
    return ["/" + "/".join(ids[: n + 1]) + "/" for n in range(len(ids))]


# --- the numbers -----------------------------------------------------------------------------------------


def unit_figures(user, rows: list[Unit], *, idle_days: int, today: dt.date) -> list[UnitFigures]:
    """The numbers of each row (a unit with its sub-units; rows may nest), in the user's scope.

    Seven queries whatever the rows and tasks: the rows' units, tasks by lead unit, idle tasks by lead unit,
    returns, reassignment requests, the dwell dates, the pauses. A matter is counted in every row above its
    lead unit."""
    figures = [UnitFigures(row) for row in rows]
    if not rows:
        return figures
    by_path: dict[str, list[UnitFigures]] = {}
    for figure in figures:
        by_path.setdefault(figure.unit.path, []).append(figure)
    # Every unit of the rows' sub-trees and the rows it counts in. Tasks are then filtered and grouped by
    # their own lead_unit_id (its index, no join, no path matching in the database).
    paths = dict(_subtrees(rows).values_list("id", "path"))
    owners = {pk: [f for prefix in _prefixes(path) for f in by_path.get(prefix, ())] for pk, path in paths.items()}
    ids = sorted(paths)

    visible = Task.objects.visible_to(user)
    tasks = visible.filter(led_by(ids))
    open_ = Q(state__in=OPEN_STATES)
    counts = (
        tasks.filter(open_).order_by().values("lead_unit_id")
        .annotate(in_hand=Count("*"), passed_on=Count("pk", filter=Q(reassign_count__gte=PASSED_ON_FLAG)))
    )
    for row in counts:
        for figure in owners.get(row["lead_unit_id"], ()):
            figure.in_hand += row["in_hand"]
            figure.passed_on += row["passed_on"]
    # A query of its own, with the condition in WHERE: there PostgreSQL plans its NOT EXISTS as an anti-join;
    # inside COUNT(…) FILTER it is a subplan per row whose estimate (not its cost) sets off the JIT compiler,
    # 0.7 s at 100k tasks.
    for row in tasks.filter(idle_condition(idle_days, today)).order_by().values("lead_unit_id").annotate(n=Count("*")):
        for figure in owners.get(row["lead_unit_id"], ()):
            figure.idle += row["n"]

    # A request is seen with its task (TaskPartQuerySet.visible_to); whoever sees every task sees every request.
    def seen(requests: QuerySet) -> QuerySet:
        return requests if unit_scope(user).everything else requests.filter(task__in=visible.values("pk"))

    returns = (
        seen(returned_requests(ids)).order_by()
        .values("task_id", owner=Coalesce("requested_by__unit_id", "task__lead_unit_id")).annotate(times=Count("*"))
    )
    _add_requests(returns, owners, "returns", "returned_matters")
    reassigns = seen(reassign_requests(ids)).order_by().values("task_id", owner=F("unit_id")).annotate(times=Count("*"))
    _add_requests(reassigns, owners, "reassigns", "reassigned_matters")

    for unit_id, days in _dwell(tasks, today):
        for figure in owners.get(unit_id, ()):
            figure.dwell.append(days)
    return figures


def _add_requests(rows, owners, times_field: str, matters_field: str) -> None:
    """Add (unit, task, times) rows to the figures: the times, and the distinct matters of each figure (one
    matter may have been sent back to two of a row's sub-units)."""
    matters: dict[int, tuple[UnitFigures, set[int]]] = {}
    for row in rows:
        for figure in owners.get(row["owner"], ()):
            setattr(figure, times_field, getattr(figure, times_field) + row["times"])
            matters.setdefault(id(figure), (figure, set()))[1].add(row["task_id"])
    for figure, tasks in matters.values():
        setattr(figure, matters_field, len(tasks))


def _dwell(tasks: QuerySet, today: dt.date) -> list[tuple[int, int]]:
    """(lead unit, dwell in working days) of every matter in hand or closed this year: two queries.

    At 100k tasks (57k open, 33k closed this year) this is the county table's main cost: loading the 90k
    rows (~0.3 s on PostgreSQL, ~1 s on SQLite); the working days after it take ~0.1 s (counted once per
    distinct date, not per matter)."""
    arrived = TaskEvent.objects.filter(task_id=OuterRef("pk"), kind__in=ARRIVALS).order_by("-at", "-id").values("at")[:1]
    counted = tasks.filter(Q(state__in=OPEN_STATES) | Q(state=TaskState.CLOSED, closed_on__gte=dt.date(today.year, 1, 1)))
    # Signed for, the clock runs from the signature (办理时限自签收之日起算); not yet signed for, from the
    # arrival. COALESCE stops at its first value, so the timeline is read only for the few unsigned matters.
    # The local date of the start: PostgreSQL takes it itself (its driver loads 90k dates in half the time of
    # 90k timestamps); SQLite would call a Python function per row for it, slower than converting here.
    began = Coalesce("signed_at", Subquery(arrived), "created_at")
    in_database = connections[counted.db].vendor == "postgresql"
    rows = list(
        counted.order_by().annotate(arrived=TruncDate(began) if in_database else began)
        .values_list("pk", "lead_unit_id", "arrived", "completed_on", "closed_on")
    )
    zone = timezone.get_current_timezone()
    pauses: dict[int, list[tuple[str, dt.date]]] = {}
    events = (
        TaskEvent.objects.filter(task_id__in=counted.values("pk"), kind__in=PAUSE_STARTS | PAUSE_ENDS)
        .order_by("task_id", "at", "id").values_list("task_id", "kind", "at")
    )
    for task_id, kind, at in events:
        pauses.setdefault(task_id, []).append((kind, at.astimezone(zone).date()))
    starts = [(pk, unit_id, arrived if in_database else arrived.astimezone(zone).date(), completed_on or closed_on or today)
              for pk, unit_id, arrived, completed_on, closed_on in rows]
    count = _workday_counter(min((start for _pk, _unit, start, _end in starts), default=today))
    result = []
    for pk, unit_id, start, end in starts:
        days = count(start, end)
        if pk in pauses:
            days -= _paused(pauses[pk], start, end, count)
        result.append((unit_id, max(days, 0)))
    return result


def _paused(events, start: dt.date, end: dt.date, count) -> int:
    """Working days between `start` and `end` during which the clock stood still (挂起 or 暂停)."""
    total, since = 0, None
    for kind, day in events:
        if kind in PAUSE_STARTS and since is None:
            since = day
        elif kind in PAUSE_ENDS and since is not None:
            total += _overlap(since, day, start, end, count)
            since = None
    if since is not None:
        total += _overlap(since, end, start, end, count)
    return total


def _overlap(a: dt.date, b: dt.date, start: dt.date, end: dt.date, count) -> int:
    low, high = max(a, start), min(b, end)
    return count(low, high) if low < high else 0


def _workday_counter(anchor: dt.date):
    """calendar.workdays_between(a, b) for anchor ≤ a ≤ b, as the difference of two counts from `anchor`, each
    taken once per date: thousands of matters share a few hundred dates."""

    @functools.cache
    def since_anchor(day: dt.date) -> int:
        return calendar.workdays_between(anchor, day)

    def count(start: dt.date, end: dt.date) -> int:
        return since_anchor(end) - since_anchor(start) if start <= end else 0

    return count


def sort_figures(figures: list[UnitFigures], sort: str) -> list[UnitFigures]:
    """Sort by a column (`-` for descending); ties, and units without a median, in the tree's order."""
    column = sort.lstrip("-")
    descending = sort.startswith("-")
    by_tree = sorted(figures, key=lambda f: f.unit.sort_key)
    present = [f for f in by_tree if f.sort_value(column) is not None]
    missing = [f for f in by_tree if f.sort_value(column) is None]
    return sorted(present, key=lambda f: f.sort_value(column), reverse=descending) + missing


# --- a unit's page: its lists and its trend ---------------------------------------------------------------

LIST_COLUMNS = ("id", "code", "title", "state", "light", "light_reason", "due_date", "standing", "reassign_count",
                "return_count", "lead_unit__name", "lead_unit__short_name")


@dataclass
class UnitLists:
    idle: list[dict]
    passed_on: list[dict]
    returned: list[dict]


def unit_lists(user, units: list[int], *, idle_days: int, today: dt.date, limit: int = LIST_LIMIT) -> UnitLists:
    """Of the `units` (a unit's sub-tree, as ids): their idle matters (longest idle first, with their idle
    working days), their matters passed on twice or more, and the matters whose completion requests they
    had sent back. Three queries."""
    visible = Task.objects.visible_to(user)
    restarted = (
        TaskEvent.objects.filter(task_id=OuterRef("pk"), kind__in=IDLE_RESTARTS).order_by().values("task_id")
        .annotate(last=Max("at")).values("last")
    )
    created = TruncDate("created_at")
    # The day the idle count runs from (see ledger.filters.idle_condition): every term is a date, none NULL.
    since = Greatest(Coalesce("last_report_on", created), Coalesce(TruncDate(Subquery(restarted)), created))
    idle = list(
        visible.filter(led_by(units)).filter(idle_condition(idle_days, today)).annotate(since=since)
        .order_by("since", "due_sort", "id").values(*LIST_COLUMNS, "since")[:limit]
    )
    for row in idle:
        row["idle_days"] = calendar.workdays_between(_date(row["since"]), today)
    passed_on = list(
        visible.filter(led_by(units), state__in=OPEN_STATES, reassign_count__gte=PASSED_ON_FLAG)
        .order_by("-reassign_count", "due_sort", "id").values(*LIST_COLUMNS)[:limit]
    )
    returned = list(
        visible.filter(pk__in=returned_requests(units).values("task_id"))
        .order_by("-return_count", "due_sort", "id").values(*LIST_COLUMNS)[:limit]
    )
    return UnitLists(idle=idle, passed_on=passed_on, returned=returned)


def _date(value) -> dt.date:
    """A date from the database: SQLite gives TruncDate of a subquery back as text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else _local_date(value)


@dataclass
class TrendMonth:
    month: dt.date  # the first of the month
    closed: int = 0
    returns: int = 0
    reassigns: int = 0


def trend(user, units: list[int], today: dt.date, months: int = TREND_MONTHS) -> list[TrendMonth]:
    """Per month, the last `months` months to this one, of the `units` (a unit's sub-tree, as ids): tasks
    closed (销账), completion requests sent back (退回), reassignment requests (申请调整). Three GROUP BY
    queries."""
    first = _month_start(today, months - 1)
    buckets = {}
    cursor = first
    for _ in range(months):
        buckets[(cursor.year, cursor.month)] = TrendMonth(cursor)
        cursor = _month_start(cursor, -1)
    visible = Task.objects.visible_to(user)
    since = _midnight(first)
    closed = (
        visible.filter(led_by(units), state=TaskState.CLOSED, closed_on__gte=first).order_by()
        .annotate(m=TruncMonth("closed_on")).values("m").annotate(n=Count("*")).values_list("m", "n")
    )
    returns = (
        returned_requests(units).filter(task__in=visible.values("pk"), decided_at__gte=since).order_by()
        .annotate(m=TruncMonth("decided_at")).values("m").annotate(n=Count("*")).values_list("m", "n")
    )
    reassigns = (
        reassign_requests(units).filter(task__in=visible.values("pk"), requested_at__gte=since).order_by()
        .annotate(m=TruncMonth("requested_at")).values("m").annotate(n=Count("*")).values_list("m", "n")
    )
    for name, rows in (("closed", closed), ("returns", returns), ("reassigns", reassigns)):
        for month, n in rows:
            month = _date(month)
            bucket = buckets.get((month.year, month.month))
            if bucket is not None:
                setattr(bucket, name, n)
    return list(buckets.values())


def _month_start(day: dt.date, back: int) -> dt.date:
    """The first of the month `back` months before `day`'s (negative: after)."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _midnight(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _local_date(value) -> dt.date:
    """The local (Asia/Shanghai) date of a moment, or the date itself."""
    return timezone.localdate(value) if isinstance(value, dt.datetime) else value

