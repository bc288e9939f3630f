"""The task's transition table (SPEC §3): 建账 → 立账/交办 → 签收 → 承办 → 申请销账 → 销账, and the side paths.

Who may take each move is declared beside it, once: the services (through `matters.services.perform`), the
task page's actions and its "why not" all read this table.
"""

from django.utils.translation import gettext_lazy as _

from duban.ledger.choices import EventKind as E
from duban.ledger.choices import TaskState as S
from duban.ledger.policies import can_assign, decides_extension, is_cooperating_unit, is_lead_unit, is_office, is_principal
from duban.matters.machine import StateMachine, Transition

ACTIVE = {S.ASSIGNED, S.IN_PROGRESS}


def _assigner(task, user) -> bool:
    return can_assign(user)


def _office(task, user) -> bool:
    return is_office(user)


def _principal(task, user) -> bool:
    return is_principal(user)


def _reporter(task, user) -> bool:
    return is_lead_unit(task, user) or is_cooperating_unit(task, user)


def _clock_keeper(task, user) -> bool:
    return is_office(user) or decides_extension(task, user)


TASK_MACHINE = StateMachine(S, [
    Transition("edit", _("修改任务"), {S.DRAFT, S.ASSIGNED, S.IN_PROGRESS, S.COMPLETION_REQUESTED, S.SUSPENDED},
               may=_assigner, refusal=_("只有县督查室或主要领导可以修改任务。"), event=E.EDITED),
    Transition("register", _("立账交办"), {S.DRAFT}, S.ASSIGNED,
               may=_assigner, refusal=_("只有县督查室或主要领导可以立账交办。"), event=E.REGISTERED),
    Transition("decompose", _("分解任务"), {S.DRAFT, S.ASSIGNED, S.IN_PROGRESS},
               may=_assigner, refusal=_("只有县督查室或主要领导可以分解任务。"), event=E.DECOMPOSED),
    Transition("sign", _("签收"), {S.ASSIGNED}, S.IN_PROGRESS, may=is_lead_unit, refusal=_("只有牵头单位的联络员或一把手可以签收。"), event=E.SIGNED),
    Transition("report", _("报送进展"), {S.IN_PROGRESS},
               may=_reporter, refusal=_("只有牵头单位或配合单位的联络员、一把手可以报送进展。"), event=E.PROGRESS),
    Transition("request_completion", _("申请销账"), {S.IN_PROGRESS}, S.COMPLETION_REQUESTED,
               may=is_lead_unit, refusal=_("只有牵头单位的联络员或一把手可以申请销账。"), event=E.COMPLETION_REQUESTED),
    Transition("close", _("审核销账"), {S.COMPLETION_REQUESTED}, S.CLOSED, may=_office, refusal=_("只有县督查室可以审核销账。"), event=E.CLOSED),
    Transition("return", _("退回"), {S.COMPLETION_REQUESTED}, S.IN_PROGRESS, may=_office, refusal=_("只有县督查室可以退回。"), event=E.RETURNED),
    Transition("request_extension", _("申请延期"), ACTIVE,
               may=is_lead_unit, refusal=_("只有牵头单位的联络员或一把手可以申请延期。"), event=E.EXTENSION_REQUESTED),
    # Decided on the pending request's own page, not from the task's action bar.
    Transition("decide_extension", _("审批延期"), ACTIVE | {S.COMPLETION_REQUESTED}, offered=False,
               may=decides_extension, refusal=_("{word} {code} 的延期由其牵头县领导或主要领导审批。")),
    Transition("request_reassignment", _("申请调整承办单位"), ACTIVE,
               may=is_lead_unit, refusal=_("只有牵头单位的联络员或一把手可以申请调整。"), event=E.REASSIGN_REQUESTED),
    Transition("decide_reassignment", _("处理调整申请"), ACTIVE, also={S.ASSIGNED}, offered=False, scoped=False,
               may=_office, refusal=_("调整承办单位由县督查室处理。"), alone=True),
    Transition("pause", _("挂起计时"), ACTIVE, may=_clock_keeper, refusal=_("只有县督查室或分管该任务的县领导可以挂起计时。"), event=E.PAUSED),
    Transition("resume_clock", _("恢复计时"), ACTIVE,
               may=_clock_keeper, refusal=_("只有县督查室或分管该任务的县领导可以恢复计时。"), event=E.RESUMED),
    Transition("suspend", _("暂停任务"), ACTIVE | {S.COMPLETION_REQUESTED}, S.SUSPENDED,
               may=_principal, refusal=_("只有主要领导可以暂停任务。"), event=E.SUSPENDED),
    Transition("reopen", _("恢复办理"), {S.SUSPENDED}, S.IN_PROGRESS, also={S.ASSIGNED, S.COMPLETION_REQUESTED},
               may=_principal, refusal=_("只有主要领导可以恢复任务。"), event=E.REOPENED),
    Transition("cancel", _("撤销任务"), {S.DRAFT, S.SUSPENDED} | ACTIVE | {S.COMPLETION_REQUESTED}, S.CANCELLED,
               may=_principal, refusal=_("只有主要领导可以撤销任务。"), event=E.CANCELLED),
])
