"""Kinds of matter the supervision engine chases. A kind plugs in from its app's `ready()`:

    registry.register(MatterKind(key="ledger.task", label="重点工作任务", model=Task, ...))

The engine reads each kind's rows through the fields named here and never imports a kind by name
(SPEC §2: one deadline clock, one light rule and one escalation engine for every kind of matter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q


@dataclass(frozen=True)
class MatterKind:
    key: str                       # "ledger.task": names the kind's ladders (Ladder.kind)
    label: str                     # "重点工作任务"
    model: type                    # a subclass of matters.models.Matter
    chased_states: tuple[str, ...]  # states in which the ladder runs (not drafts, not awaiting verification)
    url: Callable[[str], str]      # the page of a matter, from its code
    # The kind's own bulk light recompute: every open matter when `full` (once a day), else only those marked
    # (light_checked_on NULL); returns the rows written.
    refresh_lights: Callable[..., int]
    relight: Callable[[int], None]  # relight one matter by id (after a notice is answered)
    code_field: str = "code"
    title_field: str = "title"
    unit_field: str = "lead_unit"
    leader_field: str = "leader_in_charge"
    major: Q = field(default_factory=lambda: Q(pk__in=[]))  # which matters take the stricter ladder

    @property
    def label_short(self) -> str:
        return self.label


_KINDS: dict[str, MatterKind] = {}


def register(kind: MatterKind) -> None:
    _KINDS[kind.key] = kind


def kinds() -> list[MatterKind]:
    return list(_KINDS.values())


def get(key: str) -> MatterKind:
    return _KINDS[key]


def for_model(model) -> MatterKind:
    for kind in _KINDS.values():
        if kind.model is model or kind.model._meta.concrete_model is model._meta.concrete_model:
            return kind
    raise LookupError(f"{model.__name__} is not a registered kind of matter")
