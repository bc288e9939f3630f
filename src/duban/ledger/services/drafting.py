"""建账: open a draft task, edit its five clarities, register it (立账交办), decompose it per unit — one at a
time or a whole imported sheet at once."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core import audit
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.core.scope import unit_scope
from duban.ledger import policies
from duban.ledger.choices import FINISHED_STATES, EventKind, TaskSource, TaskState
from duban.ledger.kind import TASK_FIELDS, TASK_KIND
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import Campaign, Task
from duban.ledger.services.common import (
    NOUN,
    _next_code,
    check_version,
    deadline_wording,
    evaluate,
    today,
    unit_head,
)
from duban.matters import obstruction
from duban.matters import services as kernel
from duban.matters.models import MatterEvent

ASSIGNERS_ONLY = gettext_lazy("只有县督查室或主要领导可以建账。")


def _require_title(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise ServiceError(_("请填写工作任务（干什么）。"), field="title")


@transaction.atomic
def create_task(actor: Actor, campaign: Campaign, *, cooperating_units=(), **values) -> Task:
    """Open a draft task (建账) in a campaign; the five clarities may be completed later."""
    if actor.user is not None and not policies.can_assign(actor.user):
        raise NotAllowed(ASSIGNERS_ONLY)
    _require_title(values)
    fields = {k: v for k, v in values.items() if k in TASK_FIELDS}
    _check_values(fields, campaign)
    task = Task(campaign=campaign, code=_next_code(campaign), state=TaskState.DRAFT, **fields)
    task.save()
    if cooperating_units:
        task.cooperating_units.set(cooperating_units)
    kernel.created(actor, task, text=f"建账：{task.title}", kind=TASK_KIND)
    return task


def _check_values(fields: dict, campaign: Campaign | None, task: Task | None = None) -> None:
    """Refuse values that contradict each other, judged against the task's current ones where not given."""
    front = fields.get("front")
    if front is not None and campaign is not None and front.campaign_id != campaign.pk:
        raise ServiceError(_("战线“%(front)s”不属于“%(campaign)s”，请重新选择。") % {"front": front, "campaign": campaign}, field="front")
    if fields.get("standing"):
        fields["due_date"] = None
    if fields.get("report_cycle"):
        from duban.matters.cycles import ReportCycle

        try:
            ReportCycle.parse(fields["report_cycle"])
        except ValueError as exc:
            raise ServiceError(str(exc), field="report_cycle") from None
    start = fields.get("start_date", task.start_date if task else None)
    due = fields.get("due_date", task.due_date if task else None)
    if start and due and due < start:
        raise ServiceError(_("完成时限不能早于开始日期，请检查日期。"), field="due_date")
    if "source" in fields and fields["source"] not in TaskSource.values:
        raise ServiceError(_("任务来源不正确。"), field="source")


@transaction.atomic
def update_task(actor: Actor, task: Task, *, expected_version: int | None = None, cooperating_units=None, **values) -> Task:
    """Change a task's five clarities (the office); a stale form is refused, never silently overwritten."""
    kernel.authorize(actor, task, "edit", kind=TASK_KIND)
    fields = {k: v for k, v in values.items() if k in TASK_FIELDS}
    _check_values(fields, task.campaign, task)
    old_units = set(task.cooperating_units.values_list("id", flat=True))
    changed = {k: v for k, v in fields.items() if getattr(task, k) != v}
    units_changed = cooperating_units is not None and {u.pk for u in cooperating_units} != old_units
    if not changed and not units_changed:
        check_version(task, expected_version)  # a stale form is told so even when it changes nothing
        return task
    if task.state != TaskState.DRAFT and "due_date" in changed and task.due_date and changed["due_date"] != task.due_date:
        changed["deadline_cycle"] = task.deadline_cycle + 1  # a moved deadline is a new cycle for the ladder
    if changed.get("due_date") and "deadline_text" not in changed:
        changed["deadline_text"] = deadline_wording(changed["due_date"])  # the old wording would now be untrue
    if "report_cycle" in changed and task.signed_at is not None and task.state not in FINISHED_STATES:
        # The unit already reports: its next report falls due on the new cycle from today.
        from duban.matters.cycles import ReportCycle

        changed["next_report_due"] = ReportCycle.parse(changed["report_cycle"]).next_due(today())
    names = "、".join(dict.fromkeys(  # 完成时限 names both the date and its wording
        str(Task._meta.get_field(k).verbose_name) for k in changed if k not in {"deadline_cycle", "next_report_due"}))
    if units_changed:
        names = "、".join(filter(None, [names, "配合单位"]))

    def link_units():
        if units_changed:
            task.cooperating_units.set(cooperating_units)

    # The links are set after the write (a stale version is refused first) and before the timeline and audit.
    kernel.perform(actor, task, "edit", changes=changed, expected_version=expected_version,
                   text=f"修改了：{names}", data={"fields": sorted(changed)}, audit_action="update", kind=TASK_KIND,
                   after_write=link_units)
    return task


@transaction.atomic
def register_task(actor: Actor, task: Task, *, expected_version: int | None = None) -> Task:
    """立账交办: the five clarities are complete; the lead unit now has one working day to sign for it."""

    def complete():
        missing = task.missing_clarities()
        if missing:
            raise ServiceError(_("五明确未填全，不能立账：缺少%(missing)s。请补充后再立账。") % {"missing": _("；").join(missing)})

    kernel.perform(actor, task, "register", guard=complete, changes={"state": TaskState.ASSIGNED},
                   expected_version=expected_version, text=f"立账交办 {task.lead_unit}", kind=TASK_KIND)
    return task


@transaction.atomic
def decompose_task(actor: Actor, parent: Task, parts: list[dict], *, expected_version: int | None = None) -> list[Task]:
    """Split a task into sub-tasks per unit; they inherit the parent's clarities unless a part overrides them.

    A part with its own due date gets the wording of that date, unless it brings its own wording.
    """

    def some():
        if not parts:
            raise ServiceError(_("请至少填写一个子任务的承办单位。"), field="parts")

    def make_children() -> tuple[list[Task], list[str]]:
        existing = list(Task.objects.filter(parent=parent).values_list("code", flat=True))
        children = []
        for offset, part in enumerate(parts, start=1):
            unit = part.get("lead_unit")
            if unit is None:
                raise ServiceError(_("第 %(number)s 个子任务没有承办单位，请选择。") % {"number": offset}, field="parts")
            own_due = part.get("due_date")
            own_due = own_due if own_due and own_due != parent.due_date else None
            child = Task(
                campaign=parent.campaign, front=parent.front, parent=parent, code=f"{parent.code}-{len(existing) + offset}",
                state=TaskState.DRAFT, title=part.get("title") or f"{parent.title}（{unit.display_name}）",
                standard=part.get("standard") or parent.standard, assigning_leader=parent.assigning_leader,
                leader_in_charge=parent.leader_in_charge, lead_unit=unit,
                responsible_person=part.get("responsible_person"), responsible_name=part.get("responsible_name") or "",
                deadline_text=part.get("deadline_text") or (deadline_wording(own_due) if own_due else parent.deadline_text),
                standing=parent.standing and not own_due, due_date=own_due or parent.due_date, start_date=parent.start_date,
                report_cycle=parent.report_cycle, reward_penalty=parent.reward_penalty,
                source=parent.source, source_ref=parent.source_ref,
            )
            if not (child.responsible_person_id or child.responsible_name):
                head = unit_head(unit)
                child.responsible_person = head
                child.responsible_name = "" if head else "单位主要负责人"
            child.save()
            kernel.created(actor, child, text=f"由 {parent.code} 分解", kind=TASK_KIND)
            if parent.state != TaskState.DRAFT:
                register_task(actor, child)
            children.append(child)
        return children, existing

    def codes(prepared) -> dict:
        children, existing = prepared
        return {"children": sorted([*existing, *(c.code for c in children)])}

    done = kernel.perform(
        actor, parent, "decompose", guard=some, expected_version=expected_version, prepare=make_children,
        text=lambda p: "分解为：" + "、".join(f"{c.code} {c.lead_unit}" for c in p[0]),
        audit_before=lambda p: {"children": sorted(p[1])}, audit_after=lambda _before, p: codes(p), kind=TASK_KIND,
    )
    return done.prepared[0]


# --- 建账 in bulk (an imported decomposition sheet) ---------------------------------------------------


@transaction.atomic
def create_tasks(actor: Actor, campaign: Campaign, rows: list[dict], *, register: bool = False) -> list[Task]:
    """Open many draft tasks at once: for each row what `create_task` does, and with `register` what
    `register_task` then does for each task whose five clarities are complete — in a few bulk statements.

    Each row holds `create_task`'s keyword arguments (`cooperating_units` among them). Every row is checked
    (the same checks, the same messages) before anything is written; a refused row raises its ServiceError
    with `index` set to the row's position in `rows`, and nothing is written. The result is what N calls of
    `create_task` (+ `register_task`) leave: codes in sequence after one `_next_code`, lights judged in
    Python, the derived columns filled by `Task.objects.bulk_create`, the cooperating-unit links, a
    "created" (and "registered") timeline event and a "task.create" (and "task.register") audit entry per
    task, chained in that order through `audit.record_many` under one lock of the chain's head.
    """
    user = actor.user
    if user is not None and not policies.can_assign(user):
        raise NotAllowed(ASSIGNERS_ONLY)
    rows = list(rows)
    if not rows:
        return []
    tasks, links = [], []
    for index, row in enumerate(rows):
        values = dict(row)
        units = values.pop("cooperating_units", None) or ()
        try:
            _require_title(values)
            fields = {k: v for k, v in values.items() if k in TASK_FIELDS}
            _check_values(fields, campaign)
        except ServiceError as exc:
            exc.index = index
            raise
        tasks.append(Task(campaign=campaign, state=TaskState.DRAFT, **fields))
        links.append(list(dict.fromkeys(u.pk for u in units)))  # .set() links each unit once
    registering = [register and not t.missing_clarities() for t in tasks]  # register_task's rule

    first = _next_code(campaign)
    prefix = f"{campaign.year}-"
    number = int(first[len(prefix):])
    on, now = today(), timezone.now()
    snapshots = []
    for offset, (task, registers) in enumerate(zip(tasks, registering, strict=True)):
        task.code = f"{prefix}{number + offset:04d}"
        drafted = kernel.snapshot(TASK_KIND, task)  # as create_task's entry records it (version 1, a draft)
        registered = None
        if registers:
            try:
                _require_register_draft(task, actor)
                TASK_MACHINE.check(task, "register", noun=NOUN)
            except ServiceError as exc:
                exc.index = offset
                raise
            task.state, task.version, task.updated_at = TaskState.ASSIGNED, task.version + 1, now  # register_task's write()
            if obstruction.restarts(TASK_KIND, EventKind.REGISTERED):  # as the runner keeps it, with the event's moment
                task.last_restart_at = now
            registered = kernel.snapshot(TASK_KIND, task)
        result = evaluate(task, on)  # the light: no children yet, so the task's own
        task.light, task.light_reason, task.schedule, task.light_checked_on = result.light, result.reason, result.schedule, on
        snapshots.append((drafted, registered))
    tasks = Task.objects.bulk_create(tasks, batch_size=1000)  # fills the derived columns (Matter.DERIVED) as save() does
    through = Task.cooperating_units.through
    through.objects.bulk_create([through(task_id=task.pk, unit_id=unit) for task, units in zip(tasks, links, strict=True) for unit in units],
                                batch_size=1000)
    events, entries = [], []
    for task, (drafted, registered) in zip(tasks, snapshots, strict=True):
        created = f"建账：{task.title}"
        # Both at the moment the rows were made: the registration's is the task's last_restart_at too.
        events.append(kernel.new_event(TASK_KIND, actor, task, EventKind.CREATED, created, at=now))
        entries.append({"action": "task.create", "obj": task, "before": None, "after": drafted, "message": created[:300]})
        if registered is not None:
            text = f"立账交办 {task.lead_unit}"
            events.append(kernel.new_event(TASK_KIND, actor, task, EventKind.REGISTERED, text, at=now))
            entries.append({"action": "task.register", "obj": task, "before": drafted, "after": registered, "message": text[:300]})
    MatterEvent.objects.bulk_create(events, batch_size=1000)
    audit.record_many(actor, entries)
    return tasks


def _require_register_draft(task: Task, actor: Actor) -> None:
    """The runner's scope and who-may steps of "register" for a draft not yet written: a draft is visible only
    to the roles that see everything (TaskQuerySet.visible_to), so the scope test needs no query."""
    user = actor.user
    if user is None:
        return
    if not unit_scope(user).everything:
        raise NotAllowed(_("%(word)s %(code)s 不在您的职责范围内，无法办理。") % {"word": TASK_KIND.word, "code": task.code})
    transition = TASK_MACHINE.transitions["register"]
    if not transition.permits(task, user):
        raise NotAllowed(transition.refusal_for(TASK_KIND.word, task.code))
