"""Reads of the ledger pages, all through `Task.objects.visible_to(user)`, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from duban.core.models import Attachment, Unit
from duban.ledger import policies, services
from duban.ledger.choices import RequestState
from duban.ledger.filters import DEFAULT_SORT, SORTS, TaskFilter, keyset_for
from duban.ledger.models import CompletionRequest, ExtensionRequest, ProgressReport, ReassignRequest, Task, TaskEvent
from duban.matters.choices import Light
from duban.matters.cycles import ReportCycle

# What a list row shows: the task and the four names next to it, in the same query, and only the columns
# the row shows (a task has ~45 columns; building 50 full instances costs more than finding them).
LIST_RELATED = ("front", "leader_in_charge", "lead_unit", "responsible_person")
LIST_COLUMNS = (
    "id", "code", "title", "state", "due_date", "standing", "progress", "light", "light_reason", "responsible_name",
    "front__name", "leader_in_charge__full_name", "lead_unit__name", "lead_unit__short_name",
    "responsible_person__full_name",
)


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
    """Filter the user's tasks by `params` (a QueryDict); the light counts ignore the light filter itself."""
    base = visible_tasks(user)
    filterset = TaskFilter(params, queryset=base)
    rows = filterset.qs
    sort = params.get("sort") if params.get("sort") in SORTS else DEFAULT_SORT
    # The same filters minus the light, applied from the one validated form (no second validation).
    unlit = base
    if filterset.is_bound and filterset.form.is_valid():
        for name, value in filterset.form.cleaned_data.items():
            if name != "light":
                unlit = filterset.filters[name].filter(unlit, value)
    return Listing(filterset, rows, sort, light_counts(unlit))


def page_of(listing: Listing, cursor: str | None, size: int):
    """One keyset page of the listing, in two steps: the page's ids from the narrow (state, due_sort, id)
    index alone, then those rows with their names. Sorting wide rows to find 50 of them costs ~100× more
    (226 ms against 2 ms for all open tasks of 100k on SQLite)."""
    keyset = keyset_for(listing.sort)
    columns = {field.lstrip("-") for field in keyset.fields} | {"id"}
    page = keyset.page(listing.rows.only(*columns), cursor=cursor, size=size)
    ids = [row.pk for row in page.rows]
    full = Task.objects.select_related(*LIST_RELATED).only(*LIST_COLUMNS).in_bulk(ids)
    page.rows = [full[pk] for pk in ids if pk in full]
    return page


def light_counts(queryset: QuerySet) -> dict[str, int]:
    """Tasks per light in one GROUP BY query, every light present (0 when none)."""
    counts = dict.fromkeys(Light.values, 0)
    for row in queryset.order_by().values("light").annotate(n=Count("id")):
        counts[row["light"]] = row["n"]
    return counts


# --- the task page ---------------------------------------------------------------------------------


def task_for(user, code: str, *, related: bool = True) -> Task:
    """The task with `code` if the user may see it, else 404 (never a hint that it exists)."""
    queryset = visible_tasks(user)
    if related:
        queryset = queryset.select_related(
            "campaign", "front", "parent", "assigning_leader", "leader_in_charge", "lead_unit", "responsible_person",
        ).prefetch_related(Prefetch("cooperating_units", queryset=Unit.objects.order_by("sort_key")))
    task = queryset.filter(code=code).first()
    if task is None:
        raise Http404("没有找到该任务，或它不在您的职责范围内。")
    return task


def cycle_label(code: str) -> str:
    if not code:
        return ""
    try:
        return ReportCycle.parse(code).label
    except ValueError:
        return code


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
    children = list(
        visible_tasks(user).filter(parent=task).select_related("lead_unit", "responsible_person").order_by("code")
    )
    events = list(TaskEvent.objects.filter(task=task).order_by("-at", "-id"))
    reports = list(ProgressReport.objects.filter(task=task).select_related("unit", "author").order_by("-created_at", "-id"))
    completions = list(CompletionRequest.objects.filter(task=task).select_related("requested_by", "decided_by"))
    extensions = list(ExtensionRequest.objects.filter(task=task).select_related("requested_by", "decided_by"))
    reassigns = list(
        ReassignRequest.objects.filter(task=task).select_related("unit", "suggested_unit", "new_unit", "requested_by", "decided_by")
    )
    _attach_files(reports, completions)
    return TaskPage(
        children=children, events=events, reports=reports, completion_requests=completions,
        extension_requests=extensions, reassign_requests=reassigns,
        actions=services.available_actions(task, user),
        may_decide_extension=policies.decides_extension(task, user),
        may_decide_reassignment=policies.is_office(user),
        cycle_label=cycle_label(task.report_cycle),
        missing_clarities=task.missing_clarities(),
    )


def _attach_files(*groups) -> None:
    """Set `.files` on every report and request: one query for all their attachments."""
    owners = {}
    for group in groups:
        for obj in group:
            obj.files = []
            owners[(obj._meta.label, str(obj.pk))] = obj
    if not owners:
        return
    condition = Q(pk__in=[])
    for label in {key[0] for key in owners}:
        condition |= Q(owner_type=label, owner_id__in=[key[1] for key in owners if key[0] == label])
    for attachment in Attachment.objects.filter(condition).order_by("uploaded_at", "id"):
        owner = owners.get((attachment.owner_type, attachment.owner_id))
        if owner is not None:
            owner.files.append(attachment)


def last_report(task: Task) -> ProgressReport | None:
    """The latest report on the task: a new report starts from it (为基层减负)."""
    return ProgressReport.objects.filter(task=task).order_by("-created_at", "-id").first()
