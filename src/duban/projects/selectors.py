"""Reads of the project ledger, each through `visible_to(user)` (SPEC §1): the list's one FilterSet for the page,
the API and the export; a project with what its page shows."""

from __future__ import annotations

from duban.projects.filters import ProcedureFilter, ProjectFilter, ReportFilter
from duban.projects.models import InvestmentReport, Procedure, Project


def project_filter(request, params) -> ProjectFilter:
    """The project list's FilterSet over the projects the requesting user may see (page, API, export)."""
    return ProjectFilter(params, queryset=Project.objects.visible_to(request.user), request=request)


def procedure_filter(request, params) -> ProcedureFilter:
    return ProcedureFilter(params, queryset=Procedure.objects.visible_to(request.user), request=request)


def report_filter(request, params) -> ReportFilter:
    return ReportFilter(params, queryset=InvestmentReport.objects.visible_to(request.user), request=request)


def visible_project(user, code: str) -> Project | None:
    return Project.objects.visible_to(user).select_related("lead_unit", "leader_in_charge", "township").filter(code=code).first()


def visible_procedure(user, code: str) -> Procedure | None:
    return Procedure.objects.visible_to(user).select_related("project", "lead_unit").filter(code=code).first()


def visible_report(user, code: str) -> InvestmentReport | None:
    return InvestmentReport.objects.visible_to(user).select_related("project", "lead_unit").filter(code=code).first()


def investment(request, year: int):
    """投资完成 of a year as `request.user` may see it (metrics.investment): monthly plans and completion, annual plan."""
    from duban.projects.metrics import investment as figures

    return figures(request, year)


def shown_amount(value) -> str:
    """万元 as the pages show them (metrics.shown_amount)."""
    from duban.projects.metrics import shown_amount as shown

    return shown(value)
