"""The sweep (SPEC §4): recompute lights, fire each due step of the escalation ladder once per matter per
deadline cycle, send what it fired. `duban sweep [--now ISO]` runs it by hand; the worker every few minutes.

    result = sweep(now)      # an aware datetime; None: now

Safe to repeat and to run on several nodes at once:
- one transaction for the whole sweep: interrupted, it leaves nothing behind;
- one sweep at a time: PostgreSQL takes a transaction-scoped advisory lock and a second sweep skips;
  SQLite's write transaction (BEGIN IMMEDIATE) makes a second sweep wait, then find nothing to do;
- a step fires once per matter per deadline cycle: `SupervisionAction`'s unique constraint on
  (matter, cycle, slot) of automatic actions; the sweep reads what fired before it decides;
- a matter is looked at only when its `ladder_next_on` has come (or is unset: new, or its deadline moved),
  so a second sweep at the same time reads a few rows and writes none.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from duban.core import audit
from duban.core.actor import Actor
from duban.matters import lights, registry
from duban.supervision import ladder as rungs
from duban.supervision.choices import ActionKind, ActionState
from duban.supervision.models import SupervisionAction, SweepMark
from duban.supervision.notices import allocate_numbers, kind_labels, messages_for, text_for
from duban.supervision.selectors import ladders_by_kind

CHUNK = 2000
LOCK_KEY = 0x6475_6261  # "duba": the PostgreSQL advisory lock of the sweep
SWEEP = Actor.system("督办巡检")


@dataclass
class SweepResult:
    now: dt.datetime
    skipped: bool = False  # another sweep held the lock
    checked: int = 0  # matters whose ladder was looked at
    actions: int = 0
    notices: int = 0
    lights: int = 0  # rows whose light was rewritten
    messages: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return self.actions + self.lights + self.messages

    def describe(self) -> str:
        if self.skipped:
            return "另一个巡检正在进行，本次跳过。"
        kinds = "，".join(f"{k} {n} 项" for k, n in self.by_kind.items()) or "无"
        return (f"巡检完成（{timezone.localtime(self.now):%Y-%m-%d %H:%M}）：查看 {self.checked} 项事项，"
                f"发出督办 {self.actions} 项（{kinds}；其中督办通知单 {self.notices} 份），"
                f"更新亮灯 {self.lights} 项，发送消息 {self.messages} 条，用时 {self.seconds:.2f} 秒。")


def sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    started = time.perf_counter()
    result = SweepResult(now=now)
    today = timezone.localdate(now)
    with transaction.atomic():
        if not _lock():
            result.skipped = True
            return result
        for kind in registry.kinds():
            _fire(kind, today, now, result)
            result.lights += _relight(kind, today)
        if result.actions:
            audit.record(SWEEP, "supervision.sweep", None, object_type="supervision.SupervisionAction",
                         after={"actions": result.actions, "notices": result.notices, "by_kind": result.by_kind,
                                "messages": result.messages, "lights": result.lights},
                         message=f"督办巡检发出督办 {result.actions} 项（督办通知单 {result.notices} 份）")
    result.seconds = time.perf_counter() - started
    return result


def _relight(kind: registry.MatterKind, today: dt.date) -> int:
    """Every open matter once a day (the first sweep of the day), else only those marked for it."""
    mark = SweepMark.objects.filter(kind=kind.key).values_list("lights_on", flat=True).first()
    full = mark is None or mark < today
    written = lights.refresh_lights(kind, today, full=full)
    if full:
        SweepMark.objects.update_or_create(kind=kind.key, defaults={"lights_on": today})
    return written


def _lock() -> bool:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            return bool(cursor.fetchone()[0])
    return True  # SQLite: this transaction already holds the database's write lock


def _fire(kind: registry.MatterKind, today: dt.date, now: dt.datetime, result: SweepResult) -> None:
    model = kind.model
    matter_type = ContentType.objects.get_for_model(model)
    ladders = ladders_by_kind(kind.key)
    if not ladders:
        return
    columns = ("id", "due_date", "deadline_cycle", kind.code_field, kind.title_field, f"{kind.chased_unit}_id",
               f"{kind.leader_field}_id", "progress", "major")
    candidates = (
        model.objects.filter(state__in=kind.chased_states, paused_since__isnull=True, due_date__isnull=False)
        .filter(Q(ladder_next_on__isnull=True) | Q(ladder_next_on__lte=today))
        .annotate(major=ExpressionWrapper(kind.major, output_field=BooleanField()))
        .order_by("id").values_list(*columns)
    )
    rows = list(candidates)
    result.checked += len(rows)
    new: list[SupervisionAction] = []
    next_on: dict[dt.date, list[int]] = defaultdict(list)
    noticed: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        fired = _fired(matter_type, chunk)
        for matter_id, due, cycle, code, title, unit_id, leader_id, progress, major in chunk:
            steps = ladders.get(bool(major)) or ladders.get(False) or []
            dues, following = rungs.plan(due, steps, fired.get((matter_id, cycle), {}), today)
            next_on[following].append(matter_id)
            for item in dues:
                target_person_id = leader_id if item.step.target == "leader" else None
                new.append(SupervisionAction(
                    kind=item.step.kind, state=ActionState.OPEN if item.reply_due else ActionState.DONE,
                    matter_type=matter_type, matter_id=matter_id, matter_code=code, matter_title=title[:300],
                    deadline_cycle=cycle, slot=item.slot, automatic=True, target_unit_id=unit_id,
                    target_person_id=target_person_id, issued_on=item.on, issued_at=now, due_date=due,
                    reply_due=item.reply_due, text=text_for(kind, item, code, title, due, progress),
                ))
                new[-1].leader_id = leader_id  # for the messages: the leader in charge is copied on notices
                if item.step.kind == ActionKind.NOTICE:
                    noticed.append(matter_id)
    if new:
        # Numbered in the order the ladder dates them (then matter), so that the numbers are the same whether
        # one sweep catches up or many ran day by day.
        allocate_numbers(sorted((a for a in new if a.kind == ActionKind.NOTICE),
                                key=lambda a: (a.issued_on, rungs.ORDER.get(a.slot, 99), a.matter_id)))
        chases = [a for a in new if a.slot == rungs.NOTICE_AGAIN]
        SupervisionAction.objects.bulk_create(new, batch_size=500)
        if chases:
            _link_chases(chases)
        result.actions += len(new)
        result.notices += sum(1 for a in new if a.kind == ActionKind.NOTICE)
        labels = kind_labels()
        for action in new:
            label = labels[action.kind]
            result.by_kind[label] = result.by_kind.get(label, 0) + 1
        result.messages += messages_for(kind, new)
    # Where the ladder stands now: the next day each matter needs looking at; a new notice turns it red.
    for day, ids in next_on.items():
        for start in range(0, len(ids), CHUNK):
            model.objects.filter(pk__in=ids[start:start + CHUNK]).update(ladder_next_on=day)
    for start in range(0, len(noticed), CHUNK):
        model.objects.filter(pk__in=noticed[start:start + CHUNK]).update(under_notice=True, light_checked_on=None)


def _fired(matter_type, chunk) -> dict[tuple[int, int], dict[str, rungs.Fired]]:
    """What the ladder already issued on these matters: (matter, cycle) → slot → Fired."""
    found: dict[tuple[int, int], dict[str, rungs.Fired]] = defaultdict(dict)
    actions = SupervisionAction.objects.filter(
        matter_type=matter_type, automatic=True, matter_id__in=[r[0] for r in chunk],
    ).values_list("matter_id", "deadline_cycle", "slot", "issued_on", "reply_due", "state")
    for matter_id, cycle, slot, on, reply_due, state in actions:
        found[(matter_id, cycle)][slot] = rungs.Fired(on, reply_due, state != ActionState.OPEN)
    return found


def _link_chases(chases: list[SupervisionAction]) -> None:
    """A second notice points at the first one, the notice it chases (possibly written in this same sweep)."""
    firsts = {
        (matter_id, cycle): pk for matter_id, cycle, pk in SupervisionAction.objects.filter(
            matter_type=chases[0].matter_type, automatic=True, slot=ActionKind.NOTICE,
            matter_id__in=[a.matter_id for a in chases],
        ).values_list("matter_id", "deadline_cycle", "id")
    }
    for action in chases:
        first = firsts.get((action.matter_id, action.deadline_cycle))
        if first:
            SupervisionAction.objects.filter(pk=action.pk).update(chases_id=first)
