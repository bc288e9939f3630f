"""Who is who for a task: the predicates that `ledger.machine.TASK_MACHINE` declares beside each transition."""

from __future__ import annotations

from duban.core.choices import Role
from duban.core.scope import works_for


def is_office(user) -> bool:
    """The supervision office (督查室) builds, registers and verifies ledgers."""
    return Role.SUPERVISION in user.roles


def is_principal(user) -> bool:
    return Role.PRINCIPAL in user.roles


def can_assign(user) -> bool:
    """建账/立账/交办: the supervision office, and principal leaders who assign key work."""
    return is_office(user) or is_principal(user)


def is_lead_unit(task, user) -> bool:
    return works_for(user, task.lead_unit_id)


def is_cooperating_unit(task, user) -> bool:
    if getattr(user, "unit_id", None) is None or not user.roles & {Role.LIAISON, Role.UNIT_HEAD}:
        return False  # only a unit's liaison or head speaks for it (works_for): no need to read the units
    # The task page prefetched the cooperating units (selectors.task_for): .all() reads them from there.
    return any(works_for(user, unit.pk) for unit in task.cooperating_units.all())


def decides_extension(task, user) -> bool:
    """延期 is approved by the task's leader in charge, or by a principal leader."""
    return is_principal(user) or (Role.LEADER in user.roles and user.pk in {task.leader_in_charge_id, task.assigning_leader_id})
