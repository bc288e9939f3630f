"""中梗阻 analytics (SPEC §4): for each unit, the matters in its hands, how long they stay there, how often
its completions were sent back and how often it asked to pass work on, what lies idle; a matter passed on
twice or more is flagged — for every registered kind of matter (`MatterKind.obstruction`), from the kind's
columns and its timeline (MatterEvent). Nothing here names a kind: the page shows one kind at a time, each
with the columns it declares.

Every count is taken in the database (GROUP BY the owner unit) over `kind.visible(user)` — the user's own
scope, the one the kind's list applies — with the conditions written once in `matters.obstruction`, so that
each number links to the kind's list of exactly its matters (`Obstruction.link`). A row is a unit with its sub-units
(一级抓一级): the counts per lead unit are added up to the rows in Python, from the units' paths. Only the
median dwell is taken in Python, from one query of the matters' dates, because working days need the
public calendar (duban.core.calendar). The queries are a fixed number whatever the units and tasks.

Definitions (the pages show them in Chinese, `analytics_definitions.html`), in the key-work ledger's terms:

- in hand (在办事项): open tasks (交办待签收, 承办中, 申请销账) whose lead unit is the unit or below it;
- idle (久拖未报): open tasks in the unit's court (not waiting on the office's verification, not paused)
  without a progress report of the lead unit for N working days or more, counted from the latest of the
  last report, the matter's arrival at the unit, a return for rework and a resumed clock
  (`matters.obstruction.idle_condition`);
- passed on (多次推转): tasks in hand whose reassignment was asked for twice or more, by whichever units;
- returns (退回整改): the times the office sent the unit's completion back (the kind's returned event, counted
  against the unit holding the matter then), times (and matters);
- reassignment requests (申请调整): the requests the unit made saying a matter is not theirs (the kind's
  passed-on event), times (and matters), whatever became of them — attributed to the unit that asked, not
  to the one holding it now;
- dwell (办理时长): working days from the lead unit's signature (签收: 办理时限自签收之日起算; not yet signed
  for, from the matter's arrival at the unit, 立账交办 or 调整到该单位) to its completion request (申请销账)
  or, still in hand, to today, less the working days its clock stood paused or suspended; the median is
  over the matters in hand and those closed this calendar year.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import operator
import statistics
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import CharField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from duban.core import calendar
from duban.core.choices import UnitKind
from duban.core.models import Unit
from duban.core.scope import unit_scope
from duban.matters import obstruction, registry
from duban.matters.obstruction import idle_condition, led_by
from duban.matters.registry import MatterKind

DEFAULT_IDLE_DAYS = 10
PASSED_ON_FLAG = 2  # a matter whose reassignment was asked for this many times is flagged (SPEC §4)
LIST_LIMIT = 20  # per list on a unit's page; the kind's list holds the rest
TREND_MONTHS = 6

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


def analysed_kinds() -> list[MatterKind]:
    """The registered kinds that declare what their 中梗阻 numbers are, in registration order."""
    return [kind for kind in registry.kinds() if kind.obstruction is not None]


def columns(kind: MatterKind) -> tuple[str, ...]:
    """The table's columns for `kind`: the unit, then the numbers the kind declares."""
    return ("unit", *(c for c in kind.obstruction.columns if c in COLUMNS))


def links(kind: MatterKind, unit: Unit, idle_days: int) -> dict[str, str]:
    """The kind's list behind each number of `unit` (empty where the kind's list has no such filter)."""
    link = kind.obstruction.link
    return {name: (link(name, unit, idle_days, PASSED_ON_FLAG) if link else "") for name in COLUMNS if name != "unit"}


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


def unit_figures(user, rows: list[Unit], *, kind: MatterKind, idle_days: int, today: dt.date) -> list[UnitFigures]:
    """The numbers of each row (a unit with its sub-units; rows may nest) for one kind, in the user's scope.

    Seven queries whatever the rows and matters: the rows' units, matters by owner unit, idle matters by owner
    unit, returns, passings-on, the dwell dates, the pauses. A matter is counted in every row above its unit."""
    figures = [UnitFigures(row) for row in rows]
    if not rows:
        return figures
    spec = kind.obstruction
    by_path: dict[str, list[UnitFigures]] = {}
    for figure in figures:
        by_path.setdefault(figure.unit.path, []).append(figure)
    # Every unit of the rows' sub-trees and the rows it counts in. Matters are then filtered and grouped by
    # their own owner column (its index, no join, no path matching in the database).
    paths = dict(_subtrees(rows).values_list("id", "path"))
    owners = {pk: [f for prefix in _prefixes(path) for f in by_path.get(prefix, ())] for pk, path in paths.items()}
    ids = sorted(paths)
    unit_id = f"{kind.unit_field}_id"
    shown = set(columns(kind))

    visible = kind.visible(user)
    matters = visible.filter(led_by(kind, ids))
    counts = matters.filter(state__in=kind.open_states).order_by().values(unit_id)
    if "passed_on" in shown and spec.passed_on_field:
        counts = counts.annotate(in_hand=Count("*"), passed_on=Count("pk", filter=Q(**{f"{spec.passed_on_field}__gte": PASSED_ON_FLAG})))
    else:
        counts = counts.annotate(in_hand=Count("*"))
    for row in counts:
        for figure in owners.get(row[unit_id], ()):
            figure.in_hand += row["in_hand"]
            figure.passed_on += row.get("passed_on", 0)
    if "idle" in shown and spec.idle_states:
        # A query of its own, with the condition in WHERE: there PostgreSQL plans its NOT EXISTS as an anti-join;
        # inside COUNT(…) FILTER it is a subplan per row whose estimate (not its cost) sets off the JIT compiler,
        # 0.7 s at 100k tasks.
        for row in matters.filter(idle_condition(kind, idle_days, today)).order_by().values(unit_id).annotate(n=Count("*")):
            for figure in owners.get(row[unit_id], ()):
                figure.idle += row["n"]

    # An event is seen with its matter; whoever sees every matter sees every event.
    def seen(rows: QuerySet) -> QuerySet:
        return rows if unit_scope(user).everything else rows.filter(matter_id__in=visible.values("pk"))

    # The events themselves, counted here: with GROUP BY in the query SQLite walked every event of the kind in
    # matter order (~40 ms at 100k events) instead of reading the few of that name from the (kind, event) index.
    if "returns" in shown and spec.returned_event:
        returns = seen(obstruction.returns(kind, ids)).order_by().values_list("matter_id", "unit_id")
        _add_requests(returns, owners, "returns", "returned_matters")
    if "reassigns" in shown and spec.passed_on_event:
        passings = seen(obstruction.passings(kind, ids)).order_by().values_list("matter_id", "unit_id")
        _add_requests(passings, owners, "reassigns", "reassigned_matters")

    if "dwell" in shown:
        for owner, days in _dwell(kind, matters, today).items():
            for figure in owners.get(owner, ()):
                figure.dwell.extend(days)
    return figures


def _add_requests(rows, owners, times_field: str, matters_field: str) -> None:
    """Add (matter, unit) rows, one per event, to the figures: the times, and the distinct matters of each figure
    (one matter may have been sent back to two of a row's sub-units)."""
    matters: dict[int, tuple[UnitFigures, set[int]]] = {}
    for (matter_id, owner), times in collections.Counter(rows).items():
        for figure in owners.get(owner, ()):
            setattr(figure, times_field, getattr(figure, times_field) + times)
            matters.setdefault(id(figure), (figure, set()))[1].add(matter_id)
    for figure, tasks in matters.values():
        setattr(figure, matters_field, len(tasks))


def _dwell(kind: MatterKind, matters: QuerySet, today: dt.date) -> dict[int, list[int]]:
    """owner unit → the dwell in working days of each of its matters in hand or closed this year: two queries.

    At 100k tasks (57k open, 33k closed this year) this is the county table's main cost: loading the 90k
    rows (from the ledger's task_unit_analytics_idx, ~0.3 s on SQLite); the working days after it take ~0.1 s
    (counted once per distinct date, not per matter)."""
    spec = kind.obstruction
    arrived = obstruction.events(kind, spec.arrival_events).filter(matter_id=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    closed = sorted(set(kind.finished_states) - set(kind.excluded_states))
    # Taken on, the clock runs from then (办理时限自签收之日起算); not yet, from the arrival. COALESCE stops at
    # its first value, so the timeline is read only for the few matters not taken on.
    began = Coalesce(*([spec.started_field] if spec.started_field else []), Subquery(arrived), "created_at")
    ended = Coalesce("completed_on", "closed_on")
    connection = connections[matters.db]
    in_database = connection.vendor == "postgresql"
    if in_database:  # the local date of the start: PostgreSQL takes it itself (its driver loads dates faster than timestamps)
        dates = {"began": TruncDate(began), "ended": ended}
    else:  # SQLite: the stored text, made a local date below once per distinct value (Django's converters parse every row's)
        dates = {"began": ExpressionWrapper(began, output_field=CharField()), "ended": ExpressionWrapper(ended, output_field=CharField())}

    def part(rows: QuerySet) -> QuerySet:
        return rows.order_by().annotate(**dates).values_list("pk", f"{kind.unit_field}_id", "began", "ended")

    # The matters in hand and those closed this year as two ranges of the owner-and-state index, in one query: an
    # OR of the two made SQLite gather the row ids of each and read ~90k wide rows.
    rows = list(part(matters.filter(state__in=kind.open_states))
                .union(part(matters.filter(state__in=closed, closed_on__gte=dt.date(today.year, 1, 1))), all=True))
    zone = timezone.get_current_timezone()
    if not in_database:
        moment, day = _stored_moment(connection), functools.cache(dt.date.fromisoformat)
        start_day = functools.cache(lambda text: moment(text).astimezone(zone).date())
        rows = [(pk, owner, start_day(start), day(end) if end is not None else today) for pk, owner, start, end in rows]
    else:
        rows = [(pk, owner, start, end or today) for pk, owner, start, end in rows]
    # Every pause event of the kind, found by (kind, event) — a few, where the matters counted are tens of
    # thousands — and matched to them here by id: filtered by them in the database, the planner drove from the
    # matters and probed each one's timeline (~0.6 s at 100k tasks; issue 14). Those of matters not counted
    # are never looked up.
    pauses: dict[int, list[tuple[bool, dt.date]]] = {}
    starts_pause = frozenset(spec.pause_start_events)
    events = obstruction.events(kind, (*spec.pause_start_events, *spec.pause_end_events)).order_by()
    for matter_id, at, _id, event in sorted(events.values_list("matter_id", "at", "id", "event")):
        pauses.setdefault(matter_id, []).append((event in starts_pause, at.astimezone(zone).date()))
    count = _workday_counter(min((start for _pk, _unit, start, _end in rows), default=today))
    result: dict[int, list[int]] = {}
    for pk, owner, start, end in rows:
        days = count(start, end)
        if pk in pauses:
            days = max(days - _paused(pauses[pk], start, end, count), 0)
        result.setdefault(owner, []).append(days)
    return result


def _stored_moment(connection):
    """text → aware datetime, as Django's SQLite backend reads a DateTimeField (naive text is in the connection's
    zone)."""
    stored_zone = connection.timezone

    def moment(text: str) -> dt.datetime:
        value = parse_datetime(text)
        return value if timezone.is_aware(value) else timezone.make_aware(value, stored_zone)

    return moment


def _paused(events, start: dt.date, end: dt.date, count) -> int:
    """Working days between `start` and `end` during which the clock stood still (挂起 or 暂停)."""
    total, since = 0, None
    for starts, day in events:
        if starts and since is None:
            since = day
        elif not starts and since is not None:
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

@dataclass
class UnitLists:
    idle: list[dict]
    passed_on: list[dict]
    returned: list[dict]


def _list_rows(kind: MatterKind, queryset: QuerySet, *extra: str) -> list[dict]:
    """The rows of a unit's lists, named alike for every kind: code, title, url, unit, due date, light, state."""
    code, title, unit = kind.code_field, kind.title_field, kind.unit_field
    spec = kind.obstruction
    counters = [c for c in (spec.passed_on_field, "return_count", "standing") if c and _has_field(kind.model, c)]
    fields = ["id", code, title, "state", "light", "light_reason", "start_date", "due_date", f"{unit}__name", f"{unit}__short_name", *counters, *extra]
    marker = "__MATTER_CODE__"
    pattern = kind.url(marker)
    states = dict(kind.machine.states.choices) if kind.machine is not None else {}
    rows = []
    for values in queryset.values(*fields):
        row = {**values, "code": values[code], "title": values[title], "url": pattern.replace(marker, values[code]),
               "unit_name": values[f"{unit}__short_name"] or values[f"{unit}__name"] or "",
               "state_label": states.get(values["state"], values["state"]),
               "passed": values.get(spec.passed_on_field, 0) if spec.passed_on_field else 0,
               "returns": values.get("return_count", 0)}
        rows.append(row)
    return rows


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def unit_lists(user, units: list[int], *, kind: MatterKind, idle_days: int, today: dt.date, limit: int = LIST_LIMIT) -> UnitLists:
    """Of the `units` (a unit's sub-tree, as ids): their idle matters (longest idle first, with their idle
    working days), their matters passed on twice or more, and the matters whose completions they had sent
    back. Three queries."""
    spec = kind.obstruction
    visible = kind.visible(user)
    idle: list[dict] = []
    if spec.idle_states:
        created = TruncDate("created_at")
        # The day the idle count runs from (see matters.obstruction.idle_condition): every term is a date, none NULL.
        since = Greatest(Coalesce("last_report_on", created), Coalesce(TruncDate("last_restart_at"), created))
        idle = _list_rows(kind, visible.filter(led_by(kind, units)).filter(idle_condition(kind, idle_days, today)).annotate(since=since)
                          .order_by("since", "due_sort", "id")[:limit], "since")
        for row in idle:
            row["idle_days"] = calendar.workdays_between(_date(row["since"]), today)
    passed_on: list[dict] = []
    if spec.passed_on_field:
        passed_on = _list_rows(kind, visible.filter(led_by(kind, units), state__in=kind.open_states,
                                                    **{f"{spec.passed_on_field}__gte": PASSED_ON_FLAG})
                               .order_by(f"-{spec.passed_on_field}", "due_sort", "id")[:limit])
    returned: list[dict] = []
    if spec.returned_event:
        order = ["-return_count"] if _has_field(kind.model, "return_count") else []
        returned = _list_rows(kind, visible.filter(pk__in=obstruction.returns(kind, units).values("matter_id"))
                              .order_by(*order, "due_sort", "id")[:limit])
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


def trend(user, units: list[int], today: dt.date, *, kind: MatterKind, months: int = TREND_MONTHS) -> list[TrendMonth]:
    """Per month, the last `months` months to this one, of the `units` (a unit's sub-tree, as ids): matters
    closed (销账), completions sent back (退回), requests to pass them on (申请调整). Three GROUP BY queries."""
    spec = kind.obstruction
    first = _month_start(today, months - 1)
    buckets = {}
    cursor = first
    for _ in range(months):
        buckets[(cursor.year, cursor.month)] = TrendMonth(cursor)
        cursor = _month_start(cursor, -1)
    visible = kind.visible(user)
    since = _midnight(first)
    closed_states = sorted(set(kind.finished_states) - set(kind.excluded_states))
    closed = (
        visible.filter(led_by(kind, units), state__in=closed_states, closed_on__gte=first).order_by()
        .annotate(m=TruncMonth("closed_on")).values("m").annotate(n=Count("*")).values_list("m", "n")
    )

    def per_month(events: QuerySet):
        return (events.filter(matter_id__in=visible.values("pk"), at__gte=since).order_by()
                .annotate(m=TruncMonth("at")).values("m").annotate(n=Count("*")).values_list("m", "n"))

    series = [("closed", closed)]
    if spec.returned_event:
        series.append(("returns", per_month(obstruction.returns(kind, units))))
    if spec.passed_on_event:
        series.append(("reassigns", per_month(obstruction.passings(kind, units))))
    for name, rows in series:
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

