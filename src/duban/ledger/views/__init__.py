"""The ledger's pages: the list, the task page, and one small form per action (each POST calls one service)."""

from duban.ledger.views.actions import decide_extension, decide_reassignment, task_action
from duban.ledger.views.lists import task_list
from duban.ledger.views.task import task_create, task_detail, task_edit

__all__ = ["task_list", "task_detail", "task_create", "task_edit", "task_action", "decide_extension", "decide_reassignment"]
