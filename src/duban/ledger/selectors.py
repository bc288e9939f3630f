"""Reads of the ledger pages, all through `Task.objects.visible_to(user)`, each a fixed number of queries."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db import connections
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from duban.core.models import Attachment, Unit
from duban.ledger import services
from duban.ledger.choices import RequestState
from duban.ledger.filters import DEFAULT_SORT, SORTS, TaskFilter, keyset_for
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import CompletionRequest, ExtensionRequest, ProgressReport, ReassignRequest, Task
from duban.matters import registry
from duban.matters.clock import shown_reason
from duban.matters.counts import light_counts
from duban.matters.cycles import ReportCycle

# What a list row shows: the task and the four names next to it (front, leader, lead unit, responsible person),
# in the same query, and only the columns the row shows (a task has ~45 columns; building 50 full instances
# costs more than finding them), as values: ledger.tables writes the rows from these keys.
LIST_COLUMNS = (
    "id", "code", "title", "state", "start_date", "due_date", "standing", "progress", "light", "light_reason", "responsible_name",
    "front__name", "leader_in_charge__full_name", "lead_unit__name", "lead_unit__short_name",
    "responsible_person__full_name",
)
# Their query, built once (joins and all; never evaluated itself): each page filters a copy of it by ids.
_LIST_ROWS = Task.objects.order_by().values(*LIST_COLUMNS)


def visible_tasks(user) -> QuerySet:
    return Task.objects.visible_to(user)


@dataclass
class Listing:
    """The ledger list as the user asked for it: the filter form, the rows' queryset and counts by light."""

    filterset: TaskFilter
    rows: QuerySet
    sort: str
    light_counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.light_counts.values())


def listing(user, params) -> Listing:
    """Filter the user's tasks by `params` (a QueryDict); the light counts ignore the light filter itself.

    The form is validated once and its filters applied once: every filter but the light gives the list the
    counts are taken from, the light filter on top of that gives the rows (what `filterset.qs` would give,
    without applying every filter a second time)."""
    base = visible_tasks(user)
    filterset = TaskFilter(params, queryset=base)
    unlit = rows = base.all()
    if filterset.is_bound:
        _ = filterset.errors  # validates the form; the filters of the fields that are valid apply, as in `qs`
        chosen = filterset.form.cleaned_data
        for name, value in chosen.items():
            if name != "light":
                unlit = filterset.filters[name].filter(unlit, value)
        rows = filterset.filters["light"].filter(unlit, chosen["light"]) if "light" in chosen else unlit
    sort = params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT
    return Listing(filterset, rows, sort, light_counts(unlit))


def page_of(listing: Listing, cursor: str | None, size: int):
    """One keyset page of the listing, in two steps: the page's ids from the narrow (state, due_sort, id)
    index alone, then those rows with their names. Sorting wide rows to find 50 of them costs ~100× more
    (226 ms against 2 ms for all open tasks of 100k on SQLite).

    Both steps read plain values, not model instances (the rows are dicts keyed by LIST_COLUMNS): building
    50 tasks with four related objects each, deferred fields and all, cost more than both queries. (One query
    with the ids as a subquery is no cheaper: Django takes longer to compile it than SQLite to run either.)"""
    keyset = keyset_for(listing.sort)
    columns = dict.fromkeys([*(field.lstrip("-") for field in keyset.fields), "id"])
    page = keyset.page(listing.rows.values_list(*columns, named=True), cursor=cursor, size=size)
    ids = [row.id for row in page.rows]
    full = {row["id"]: row for row in _LIST_ROWS.filter(pk__in=ids)}
    page.rows = [full[pk] for pk in ids if pk in full]
    return page


# --- the task page ---------------------------------------------------------------------------------


def task_for(user, code: str, *, related: bool = True) -> Task:
    """The task with `code` if the user may see it, else 404 (never a hint that it exists)."""
    queryset = visible_tasks(user)
    if related:
        queryset = queryset.select_related(
            "campaign", "front", "parent", "assigning_leader", "leader_in_charge", "lead_unit", "responsible_person",
        ).prefetch_related(Prefetch("cooperating_units", queryset=Unit.objects.order_by("sort_key")))
    # Unordered (the code is unique): ordered, Django hashes each of the ~250 selected columns of the task and
    # its seven joined rows to compile the ORDER BY, a millisecond of the task page's CPU.
    task = next(iter(queryset.filter(code=code).order_by()[:1]), None)
    if task is None:
        raise Http404(gettext("没有找到该任务，或它不在您的职责范围内。"))
    return task


def cycle_label(code: str) -> str:
    if not code:
        return ""
    try:
        return ReportCycle.parse(code).label
    except ValueError:
        return code


# What the sub-task table shows (start_date too: a 欠进度 dot's title puts in the elapsed share, and a deferred
# column would cost a query a row). Found and ordered by the (parent, code) index (ledger.Task.Meta.indexes):
# tests/ledger/test_query_plans.py checks the plan on both databases.
CHILD_COLUMNS = ("id", "code", "start_date", "due_date", "progress", "light", "light_reason", "state", "lead_unit_id")
# What a report shows; as values, with its unit's and author's names (30 instances and 60 related ones cost
# more than the template that shows them).
REPORT_COLUMNS = ("id", "reported_on", "percent", "text", "problems", "next_steps")
REPORT_NAMES = {"unit_name": F("unit__name"), "author_name": F("author__full_name")}
EVENT_COLUMNS = ("id", "event", "at", "person_name", "text")
PLACEHOLDER, URL_SAFE = "__code__", "!$&'()*+,;=~:@"  # quoted as django.urls.reverse quotes a path argument


@dataclass
class TaskPage:
    """Everything the task page shows besides the task row itself."""

    children: list
    events: list
    reports: list
    completion_requests: list
    extension_requests: list
    reassign_requests: list
    actions: list[str]
    may_decide_extension: bool
    may_decide_reassignment: bool
    cycle_label: str
    missing_clarities: list[str]

    @property
    def pending_extension(self):
        return next((r for r in self.extension_requests if r.state == RequestState.PENDING), None)

    @property
    def pending_reassignment(self):
        return next((r for r in self.reassign_requests if r.state == RequestState.PENDING), None)

    @property
    def decided_requests(self) -> bool:
        return any(r.state != RequestState.PENDING for r in [*self.extension_requests, *self.reassign_requests])

    @property
    def pending_completion(self):
        return next((r for r in self.completion_requests if r.state == RequestState.PENDING), None)


def task_page(task: Task, user) -> TaskPage:
    """Sub-tasks the user may see, the timeline (newest first), reports and requests with their files."""
    # The units' names in a query of their own: joined, PostgreSQL may hash-join the small unit table and sort
    # the sub-tasks again, where the index already gives them in order.
    today = timezone.localdate()
    children = list(visible_tasks(user).filter(parent=task).order_by("code").values(*CHILD_COLUMNS))
    link = reverse("ledger:task_detail", args=[PLACEHOLDER])  # once, not once a row
    names = dict(Unit.objects.filter(pk__in={c["lead_unit_id"] for c in children}).values_list("id", "name")) if children else {}
    for child in children:
        child["lead_unit_name"] = names.get(child["lead_unit_id"], "")
        child["reason"] = shown_reason(child, today)
        child["url"] = link.replace(PLACEHOLDER, quote(child["code"], safe=URL_SAFE))
    kind = registry.for_model(Task)
    events = list(task.events.order_by("-at", "-id").values(*EVENT_COLUMNS))
    for event in events:
        event["label"] = kind.event_label(event["event"])
    reports = list(ProgressReport.objects.filter(task=task).order_by("-created_at", "-id").values(*REPORT_COLUMNS, **REPORT_NAMES))
    completions = list(_named(CompletionRequest.objects.filter(task=task), "requested_by__full_name", "decided_by__full_name"))
    extensions = list(_named(ExtensionRequest.objects.filter(task=task), "requested_by__full_name", "decided_by__full_name"))
    reassigns = list(_named(ReassignRequest.objects.filter(task=task), "unit__name", "suggested_unit__name", "new_unit__name",
                            "requested_by__full_name", "decided_by__full_name"))
    _attach_files(completions, reports=reports)
    return TaskPage(
        children=children, events=events, reports=reports, completion_requests=completions,
        extension_requests=extensions, reassign_requests=reassigns,
        actions=services.available_actions(task, user),
        may_decide_extension=TASK_MACHINE.transitions["decide_extension"].permits(task, user),
        may_decide_reassignment=TASK_MACHINE.transitions["decide_reassignment"].permits(task, user),
        cycle_label=cycle_label(task.report_cycle),
        missing_clarities=task.missing_clarities(),
    )


def _named(requests: QuerySet, *names: str) -> QuerySet:
    """`requests` with their people and units joined for the one name the page shows of each
    ("requested_by__full_name"): joined whole, they are a hundred columns for Django to compile, the query's
    main cost (ordering hashes every selected column)."""
    own = [f.attname for f in requests.model._meta.concrete_fields]
    return requests.select_related(*{name.split("__")[0] for name in names}).only(*own, *names)


def _attach_files(*groups, reports: list[dict] = ()) -> None:
    """Set the files of every report (values rows: `["files"]`) and request (instances: `.files`): one query
    for all their attachments."""
    owners = {}
    for row in reports:
        row["files"] = []
        owners[(ProgressReport._meta.label, str(row["id"]))] = row["files"]
    for group in groups:
        for obj in group:
            obj.files = []
            owners[(obj._meta.label, str(obj.pk))] = obj.files
    if not owners:
        return
    condition = Q(pk__in=[])
    for label in {key[0] for key in owners}:
        condition |= Q(owner_type=label, owner_id__in=[key[1] for key in owners if key[0] == label])
    for attachment in Attachment.objects.filter(condition).order_by("uploaded_at", "id"):
        files = owners.get((attachment.owner_type, attachment.owner_id))
        if files is not None:
            files.append(attachment)


def last_report(task: Task) -> ProgressReport | None:
    """The latest report on the task: a new report starts from it (为基层减负)."""
    return ProgressReport.objects.filter(task=task).order_by("-created_at", "-id").first()


# --- the list's filter form ------------------------------------------------------------------------

# The selects of the filter form: their columns and how an option reads (the values only, no instances).
FILTER_OPTIONS = {
    "campaign": (("id", "name"), lambda pk, name: (pk, name)),
    "front": (("id", "campaign__year", "name"), lambda pk, year, name: (pk, f"{year} · {name}")),
    "unit": (("id", "name", "depth"), lambda pk, name, depth: (pk, "\u3000" * depth + name)),
    "leader": (("id", "full_name", "username"), lambda pk, full_name, username: (pk, full_name or username)),
}


def filter_options(using: str = "default") -> dict[str, list[tuple]]:
    """(value, label) of each select of the filter form, read fresh on every request (an admin's change to
    the units shows on the next page), one query per select, from the FilterSet's own querysets: the options
    are what the form accepts."""
    connection = connections[using]
    with connection.cursor() as cursor:
        options = {}
        for name, (sql, params) in _option_queries(using, connection.vendor).items():
            cursor.execute(sql, params)
            label = FILTER_OPTIONS[name][1]
            options[name] = [label(*row) for row in cursor.fetchall()]
    return options


@functools.cache
def _option_queries(using: str, vendor: str) -> dict[str, tuple[str, tuple]]:
    """The SQL of the four option queries, compiled once per process: the querysets are constants (the
    FilterSet's class attributes), and Django takes five times longer to build and compile them than the
    database takes to answer them (0.5 against 0.1 ms a page)."""
    return {
        name: TaskFilter.base_filters[name].queryset.values_list(*columns).query.get_compiler(using=using).as_sql()
        for name, (columns, _label) in FILTER_OPTIONS.items()
    }
