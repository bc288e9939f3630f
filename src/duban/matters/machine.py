"""The state-machine base: one transition table per kind, with who may take each transition beside it.

A kind declares its transitions once:

    MACHINE = StateMachine(TaskState, [
        Transition("sign", "签收", {TaskState.ASSIGNED}, TaskState.IN_PROGRESS,
                   may=is_lead_unit, refusal="只有牵头单位的联络员或一把手可以签收。", event="signed"),
        ...
    ])

The runner (`matters.services.perform`) refuses with `refusal` whoever `may` says no to, then with what is
allowed now a move the state does not permit (`check`), and writes with `write`: `UPDATE … WHERE id = ? AND
state = ? AND version = ?`, exactly one row, or someone else changed the matter first and the writer is told
so. The page's action bar (`offered`) and its "why not" read the same declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import F, Model, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.errors import Conflict, ServiceError


@dataclass(frozen=True)
class Transition:
    """One legal move: its name, the action's Chinese label, the states it leaves from and where it leads,
    who may take it (and what they are told when they may not) and the timeline event it writes."""

    name: str
    label: str
    sources: frozenset[str]
    target: str | None = None  # None: the state stays (a report, a request that awaits a decision)
    # Further states a decision may lead to instead (恢复办理 returns to where the matter was; an approved
    # 调整 sends it back to 待签收 while a refused one leaves it where it is).
    also: frozenset[str] = frozenset()
    # Who may: (matter, user) → bool. A system job (no user) acts for the office and is not asked.
    may: Callable[[object, object], bool] | None = None
    # Said to a user `may` refuses: "只有县督查室可以审核销账。" follows "您无权对任务 2026-0001 审核销账："; a
    # refusal naming the matter itself ({word} {code}), or marked `alone`, is said on its own (`said_alone`:
    # asked when it is said, as a lazily translated refusal is read only then).
    refusal: str = ""
    alone: bool = False
    event: str = ""  # MatterEvent.event it writes; default its name
    # False: the move is taken from elsewhere than the matter's action bar (a pending request's own page).
    offered: bool = True
    # False: whoever `may` lets through need not see the matter first (the office decides every request).
    scoped: bool = True

    def __init__(self, name: str, label: str, sources: Iterable[str], target: str | None = None, *, also: Iterable[str] = (),
                 may: Callable[[object, object], bool] | None = None, refusal: str = "", event: str = "", offered: bool = True,
                 scoped: bool = True, alone: bool = False):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "also", frozenset(also))
        object.__setattr__(self, "may", may)
        object.__setattr__(self, "refusal", refusal)
        object.__setattr__(self, "event", event or name)
        object.__setattr__(self, "offered", offered)
        object.__setattr__(self, "scoped", scoped)
        object.__setattr__(self, "alone", alone)

    def permits(self, matter, user) -> bool:
        """True if `user` may take this move on `matter` (state aside); no user: a system job."""
        return user is None or (self.may is not None and bool(self.may(matter, user)))

    def said_alone(self) -> bool:
        """True if the refusal is said on its own (it names the matter, or the transition says so)."""
        return self.alone or "{code}" in str(self.refusal)

    def refusal_for(self, word: str, code: str) -> str:
        """What a user `permits` says no to is told, naming the matter as its kind does ("任务 2026-0001")."""
        if self.said_alone():
            return self.refusal.format(word=word, code=code)
        return _("您无权对%(word)s %(code)s %(action)s：%(refusal)s") % {"word": word, "code": code, "action": self.label, "refusal": self.refusal}

    def leads_to(self, source: str) -> frozenset[str]:
        """The states this transition may leave a matter in when it starts from `source`."""
        return frozenset({self.target or source}) | self.also


class StateMachine:
    """The transition table of one kind of matter."""

    def __init__(self, states: type[TextChoices], transitions: Iterable[Transition]):
        self.states = states
        self.transitions = {t.name: t for t in transitions}
        for t in self.transitions.values():
            unknown = (t.sources | t.also | ({t.target} if t.target else set())) - set(states.values)
            if unknown:
                raise ValueError(f"transition {t.name} names unknown states {sorted(unknown)}")

    def available(self, state: str) -> list[Transition]:
        """Transitions that leave from `state`, in table order."""
        return [t for t in self.transitions.values() if state in t.sources]

    def allows(self, name: str, source: str, target: str) -> bool:
        """True if the table lets transition `name` take a matter from `source` to `target`."""
        transition = self.transitions[name]
        return source in transition.sources and target in transition.leads_to(source)

    def check(self, obj, name: str, *, noun: str = gettext_lazy("该事项")) -> Transition:
        """The transition `name` if legal from `obj.state`, else a refusal that says what is allowed now."""
        transition = self.transitions[name]
        if obj.state not in transition.sources:
            state_label = self.states(obj.state).label
            allowed = _("、").join(str(t.label) for t in self.available(obj.state))
            hint = _("现在可以：%(allowed)s。") % {"allowed": allowed} if allowed else _("现在已不能再办理。")
            raise ServiceError(_("%(noun)s当前为“%(state)s”，不能%(action)s。%(hint)s") % {"noun": noun, "state": state_label, "action": transition.label, "hint": hint})
        return transition


CONFLICT_MESSAGE = gettext_lazy("{noun}刚被他人修改过（{who}），您的操作没有保存。请刷新页面，看过最新情况后再操作。")


def write(obj: Model, *, expected_version: int | None = None, expected_state: str | None = None, noun: str = gettext_lazy("该事项"), **changes) -> None:
    """Conditionally update one matter row and bump its version; raise Conflict if it changed meanwhile.

    `expected_version` is the version the user saw (a form's hidden field); by default the one `obj`
    was read with, which still catches a change made between this request's read and its write.
    """
    model = type(obj)
    version = obj.version if expected_version is None else int(expected_version)
    state = obj.state if expected_state is None else expected_state
    changes.setdefault("updated_at", timezone.now())
    derived = getattr(model, "derived", None)
    if derived is not None:  # due_sort from due_date, a task's search_text from its code, title and person …
        changes.update(derived(changes, obj))
    updated = model.objects.filter(pk=obj.pk, version=version, state=state).update(version=F("version") + 1, **changes)
    if updated != 1:
        current = model.objects.filter(pk=obj.pk).values("version", "state").first()
        who = _("当前为第 %(version)s 版") % {"version": current["version"]} if current else _("已被删除")
        raise Conflict(CONFLICT_MESSAGE.format(noun=noun, who=who))
    computed = [key for key, value in changes.items() if hasattr(value, "resolve_expression")]
    for key, value in changes.items():
        if key not in computed:
            setattr(obj, key, value)
    obj.version = version + 1
    if computed:  # e.g. F("return_count") + 1: read back what the database made of it
        obj.refresh_from_db(fields=computed)
