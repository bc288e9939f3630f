"""Data scope (SPEC §1): the one rule deciding which units' records a user may see.

Every model that belongs to a unit gets a queryset method `visible_to(user)` that calls
`unit_scope(user, ...)` and applies it to its own unit column:

    class TaskQuerySet(ScopedQuerySet):
        def visible_to(self, user):
            return unit_scope(user).filter(self, "lead_unit_id")

The scope resolves to a set of unit ids once per user object (the org tree has hundreds of units,
not millions), so list pages filter with `unit_id IN (...)` and need no join on the tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from duban.core.choices import Role

# Roles that see every unit's business data (主要领导 and 督查室: "everything").
EVERYTHING_ROLES = frozenset({Role.PRINCIPAL, Role.SUPERVISION})


@dataclass(frozen=True)
class Scope:
    """Either everything, or exactly the units in `unit_ids` (possibly none)."""

    everything: bool
    unit_ids: frozenset[int]

    def filter(self, queryset: models.QuerySet, field: str) -> models.QuerySet:
        """Restrict `queryset` to rows whose `field` (a unit id column) is in scope."""
        if self.everything:
            return queryset
        if not self.unit_ids:
            return queryset.none()
        return queryset.filter(**{f"{field}__in": sorted(self.unit_ids)})

    def allows(self, unit_id: int | None) -> bool:
        return self.everything or (unit_id is not None and unit_id in self.unit_ids)


NOTHING = Scope(everything=False, unit_ids=frozenset())
EVERYTHING = Scope(everything=True, unit_ids=frozenset())


def unit_scope(user, *, everything_for: frozenset[str] = frozenset()) -> Scope:
    """The units whose records `user` may see; `everything_for` names extra roles that see all of them.

    principal leader, supervision office: everything · leader in charge: the sub-trees of the units in
    their charge and their own unit · unit head: own unit's sub-tree · liaison: own unit · other roles:
    nothing unless the model widens it (the business office sees all appeals, for instance).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    roles = user.roles
    if roles & (EVERYTHING_ROLES | everything_for):
        return EVERYTHING
    cache = user.__dict__.setdefault("_duban_unit_scope", {})
    if "ids" not in cache:
        cache["ids"] = frozenset(_unit_ids(user, roles))
    return Scope(everything=False, unit_ids=cache["ids"])


def _unit_ids(user, roles) -> set[int]:
    from duban.core.models import Unit  # the tree lives in models; models import this module

    prefixes: set[str] = set()
    ids: set[int] = set()
    if Role.LEADER in roles:
        prefixes.update(Unit.objects.filter(leader_charges__leader=user).values_list("path", flat=True))
        if user.unit_id:
            ids.add(user.unit_id)
    if Role.UNIT_HEAD in roles and user.unit_id:
        ids.update(headed_units(user))
    if Role.LIAISON in roles and user.unit_id:
        ids.add(user.unit_id)
    if prefixes:
        condition = models.Q()
        for prefix in prefixes:
            condition |= models.Q(path__startswith=prefix)
        ids.update(Unit.objects.filter(condition).values_list("id", flat=True))
    return ids


class ScopedQuerySet(models.QuerySet):
    """Base for querysets of scoped models; each subclass defines `visible_to(user)` with `unit_scope`."""


# --- acting for a unit ---------------------------------------------------------------------------------
# Seeing a unit's records (unit_scope) is wider than speaking for the unit: a leader sees the units in their
# charge but does not sign, report or answer notices for them. The two rules below decide who acts for a unit,
# for every kind of matter (the ledger's sign-for and reports, a notice's reply, an appeal's dispatch …).


def works_for(user, unit_id: int | None) -> bool:
    """The user speaks for the unit: its liaison or head, or the head of a unit above it (一级抓一级)."""
    if unit_id is None or user is None or getattr(user, "unit_id", None) is None:
        return False
    roles = user.roles
    if user.unit_id == unit_id and roles & {Role.LIAISON, Role.UNIT_HEAD}:
        return True
    if Role.UNIT_HEAD in roles:
        return unit_id in headed_units(user)
    return False


def acting_units(user) -> list[int]:
    """The units the user acts for (`works_for`), as ids: a liaison's own unit, a unit head's sub-tree."""
    if user is None or getattr(user, "unit_id", None) is None:
        return []
    ids = {user.unit_id} if Role.LIAISON in user.roles else set()
    if Role.UNIT_HEAD in user.roles:
        ids |= headed_units(user)
    return sorted(ids)


def headed_units(user) -> frozenset[int]:
    """A unit head's own unit and every unit below it, looked up once per user object (the request's user):
    the scope, `works_for` and `acting_units` all ask it, several times a page (the home page's three
    sources, the task page's transitions), and each asking cost one or two queries on the unit table."""
    from duban.core.models import Unit

    cache = user.__dict__.setdefault("_duban_unit_scope", {})
    if cache.get("headed_for") != user.unit_id:
        # user.unit, not a query of the path alone: the page's layout shows the user's unit anyway.
        path = user.unit.path
        cache["headed"] = frozenset(Unit.objects.filter(path__startswith=path).order_by().values_list("id", flat=True)) if path else frozenset()
        cache["headed_for"] = user.unit_id
    return cache["headed"]


def subtree_ids(unit) -> list[int]:
    """The ids of the unit and of every unit below it (一级抓一级): one query on the small unit table.

    Conditions on matters take ids, not a subquery: `lead_unit_id IN (1, 2, 3)` reads the tasks through the
    (lead_unit, state, due_sort, id) index, where `IN (SELECT … WHERE path LIKE …)` makes SQLite walk every
    task in due order (a township's open tasks of 100k: 20 against 118 ms)."""
    from duban.core.models import Unit

    return list(Unit.objects.filter(path__startswith=unit.path).order_by().values_list("id", flat=True))
