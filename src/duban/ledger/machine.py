"""The task's transition table (SPEC §3): 建账 → 立账/交办 → 签收 → 承办 → 申请销账 → 销账, and the side paths."""

from duban.ledger.choices import TaskState as S
from duban.matters.machine import StateMachine, Transition

ACTIVE = {S.ASSIGNED, S.IN_PROGRESS}

TASK_MACHINE = StateMachine(S, [
    Transition("edit", "修改任务", {S.DRAFT, S.ASSIGNED, S.IN_PROGRESS, S.COMPLETION_REQUESTED, S.SUSPENDED}),
    Transition("register", "立账交办", {S.DRAFT}, S.ASSIGNED),
    Transition("decompose", "分解任务", {S.DRAFT, S.ASSIGNED, S.IN_PROGRESS}),
    Transition("sign", "签收", {S.ASSIGNED}, S.IN_PROGRESS),
    Transition("report", "报送进展", {S.IN_PROGRESS}),
    Transition("request_completion", "申请销账", {S.IN_PROGRESS}, S.COMPLETION_REQUESTED),
    Transition("close", "审核销账", {S.COMPLETION_REQUESTED}, S.CLOSED),
    Transition("return", "退回", {S.COMPLETION_REQUESTED}, S.IN_PROGRESS),
    Transition("request_extension", "申请延期", ACTIVE),
    Transition("decide_extension", "审批延期", ACTIVE | {S.COMPLETION_REQUESTED}),
    Transition("request_reassignment", "申请调整承办单位", ACTIVE),
    Transition("decide_reassignment", "处理调整申请", ACTIVE, also={S.ASSIGNED}),
    Transition("pause", "挂起计时", ACTIVE),
    Transition("resume_clock", "恢复计时", ACTIVE),
    Transition("suspend", "暂停任务", ACTIVE | {S.COMPLETION_REQUESTED}, S.SUSPENDED),
    Transition("reopen", "恢复办理", {S.SUSPENDED}, S.IN_PROGRESS, also={S.ASSIGNED, S.COMPLETION_REQUESTED}),
    Transition("cancel", "撤销任务", {S.DRAFT, S.SUSPENDED} | ACTIVE | {S.COMPLETION_REQUESTED}, S.CANCELLED),
])
