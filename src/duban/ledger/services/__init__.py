"""Every change to a key-work task, each one transition of `ledger.machine.TASK_MACHINE` taken through the
kernel's runner (`matters.services.perform`: scope, who may, state, guards, conditional write on (id, state,
version), timeline event, light, audit entry, side effects after commit — in one transaction).

By subject: `drafting` (建账: create, edit, register, decompose, bulk create), `undertaking` (承办 and 销账:
sign, report, request completion, close, return), `side_paths` (extension, reassignment, pause, suspension,
cancellation); `common` holds what they share and what pages read (available actions, the light).
"""

from duban.ledger.kind import AUDITED, TASK_FIELDS
from duban.ledger.services.common import (
    NOUN,
    _next_code,
    available_actions,
    deadline_wording,
    evaluate,
    refresh_light,
    today,
)
from duban.ledger.services.drafting import create_task, create_tasks, decompose_task, register_task, update_task
from duban.ledger.services.side_paths import (
    cancel_task,
    decide_extension,
    decide_reassignment,
    pause_clock,
    reopen_task,
    request_extension,
    request_reassignment,
    resume_clock,
    suspend_task,
)
from duban.ledger.services.undertaking import close_task, report_progress, request_completion, return_task, sign_task

__all__ = [
    "AUDITED", "NOUN", "TASK_FIELDS", "_next_code", "available_actions", "cancel_task", "close_task", "create_task",
    "create_tasks", "deadline_wording", "decide_extension", "decide_reassignment", "decompose_task", "evaluate",
    "pause_clock", "refresh_light", "register_task", "reopen_task", "report_progress", "request_completion",
    "request_extension", "request_reassignment", "resume_clock", "return_task", "sign_task", "suspend_task", "today",
    "update_task",
]
