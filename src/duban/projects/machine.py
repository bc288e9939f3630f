"""The transition tables of the project ledger (SPEC §6): the stages of a project, a procedure's 未启动 → 办理中 →
已办结 (or 无需办理), a monthly report's 未到报送期 → 待报送 → 已报送.

Who may take each move is declared beside it, once: the services (through `matters.services.perform`), the
pages' action bars and their "why not" read these tables.
"""

from django.utils.translation import gettext_lazy as _

from duban.matters.machine import StateMachine, Transition
from duban.projects.choices import OPEN_STAGES, PIPELINE
from duban.projects.choices import ProcedureEvent as PE
from duban.projects.choices import ProcedureState as P
from duban.projects.choices import ProjectEvent as E
from duban.projects.choices import ReportEvent as RE
from duban.projects.choices import ReportState as R
from duban.projects.choices import Stage as S
from duban.projects.policies import may_handle, may_move, may_raise_problem, may_report, office

OFFICE_ONLY = _("只有县重点项目办可以办理。")
MOVERS = _("只有县重点项目办或项目责任单位的联络员、一把手可以推进项目阶段。")

PROJECT_MACHINE = StateMachine(S, [
    Transition("edit", _("修改项目"), set(PIPELINE), may=office, refusal=OFFICE_ONLY, event=E.EDITED),
    # One move forward along the pipeline (a step may be skipped: a lead signed at the fair, 线索 → 签约); the
    # stage's required procedures are checked by the service.
    Transition("move", _("推进阶段"), OPEN_STAGES, S.NEGOTIATING, also=set(PIPELINE) - {S.LEAD, S.NEGOTIATING},
               may=may_move, refusal=MOVERS, event=E.MOVED),
    Transition("stop", _("终止项目"), OPEN_STAGES, S.STOPPED, may=office, refusal=OFFICE_ONLY, event=E.STOPPED),
    # The county's sheet puts a project where the sheet says it is, in one move.
    Transition("import", _("按项目表导入"), set(PIPELINE), S.LEAD, also=set(PIPELINE), offered=False,
               may=office, refusal=_("只有县重点项目办可以导入项目表。"), event=E.IMPORTED),
    Transition("raise_problem", _("提出问题"), OPEN_STAGES, may=may_raise_problem,
               refusal=_("项目责任单位、包抓领导或县重点项目办可以提出项目问题。"), event=E.PROBLEM),
])

PROCEDURE_MACHINE = StateMachine(P, [
    Transition("start", _("启动办理"), {P.PENDING}, P.IN_PROGRESS, may=may_handle,
               refusal=_("只有办理单位、项目责任单位或县重点项目办可以启动办理。"), event=PE.STARTED),
    Transition("finish", _("办结"), {P.IN_PROGRESS}, P.DONE, may=may_handle,
               refusal=_("只有办理单位、项目责任单位或县重点项目办可以登记办结。"), event=PE.DONE),
    Transition("waive", _("确认无需办理"), {P.PENDING, P.IN_PROGRESS}, P.WAIVED, may=office,
               refusal=_("只有县重点项目办可以确认手续无需办理。"), event=PE.WAIVED),
    Transition("extend", _("调整时限"), {P.IN_PROGRESS}, may=office,
               refusal=_("只有县重点项目办可以调整手续办理时限。"), event=PE.EXTENDED),
    Transition("edit", _("修改手续"), {P.PENDING, P.IN_PROGRESS}, may=office, refusal=OFFICE_ONLY, event=PE.EDITED),
    Transition("import", _("按项目表导入"), {P.PENDING, P.IN_PROGRESS}, P.DONE, also={P.IN_PROGRESS}, offered=False,
               may=office, refusal=_("只有县重点项目办可以导入项目表。"), event=PE.DONE),
])

REPORT_MACHINE = StateMachine(R, [
    Transition("open", _("进入报送期"), {R.UPCOMING}, R.DUE, offered=False, may=office, refusal=OFFICE_ONLY, event=RE.OPENED),
    Transition("submit", _("报送月报"), {R.DUE}, R.SUBMITTED, may=may_report,
               refusal=_("只有项目责任单位的联络员或一把手可以报送投资月报。"), event=RE.SUBMITTED),
    Transition("correct", _("更正月报"), {R.SUBMITTED}, may=may_report,
               refusal=_("只有项目责任单位的联络员或一把手可以更正投资月报。"), event=RE.CORRECTED),
    Transition("exempt", _("免报"), {R.UPCOMING, R.DUE}, R.EXEMPT, offered=False, may=office,
               refusal=_("只有县重点项目办可以免报投资月报。"), event=RE.EXEMPTED),
    Transition("import", _("按项目表导入"), {R.UPCOMING, R.DUE, R.SUBMITTED}, R.SUBMITTED, also={R.UPCOMING, R.DUE},
               offered=False, may=office, refusal=_("只有县重点项目办可以导入项目表。"), event=RE.IMPORTED),
])
