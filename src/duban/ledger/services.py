"""Every change to a key-work task: checked (scope, role, state), written conditionally, timelined and audited.

Each public function is one transition of `ledger.machine.TASK_MACHINE` and runs in one transaction:
scope and permission first (a task outside the actor's scope is "not found"), then the state, then a
conditional UPDATE on (id, state, version), the timeline event, the audit entry and the light.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from duban.core import attachments as attachment_store
from duban.core import audit
from duban.core.actor import Actor
from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.core.models import Unit, User
from duban.ledger import policies
from duban.ledger.choices import FINISHED_STATES, OPEN_STATES, EventKind, QualityGrade, RequestState, TaskSource, TaskState
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import Campaign, CompletionRequest, ExtensionRequest, ProgressReport, ReassignRequest, Task, TaskEvent
from duban.matters import clock
from duban.matters.choices import LIGHT_SEVERITY, Light, Schedule
from duban.matters.machine import CONFLICT_MESSAGE, write

NOUN = "该任务"
# Fields of the five clarities that `create_task` / `update_task` accept.
TASK_FIELDS = (
    "title", "standard", "assigning_leader", "leader_in_charge", "lead_unit", "responsible_person",
    "responsible_name", "deadline_text", "standing", "due_date", "start_date", "report_cycle", "reward_penalty",
    "source", "source_ref", "front", "seq",
)
AUDITED = TASK_FIELDS + (
    "state", "progress", "grade", "paused_since", "pause_reason", "deadline_cycle", "version", "signed_at",
    "last_report_on", "next_report_due", "completed_on", "closed_on", "return_count", "reassign_count",
)


def today() -> dt.date:
    return timezone.localdate()


# --- helpers ---------------------------------------------------------------------------------------


def _require(action: str, task: Task, actor: Actor) -> None:
    """Scope, then role; the same predicates decide what the task page offers."""
    user = actor.user
    if user is None:
        return  # system jobs (import, demo) act for the office
    if not Task.objects.visible_to(user).filter(pk=task.pk).exists():
        raise NotAllowed(f"任务 {task.code} 不在您的职责范围内，无法办理。")
    if not policies.CAN.get(action, lambda *_: False)(task, user):
        raise NotAllowed(f"您无权对任务 {task.code} {TASK_MACHINE.transitions[action].label}：{_who_may(action)}")


def _who_may(action: str) -> str:
    return {
        "edit": "只有县督查室或主要领导可以修改任务。",
        "register": "只有县督查室或主要领导可以立账交办。",
        "decompose": "只有县督查室或主要领导可以分解任务。",
        "sign": "只有牵头单位的联络员或一把手可以签收。",
        "report": "只有牵头单位或配合单位的联络员、一把手可以报送进展。",
        "request_completion": "只有牵头单位的联络员或一把手可以申请销账。",
        "close": "只有县督查室可以审核销账。",
        "return": "只有县督查室可以退回。",
        "request_extension": "只有牵头单位的联络员或一把手可以申请延期。",
        "request_reassignment": "只有牵头单位的联络员或一把手可以申请调整。",
        "pause": "只有县督查室或分管该任务的县领导可以挂起计时。",
        "resume_clock": "只有县督查室或分管该任务的县领导可以恢复计时。",
        "suspend": "只有主要领导可以暂停任务。",
        "reopen": "只有主要领导可以恢复任务。",
        "cancel": "只有主要领导可以撤销任务。",
    }.get(action, "")


def _event(task: Task, actor: Actor, kind: str, text: str = "", **data) -> TaskEvent:
    return TaskEvent.objects.create(task=task, actor=actor.user, actor_name=actor.name[:80], kind=kind, text=text, data=audit._jsonable(data))


def _snapshot(task: Task) -> dict:
    return audit.snapshot(task, [f for f in AUDITED])


def _finish(task: Task, actor: Actor, action: str, before: dict, kind: str, text: str = "", **data) -> Task:
    """The common tail of a transition: timeline, audit entry, light (and the parent's)."""
    _event(task, actor, kind, text, **data)
    refresh_light(task)
    audit.record(actor, f"task.{action}", task, before=before, after=_snapshot(task), message=text[:300])
    return task


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(f"请填写{what}。", field="reason")
    return text


def _attach(files, owner, actor: Actor) -> list:
    return [attachment_store.store(f, owner=owner, user=actor.user) for f in files or ()]


def _check_version(task: Task, expected_version: int | None) -> None:
    """Refuse a form made from an older version before anything is created (request rows, files, sub-tasks).

    The row is locked to the end of the transaction (PostgreSQL; SQLite's writers queue anyway), so a call
    that then writes the task, or only adds rows beside it, acts on the version the user saw.
    """
    if expected_version is None:
        return
    current = Task.objects.select_for_update().filter(pk=task.pk).values_list("version", flat=True).first()
    if current != int(expected_version):
        who = "已被删除" if current is None else f"当前为第 {current} 版"
        raise Conflict(CONFLICT_MESSAGE.format(noun=NOUN, who=who))


# What the database refuses (one pending request of a kind per task), in the words the user reads.
PENDING_REFUSAL = {
    "CompletionRequest": "已有一份销账申请在等待审核，请等审核后再申请。",
    "ExtensionRequest": "已有一份延期申请在等待审批，请等审批后再申请。",
    "ReassignRequest": "已有一份调整申请在等待处理。",
}


def _create_pending(model, **values):
    """Create a pending request; the database keeps one pending request of each kind per task."""
    try:
        with transaction.atomic():
            return model.objects.create(**values)
    except IntegrityError:
        if model.objects.filter(task=values["task"], state=RequestState.PENDING).exists():
            raise ServiceError(PENDING_REFUSAL[model.__name__]) from None
        raise


def deadline_wording(day: dt.date) -> str:
    """The wording of an exact due date, as the ledger writes it: "2026年8月31日前"."""
    return f"{day.year}年{day.month}月{day.day}日前"


def _next_report_due(task: Task, after: dt.date, *, owed: dt.date | None = None) -> dt.date | None:
    """When the next report falls due after one made on `after` (or a signature), on the task's cycle.

    A report made by the date it was `owed` meets that date, so the next one is the following period's:
    "每月25日前" reported on the 20th is next due in the next month, not on the 25th again. A cycle counted
    in working days runs from the report itself.
    """
    if not task.report_cycle:
        return None
    from duban.matters.cycles import CycleKind, ReportCycle

    cycle = ReportCycle.parse(task.report_cycle)
    if owed is not None and after <= owed and cycle.kind is not CycleKind.WORKDAYS:
        return cycle.next_due(owed)
    return cycle.next_due(after)


def _next_code(campaign: Campaign) -> str:
    """The next free top-level task number of the campaign's year ("2026-0042"), in O(log n) index seeks.

    Codes are unique across campaigns, so the year's numbers are one sequence. The highest code in the
    range "2026-" ≤ code < "2027" is one seek backwards on the unique code index (bounds that hold in the C
    order and in linguistic collations alike, which may ignore or reorder the "-"; startswith keeps the
    result exact); a sub-task's code ("2026-0041-2") sorts right after its parent's, so its first part is
    the number. Numbers have at least four digits, so from 10000 on the text order is no longer the number
    order ("2026-10000" < "2026-9999"): the number after the text-order highest is probed and, if taken,
    the first free one above it is found by galloping and bisection, each step one exact index lookup.
    """
    Campaign.objects.select_for_update().filter(pk=campaign.pk).order_by().first()  # one numberer at a time
    prefix = f"{campaign.year}-"
    last = (
        Task.objects.filter(code__gte=prefix, code__lt=str(campaign.year + 1), code__startswith=prefix)
        .order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[len(prefix):].split("-")[0]) if last else 0

    def taken(n: int) -> bool:
        return Task.objects.filter(code=f"{prefix}{n:04d}").exists()

    if number >= 9999 and taken(number + 1):  # past 9999: find the first free number above `number`
        low, step = number + 1, 1  # low is taken
        while taken(low + step):
            low, step = low + step, step * 2
        high = low + step  # free
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if taken(middle) else (low, middle)
        return f"{prefix}{high:04d}"
    return f"{prefix}{number + 1:04d}"


# --- light ---------------------------------------------------------------------------------------


def evaluate(task: Task, on: dt.date | None = None, *, reported: bool | None = None) -> clock.LightResult:
    """The task's own light on `on`; a parent's is then made no better than its worst open child's.

    A draft (建账) is not on anyone's clock yet: no schedule class and a neutral light. `reported`: see
    `clock.evaluate` (a parent has reported when it or any of its sub-tasks has).
    """
    on = on or today()
    if task.state == TaskState.DRAFT:
        return clock.LightResult(Light.GREEN, "建账中，尚未立账", Schedule.NONE)
    result = clock.evaluate(task, on, closed=task.state in FINISHED_STATES, reported=reported)
    if task.state == TaskState.CANCELLED:
        return clock.LightResult(Light.GREY, "已撤销", "")
    return result


@transaction.atomic(savepoint=False)
def refresh_light(task: Task, on: dt.date | None = None) -> None:
    """Recompute and store the light (no version bump: it is derived), then roll up into the parent.

    A parent's percent is the average of its children's (cancelled ones left out), and its light is no
    better than its worst open child's. The row is written only while it is still the version `task` was
    read at: a stale copy (the sweep's, say) would otherwise put back an old percent and light.
    """
    on = on or today()
    children = Task.objects.filter(parent=task).exclude(state=TaskState.CANCELLED)
    rolled_up = task.state not in FINISHED_STATES and children.exists()
    reported = None
    if rolled_up:
        # Set before the parent's own light is judged: its 欠进度 is measured on this percent, which is a
        # report once the parent or any sub-task has reported (or closed).
        figures = children.aggregate(
            p=Avg("progress"), r=Count("pk", filter=Q(last_report_on__isnull=False) | Q(state=TaskState.CLOSED)))
        task.progress = int((figures["p"] or 0) + 0.5)  # half up, as a bulletin rounds
        reported = task.last_report_on is not None or figures["r"] > 0
    result = evaluate(task, on, reported=reported)
    light, reason = result.light, result.reason
    if rolled_up:
        rows = list(children.filter(state__in=OPEN_STATES).values_list("light", "light_reason", "code"))
        worst = max(rows, key=lambda r: LIGHT_SEVERITY[r[0]], default=None)
        if worst is not None and LIGHT_SEVERITY[worst[0]] > LIGHT_SEVERITY[light]:
            light, reason = worst[0], f"子任务 {worst[2]}：{worst[1]}"[:120]
    changes = {"light": light, "light_reason": reason, "schedule": result.schedule, "light_checked_on": on}
    if rolled_up:
        changes["progress"] = task.progress
    if Task.objects.filter(pk=task.pk, version=task.version).update(**changes) != 1:
        if not Task.objects.filter(pk=task.pk).exists():
            return
        task.refresh_from_db()  # changed since it was read: judge the row as it is now
        refresh_light(task, on)
        return
    for key, value in changes.items():
        setattr(task, key, value)
    if task.parent_id:
        # Locked so that two children changing at once each roll up what the other committed.
        refresh_light(Task.objects.select_for_update().get(pk=task.parent_id), on)


# --- 建账: create, edit, register, decompose -----------------------------------------------------


@transaction.atomic
def create_task(actor: Actor, campaign: Campaign, *, cooperating_units=(), **values) -> Task:
    """Open a draft task (建账) in a campaign; the five clarities may be completed later."""
    if actor.user is not None and not policies.can_assign(actor.user):
        raise NotAllowed("只有县督查室或主要领导可以建账。")
    if not (values.get("title") or "").strip():
        raise ServiceError("请填写工作任务（干什么）。", field="title")
    fields = {k: v for k, v in values.items() if k in TASK_FIELDS}
    _check_values(fields, campaign)
    task = Task(campaign=campaign, code=_next_code(campaign), state=TaskState.DRAFT, **fields)
    task.save()
    if cooperating_units:
        task.cooperating_units.set(cooperating_units)
    return _finish(task, actor, "create", None, EventKind.CREATED, f"建账：{task.title}")


def _check_values(fields: dict, campaign: Campaign | None, task: Task | None = None) -> None:
    """Refuse values that contradict each other, judged against the task's current ones where not given."""
    front = fields.get("front")
    if front is not None and campaign is not None and front.campaign_id != campaign.pk:
        raise ServiceError(f"战线“{front}”不属于“{campaign}”，请重新选择。", field="front")
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
        raise ServiceError("完成时限不能早于开始日期，请检查日期。", field="due_date")
    for key in ("source",):
        if key in fields and fields[key] not in TaskSource.values:
            raise ServiceError("任务来源不正确。", field=key)


@transaction.atomic
def update_task(actor: Actor, task: Task, *, expected_version: int | None = None, cooperating_units=None, **values) -> Task:
    """Change a task's five clarities (the office); a stale form is refused, never silently overwritten."""
    _require("edit", task, actor)
    TASK_MACHINE.check(task, "edit", noun=NOUN)
    fields = {k: v for k, v in values.items() if k in TASK_FIELDS}
    _check_values(fields, task.campaign, task)
    before = _snapshot(task)
    old_units = set(task.cooperating_units.values_list("id", flat=True))
    changed = {k: v for k, v in fields.items() if getattr(task, k) != v}
    units_changed = cooperating_units is not None and {u.pk for u in cooperating_units} != old_units
    if not changed and not units_changed:
        _check_version(task, expected_version)  # a stale form is told so even when it changes nothing
        return task
    if task.state != TaskState.DRAFT and "due_date" in changed and task.due_date and changed["due_date"] != task.due_date:
        changed["deadline_cycle"] = task.deadline_cycle + 1  # a moved deadline is a new cycle for the ladder
    if changed.get("due_date") and "deadline_text" not in changed:
        changed["deadline_text"] = deadline_wording(changed["due_date"])  # the old wording would now be untrue
    if "report_cycle" in changed and task.signed_at is not None and task.state not in FINISHED_STATES:
        # The unit already reports: its next report falls due on the new cycle from today.
        from duban.matters.cycles import ReportCycle

        changed["next_report_due"] = ReportCycle.parse(changed["report_cycle"]).next_due(today())
    write(task, expected_version=expected_version, noun=NOUN, **changed)
    if units_changed:
        task.cooperating_units.set(cooperating_units)
    names = "、".join(dict.fromkeys(  # 完成时限 names both the date and its wording
        str(Task._meta.get_field(k).verbose_name) for k in changed if k not in {"deadline_cycle", "next_report_due"}))
    if units_changed:
        names = "、".join(filter(None, [names, "配合单位"]))
    return _finish(task, actor, "update", before, EventKind.EDITED, f"修改了：{names}", fields=sorted(changed))


@transaction.atomic
def register_task(actor: Actor, task: Task, *, expected_version: int | None = None) -> Task:
    """立账交办: the five clarities are complete; the lead unit now has one working day to sign for it."""
    _require("register", task, actor)
    TASK_MACHINE.check(task, "register", noun=NOUN)
    missing = task.missing_clarities()
    if missing:
        raise ServiceError("五明确未填全，不能立账：缺少" + "；".join(missing) + "。请补充后再立账。")
    before = _snapshot(task)
    write(task, expected_version=expected_version, noun=NOUN, state=TaskState.ASSIGNED)
    return _finish(task, actor, "register", before, EventKind.REGISTERED, f"立账交办 {task.lead_unit}")


@transaction.atomic
def decompose_task(actor: Actor, parent: Task, parts: list[dict], *, expected_version: int | None = None) -> list[Task]:
    """Split a task into sub-tasks per unit; they inherit the parent's clarities unless a part overrides them.

    A part with its own due date gets the wording of that date, unless it brings its own wording.
    """
    _require("decompose", parent, actor)
    TASK_MACHINE.check(parent, "decompose", noun=NOUN)
    if not parts:
        raise ServiceError("请至少填写一个子任务的承办单位。", field="parts")
    _check_version(parent, expected_version)
    existing = Task.objects.filter(parent=parent).count()
    children = []
    for offset, part in enumerate(parts, start=1):
        unit = part.get("lead_unit")
        if unit is None:
            raise ServiceError(f"第 {offset} 个子任务没有承办单位，请选择。", field="parts")
        own_due = part.get("due_date")
        own_due = own_due if own_due and own_due != parent.due_date else None
        child = Task(
            campaign=parent.campaign, front=parent.front, parent=parent, code=f"{parent.code}-{existing + offset}",
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
            head = _unit_head(unit)
            child.responsible_person = head
            child.responsible_name = "" if head else "单位主要负责人"
        child.save()
        _finish(child, actor, "create", None, EventKind.CREATED, f"由 {parent.code} 分解")
        if parent.state != TaskState.DRAFT:
            register_task(actor, child)
        children.append(child)
    _event(parent, actor, EventKind.DECOMPOSED, "分解为：" + "、".join(f"{c.code} {c.lead_unit}" for c in children))
    refresh_light(parent)
    codes = sorted(Task.objects.filter(parent=parent).values_list("code", flat=True))
    audit.record(actor, "task.decompose", parent, before={"children": [c for c in codes if c not in {ch.code for ch in children}]},
                 after={"children": codes})
    return children


def _unit_head(unit: Unit) -> User | None:
    """The unit's head (一把手), who answers for its work when no one else is named."""
    return User.objects.filter(unit=unit, role_grants__role="unit_head", is_active=True).order_by("id").first()


# --- 承办: sign, report, request completion ------------------------------------------------------


@transaction.atomic
def sign_task(actor: Actor, task: Task, *, expected_version: int | None = None) -> Task:
    """签收: the lead unit accepts the task; reports fall due from now on the task's cycle."""
    _require("sign", task, actor)
    TASK_MACHINE.check(task, "sign", noun=NOUN)
    before = _snapshot(task)
    now = timezone.now()
    write(task, expected_version=expected_version, noun=NOUN, state=TaskState.IN_PROGRESS, signed_at=now,
          next_report_due=_next_report_due(task, timezone.localdate(now)))
    return _finish(task, actor, "sign", before, EventKind.SIGNED, f"{actor.user.unit if actor.user else ''}签收".strip())


@transaction.atomic
def report_progress(actor: Actor, task: Task, *, percent: int, text: str, problems: str = "", next_steps: str = "",
                    files=(), expected_version: int | None = None) -> ProgressReport:
    """报送进展: text, percent, problems and next steps (attachments optional); the next report falls due."""
    _require("report", task, actor)
    TASK_MACHINE.check(task, "report", noun=NOUN)
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ServiceError("完成进度应为 0 到 100 之间的整数。", field="percent")
    if not (text or "").strip():
        raise ServiceError("请填写工作进展。", field="text")
    _check_version(task, expected_version)  # a stale form: refused before files are stored
    before = _snapshot(task)
    on = today()
    unit = actor.user.unit if actor.user and actor.user.unit_id else task.lead_unit
    is_lead = actor.user is None or policies.is_lead_unit(task, actor.user)
    changes = {}
    if is_lead:
        # The lead unit answers for the task: its report sets the percent and the next report's due date.
        # A cooperating unit's report informs the lead unit and the office; it neither moves the percent
        # nor stands in for the lead unit's own report (a late lead unit stays yellow).
        changes = {"progress": percent, "last_report_on": on, "next_report_due": _next_report_due(task, on, owed=task.next_report_due)}
    # The report and its files first: a refused file then leaves `task` as it was, not half-written.
    report = ProgressReport.objects.create(task=task, unit=unit, author=actor.user, reported_on=on, percent=percent,
                                           text=text.strip(), problems=problems.strip(), next_steps=next_steps.strip())
    _attach(files, report, actor)
    write(task, expected_version=expected_version, noun=NOUN, **changes)
    _finish(task, actor, "report", before, EventKind.PROGRESS, f"{unit}报送进展：{percent}%", report_id=report.pk)
    return report


@transaction.atomic
def request_completion(actor: Actor, task: Task, *, summary: str, files=(), expected_version: int | None = None) -> CompletionRequest:
    """申请销账: the lead unit says the work is done and shows its evidence; the office verifies."""
    _require("request_completion", task, actor)
    TASK_MACHINE.check(task, "request_completion", noun=NOUN)
    summary = _reason(summary, "完成情况")
    if task.children.exclude(state__in=FINISHED_STATES).exists():
        open_codes = "、".join(task.children.exclude(state__in=FINISHED_STATES).values_list("code", flat=True)[:5])
        raise ServiceError(f"子任务 {open_codes} 尚未销账，请待全部子任务销账后再申请。")
    _check_version(task, expected_version)  # a stale form: refused before files are stored
    before = _snapshot(task)
    request = _create_pending(CompletionRequest, task=task, requested_by=actor.user, summary=summary)
    _attach(files, request, actor)
    write(task, expected_version=expected_version, noun=NOUN, state=TaskState.COMPLETION_REQUESTED, completed_on=today())
    _finish(task, actor, "request_completion", before, EventKind.COMPLETION_REQUESTED, summary, request_id=request.pk)
    return request


# --- 销账: close or return -----------------------------------------------------------------------


def _pending_completion(task: Task) -> CompletionRequest:
    request = task.completion_requests.filter(state=RequestState.PENDING).first()
    if request is None:
        raise ServiceError("没有待审核的销账申请。")
    return request


@transaction.atomic
def close_task(actor: Actor, task: Task, *, checklist: list[bool], grade: str, note: str = "",
               expected_version: int | None = None) -> Task:
    """销账: the office ticks every item of the task's standard, grades the work and closes it."""
    _require("close", task, actor)
    TASK_MACHINE.check(task, "close", noun=NOUN)
    items = task.standard_items
    if len(checklist) != len(items):
        raise ServiceError(f"验收清单有 {len(items)} 项，请逐项核验。", field="checklist")
    unmet = [item for item, met in zip(items, checklist, strict=True) if not met]
    if unmet:
        raise ServiceError("以下标准未达到，不能销账，请退回并写明理由：" + "；".join(unmet), field="checklist")
    if grade not in QualityGrade.values:
        raise ServiceError("请选择销账评定：优秀、良好或合格。", field="grade")
    request = _pending_completion(task)
    before = _snapshot(task)
    now = timezone.now()
    write(task, expected_version=expected_version, noun=NOUN, state=TaskState.CLOSED, grade=grade, closed_on=today(),
          progress=100, next_report_due=None, paused_since=None)
    CompletionRequest.objects.filter(pk=request.pk).update(
        state=RequestState.APPROVED, decided_by=actor.user, decided_at=now, grade=grade, note=note.strip(),
        checklist=[{"item": i, "met": True} for i in items],
    )
    _end_pending_requests(task, "任务已销账，此申请不再办理。")
    return _finish(task, actor, "close", before, EventKind.CLOSED, f"销账，评定：{QualityGrade(grade).label}。{note.strip()}".strip())


@transaction.atomic
def return_task(actor: Actor, task: Task, *, reason: str, checklist: list[bool] | None = None,
                expected_version: int | None = None) -> Task:
    """退回: the office sends a completion request back with its reasons; the task is in progress again."""
    _require("return", task, actor)
    TASK_MACHINE.check(task, "return", noun=NOUN)
    reason = _reason(reason, "退回理由")
    request = _pending_completion(task)
    before = _snapshot(task)
    write(task, expected_version=expected_version, noun=NOUN, state=TaskState.IN_PROGRESS, completed_on=None,
          return_count=F("return_count") + 1)
    items = task.standard_items
    ticks = [{"item": i, "met": bool(m)} for i, m in zip(items, checklist or [False] * len(items), strict=False)]
    CompletionRequest.objects.filter(pk=request.pk).update(state=RequestState.REJECTED, decided_by=actor.user,
                                                           decided_at=timezone.now(), note=reason, checklist=ticks)
    return _finish(task, actor, "return", before, EventKind.RETURNED, reason)


def _end_pending_requests(task: Task, note: str) -> None:
    """A closed or cancelled task answers its waiting extension and reassignment requests: they can no
    longer be decided, and must not wait in anyone's queue."""
    now = timezone.now()
    for model in (ExtensionRequest, ReassignRequest):
        model.objects.filter(task=task, state=RequestState.PENDING).update(state=RequestState.REJECTED, decided_at=now, note=note)


# --- side paths: extension, reassignment, pause, suspension, cancellation --------------------------


@transaction.atomic
def request_extension(actor: Actor, task: Task, *, new_due: dt.date, reason: str, expected_version: int | None = None) -> ExtensionRequest:
    """申请延期: the lead unit asks the leader in charge for a later due date, with its reasons."""
    _require("request_extension", task, actor)
    TASK_MACHINE.check(task, "request_extension", noun=NOUN)
    reason = _reason(reason, "延期理由")
    if task.standing or task.due_date is None:
        raise ServiceError("长期坚持的任务没有完成时限，无需延期。")
    if new_due <= task.due_date:
        raise ServiceError(f"申请延至的日期应晚于现在的完成时限 {task.due_date:%Y年%m月%d日}。", field="new_due")
    _check_version(task, expected_version)
    request = _create_pending(ExtensionRequest, task=task, requested_by=actor.user, old_due=task.due_date, new_due=new_due, reason=reason)
    _event(task, actor, EventKind.EXTENSION_REQUESTED, f"申请延期至 {new_due:%Y年%m月%d日}：{reason}", request_id=request.pk)
    # The row itself does not change until the leader decides; the entry records the pending request.
    before = _snapshot(task)
    audit.record(actor, "task.request_extension", task, before=before,
                 after={**before, "extension_request": request.pk, "old_due": task.due_date, "new_due": new_due}, message=reason[:300])
    return request


@transaction.atomic
def decide_extension(actor: Actor, request: ExtensionRequest, *, approve: bool, note: str = "",
                     expected_version: int | None = None) -> Task:
    """审批延期: the leader in charge approves (the clock moves, a new deadline cycle starts) or refuses.

    `expected_version` is the task's, as the leader saw it; the new date's wording replaces the old one.
    """
    task = Task.objects.get(pk=request.task_id)  # as it is now, not as it was when the request was read
    if actor.user is not None:
        if not Task.objects.visible_to(actor.user).filter(pk=task.pk).exists() or not policies.decides_extension(task, actor.user):
            raise NotAllowed(f"任务 {task.code} 的延期由其牵头县领导或主要领导审批。")
    TASK_MACHINE.check(task, "decide_extension", noun=NOUN)
    _check_version(task, expected_version)
    if ExtensionRequest.objects.filter(pk=request.pk, state=RequestState.PENDING).update(
        state=RequestState.APPROVED if approve else RequestState.REJECTED, decided_by=actor.user,
        decided_at=timezone.now(), note=(note or "").strip(),
    ) != 1:
        raise ServiceError("这份延期申请已经审批过了。")
    if approve and task.due_date is not None and request.new_due <= task.due_date:
        # The deadline moved since the request (a resumed clock, the office's edit): approving would shorten it.
        raise ServiceError(f"完成时限已是 {task.due_date:%Y年%m月%d日}，不早于申请延至的 {request.new_due:%Y年%m月%d日}，"
                           "无需按此申请延期。请选择不同意，如仍需延期由单位重新申请。")
    before = _snapshot(task)
    if approve:
        old_due = task.due_date  # the date replaced, kept in the timeline (normally the request's old_due)
        write(task, expected_version=expected_version, noun=NOUN, due_date=request.new_due,
              deadline_text=deadline_wording(request.new_due), deadline_cycle=task.deadline_cycle + 1)
        text = f"同意延期：{old_due:%Y年%m月%d日} → {request.new_due:%Y年%m月%d日}。{note}".strip()
        return _finish(task, actor, "approve_extension", before, EventKind.EXTENSION_APPROVED, text,
                       old_due=old_due, new_due=request.new_due)
    return _finish(task, actor, "reject_extension", before, EventKind.EXTENSION_REJECTED, f"不同意延期。{note}".strip())


@transaction.atomic
def request_reassignment(actor: Actor, task: Task, *, reason: str, suggested_unit: Unit | None = None,
                         expected_version: int | None = None) -> ReassignRequest:
    """申请调整: the lead unit says the task is not theirs; every such request is counted against the unit."""
    _require("request_reassignment", task, actor)
    TASK_MACHINE.check(task, "request_reassignment", noun=NOUN)
    reason = _reason(reason, "调整理由")
    if suggested_unit is not None and suggested_unit.pk == task.lead_unit_id:
        raise ServiceError("建议的承办单位就是现在的牵头单位，请重新选择。", field="suggested_unit")
    _check_version(task, expected_version)
    request = _create_pending(ReassignRequest, task=task, unit=task.lead_unit, requested_by=actor.user, reason=reason,
                              suggested_unit=suggested_unit)
    before = _snapshot(task)
    write(task, expected_version=expected_version, noun=NOUN, reassign_count=F("reassign_count") + 1)
    _finish(task, actor, "request_reassignment", before, EventKind.REASSIGN_REQUESTED, reason, request_id=request.pk)
    return request


@transaction.atomic
def decide_reassignment(actor: Actor, request: ReassignRequest, *, approve: bool, new_unit: Unit | None = None, note: str = "",
                        expected_version: int | None = None) -> Task:
    """The office moves the task to another unit (which must sign for it anew) or keeps it where it is.

    `expected_version` is the task's, as the office saw it.
    """
    task = Task.objects.get(pk=request.task_id)  # as it is now, not as it was when the request was read
    if actor.user is not None and not policies.is_office(actor.user):
        raise NotAllowed("调整承办单位由县督查室处理。")
    TASK_MACHINE.check(task, "decide_reassignment", noun=NOUN)
    if approve and new_unit is None:
        new_unit = request.suggested_unit
    if approve and (new_unit is None or new_unit.pk == task.lead_unit_id):
        raise ServiceError("请选择调整后的承办单位（不能是原单位）。", field="new_unit")
    _check_version(task, expected_version)
    if ReassignRequest.objects.filter(pk=request.pk, state=RequestState.PENDING).update(
        state=RequestState.APPROVED if approve else RequestState.REJECTED, decided_by=actor.user,
        decided_at=timezone.now(), new_unit=new_unit if approve else None, note=(note or "").strip(),
    ) != 1:
        raise ServiceError("这份调整申请已经处理过了。")
    before = _snapshot(task)
    if not approve:
        return _finish(task, actor, "reject_reassignment", before, EventKind.REASSIGN_REJECTED, f"不同意调整，仍由{task.lead_unit}承办。{note}".strip())
    old_unit = task.lead_unit
    head = _unit_head(new_unit)  # the old unit's person no longer answers for it
    write(task, expected_version=expected_version, noun=NOUN, lead_unit=new_unit, state=TaskState.ASSIGNED, signed_at=None,
          responsible_person=head,
          responsible_name="" if head else "单位主要负责人", next_report_due=None)
    return _finish(task, actor, "reassign", before, EventKind.REASSIGN_APPROVED, f"承办单位由{old_unit}调整为{new_unit}。{note}".strip(),
                   old_unit=old_unit.pk, new_unit=new_unit.pk)


@transaction.atomic
def pause_clock(actor: Actor, task: Task, *, reason: str, expected_version: int | None = None) -> Task:
    """挂起: the task waits on something outside its owner's hands; paused time does not count."""
    _require("pause", task, actor)
    TASK_MACHINE.check(task, "pause", noun=NOUN)
    reason = _reason(reason, "挂起原因")
    if task.paused_since:
        raise ServiceError(f"该任务已于 {task.paused_since:%Y年%m月%d日} 挂起。")
    before = _snapshot(task)
    write(task, expected_version=expected_version, noun=NOUN, paused_since=today(), pause_reason=reason)
    return _finish(task, actor, "pause", before, EventKind.PAUSED, reason)


@transaction.atomic
def resume_clock(actor: Actor, task: Task, *, expected_version: int | None = None) -> Task:
    """恢复计时: the due date (and next report) move on by the working days the clock stood still."""
    _require("resume_clock", task, actor)
    TASK_MACHINE.check(task, "resume_clock", noun=NOUN)
    if not task.paused_since:
        raise ServiceError("该任务没有挂起。")
    before = _snapshot(task)
    changes, text = _resumed(task)
    write(task, expected_version=expected_version, noun=NOUN, **changes)
    return _finish(task, actor, "resume_clock", before, EventKind.RESUMED, text)


def _resumed(task: Task) -> tuple[dict, str]:
    """The clock fields after a pause ends, and the sentence that says what moved."""
    from duban.core import calendar

    paused_days = max(0, calendar.workdays_between(task.paused_since, today()))
    changes = {"paused_since": None, "pause_reason": ""}
    text = f"恢复计时，挂起 {paused_days} 个工作日"
    if task.due_date and paused_days:
        changes["due_date"] = calendar.add_workdays(task.due_date, paused_days)
        changes["deadline_text"] = deadline_wording(changes["due_date"])
        text += f"，完成时限由 {task.due_date:%Y年%m月%d日} 顺延至 {changes['due_date']:%Y年%m月%d日}"
    if task.next_report_due and paused_days:
        changes["next_report_due"] = calendar.add_workdays(task.next_report_due, paused_days)
    return changes, text


@transaction.atomic
def suspend_task(actor: Actor, task: Task, *, reason: str, expected_version: int | None = None) -> Task:
    """暂停: a principal leader halts the task (the clock stops with it)."""
    _require("suspend", task, actor)
    TASK_MACHINE.check(task, "suspend", noun=NOUN)
    reason = _reason(reason, "暂停原因")
    before = _snapshot(task)
    write(task, expected_version=expected_version, noun=NOUN, state=TaskState.SUSPENDED,
          paused_since=task.paused_since or today(), pause_reason=reason)
    _event(task, actor, EventKind.SUSPENDED, reason, previous_state=before["state"])
    refresh_light(task)
    audit.record(actor, "task.suspend", task, before=before, after=_snapshot(task), message=reason)
    return task


@transaction.atomic
def reopen_task(actor: Actor, task: Task, *, reason: str = "", expected_version: int | None = None) -> Task:
    """恢复办理: back to where the task was before it was suspended, the clock resumed."""
    _require("reopen", task, actor)
    TASK_MACHINE.check(task, "reopen", noun=NOUN)
    last = task.events.filter(kind=EventKind.SUSPENDED).order_by("-at", "-id").first()
    previous = (last.data or {}).get("previous_state") if last else None
    if previous not in {TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.COMPLETION_REQUESTED}:
        previous = TaskState.IN_PROGRESS if task.signed_at else TaskState.ASSIGNED
    before = _snapshot(task)
    changes, text = _resumed(task) if task.paused_since else ({}, "")
    write(task, expected_version=expected_version, noun=NOUN, state=previous, **changes)
    return _finish(task, actor, "reopen", before, EventKind.REOPENED, "；".join(filter(None, [(reason or "恢复办理").strip(), text])))


@transaction.atomic
def cancel_task(actor: Actor, task: Task, *, reason: str, expected_version: int | None = None) -> Task:
    """撤销: a principal leader withdraws the task; it stays on the ledger, grey, with the reason."""
    _require("cancel", task, actor)
    TASK_MACHINE.check(task, "cancel", noun=NOUN)
    reason = _reason(reason, "撤销原因")
    before = _snapshot(task)
    write(task, expected_version=expected_version, noun=NOUN, state=TaskState.CANCELLED, closed_on=today(), next_report_due=None)
    _end_pending_requests(task, "任务已撤销，此申请不再办理。")
    return _finish(task, actor, "cancel", before, EventKind.CANCELLED, reason)


# --- what the current user may do now ---------------------------------------------------------------


def available_actions(task: Task, user) -> list[str]:
    """Names of the transitions `user` may take on `task` now (state and permission both allow)."""
    actions = []
    for transition in TASK_MACHINE.available(task.state):
        name = transition.name
        if name in {"decide_extension", "decide_reassignment"}:
            continue  # offered on the pending request itself
        if name == "pause" and task.paused_since or name == "resume_clock" and not task.paused_since:
            continue
        predicate = policies.CAN.get(name)
        if predicate is None or not predicate(task, user):
            continue
        # What the services refuse whatever the user types: the page must not offer it either.
        if name == "request_completion" and task.children.exclude(state__in=FINISHED_STATES).exists():
            continue
        if name == "request_extension" and (task.standing or task.due_date is None or task.extension_requests.filter(state=RequestState.PENDING).exists()):
            continue
        if name == "request_reassignment" and task.reassign_requests.filter(state=RequestState.PENDING).exists():
            continue
        actions.append(name)
    return actions


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
        raise NotAllowed("只有县督查室或主要领导可以建账。")
    rows = list(rows)
    if not rows:
        return []
    tasks, links = [], []
    for index, row in enumerate(rows):
        values = dict(row)
        units = values.pop("cooperating_units", None) or ()
        try:
            if not (values.get("title") or "").strip():
                raise ServiceError("请填写工作任务（干什么）。", field="title")
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
        drafted = _snapshot(task)  # as create_task's entry records it (version 1, a draft)
        registered = None
        if registers:
            try:
                _require_register_draft(task, actor)
                TASK_MACHINE.check(task, "register", noun=NOUN)
            except ServiceError as exc:
                exc.index = offset
                raise
            task.state, task.version, task.updated_at = TaskState.ASSIGNED, task.version + 1, now  # register_task's write()
            registered = _snapshot(task)
        result = evaluate(task, on)  # refresh_light: no children yet, so the task's own light
        task.light, task.light_reason, task.schedule, task.light_checked_on = result.light, result.reason, result.schedule, on
        snapshots.append((drafted, registered))
    tasks = Task.objects.bulk_create(tasks, batch_size=1000)  # fills the derived columns (Matter.DERIVED) as save() does
    through = Task.cooperating_units.through
    through.objects.bulk_create([through(task_id=task.pk, unit_id=unit) for task, units in zip(tasks, links, strict=True) for unit in units],
                                batch_size=1000)
    actor_name, events, entries = actor.name[:80], [], []
    for task, (drafted, registered) in zip(tasks, snapshots, strict=True):
        created = f"建账：{task.title}"
        events.append(TaskEvent(task=task, actor=user, actor_name=actor_name, kind=EventKind.CREATED, text=created, data={}))
        entries.append({"action": "task.create", "obj": task, "before": None, "after": drafted, "message": created[:300]})
        if registered is not None:
            text = f"立账交办 {task.lead_unit}"
            events.append(TaskEvent(task=task, actor=user, actor_name=actor_name, kind=EventKind.REGISTERED, text=text, data={}))
            entries.append({"action": "task.register", "obj": task, "before": drafted, "after": registered, "message": text[:300]})
    TaskEvent.objects.bulk_create(events, batch_size=1000)
    audit.record_many(actor, entries)
    return tasks


def _require_register_draft(task: Task, actor: Actor) -> None:
    """`_require("register", …)` for a draft not yet written: a draft is visible only to the roles that see
    everything (TaskQuerySet.visible_to), so the scope test needs no query."""
    user = actor.user
    if user is None:
        return
    from duban.core.scope import unit_scope

    if not unit_scope(user).everything:
        raise NotAllowed(f"任务 {task.code} 不在您的职责范围内，无法办理。")
    if not policies.CAN["register"](task, user):
        raise NotAllowed(f"您无权对任务 {task.code} {TASK_MACHINE.transitions['register'].label}：{_who_may('register')}")
