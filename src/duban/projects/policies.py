"""Who is who for a project: the predicates `projects.machine` declares beside each transition.

The project office (县重点项目办) is the staff of one unit — DUBAN_PROJECTS_OFFICE_UNIT, by default the
development and reform bureau (发改局) — its head and liaisons; the supervision office may do what it does."""

from __future__ import annotations

from django.conf import settings

from duban.core.choices import ADMIN_ROLES, Role
from duban.core.scope import works_for


def office_unit_id() -> int | None:
    """The project office's unit (DUBAN_PROJECTS_OFFICE_UNIT, a unit's name or short name)."""
    from duban.core.models import Unit

    named = getattr(settings, "DUBAN_PROJECTS_OFFICE_UNIT", "")
    if not named:
        return None
    return (Unit.objects.filter(name=named).values_list("id", flat=True).first()
            or Unit.objects.filter(short_name=named).values_list("id", flat=True).first())


def is_project_office(user) -> bool:
    """The project office's staff (its unit's head and liaisons) and the supervision office."""
    if user is None or not user.is_authenticated:
        return False
    roles = user.roles
    if Role.SUPERVISION in roles:
        return True
    if not roles & {Role.UNIT_HEAD, Role.LIAISON} or user.unit_id is None:
        return False
    cache = user.__dict__.setdefault("_duban_project_office", {})  # once per user object (per request)
    if "is" not in cache:
        cache["is"] = user.unit_id == office_unit_id()
    return cache["is"]


def may_create(user) -> bool:
    """录入项目: the project office; a principal leader may too (a lead they bring back from a visit)."""
    return is_project_office(user) or Role.PRINCIPAL in user.roles


def is_project_unit(project, user) -> bool:
    return works_for(user, project.lead_unit_id)


def may_move(project, user) -> bool:
    """推进阶段: the project office, or the project's responsible unit."""
    return is_project_office(user) or is_project_unit(project, user)


def _office(matter, user) -> bool:
    return is_project_office(user)


def is_handling_unit(procedure, user) -> bool:
    return works_for(user, procedure.lead_unit_id)


def may_handle(procedure, user) -> bool:
    """启动 / 办结 a procedure: the unit handling it, the project's unit, or the project office."""
    return is_project_office(user) or is_handling_unit(procedure, user) or works_for(user, procedure.project.lead_unit_id)


def may_report(report, user) -> bool:
    """报送月报: the project's responsible unit (its liaison or head); the project office may enter it for them."""
    return is_project_office(user) or works_for(user, report.lead_unit_id)


def may_raise_problem(project, user) -> bool:
    """提出问题: the project's unit, its leader in charge, the project office, a principal leader."""
    if user.roles & ADMIN_ROLES:
        return False
    return (is_project_office(user) or is_project_unit(project, user) or project.leader_in_charge_id == user.pk
            or Role.PRINCIPAL in user.roles)


def may_make_task(user) -> bool:
    """转重点工作任务: whoever builds key-work ledgers (the supervision office, a principal leader) — the draft
    task it makes is theirs to register."""
    return Role.SUPERVISION in user.roles or Role.PRINCIPAL in user.roles


office = _office
