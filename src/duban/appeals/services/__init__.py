"""Appeal services (SPEC §5): one function per step of the lifecycle. Each checks who may and whether the move is
legal now, writes, records the timeline event and the audit entry, in one transaction (`matters.services.perform`).

    submit_appeal → 待受理 ─ accept_appeal → 待派单 ─ dispatch_appeal → 待签收 ─ sign_appeal → 办理中 ─ reply_appeal → 待回访
                    ├ decline_appeal → 不予受理       ↑  send_back_appeal (退单, counted) ─┘          rate_appeal ┤
                    └ merge_appeal → 已合并           └──────── unsatisfied: re-opened (重办) ──────────────────┤
                                                                                               satisfied → 已办结

Every step's limit (appeals.models.TimeLimit) is the appeal's due date while it is at that step, and each step
starts a new deadline cycle, so the sweep's ladder chases each limit afresh — the unit in whose court it is.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.appeals import policies
from duban.appeals.choices import SATISFIED_RATINGS, SECOND_FAILURE, AppealState, Category, EventKind, Outcome, RatedVia, Rating, Urgency
from duban.appeals.kind import APPEAL_KIND, EDITABLE
from duban.appeals.models import Appeal, AppealReply, AppealUnit, FirstAnswer, TimeLimit
from duban.appeals.selectors import leader_for, office_unit
from duban.appeals.services.intake import (  # noqa: F401  (the intake is part of the services' surface)
    Submitted,
    bigrams,
    check_phone,
    code_matches,
    possible_duplicates,
    submit_appeal,
)
from duban.appeals.services.limits import clear_time_limit, set_time_limit  # noqa: F401  (the limits table's services)
from duban.core import calendar
from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.models import Unit
from duban.matters import lights
from duban.matters import services as kernel

ENTERPRISE = "企业（查询码）"  # the actor's name when the enterprise rates on the tracking page


def today() -> dt.date:
    return timezone.localdate()


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _said(value, what: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("请填写%(what)s。") % {"what": what}, field=field)
    return value


def limits_of(appeal: Appeal) -> dict[str, int]:
    return TimeLimit.for_appeal(appeal.category, appeal.urgency)


def _step(appeal: Appeal, days_field: str, *, start: dt.date | None = None) -> dict:
    """The clock of the next step: its limit from `start` (today) as the due date, a new deadline cycle."""
    start = start or today()
    return {"due_date": calendar.add_workdays(start, limits_of(appeal)[days_field]), "deadline_cycle": F("deadline_cycle") + 1,
            "under_notice": False}


def _first_answer(appeal: Appeal, *, signed: bool) -> dict:
    """The first sign or send-back after the first dispatch decides its response (响应率): signed within the first
    sign limit is on time; signed after it, or sent back, is late. What follows later changes nothing."""
    if not appeal.first_unit_id or appeal.first_answer:
        return {}
    on_time = signed and appeal.first_sign_limit is not None and today() <= appeal.first_sign_limit
    return {"first_answer": FirstAnswer.ON_TIME if on_time else FirstAnswer.LATE}


def _reply_facts(appeal: Appeal, reply: AppealReply) -> dict:
    """A reply's facts for the rates: answered, late if any round was, the last round's day and the working days
    from 受理日期 to it (平均办理时长)."""
    days = calendar.workdays_between(appeal.accepted_on, reply.replied_on) if appeal.accepted_on else None
    return {"replied": True, "late_reply": appeal.late_reply or not reply.on_time, "last_reply_on": reply.replied_on,
            "handling_days": days}


def enterprise_actor() -> Actor:
    """Who acts when the enterprise rates on the tracking page (it has no account)."""
    return Actor.system(ENTERPRISE)


@transaction.atomic
def accept_appeal(actor: Actor, appeal: Appeal, *, urgency: str | None = None, category: str | None = None,
                  expected_version: int | None = None) -> Appeal:
    """受理: the business office takes the appeal on (its category and urgency corrected if need be); it is to
    be dispatched within the dispatch limit."""
    changes: dict = {}

    def ready():
        if urgency is not None:
            if urgency not in Urgency.values:
                raise ServiceError(_("紧急程度无效。"), field="urgency")
            changes["urgency"] = urgency
        if category is not None:
            if category not in Category.values:
                raise ServiceError(_("请选择诉求类别。"), field="category")
            changes["category"] = category

    def values(_prepared):
        now = timezone.now()
        probe = Appeal(category=changes.get("category", appeal.category), urgency=changes.get("urgency", appeal.urgency))
        return {**changes, **_step(probe, "dispatch_days"), "state": AppealState.ACCEPTED, "accepted_at": now,
                "accepted_on": timezone.localdate(now), "holder_unit": office_unit()}

    kernel.perform(actor, appeal, "accept", guard=ready, expected_version=expected_version, kind=APPEAL_KIND, changes=values,
                   text="受理" + (f"（{Urgency(urgency).label}）" if urgency == Urgency.URGENT else ""))
    return appeal


@transaction.atomic
def decline_appeal(actor: Actor, appeal: Appeal, *, reason: str, expected_version: int | None = None) -> Appeal:
    """不予受理: with the reason the enterprise reads on its tracking page."""
    said = (reason or "").strip()
    kernel.perform(actor, appeal, "decline", guard=lambda: _said(said, _("不予受理理由"), "reason"), expected_version=expected_version,
                   kind=APPEAL_KIND, changes={"state": AppealState.DECLINED, "decline_reason": said, "closed_on": today(),
                                              "due_date": None, "holder_unit": None},
                   text=f"不予受理：{said}")
    return appeal


@transaction.atomic
def merge_appeal(actor: Actor, appeal: Appeal, *, into: Appeal, expected_version: int | None = None) -> Appeal:
    """合并: a duplicate of another open appeal of the same enterprise and category is closed into it."""

    def ready():
        if into is None or into.pk == appeal.pk:
            raise ServiceError(_("请选择要合并到的诉求。"), field="into")
        if not into.is_open or into.state == AppealState.MERGED:
            raise ServiceError(_("诉求 %(code)s 已办结或已合并，不能合并到它。") % {"code": into.code}, field="into")
        if into.enterprise_key != appeal.enterprise_key:
            raise ServiceError(_("只能合并同一企业的诉求。"), field="into")

    kernel.perform(actor, appeal, "merge", guard=ready, expected_version=expected_version, kind=APPEAL_KIND,
                   changes={"state": AppealState.MERGED, "merged_into": into, "closed_on": today(), "due_date": None, "holder_unit": None},
                   text=f"与 {into.code} 重复，合并办理", data={"into": into.code})
    return appeal


@transaction.atomic
def dispatch_appeal(actor: Actor, appeal: Appeal, *, lead_unit: Unit, cooperating_units=(), note: str = "",
                    expected_version: int | None = None) -> Appeal:
    """派单: to a lead unit (and cooperating units), to be signed for within the sign limit."""
    cooperating = [u for u in cooperating_units if u is not None and lead_unit is not None and u.pk != lead_unit.pk]

    def ready():
        if lead_unit is None:
            raise ServiceError(_("请选择承办单位。"), field="lead_unit")
        if not lead_unit.is_active:
            raise ServiceError(_("“%(unit)s”已停用，请选择其他单位。") % {"unit": lead_unit}, field="lead_unit")

    def after():
        AppealUnit.objects.filter(appeal=appeal).delete()
        AppealUnit.objects.bulk_create([AppealUnit(appeal=appeal, unit=u) for u in {u.pk: u for u in cooperating}.values()])

    def values(_p):
        step = _step(appeal, "sign_days")
        first = {} if appeal.first_unit_id else {"first_unit": lead_unit, "first_sign_limit": step["due_date"]}  # 首次派单 (响应率)
        return {**step, **first, "state": AppealState.DISPATCHED, "lead_unit": lead_unit, "holder_unit": lead_unit,
                "dispatched_at": timezone.now(), "signed_at": None}

    with_ = f"，配合单位：{'、'.join(str(u) for u in cooperating)}" if cooperating else ""
    kernel.perform(actor, appeal, "dispatch", guard=ready, expected_version=expected_version, kind=APPEAL_KIND, changes=values,
                   after_write=after, text=f"派单至{lead_unit}{with_}" + (f"：{note.strip()}" if (note or "").strip() else ""),
                   data={"unit": lead_unit.pk if lead_unit else None})
    return appeal


@transaction.atomic
def sign_appeal(actor: Actor, appeal: Appeal, *, expected_version: int | None = None) -> Appeal:
    """签收: the unit takes it on; the reply limit runs from today (a re-opened one keeps its own)."""
    days = "complex_days" if appeal.is_complex else "reply_days"
    kernel.perform(actor, appeal, "sign", expected_version=expected_version, kind=APPEAL_KIND,
                   changes=lambda _p: {**_step(appeal, days), **_first_answer(appeal, signed=True), "state": AppealState.HANDLING,
                                       "signed_at": timezone.now()},
                   text=f"{appeal.lead_unit}签收")
    return appeal


@transaction.atomic
def send_back_appeal(actor: Actor, appeal: Appeal, *, reason: str, expected_version: int | None = None) -> Appeal:
    """退单: not this unit's to handle, with the reason; back to the business office to dispatch again. Counted
    against the unit that sent it back (跑冤枉路: passing around is what the speech forbids)."""
    said = (reason or "").strip()
    kernel.perform(actor, appeal, "send_back", guard=lambda: _said(said, _("退单理由"), "reason"), expected_version=expected_version,
                   kind=APPEAL_KIND,
                   changes=lambda _p: {**_step(appeal, "dispatch_days"), **_first_answer(appeal, signed=False),
                                       "state": AppealState.ACCEPTED, "holder_unit": office_unit(),
                                       "sendback_count": F("sendback_count") + 1, "signed_at": None, "extension_requested": False},
                   text=f"{appeal.lead_unit}退单：{said}", data={"unit": appeal.lead_unit_id})
    return appeal


@transaction.atomic
def request_extension(actor: Actor, appeal: Appeal, *, reason: str, expected_version: int | None = None) -> Appeal:
    """申请延期: a complex appeal (复杂诉求) needs the longer reply limit; the business office decides."""
    said = (reason or "").strip()

    def ready():
        _said(said, _("延期理由"), "reason")
        if appeal.is_complex:
            raise ServiceError(_("该诉求已按复杂诉求延期，不能再次申请。"))
        if appeal.extension_requested:
            raise ServiceError(_("延期申请已提交，请等待县营商办审批。"))

    kernel.perform(actor, appeal, "request_extension", guard=ready, expected_version=expected_version, kind=APPEAL_KIND,
                   changes={"extension_requested": True, "extension_reason": said}, text=f"申请延期：{said}")
    return appeal


@transaction.atomic
def decide_extension(actor: Actor, appeal: Appeal, *, approve: bool, note: str = "", expected_version: int | None = None) -> Appeal:
    """审批延期: approved, the appeal is complex and its reply limit is the complex limit from its signing."""

    def ready():
        if not appeal.extension_requested:
            raise ServiceError(_("该诉求没有待审批的延期申请。"))
        if not approve:
            _said(note, _("不同意延期的理由"), "note")

    def values(_p):
        if not approve:
            return {"extension_requested": False}
        signed = timezone.localdate(appeal.signed_at) if appeal.signed_at else today()
        new_due = calendar.add_workdays(signed, limits_of(appeal)["complex_days"])
        return {"extension_requested": False, "is_complex": True, "due_date": new_due, "deadline_cycle": F("deadline_cycle") + 1,
                "under_notice": False}

    words = "同意延期，按复杂诉求办理" if approve else "不同意延期"
    kernel.perform(actor, appeal, "decide_extension", guard=ready, expected_version=expected_version, kind=APPEAL_KIND,
                   changes=values, audit_action="extension_approved" if approve else "extension_refused",
                   text=words + (f"：{note.strip()}" if (note or "").strip() else ""), data={"approved": bool(approve)})
    return appeal


@transaction.atomic
def reply_appeal(actor: Actor, appeal: Appeal, *, public_text: str, outcome: str, internal_note: str = "", legal_basis: str = "",
                 expected_version: int | None = None) -> AppealReply:
    """答复: what the enterprise reads, the outcome (resolved, partly, or cannot be — with the legal or policy
    reason), a note for the office; the business office calls back within the call-back limit."""
    said, basis = (public_text or "").strip(), (legal_basis or "").strip()
    made = {}

    def ready():
        _said(said, _("答复企业的内容"), "public_text")
        if outcome not in Outcome.values:
            raise ServiceError(_("请选择办理结果。"), field="outcome")
        if outcome == Outcome.UNRESOLVABLE and not basis:
            raise ServiceError(_("无法解决的，请写明法律法规或政策依据。"), field="legal_basis")

    def prepare():
        now = timezone.now()
        day = timezone.localdate(now)
        made["reply"] = AppealReply.objects.create(
            appeal=appeal, round=appeal.reopen_count + 1, unit=appeal.lead_unit, person=actor.user, public_text=said,
            internal_note=(internal_note or "").strip(), outcome=outcome, legal_basis=basis, replied_at=now, replied_on=day,
            due_date=appeal.due_date, on_time=appeal.due_date is None or day <= appeal.due_date)
        return made["reply"]

    kernel.perform(actor, appeal, "reply", guard=ready, prepare=prepare, expected_version=expected_version, kind=APPEAL_KIND,
                   changes=lambda reply: {**_step(appeal, "callback_days"), **_reply_facts(appeal, reply), "state": AppealState.REPLIED,
                                          "outcome": outcome,
                                          "replied_at": reply.replied_at, "replied_on": reply.replied_on, "holder_unit": office_unit(),
                                          "completed_on": reply.replied_on, "extension_requested": False},
                   text=f"答复（{Outcome(outcome).label}）：{said}")
    return made["reply"]


@transaction.atomic
def rate_appeal(actor: Actor, appeal: Appeal, *, rating: str, comment: str = "", via: str = RatedVia.CALLBACK,
                expected_version: int | None = None) -> Appeal:
    """回访评价: satisfied or basically satisfied closes the appeal; unsatisfied re-opens it with its unit
    (重办), and the second time also sends it to the leader in charge of the unit."""
    said = (comment or "").strip()
    state: dict = {}

    def ready():
        if rating not in Rating.values:
            raise ServiceError(_("请选择满意、基本满意或不满意。"), field="rating")
        if via not in RatedVia.values:
            raise ServiceError(_("评价方式无效。"), field="via")
        if rating == Rating.UNSATISFIED and not said:
            raise ServiceError(_("请说明不满意的原因，以便承办单位重新办理。"), field="comment")
        if via == RatedVia.ENTERPRISE and actor.user is not None and not policies.is_desk(actor.user):
            raise ServiceError(_("企业评价请在诉求查询页面提交。"))

    def prepare():
        AppealReply.objects.filter(appeal=appeal, round=appeal.reopen_count + 1).update(
            rating=rating, rating_comment=said, rated_via=via, rated_at=timezone.now())
        if rating == Rating.UNSATISFIED and appeal.reopen_count + 1 >= SECOND_FAILURE:
            state["leader"] = appeal.leader_in_charge or leader_for(appeal.lead_unit)

    def values(_p):
        if rating in SATISFIED_RATINGS:
            return {"state": AppealState.CLOSED, "rating": rating, "closed_on": today(), "closed_at": timezone.now(),
                    "closed_by_unit": appeal.lead_unit, "due_date": None, "holder_unit": None}
        changes = {**_step(appeal, "complex_days" if appeal.is_complex else "reply_days"), "state": AppealState.HANDLING,
                   "rating": rating, "reopen_count": F("reopen_count") + 1, "holder_unit": appeal.lead_unit,
                   "signed_at": timezone.now(), "completed_on": None}
        if "leader" in state:
            changes.update(escalated=True, leader_in_charge=state["leader"])
        return changes

    def words(_p):
        text = f"{RatedVia(via).label}：{Rating(rating).label}" + (f"，{said}" if said else "")
        if rating in SATISFIED_RATINGS:
            return text + "；办结"
        if "leader" in state:
            leader = state["leader"]
            return text + f"；第二次不满意，重办并提交分管县领导{leader.full_name if leader else '（未设置分管关系）'}"
        return text + "；重办"

    def tell():  # the inbox copy is written in this transaction (notify.services.send); its pushes after commit
        if "leader" in state:
            _tell_leader(appeal)

    kernel.perform(actor, appeal, "rate", guard=ready, prepare=prepare, expected_version=expected_version, kind=APPEAL_KIND,
                   changes=values, text=words, event=EventKind.RATED if rating in SATISFIED_RATINGS else EventKind.REOPENED,
                   audit_action="close" if rating in SATISFIED_RATINGS else "reopen", data={"rating": rating, "via": via},
                   after_write=tell)
    return appeal


def _tell_leader(appeal: Appeal) -> None:
    """The leader in charge hears of an appeal the enterprise was twice unsatisfied with (in their inbox)."""
    from duban.notify.services import Message, send

    if appeal.leader_in_charge is None:
        return
    send([Message(recipient=appeal.leader_in_charge, title=f"企业诉求 {appeal.code} 两次回访不满意，请督促办理",
                  body=f"{appeal.lead_unit}承办的{appeal.get_category_display()}诉求“{appeal.title}”经两次答复，企业仍不满意，已重办。",
                  url=APPEAL_KIND.url(appeal.code), urgent=True, kind="appeals.escalated", unit=None)])


@transaction.atomic
def exclude_appeal(actor: Actor, appeal: Appeal, *, reason: str, expected_version: int | None = None) -> Appeal:
    """不纳入考核: outside the county's powers or plainly unreasonable — still listed, not counted in the rates."""
    said = (reason or "").strip()

    def ready():
        _said(said, _("不纳入考核的理由"), "reason")
        if appeal.excluded:
            raise ServiceError(_("该诉求已不纳入考核。"))

    kernel.perform(actor, appeal, "exclude", guard=ready, expected_version=expected_version, kind=APPEAL_KIND,
                   changes={"excluded": True, "excluded_reason": said}, text=f"不纳入考核：{said}")
    return appeal


@transaction.atomic
def include_appeal(actor: Actor, appeal: Appeal, *, expected_version: int | None = None) -> Appeal:
    """恢复纳入考核: the ruling undone."""

    def ready():
        if not appeal.excluded:
            raise ServiceError(_("该诉求本来就纳入考核。"))

    kernel.perform(actor, appeal, "include", guard=ready, expected_version=expected_version, kind=APPEAL_KIND,
                   changes={"excluded": False, "excluded_reason": ""}, text="恢复纳入考核")
    return appeal


@transaction.atomic
def edit_appeal(actor: Actor, appeal: Appeal, *, expected_version: int | None = None, **values) -> Appeal:
    """修改: the business office corrects what was typed (category, urgency, the enterprise's details)."""
    from duban.appeals import creditcode

    changes = {k: v for k, v in values.items() if k in EDITABLE}

    def ready():
        if "credit_code" in changes and changes["credit_code"]:
            changes["credit_code"] = creditcode.validate(changes["credit_code"])
        if "phone" in changes:
            changes["phone"] = check_phone(changes["phone"])
        if "category" in changes and changes["category"] not in Category.values:
            raise ServiceError(_("请选择诉求类别。"), field="category")
        if "urgency" in changes and changes["urgency"] not in Urgency.values:
            raise ServiceError(_("紧急程度无效。"), field="urgency")
        for field in ("title", "description", "enterprise_name", "contact_name"):
            if field in changes:
                changes[field] = _said(changes[field], str(Appeal._meta.get_field(field).verbose_name), field)

    kernel.perform(actor, appeal, "edit", guard=ready, expected_version=expected_version, kind=APPEAL_KIND,
                   changes=lambda _p: changes, text="修改：" + "、".join(str(Appeal._meta.get_field(f).verbose_name) for f in changes))
    return appeal


@transaction.atomic
def promote_appeal(actor: Actor, appeal: Appeal, *, campaign, expected_version: int | None = None) -> Appeal:
    """转为重点工作任务: an appeal that shows a problem bigger than one answer (a road, a policy gap) goes onto a
    key-work ledger as a draft task, linked both ways; the appeal keeps its own loop."""
    from duban.ledger import services as ledger_services
    from duban.ledger.choices import TaskSource

    def ready():
        if appeal.promoted_task_id:
            raise ServiceError(_("诉求 %(code)s 已转为重点工作任务 %(task)s，不能重复转。") % {"code": appeal.code, "task": appeal.promoted_task.code})
        if campaign is None or not campaign.is_active:
            raise ServiceError(_("请选择一个进行中的专项行动。"), field="campaign")

    def create():
        return ledger_services.create_task(
            actor, campaign, title=f"解决企业诉求：{appeal.title}"[:200], standard=appeal.description[:1000],
            lead_unit=appeal.lead_unit, source=TaskSource.APPEAL, source_ref=f"企业诉求 {appeal.code}")

    kernel.perform(actor, appeal, "promote", guard=ready, expected_version=expected_version, kind=APPEAL_KIND, prepare=create,
                   changes=lambda task: {"promoted_task": task},
                   text=lambda task: f"转为重点工作任务 {task.code}（{campaign.name}）", data=lambda task: {"task": task.code})
    return appeal


def refresh_light(appeal: Appeal, on: dt.date | None = None) -> None:
    """Recompute and store the appeal's light (what the sweep does each morning for every open appeal)."""
    lights.relight(APPEAL_KIND, appeal, on)


def available_actions(appeal: Appeal, user) -> list[str]:
    """The transitions the appeal page offers `user` now (read from the machine's who-may)."""
    return [t.name for t in kernel.offered(appeal, user, kind=APPEAL_KIND)]
