"""What the ledger's views share: who may open them, and the version check for services that take none."""

from __future__ import annotations

from duban.core.choices import Role
from duban.core.errors import Conflict
from duban.core.permissions import role_required
from duban.matters.machine import CONFLICT_MESSAGE

# The roles that work on the ledger (SPEC §1); the others have no business with tasks.
LEDGER_ROLES = (Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION, Role.UNIT_HEAD, Role.LIAISON)

ledger_page = role_required(*LEDGER_ROLES)


def check_version(task, seen: int | None) -> None:
    """Refuse a form made from an older version of the task, for services that take no expected_version."""
    if seen is not None and int(seen) != task.version:
        raise Conflict(CONFLICT_MESSAGE.format(noun="该任务", who=f"当前为第 {task.version} 版"))
