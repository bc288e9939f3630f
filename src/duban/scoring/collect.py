"""Collecting outcomes (考核事件) from what is already recorded: the matters' event stream, the supervision
actions, the kinds' own columns (due and completion dates, grades, repeat and recurrence links) and the
leaders' praise. Units type nothing for their score (为基层减负): every point is a fact the system knew.

`collect(period)` is idempotent: each occurrence has one `ref` (unique), and a second run inserts nothing.
Kinds are found through `matters.registry`; a source whose kind is not installed ("projects.procedure"
before the projects app lands) simply finds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from duban.core import calendar
from duban.matters import registry
from duban.matters.models import MatterEvent
from duban.scoring.choices import Outcome
from duban.scoring.models import Praise, ScoreEvent
from duban.scoring.periods import Period
from duban.supervision.choices import ActionKind, ActionState
from duban.supervision.models import SupervisionAction

ONE_DAY = dt.timedelta(days=1)

# Kinds whose matters are late when their due date passes without completion, and the outcome each scores.
LATE_KINDS = {"ledger.task": Outcome.OVERDUE_TASK, "projects.procedure": Outcome.LATE_PROCEDURE}
# Sign-for: (arrival events, the sign event) per kind; late after DUBAN_SCORING_SIGN_DAYS working days.
SIGN_EVENTS = {"ledger.task": (("registered", "reassign_approved"), "signed"), "appeals.appeal": (("dispatched",), "signed")}
RETURN_KINDS = ("ledger.task", "safety.hazard")  # 验收退回: a completion or a rectification sent back
ACTION_OUTCOMES = {ActionKind.NOTICE: Outcome.NOTICE_RECEIVED, ActionKind.INTERVIEW: Outcome.INTERVIEW,
                   ActionKind.ACCOUNTABILITY: Outcome.ACCOUNTABILITY}
GRADES = {"excellent": Outcome.QUALITY_EXCELLENT, "good": Outcome.QUALITY_GOOD}


def collect(period: Period, *, today: dt.date | None = None) -> int:
    """Record every outcome that occurred in `period` (up to today) and is not recorded yet; returns how many."""
    today = today or timezone.localdate()
    last = min(period.end, today)
    if last < period.start:
        return 0
    found = {e.ref: e for source in SOURCES for e in source(period.start, last)}
    with transaction.atomic():
        known = set(ScoreEvent.objects.filter(ref__in=list(found)).values_list("ref", flat=True))
        new = [e for ref, e in found.items() if ref not in known]
        ScoreEvent.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def _kind(key: str):
    try:
        return registry.get(key)
    except KeyError:
        return None


def _day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _events(kind_key: str, names, first: dt.date, last: dt.date):
    """The kind's events of these names whose local day lies in [first, last]."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + ONE_DAY, dt.time.min))
    return MatterEvent.objects.filter(kind=kind_key, event__in=list(names), at__gte=start, at__lt=end).order_by("at", "id")


def _matters(kind, ids) -> dict:
    return kind.model.objects.in_bulk(list(set(ids))) if ids else {}


def _late(first: dt.date, last: dt.date) -> Iterator[ScoreEvent]:
    """任务逾期 / 项目手续逾期: the due date passed (the first late day falls in the period) without completion."""
    for key, outcome in LATE_KINDS.items():
        kind = _kind(key)
        if kind is None:
            continue
        model = kind.model
        states = set(kind.open_states) | set(kind.finished_states)
        rows = model.objects.filter(state__in=states - set(kind.excluded_states), due_date__gte=first - ONE_DAY,
                                    due_date__lte=last - ONE_DAY).exclude(**{f"{kind.unit_field}__isnull": True})
        # A clock paused (挂起) by its due date is not late: resuming it moves the due date on by the paused days.
        rows = rows.exclude(paused_since__lte=F("due_date"))
        if kind.parent_field:  # a decomposed matter is late through its sub-matters, each counted for its unit
            rows = rows.exclude(pk__in=model.objects.filter(**{f"{kind.parent_field}__isnull": False}).values(kind.parent_field))
        for m in rows:
            if m.completed_on is not None and m.completed_on <= m.due_date:
                continue
            code = kind.code_of(m)
            yield ScoreEvent(ref=f"{outcome}:{key}:{m.pk}:{m.due_date:%Y%m%d}", unit_id=getattr(m, f"{kind.unit_field}_id"),
                             outcome=outcome, occurred_on=m.due_date + ONE_DAY, source_kind=key, source_id=m.pk, source_code=code,
                             text=f"{code} {kind.title_of(m)}：完成时限{m.due_date:%Y年%m月%d日}，逾期未完成"[:400])


def _late_sign(first: dt.date, last: dt.date) -> Iterator[ScoreEvent]:
    """超时签收: signed more than the allowed working days after the matter arrived at the unit."""
    days = settings.DUBAN_SCORING_SIGN_DAYS
    for key, (arrivals, sign) in SIGN_EVENTS.items():
        kind = _kind(key)
        if kind is None:
            continue
        signs = list(_events(key, [sign], first, last))
        if not signs:
            continue
        arrived: dict[int, list[MatterEvent]] = {}
        for e in MatterEvent.objects.filter(kind=key, event__in=list(arrivals), matter_id__in={s.matter_id for s in signs}).order_by("at", "id"):
            arrived.setdefault(e.matter_id, []).append(e)
        matters = _matters(kind, [s.matter_id for s in signs])
        for s in signs:
            before = [a for a in arrived.get(s.matter_id, []) if a.at <= s.at]
            if not before or s.unit_id is None or s.matter_id not in matters:
                continue
            limit = calendar.add_workdays(_day(before[-1].at), days)
            if _day(s.at) <= limit:
                continue
            code = kind.code_of(matters[s.matter_id])
            yield ScoreEvent(ref=f"{Outcome.LATE_SIGN}:event:{s.pk}", unit_id=s.unit_id, outcome=Outcome.LATE_SIGN,
                             occurred_on=_day(s.at), source_kind=key, source_id=s.matter_id, source_code=code, matter_event_id=s.pk,
                             text=f"{code}：{_day(before[-1].at):%m月%d日}送达，应于{limit:%m月%d日}前签收，{_day(s.at):%m月%d日}签收")


def _actions(first: dt.date, last: dt.date) -> Iterator[ScoreEvent]:
    """收到督办通知单、约谈建议、问责建议 (the target unit), and notices not answered by their reply date."""
    actions = SupervisionAction.objects.exclude(state=ActionState.CANCELLED).exclude(target_unit__isnull=True)
    for a in actions.filter(kind__in=list(ACTION_OUTCOMES), issued_on__gte=first, issued_on__lte=last).select_related("matter_type"):
        outcome = ACTION_OUTCOMES[a.kind]
        yield _from_action(a, outcome, a.issued_on, f"{a.get_kind_display()}{a.number and ' ' + a.number}：{a.matter_code} {a.matter_title}")
    late = actions.filter(kind=ActionKind.NOTICE, reply_due__gte=first - ONE_DAY, reply_due__lte=last - ONE_DAY).select_related("matter_type")
    for a in late:
        if a.replied_at is not None and _day(a.replied_at) <= a.reply_due:
            continue
        yield _from_action(a, Outcome.UNANSWERED_NOTICE, a.reply_due + ONE_DAY,
                           f"督办通知单{a.number and ' ' + a.number}：回复期限{a.reply_due:%Y年%m月%d日}，逾期未回复（{a.matter_code}）")


def _from_action(a: SupervisionAction, outcome: str, on: dt.date, text: str) -> ScoreEvent:
    model = a.matter_type.model_class()
    try:
        key = registry.for_model(model).key if model is not None else ""
    except LookupError:
        key = ""
    return ScoreEvent(ref=f"{outcome}:action:{a.pk}", unit_id=a.target_unit_id, outcome=outcome, occurred_on=on,
                      source_kind=key or "supervision.action", source_id=a.matter_id, source_code=a.matter_code, action_id=a.pk,
                      text=text[:400])


def _timeline(first: dt.date, last: dt.date) -> Iterator[ScoreEvent]:
    """Outcomes written on a matter's timeline: returns, closings (early, graded), unsatisfied ratings, send-backs."""
    for key in RETURN_KINDS:
        kind = _kind(key)
        if kind is not None:
            yield from _from_events(kind, _events(key, ["returned"], first, last), lambda e, m: [Outcome.RETURNED_VERIFICATION],
                                    "验收退回")
    task_kind = _kind("ledger.task")
    if task_kind is not None:
        def closing(_e, task):
            found = [Outcome.EARLY_COMPLETION] if task.completed_on and task.due_date and task.completed_on < task.due_date else []
            return found + ([GRADES[task.grade]] if task.grade in GRADES else [])

        yield from _from_events(task_kind, _events("ledger.task", ["closed"], first, last), closing, "销账")
    appeal_kind = _kind("appeals.appeal")
    if appeal_kind is not None:
        counted = lambda m: not getattr(m, "excluded", False)  # noqa: E731  不纳入考核: the office took it out
        yield from _from_events(appeal_kind, _events("appeals.appeal", ["reopened"], first, last),
                                lambda e, m: [Outcome.UNSATISFIED_APPEAL] if counted(m) and e.data.get("rating") == "unsatisfied" else [],
                                "回访不满意")
        yield from _from_events(appeal_kind, _events("appeals.appeal", ["sent_back"], first, last),
                                lambda e, m: [Outcome.SEND_BACK] if counted(m) else [], "退单",
                                unit=lambda e: e.data.get("unit") or e.unit_id)


def _from_events(kind, events, outcomes, what: str, unit=lambda e: e.unit_id) -> Iterator[ScoreEvent]:
    events = list(events)
    matters = _matters(kind, [e.matter_id for e in events])
    for e in events:
        m = matters.get(e.matter_id)
        if m is None or unit(e) is None:
            continue
        code = kind.code_of(m)
        for outcome in outcomes(e, m):
            yield ScoreEvent(ref=f"{outcome}:event:{e.pk}", unit_id=unit(e), outcome=outcome, occurred_on=_day(e.at), source_kind=kind.key,
                             source_id=m.pk, source_code=code, matter_event_id=e.pk,
                             text=f"{code} {kind.title_of(m)}：{what}{'，' + e.text if e.text else ''}"[:400])


def _links(first: dt.date, last: dt.date) -> Iterator[ScoreEvent]:
    """重复诉求 (the unit the repeat counts against) and 隐患复发 (the unit that closed the first hazard)."""
    appeal_kind = _kind("appeals.appeal")
    if appeal_kind is not None:
        start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(last + ONE_DAY, dt.time.min))
        repeats = appeal_kind.model.objects.filter(repeat_of__isnull=False, repeat_unit__isnull=False, excluded=False,
                                                   created_at__gte=start, created_at__lt=end).select_related("repeat_of")
        for a in repeats:
            yield ScoreEvent(ref=f"{Outcome.REPEAT_APPEAL}:appeals.appeal:{a.pk}", unit_id=a.repeat_unit_id, outcome=Outcome.REPEAT_APPEAL,
                             occurred_on=_day(a.created_at), source_kind=appeal_kind.key, source_id=a.pk, source_code=a.code,
                             text=f"{a.code} {a.title}：与已办结的 {a.repeat_of.code} 重复"[:400])
    hazard_kind = _kind("safety.hazard")
    if hazard_kind is not None:
        again = hazard_kind.model.objects.filter(recurrence_of__isnull=False, found_on__gte=first, found_on__lte=last).select_related("recurrence_of")
        for h in again:
            first_one = h.recurrence_of
            unit_id = first_one.closed_by_unit_id or first_one.lead_unit_id
            if unit_id is None:
                continue
            yield ScoreEvent(ref=f"{Outcome.HAZARD_RECURRENCE}:safety.hazard:{h.pk}", unit_id=unit_id, outcome=Outcome.HAZARD_RECURRENCE,
                             occurred_on=h.found_on, source_kind=hazard_kind.key, source_id=h.pk, source_code=h.code,
                             text=f"{h.code} {h.title}：{first_one.code} 销号后复发"[:400])


def _praise(first: dt.date, last: dt.date) -> Iterator[ScoreEvent]:
    for p in Praise.objects.filter(given_on__gte=first, given_on__lte=last).select_related("given_by"):
        yield ScoreEvent(ref=f"{Outcome.PRAISE}:praise:{p.pk}", unit_id=p.unit_id, outcome=Outcome.PRAISE, occurred_on=p.given_on,
                         source_kind="scoring.praise", source_id=p.pk, source_code="",
                         text=f"{p.given_by.full_name}表扬：{p.text}"[:400])


SOURCES = (_late, _late_sign, _actions, _timeline, _links, _praise)
