"""The project list, "my projects" and the project page (issue 9): every read through the selectors (scoped),
the list through the one ProjectFilter, its rows written by projects.tables."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core.choices import BUSINESS_ROLES
from duban.core.paging import BadCursor
from duban.core.permissions import role_required
from duban.matters import clock
from duban.matters.choices import LIGHT_SEVERITY, Light
from duban.matters.counts import light_counts
from duban.matters.models import MatterEvent
from duban.projects import selectors, tables
from duban.projects.choices import PIPELINE, STAGE_DATE_FIELD, STAGE_ORDER, ProblemRoute, ProcedureState, Stage
from duban.projects.filters import KEYSET, LINK_ONLY
from duban.projects.models import InvestmentReport, ProjectProblem
from duban.projects.views.actions import project_actions

PAGE_SIZE = 50
# Every business role may open the project pages (each sees exactly its projects: Project.objects.visible_to);
# the three admins have no business data.
projects_page = role_required(*sorted(BUSINESS_ROLES))


def _page(rows, cursor):
    """A keyset page of list rows (only the columns a row shows), and the cursor's error if it was bad."""
    rows = rows.select_related(*tables.LIST_RELATED).only(*tables.LIST_COLUMNS)
    try:
        return KEYSET.page(rows, cursor=cursor or None, size=PAGE_SIZE), ""
    except BadCursor as exc:
        return KEYSET.page(rows, cursor=None, size=PAGE_SIZE), str(exc)


@projects_page
def project_list(request):
    """重点项目台账: the projects the user sees through the one ProjectFilter, keyset-paged, counted by light;
    a fixed number of queries whatever the rows."""
    query = request.GET
    filterset = selectors.project_filter(request, query)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    counts = light_counts(rows)
    page, cursor_error = _page(rows, query.get("cursor"))
    form = filterset.form
    chosen = set(query.getlist("light"))
    lights = [{"value": v, "label": label, "count": counts.get(v, 0), "active": v in chosen, "href": _with_light(query, v)}
              for v, label in Light.choices]
    context = {
        "page": page, "rows": tables.project_rows(page.rows), "form": form, "lights": lights, "total": sum(counts.values()),
        "controls": tables.filter_controls(form, query),
        # The pages' numbers link with these: kept as hidden fields, shown as what is in force.
        "kept": [(form.fields[name].label, name, value) for name in LINK_ONLY for value in query.getlist(name) if value],
        "cursor_error": cursor_error,
        "query": _query_without_cursor(query),
    }
    return render(request, "projects/project_list.html", context)


def _query_without_cursor(query) -> str:
    params = query.copy()
    params.pop("cursor", None)
    return params.urlencode()


def _with_light(query, light: str) -> str:
    """The list with the same filters and only `light`, from its first page (what a light's count links to)."""
    params = query.copy()
    params.pop("cursor", None)
    params.setlist("light", [light])
    return f"{reverse('projects:project_list')}?{params.urlencode()}"


def _worst_first():
    """Red first, then yellow, green, grey; the biggest project first within a light."""
    return Case(*(When(light=light, then=Value(-n)) for light, n in LIGHT_SEVERITY.items()), default=Value(0), output_field=IntegerField())


@projects_page
def my_projects(request):
    """我包抓的项目: the projects the user follows as leader in charge (包抓领导), red first, each naming its worst
    late procedure and the unit holding it."""
    filterset = selectors.project_filter(request, request.GET)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = (rows.filter(leader_in_charge=request.user).select_related(*tables.LIST_RELATED).only(*tables.LIST_COLUMNS)
            .annotate(worst=_worst_first()).order_by("worst", "-total_investment", "id"))
    projects = list(rows)
    counts = dict.fromkeys(Light.values, 0)
    for p in projects:
        counts[p.light] = counts.get(p.light, 0) + 1
    mine = QueryDict(mutable=True)
    mine["leader"] = str(request.user.pk)
    lights = [{"value": v, "label": label, "count": counts[v], "href": _with_light(mine, v)} for v, label in Light.choices]
    context = {"projects": projects, "rows": tables.my_rows(projects), "lights": lights, "total": len(projects)}
    return render(request, "projects/my_projects.html", context)


# --- the project page --------------------------------------------------------------------------------------


@dataclass
class StageStep:
    stage: str
    label: str
    on: object  # the date of the move into it, or None
    status: str  # "done", "skipped" (passed without a move into it: 线索 → 签约 at the fair), "current", "todo"


def stage_steps(project) -> list[StageStep]:
    """The stage bar, lead → production, each stage with the date the project moved into it."""
    current = STAGE_ORDER.get(project.state)
    steps = []
    for stage in PIPELINE:
        on = getattr(project, STAGE_DATE_FIELD[stage])
        order = STAGE_ORDER[stage]
        if current is None:  # stopped: the stages it reached are done
            status = "done" if on else "todo"
        else:
            status = ("done" if on else "skipped") if order < current else "current" if order == current else "todo"
        steps.append(StageStep(stage, Stage(stage).label, on, status))
    return steps


@dataclass
class ProcedureRow:
    procedure: object
    unit: str
    reason: str
    late: bool
    url: str


def procedure_rows(project, today) -> list[ProcedureRow]:
    rows = []
    for p in project.procedures.select_related("lead_unit").order_by("sort", "id"):
        unit = (p.lead_unit.short_name or p.lead_unit.name) if p.lead_unit_id else ""
        late = p.light == Light.RED and p.state in (ProcedureState.PENDING, ProcedureState.IN_PROGRESS)
        rows.append(ProcedureRow(p, unit, clock.shown_reason(p, today), late, reverse("projects:procedure_detail", args=[p.code])))
    return rows


@dataclass
class Month:
    month: int
    report: InvestmentReport | None
    url: str
    reason: str
    figures: dict  # planned, completed, year_to_date, cumulative as shown (万元), "—" when not known


FIGURES = ("planned", "completed", "year_to_date", "cumulative")


# The chart's frame (SVG user units): a bar pair per month under a plot PLOT high.
CHART = {"width": 640, "height": 220, "left": 48, "top": 12, "plot": 170, "slot": 48, "bar": 18}


def months_of(project, today) -> list[Month]:
    reports = {r.month: r for r in InvestmentReport.objects.filter(project=project, year=project.plan_year)}
    months = []
    for month in range(1, 13):
        report = reports.get(month)
        url = reverse("projects:report_detail", args=[report.code]) if report else ""
        figures = {name: tables.amount(getattr(report, name) if report else None) for name in FIGURES}
        months.append(Month(month, report, url, clock.shown_reason(report, today) if report else "", figures))
    return months


def chart(months: list[Month]) -> dict:
    """Planned against completed investment per month of the plan year, as SVG bars (presentation attributes
    only: the CSP forbids style=). Heights are to the largest monthly figure; each bar says its amount."""
    c = CHART
    figures = [(m.month, (m.report.planned if m.report else None), (m.report.completed if m.report else None)) for m in months]
    top = max([v for _m, planned, done in figures for v in (planned, done) if v is not None] or [Decimal(0)])
    scale = c["plot"] / float(top) if top else 0
    base = c["top"] + c["plot"]
    bars, labels = [], []
    for month, planned, done in figures:
        x = c["left"] + (month - 1) * c["slot"] + 4
        for n, (kind, value, fill) in enumerate((("planned", planned, "#90caf9"), ("completed", done, "#1565c0"))):
            if value is None:
                continue
            height = round(float(value) * scale, 1)
            bars.append({"kind": kind, "month": month, "x": x + n * (c["bar"] + 2), "y": round(base - height, 1), "width": c["bar"],
                         "height": height, "fill": fill, "value": tables.amount(value)})
        labels.append({"x": x + c["bar"] + 1, "text": _("%(month)s月") % {"month": month}})
    return {**c, "bars": bars, "labels": labels, "base": base, "right": c["left"] + 12 * c["slot"], "top_value": tables.amount(top),
            "label_y": base + 16, "axis_x": c["left"] - 4, "top_y": c["top"] + 4, "empty": not bars}


@dataclass
class Problem:
    problem: ProjectProblem
    code: str
    light: str
    reason: str
    url: str
    route: str  # 转企业诉求 / 转重点工作任务


def problems_of(project, today) -> list[Problem]:
    routes = dict(ProblemRoute.choices)
    out = []
    for problem in ProjectProblem.objects.filter(project=project).select_related("appeal", "task"):
        matter, url = problem.matter, ""
        if problem.appeal_id:
            url = reverse("appeals:appeal_detail", args=[problem.appeal.code])
        elif problem.task_id:
            url = reverse("ledger:task_detail", args=[problem.task.code])
        out.append(Problem(problem, matter.code if matter else "", matter.light if matter else "",
                           clock.shown_reason(matter, today) if matter else "", url, routes.get(problem.route, "")))
    return out


def timeline(project) -> list[MatterEvent]:
    return list(MatterEvent.objects.of(project).order_by("-at", "-id"))


@projects_page
def project_detail(request, code):
    """The project page: its facts and the stage bar with dates, its procedures with their lights (a late one
    naming the unit holding it), the investment month by month (chart and table), its problems with their
    matters' lights, its timeline, and the moves the reader may take."""
    project = selectors.visible_project(request.user, code)
    if project is None:
        raise Http404(_("没有这个项目，或您无权查看。"))
    today = timezone.localdate()
    months = months_of(project, today)
    procedures = procedure_rows(project, today)
    actions = [{"name": page.name, "label": page.title, "url": reverse("projects:project_action", args=[project.code, page.slug])}
               for page in project_actions(project, request.user)]
    context = {
        "project": project, "reason": clock.shown_reason(project, today), "steps": stage_steps(project),
        "procedures": procedures, "late": [row for row in procedures if row.late], "months": months, "chart": chart(months),
        "problems": problems_of(project, today), "events": timeline(project), "actions": actions,
        "amounts": {"total": tables.amount(project.total_investment), "plan": tables.amount(project.annual_plan),
                    "year": tables.amount(project.year_completed), "cumulative": tables.amount(project.cumulative),
                    "rate": tables.percent(project.year_completed, project.annual_plan)},
        "unit": (project.lead_unit.short_name or project.lead_unit.name) if project.lead_unit_id else "",
    }
    return render(request, "projects/project_detail.html", context)
