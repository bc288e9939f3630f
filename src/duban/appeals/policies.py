"""Who is who for an appeal: the predicates `appeals.machine.APPEAL_MACHINE` declares beside each transition,
and who sees an enterprise's identity (PIPL: only those who need it)."""

from __future__ import annotations

from duban.core.choices import Role
from duban.core.scope import works_for


def is_desk(user) -> bool:
    """The business office (营商办) keeps the desk: accepts, dispatches, calls back, rules on fairness."""
    return user is not None and Role.BUSINESS in user.roles


def desk(appeal, user) -> bool:
    return is_desk(user)


def is_handling_unit(appeal, user) -> bool:
    """The lead unit's liaison or head (or the head of a unit above it) signs for, sends back and replies."""
    return works_for(user, appeal.lead_unit_id)


def may_promote(appeal, user) -> bool:
    """转为重点工作任务: whoever builds key-work ledgers (the supervision office, a principal leader) — the task
    it makes is a draft theirs to register; the business office asks them to."""
    return bool(user.roles & {Role.SUPERVISION, Role.PRINCIPAL})


def sees_identity(appeal, user) -> bool:
    """Who the enterprise is: hidden from everyone but the business office when it asked for that."""
    return not appeal.identity_hidden or is_desk(user)


def sees_contact(user) -> bool:
    """Contact name and phone in full: the business office (it calls back) and the handling unit's people, who
    may have to call; leaders, the supervision office and others read them masked."""
    return user is not None and bool(user.roles & {Role.BUSINESS, Role.LIAISON, Role.UNIT_HEAD})
