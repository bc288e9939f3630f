"""Kinds of matter (事项) duban chases. A kind plugs in from its app's `ready()`:

    registry.register(MatterKind(key="ledger.task", label="重点工作任务", model=Task, ...))

The supervision engine, the transition runner (`matters.services.perform`), the bulk relight and the
中梗阻 analytics read each kind through what it declares here and never import a kind by name (SPEC §2:
one deadline clock, one light rule and one escalation engine for every kind of matter). What differs
between kinds is a hook on the kind, not an `if` in the engine: its notice wording, its list page, its
analytics columns, its light rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Obstruction:
    """What the 中梗阻 analytics (SPEC §4) count for a kind, in the words of its own timeline (MatterEvent.event).

    Each column is shown only if the kind supplies what it needs; `columns` orders them.
    """

    columns: tuple[str, ...] = ("in_hand", "dwell", "returns", "reassigns", "idle", "passed_on")
    idle_states: tuple[str, ...] = ()  # states in which the matter is in its unit's court (idle counts run)
    arrival_events: tuple[str, ...] = ()  # the matter came to its (current) unit: its dwell starts there
    restart_events: tuple[str, ...] = ()  # events after which the idle count starts again
    pause_start_events: tuple[str, ...] = ()  # the clock stops (挂起, 暂停) …
    pause_end_events: tuple[str, ...] = ()  # … and starts again
    returned_event: str = ""  # the office sent the unit's completion back (退回): counted against the unit
    passed_on_event: str = ""  # the unit asked to pass the matter on (申请调整/退单): counted against the unit
    passed_on_field: str = ""  # the matter's own counter of those requests, if it keeps one
    started_field: str = ""  # when the unit took the matter on (签收), a DateTimeField; dwell runs from it
    # The list page of the kind filtered as each number is (name → the list's query parameters), so that a
    # number links to exactly its matters; None: the number is shown without a link.
    link: Callable[..., str] | None = None


@dataclass(frozen=True)
class MatterKind:
    key: str                       # "ledger.task": names the kind's ladders (Ladder.kind) and its events
    label: str                     # "重点工作任务", in the county's words (names stored rows); gettext() it to show it
    model: type                    # a subclass of matters.models.Matter
    chased_states: tuple[str, ...]  # states in which the ladder runs (not drafts, not awaiting verification)
    open_states: tuple[str, ...]   # states in which the matter is open (lit every day, counted as in hand)
    url: Callable[[str], str]      # the page of a matter, from its code
    machine: object = None         # its matters.machine.StateMachine (the runner reads who may from it)
    noun: str = gettext_lazy("该事项")  # how refusals name one matter ("该任务")
    word: str = ""                 # … and in the middle of a sentence ("任务"); default: the noun without 该
    code_field: str = "code"
    title_field: str = "title"
    unit_field: str = "lead_unit"  # the standard owner columns of matters.models.Matter
    leader_field: str = "leader_in_charge"
    # The unit the ladder chases, if not the owner: a matter whose steps pass between courts (an appeal is the
    # business office's to accept and call back, its handling unit's to sign for and reply) names the field
    # that says whose court it is in now.
    chased_unit_field: str = ""
    finished_states: tuple[str, ...] = ()  # closed for good (grey); a parent does not roll them up as open
    excluded_states: tuple[str, ...] = ()  # left out of a parent's roll-up altogether (cancelled)
    parent_field: str = ""         # a kind whose matters decompose into sub-matters rolls them up (SPEC §3)
    major: Q = field(default_factory=lambda: Q(pk__in=[]))  # which matters take the stricter ladder
    # The light rule of the kind: (matter, on, reported) → clock.LightResult; default clock.evaluate with
    # `closed` from finished_states.
    light: Callable[..., object] | None = None
    # Fields of its own the light rule reads beyond matters.lights.FIELDS (the sweep relights from values rows).
    light_fields: tuple[str, ...] = ()
    # What a notice asks the unit to do, by ladder step (ActionKind value → sentence); the engine has a
    # plain default for each step ("请立即办结") and a kind says it in its own terms ("办结并申请销账").
    demands: Mapping[str, str] = field(default_factory=dict)
    audit_prefix: str = ""         # "task": audit actions read task.sign, task.close …
    audited: tuple[str, ...] = ()  # the fields the audit entry snapshots before and after a transition
    events: type | None = None  # the TextChoices of its timeline's events (labels for MatterEvent.event)
    obstruction: Obstruction | None = None
    list_url: Callable[[], str] | None = None  # the kind's list page (the analytics' tabs link to it)
    # The kind's own default ladders, as (ActionKind value, offset in working days, reply days, target) rungs,
    # where the engine's (SPEC §4, built for limits of weeks) do not fit: an appeal's steps take a day or five.
    # Empty: the engine's defaults. The office's edited ladders (supervision.Ladder) replace either.
    default_ladder: tuple[tuple[str, int, int, str], ...] = ()
    default_major_ladder: tuple[tuple[str, int, int, str], ...] = ()
    # A matter that is part of another kind's matter (a project's procedure, its monthly report) names that kind
    # and its own field pointing at it: ("projects.project", "project"). Whenever its light is written, the
    # container is relit (one at a time, or marked for the sweep, which lights the container's kind after it).
    container: tuple[str, str] = ()
    # Values the database computes per matter for the kind's light rule (a roll-up of the lights of the matters
    # it contains): () → {name: expression}; read beside `FIELDS` by the sweep and by `relight`.
    light_annotations: Callable[[], Mapping[str, object]] | None = None

    @property
    def chased_unit(self) -> str:
        return self.chased_unit_field or self.unit_field

    def visible(self, user):
        """The kind's one scope rule (SPEC §1), `Model.objects.visible_to(user)`."""
        return self.model.objects.visible_to(user)

    def event_label(self, event: str) -> str:
        if self.events is not None and event in self.events.values:
            return str(self.events(event).label)
        return event

    def code_of(self, matter) -> str:
        return getattr(matter, self.code_field)

    def title_of(self, matter) -> str:
        return getattr(matter, self.title_field)

    def evaluate(self, matter, on: dt.date, *, reported: bool | None = None):
        """The matter's own light on `on` by the kind's rule (before any roll-up)."""
        if self.light is not None:
            return self.light(matter, on, reported=reported)
        from duban.matters import clock

        return clock.evaluate(matter, on, closed=matter.state in self.finished_states, reported=reported)


_KINDS: dict[str, MatterKind] = {}


def register(kind: MatterKind) -> MatterKind:
    """Add (or replace, by key) a kind; AppConfig.ready() may run more than once in tests."""
    _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """Take a kind out again (a kind defined only inside a test)."""
    _KINDS.pop(key, None)


def kinds() -> list[MatterKind]:
    return list(_KINDS.values())


def get(key: str) -> MatterKind:
    """The kind registered under `key` (KeyError if there is none)."""
    return _KINDS[key]


def for_model(model) -> MatterKind:
    for kind in _KINDS.values():
        if kind.model is model or kind.model._meta.concrete_model is model._meta.concrete_model:
            return kind
    raise LookupError(f"{model.__name__} is not a registered kind of matter")
