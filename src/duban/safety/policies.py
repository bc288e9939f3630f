"""Who is who for a hazard: the predicates `safety.machine.HAZARD_MACHINE` declares beside each transition."""

from __future__ import annotations

from django.conf import settings

from duban.core.choices import ADMIN_ROLES, Role
from duban.core.scope import works_for


def is_safety_office(user) -> bool:
    """The safety committee office (安委办) keeps the ledger and verifies rectification."""
    return Role.SAFETY in user.roles


def may_report(user) -> bool:
    """Anyone with a business role finds and reports hazards (an inspector, a township's grid worker, a unit)."""
    return bool(user.roles) and not (user.roles & ADMIN_ROLES)


def is_township(hazard, user) -> bool:
    return hazard.township_id is not None and works_for(user, hazard.township_id)


def is_rectifying_unit(hazard, user) -> bool:
    return works_for(user, hazard.lead_unit_id)


def may_assign(hazard, user) -> bool:
    """交办整改: the safety office; the township for a general hazard in its territory (a major one is the
    county's to plan)."""
    return is_safety_office(user) or (not hazard.is_major and is_township(hazard, user))


def may_verify(hazard, user) -> bool:
    """验收销号 / 退回: the safety office; for a general hazard also its township, unless the county has the
    safety office verify everything (DUBAN_SAFETY_TOWNSHIP_VERIFIES=0)."""
    if is_safety_office(user):
        return True
    return settings.DUBAN_SAFETY_TOWNSHIP_VERIFIES and not hazard.is_major and is_township(hazard, user)


def may_promote(hazard, user) -> bool:
    """转为重点工作任务: whoever builds key-work ledgers (the supervision office, a principal leader) — the task
    it makes is theirs to register."""
    return Role.SUPERVISION in user.roles or Role.PRINCIPAL in user.roles


def is_finder(hazard, user) -> bool:
    return hazard.found_by_id == user.pk or is_safety_office(user)


# --- duty rosters -------------------------------------------------------------------------------------


def may_keep_posts(user, township_id: int | None) -> bool:
    """Posts and their rosters (and a post's critical flag) are kept by the township — its head or liaisons —
    and the safety office."""
    return is_safety_office(user) or works_for(user, township_id)


def is_on_shift(lapse, user) -> bool:
    """The person on duty (or the second one) of the lapsed shift: their late confirmation closes it."""
    return lapse.shift.is_on_duty(user)


def may_close_lapse(lapse, user) -> bool:
    """The township answers for its posts; the safety office may close as well."""
    return may_keep_posts(user, lapse.lead_unit_id)
