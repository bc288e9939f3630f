"""Who may do what to a task: one predicate per action, used by the services to refuse and by pages to offer."""

from __future__ import annotations

from duban.core.choices import Role
from duban.core.models import Unit


def is_office(user) -> bool:
    """The supervision office (督查室) builds, registers and verifies ledgers."""
    return Role.SUPERVISION in user.roles


def is_principal(user) -> bool:
    return Role.PRINCIPAL in user.roles


def can_assign(user) -> bool:
    """建账/立账/交办: the supervision office, and principal leaders who assign key work."""
    return is_office(user) or is_principal(user)


def works_for(user, unit_id: int | None) -> bool:
    """The user speaks for the unit: its liaison or head, or the head of a unit above it (一级抓一级)."""
    if unit_id is None or user.unit_id is None:
        return False
    roles = user.roles
    if user.unit_id == unit_id and roles & {Role.LIAISON, Role.UNIT_HEAD}:
        return True
    if Role.UNIT_HEAD in roles:
        unit_path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or ""
        return unit_path.startswith(user.unit.path)
    return False


def is_lead_unit(task, user) -> bool:
    return works_for(user, task.lead_unit_id)


def is_cooperating_unit(task, user) -> bool:
    return any(works_for(user, unit_id) for unit_id in task.cooperating_units.values_list("id", flat=True))


def decides_extension(task, user) -> bool:
    """延期 is approved by the task's leader in charge, or by a principal leader."""
    return is_principal(user) or (Role.LEADER in user.roles and user.pk in {task.leader_in_charge_id, task.assigning_leader_id})


# action → predicate(task, user); the task page offers exactly the actions whose predicate and state allow.
CAN = {
    "edit": lambda task, user: can_assign(user),
    "register": lambda task, user: can_assign(user),
    "decompose": lambda task, user: can_assign(user),
    "sign": is_lead_unit,
    "report": lambda task, user: is_lead_unit(task, user) or is_cooperating_unit(task, user),
    "request_completion": is_lead_unit,
    "close": lambda task, user: is_office(user),
    "return": lambda task, user: is_office(user),
    "request_extension": is_lead_unit,
    "request_reassignment": is_lead_unit,
    "pause": lambda task, user: is_office(user) or decides_extension(task, user),
    "resume_clock": lambda task, user: is_office(user) or decides_extension(task, user),
    "suspend": lambda task, user: is_principal(user),
    "reopen": lambda task, user: is_principal(user),
    "cancel": lambda task, user: is_principal(user),
}
