""""My work" from the project ledger, one source (a count and a page: two queries) per kind of work:

a unit's liaison or head: the procedures it handles in progress within three working days of their limit or
past it, and its projects' monthly reports due · the project office: how many projects are red, one line
linking to the list of them (the office works the list, not the home page).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from duban.core import calendar
from duban.core.choices import Role
from duban.core.scope import acting_units
from duban.core.work import LATER, OVERDUE, TODAY, Source, WorkItem, from_queryset
from duban.matters.choices import Light
from duban.projects.choices import OPEN_STAGES, ProcedureState, ReportState
from duban.projects.kind import project_list
from duban.projects.models import InvestmentReport, Procedure, Project
from duban.projects.policies import is_project_office

HORIZON_WORKDAYS = 3
COLUMNS = ("id", "code", "title", "due_date")


def _urgency(due: dt.date | None, today: dt.date) -> int:
    return OVERDUE if due and due < today else TODAY if due and due <= today else LATER


def projects_work(user, today: dt.date) -> list[Source]:
    sources: list[Source] = []
    if user.roles & {Role.LIAISON, Role.UNIT_HEAD} and user.unit_id:
        units = sorted(acting_units(user))
        sources += [_procedures(units, today), _reports(units, today)]
    if is_project_office(user):
        sources.append(_red_projects())
    return sources


def _procedures(units: list[int], today: dt.date) -> Source:
    """项目手续: in progress, due within three working days or late, the latest limit first."""
    horizon = calendar.add_workdays(today, HORIZON_WORKDAYS)
    rows = (Procedure.objects.filter(lead_unit_id__in=units, state=ProcedureState.IN_PROGRESS, due_sort__lte=horizon)
            .only(*COLUMNS).order_by("due_sort", "id"))

    def item(procedure) -> WorkItem:
        late = procedure.due_date < today
        return WorkItem("项目手续逾期" if late else "项目手续", f"{procedure.code} {procedure.title}",
                        reverse("projects:procedure_detail", args=[procedure.code]), procedure.due_date, _urgency(procedure.due_date, today),
                        "办结后登记批复文号；不能按期办结的，报县重点项目办调整时限")

    return from_queryset("projects.procedures", "项目手续", rows, item)


def _reports(units: list[int], today: dt.date) -> Source:
    """投资月报: the month's reports of the unit's projects not yet submitted, by report day."""
    rows = InvestmentReport.objects.filter(lead_unit_id__in=units, state=ReportState.DUE).only(*COLUMNS).order_by("due_sort", "id")

    def item(report) -> WorkItem:
        return WorkItem("报送投资月报", f"{report.code} {report.title}", reverse("projects:report_detail", args=[report.code]),
                        report.due_date, _urgency(report.due_date, today), "填报本月完成投资和形象进度，附现场照片")

    return from_queryset("projects.reports", "投资月报待报送", rows, item)


def _red_projects() -> Source:
    """红灯项目: one line with their number (one query, counted once), linking to the list filtered light=red."""
    counted: list[int] = []

    def number() -> int:
        if not counted:
            counted.append(Project.objects.filter(light=Light.RED, state__in=sorted(OPEN_STAGES)).count())
        return counted[0]

    def rows(offset: int, limit: int | None) -> list[WorkItem]:
        if offset or not number():
            return []
        return [WorkItem("红灯项目", f"红灯项目 {number()} 个", project_list(light=Light.RED, stage="open"), None, TODAY,
                         "手续逾期或月报未报的项目，点开查看卡在哪个单位")]

    return Source("projects.red", "红灯项目", lambda: 1 if number() else 0, rows)
