"""The one transition runner: every state change of every kind of matter goes through `perform`.

    perform(actor, task, "sign", changes={"state": …, "signed_at": now}, text="县交通运输局签收")

does, in this order and in one transaction:

1. scope: a matter outside the actor's scope (`MatterKind.visible`) is refused as "not in your charge";
2. who may: the transition's own `may`, refused with its own `refusal` (declared beside it in the kind's
   state machine — the page's action bar and its "why not" read the same declaration);
3. the state machine: a move the state does not allow is refused with what is allowed now;
4. guards: the kind's own checks of the input (`guard()`, raising ServiceError);
5. the version the user saw (a form's hidden field), locked, before anything is written;
6. `prepare()`: rows beside the matter (a report, a request, files) — after every check, before the write;
7. the conditional write on (id, state, version) of `changes` (a state not in the table is a bug, refused);
8. one `MatterEvent` row (one of the kind's restart events also sets the row's `last_restart_at` to its
   moment, in step 7's write: the 中梗阻 idle count reads the row, not the timeline);
9. the light, rolled up into the parent (`matters.lights.relight`);
10. the audit entry, with the matter's audited fields before and after;
11. side effects (`after_commit`: messages, pushes) with `transaction.on_commit`.

A kind's service function is then only its guards, what it writes and the words of its event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import audit
from duban.core.actor import Actor
from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.matters import lights, obstruction, registry
from duban.matters.machine import CONFLICT_MESSAGE, Transition, write
from duban.matters.models import MatterEvent


@dataclass
class Performed:
    """What `perform` did: the matter as written, its timeline event, and what `prepare` returned."""

    matter: Any
    event: MatterEvent
    prepared: Any = None


def word_of(kind: registry.MatterKind) -> str:
    """The kind's word for one matter ("任务"), else its noun without 该: "该任务" → "任务"."""
    return kind.word or (kind.noun[1:] if kind.noun.startswith("该") else kind.noun)


def authorize(actor: Actor, matter, name: str, *, kind: registry.MatterKind | None = None) -> Transition:
    """Steps 1–3 of `perform`: scope, who may, state. Returns the transition; raises NotAllowed or ServiceError."""
    kind = kind or registry.for_model(type(matter))
    transition = kind.machine.transitions[name]
    user = actor.user
    if user is not None:
        code = kind.code_of(matter)
        if transition.scoped and not kind.visible(user).filter(pk=matter.pk).exists():
            if transition.said_alone():  # a refusal said on its own covers scope too
                raise NotAllowed(transition.refusal_for(word_of(kind), code))
            raise NotAllowed(_("%(word)s %(code)s 不在您的职责范围内，无法办理。") % {"word": word_of(kind), "code": code})
        if not transition.permits(matter, user):
            raise NotAllowed(transition.refusal_for(word_of(kind), code))
    kind.machine.check(matter, name, noun=kind.noun)
    return transition


def may(matter, name: str, user, *, kind: registry.MatterKind | None = None) -> bool:
    """True if `user` may take transition `name` on `matter` now (scope aside: the matter is on their page)."""
    kind = kind or registry.for_model(type(matter))
    transition = kind.machine.transitions[name]
    return matter.state in transition.sources and transition.permits(matter, user)


def offered(matter, user, *, kind: registry.MatterKind | None = None) -> list[Transition]:
    """The transitions of the matter's action bar that `user` may take now, in table order."""
    kind = kind or registry.for_model(type(matter))
    return [t for t in kind.machine.available(matter.state) if t.offered and t.permits(matter, user)]


def check_version(kind: registry.MatterKind, matter, expected_version: int | None) -> None:
    """Refuse a form made from an older version before anything is created (request rows, files, sub-matters).

    The row is locked to the end of the transaction (PostgreSQL; SQLite's writers queue anyway), so a call
    that then writes the matter, or only adds rows beside it, acts on the version the user saw.
    """
    if expected_version is None:
        return
    current = kind.model.objects.select_for_update().filter(pk=matter.pk).values_list("version", flat=True).first()
    if current != int(expected_version):
        who = _("已被删除") if current is None else _("当前为第 %(version)s 版") % {"version": current}
        raise Conflict(CONFLICT_MESSAGE.format(noun=kind.noun, who=who))


def snapshot(kind: registry.MatterKind, matter) -> dict:
    return audit.snapshot(matter, list(kind.audited))


def owner_unit_id(kind: registry.MatterKind, matter) -> int | None:
    return getattr(matter, f"{kind.unit_field}_id", None)


def record_event(kind: registry.MatterKind, actor: Actor, matter, event: str, text: str = "",
                 data: Mapping[str, Any] | None = None, *, at: dt.datetime | None = None) -> MatterEvent:
    """One line of the matter's timeline; the unit is the one holding the matter now."""
    return MatterEvent.objects.create(
        kind=kind.key, matter_id=matter.pk, unit_id=owner_unit_id(kind, matter), person=actor.user,
        person_name=actor.name[:80], event=event, text=text, data=audit._jsonable(dict(data or {})),
        **({"at": at} if at is not None else {}),
    )


def new_event(kind: registry.MatterKind, actor: Actor, matter, event: str, text: str = "", data=None, **fields) -> MatterEvent:
    """An unsaved event, for a bulk insert (an imported sheet of new matters)."""
    return MatterEvent(kind=kind.key, matter_id=matter.pk, unit_id=owner_unit_id(kind, matter), person=actor.user,
                       person_name=actor.name[:80], event=event, text=text, data=audit._jsonable(dict(data or {})), **fields)


@transaction.atomic
def perform(
    actor: Actor, matter, name: str, *,
    changes: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None = None,
    expected_version: int | None = None,
    guard: Callable[[], None] | None = None,
    prepare: Callable[[], Any] | None = None,
    text: str | Callable[[Any], str] = "",
    data: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None = None,
    event: str = "",
    audit_action: str = "",
    audit_message: str | None = None,
    audit_before: Callable[[Any], dict] | None = None,
    audit_after: Callable[[dict, Any], dict] | None = None,
    after_write: Callable[[], None] | None = None,
    after_commit: Iterable[Callable[[], None]] = (),
    kind: registry.MatterKind | None = None,
) -> Performed:
    """Take transition `name` on `matter` for `actor` (see the module's docstring for the steps).

    `changes` (None: the row is not written), `text` and `data` may be functions of what `prepare` returned (a new request's id, say).
    `event` and `audit_action` name the outcome where one transition has several (审批延期: approved or not);
    `audit_before`/`audit_after` replace the matter's snapshots where the change is beside it (its sub-matters).
    """
    kind = kind or registry.for_model(type(matter))
    transition = authorize(actor, matter, name, kind=kind)
    if guard is not None:
        guard()
    check_version(kind, matter, expected_version)
    before = snapshot(kind, matter)
    source = matter.state
    prepared = prepare() if prepare is not None else None
    # None: the row is not written (a request beside it awaits a decision); a mapping, even an empty one, is
    # written and bumps the version (a cooperating unit's report changes no field of the task, but is a change).
    values = None if changes is None else dict(changes(prepared) if callable(changes) else changes)
    if values and "state" in values and not kind.machine.allows(name, source, values["state"]):
        raise ServiceError(_("%(action)s不能把%(noun)s改为“%(state)s”。") % {"action": transition.label, "noun": kind.noun, "state": kind.machine.states(values["state"]).label})
    happened = event or transition.event
    # An event that starts the idle count again (立账交办, 退回 …): the row keeps its moment, the event's own,
    # so that 久拖未报 reads the row alone (matters.obstruction.idle_condition).
    restarted = timezone.now() if obstruction.restarts(kind, happened) else None
    if values is not None:
        write(matter, expected_version=expected_version, noun=kind.noun,
              **values, **({"last_restart_at": restarted} if restarted is not None else {}))
    elif restarted is not None:  # derived, like the light: written without bumping the version
        type(matter).objects.filter(pk=matter.pk).update(last_restart_at=restarted)
        matter.last_restart_at = restarted
    if after_write is not None:  # rows that may only follow the write (links of an edited matter)
        after_write()
    if audit_before is not None:
        before = audit_before(prepared)
    words = text(prepared) if callable(text) else text
    details = data(prepared) if callable(data) else data
    row = record_event(kind, actor, matter, happened, words, details, at=restarted)
    lights.relight(kind, matter)
    after = audit_after(before, prepared) if audit_after is not None else snapshot(kind, matter)
    audit.record(actor, f"{kind.audit_prefix}.{audit_action or name}", matter, before=before, after=after, message=(words if audit_message is None else audit_message)[:300])
    for effect in after_commit:
        transaction.on_commit(effect)
    return Performed(matter=matter, event=row, prepared=prepared)


@transaction.atomic
def created(actor: Actor, matter, *, text: str, event: str = "created", audit_action: str = "create",
            kind: registry.MatterKind | None = None) -> MatterEvent:
    """The first line of a new matter's life (not a transition: there was no state before): its event, its
    light and its audit entry."""
    kind = kind or registry.for_model(type(matter))
    restarted = timezone.now() if obstruction.restarts(kind, event) else None
    row = record_event(kind, actor, matter, event, text, at=restarted)
    if restarted is not None:
        type(matter).objects.filter(pk=matter.pk).update(last_restart_at=restarted)
        matter.last_restart_at = restarted
    lights.relight(kind, matter)
    audit.record(actor, f"{kind.audit_prefix}.{audit_action}", matter, before=None, after=snapshot(kind, matter), message=text[:300])
    return row
