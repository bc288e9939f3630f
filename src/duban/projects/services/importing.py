"""按项目表导入 (issue 9): a project of the county's sheet recorded as the sheet has it — entered at the stage the sheet
gives it (`create_project`), the procedures that stage needs taken as done (their "import" move: a project the
sheet says is under construction has its permits), the months' plans (`set_month_plans`) and the months it has
completed as reported (the report's "import" move), the totals following (`retotal`).

The sheet's 累计完成投资 is the project's cumulative total: what was invested before the months reported here
(`cumulative_before`) plus the months' completed investment. The checks of a sheet (`projects.excel.plan`) come
before.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core.actor import Actor
from duban.matters import services as kernel
from duban.projects import services
from duban.projects.choices import ProcedureState, ReportState
from duban.projects.kind import PROCEDURE_KIND, REPORT_KIND
from duban.projects.models import InvestmentReport, Project


@transaction.atomic
def import_month(actor: Actor, project: Project, year: int, month: int, *, completed: Decimal, retotal: bool = True) -> InvestmentReport:
    """One month's completed investment as the sheet has it: the month's report (listed if missing) taken to
    已报送 by its "import" move, then the project's totals."""
    report = InvestmentReport.objects.filter(project=project, year=year, month=month).first()
    if report is None:
        report = services.set_month_plans(actor, project, year, {month: None})[0]
    before = report.completed if report.state == ReportState.SUBMITTED else None
    words = (_("按项目表导入：本月完成投资 %(amount)s 万元") % {"amount": completed} if before is None else
             _("按项目表导入：本月完成投资 %(before)s → %(amount)s 万元") % {"before": before, "amount": completed})
    changes = {"state": ReportState.SUBMITTED, "completed": completed}
    if report.state != ReportState.SUBMITTED:
        changes.update(submitted_at=timezone.now(), submitted_by=actor.user, completed_on=timezone.localdate(),
                       closed_on=timezone.localdate())
    kernel.perform(actor, report, "import", kind=REPORT_KIND, changes=changes, text=words)
    if retotal:
        services.retotal(project)
    return report


@transaction.atomic
def import_project(actor: Actor, *, stage: str, year: int, plans: dict[int, Decimal | None], done: dict[int, Decimal],
                   **values) -> Project:
    """One new project of an imported sheet: entered at its stage, with its month plans and completed months."""
    project = services.create_project(actor, stage=stage, plan_year=year, **values)
    for procedure in services.open_procedures_for(project, stage):
        kernel.perform(actor, procedure, "import", kind=PROCEDURE_KIND, text=_("按项目表导入：项目已%(stage)s，手续视为已办结") % {
            "stage": project.get_state_display()}, changes={"state": ProcedureState.DONE, "completed_on": timezone.localdate(),
                                                            "closed_on": timezone.localdate(), "note": _("按项目表导入")})
    apply_months(actor, project, year, plans, done)
    return project


def apply_months(actor: Actor, project: Project, year: int, plans: dict[int, Decimal | None], done: dict[int, Decimal]) -> None:
    """The month plans and completed months of a sheet's row written to a project, then its totals once."""
    if plans:
        services.set_month_plans(actor, project, year, plans)
    for month, amount in sorted(done.items()):
        import_month(actor, project, year, month, completed=amount, retotal=False)
    services.retotal(project)
