"""Every change of the supervision app: issuing an action by hand, replying to a notice, editing a ladder.
Each checks who may, writes, and records its audit entry in one transaction (the sweep is in sweep.py)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import audit, calendar
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.scope import works_for
from duban.matters import lights, registry
from duban.supervision.choices import ActionKind, ActionState, StepTarget
from duban.supervision.models import Ladder, LadderStep, SupervisionAction
from duban.supervision.notices import allocate_numbers, messages_for

MAX_OFFSET = 120


def _office(actor: Actor, what: str) -> None:
    user = actor.user
    if user is not None and not user.has_role(Role.SUPERVISION):
        raise NotAllowed(_("只有县委县政府督查室可以%(action)s。") % {"action": what})


def may_reply(action: SupervisionAction, user) -> bool:
    """The addressee answers: the target unit's head or liaison (or a head above it), or the person named."""
    if action.state != ActionState.OPEN or user is None:
        return False
    if action.target_person_id and action.target_person_id == user.pk:
        return True
    return works_for(user, action.target_unit_id)


@transaction.atomic
def issue_action(actor: Actor, matter, *, kind: str, text: str, reply_days: int = 0) -> SupervisionAction:
    """督办 by hand: the office issues any step of the ladder on a matter, now."""
    _office(actor, _("发出督办"))
    if kind not in ActionKind.values:
        raise ServiceError(_("请选择督办方式。"), field="kind")
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写督办内容：写明事实和要求。"), field="text")
    if not 0 <= reply_days <= 30:
        raise ServiceError(_("回复期限应在 0 到 30 个工作日之间（0 表示不需回复）。"), field="reply_days")
    if kind == ActionKind.NOTICE and not reply_days:
        raise ServiceError(_("督办通知单须规定书面回复期限（工作日）。"), field="reply_days")
    kind_def = registry.for_model(type(matter))
    if matter.state not in kind_def.chased_states:
        raise ServiceError(_("该%(kind)s当前为“%(state)s”，不在督办范围内。") % {"kind": _(kind_def.label), "state": matter.get_state_display()})
    today = timezone.localdate()
    unit_id = getattr(matter, f"{kind_def.unit_field}_id")
    leader_id = getattr(matter, f"{kind_def.leader_field}_id")
    action = SupervisionAction(
        kind=kind, state=ActionState.OPEN if reply_days else ActionState.DONE,
        matter_type=ContentType.objects.get_for_model(type(matter)), matter_id=matter.pk,
        matter_code=getattr(matter, kind_def.code_field), matter_title=getattr(matter, kind_def.title_field)[:300],
        deadline_cycle=matter.deadline_cycle, automatic=False, target_unit_id=unit_id,
        target_person_id=leader_id if kind == ActionKind.INTERVIEW else None,
        text=text, issued_by=actor.user, issued_on=today, due_date=matter.due_date,
        reply_due=calendar.add_workdays(today, reply_days) if reply_days else None,
    )
    action.leader_id = leader_id  # copied on notices (messages_for)
    if kind == ActionKind.NOTICE:
        allocate_numbers([action])
    action.save()
    if kind == ActionKind.NOTICE:
        type(matter).objects.filter(pk=matter.pk).update(under_notice=True)
        lights.relight_by_id(kind_def, matter.pk)
    messages_for(kind_def, [action])
    audit.record(actor, "supervision.issue", action, after={"kind": kind, "matter": action.matter_code, "number": action.number,
                                                               "reply_due": str(action.reply_due or "")},
                 message=f"发出{action.get_kind_display()}：{action.matter_code}" + (f"（{action.number}）" if action.number else ""))
    return action


@transaction.atomic
def reply_to_action(actor: Actor, action: SupervisionAction, *, text: str) -> SupervisionAction:
    """回复督办: the addressee answers in writing; the notice's chase stops, and the matter leaves 督办中."""
    action = SupervisionAction.objects.select_for_update().get(pk=action.pk)
    if action.state != ActionState.OPEN:
        raise ServiceError(_("该%(kind)s已于 %(at)s 回复，无需再回复。") % {"kind": action.get_kind_display(), "at": f"{timezone.localtime(action.replied_at):%Y-%m-%d %H:%M}"}
                           if action.replied_at else _("该%(kind)s不需要回复。") % {"kind": action.get_kind_display()})
    if actor.user is not None and not may_reply(action, actor.user):
        raise NotAllowed(_("只有被督办单位的负责人、联络员（或被督办的领导）可以回复。"))
    text = (text or "").strip()
    if len(text) < 10:
        raise ServiceError(_("请写明办理情况、未按期完成的原因和整改措施（不少于 10 个字）。"), field="text")
    answered = SupervisionAction.objects.filter(pk=action.pk)
    if action.kind == ActionKind.NOTICE:
        # One written reply answers the matter: the notice it chases, or that chases it, is answered with it.
        answered = SupervisionAction.objects.filter(
            matter_type=action.matter_type, matter_id=action.matter_id, deadline_cycle=action.deadline_cycle,
            kind=ActionKind.NOTICE, state=ActionState.OPEN)
    answered.update(state=ActionState.REPLIED, reply=text, replied_at=timezone.now(), replied_by=actor.user)
    action.refresh_from_db()
    kind_def = registry.for_model(action.matter_type.model_class())
    still_open = SupervisionAction.objects.filter(
        matter_type=action.matter_type, matter_id=action.matter_id, kind=ActionKind.NOTICE, state=ActionState.OPEN).exists()
    if action.kind == ActionKind.NOTICE and not still_open:
        kind_def.model.objects.filter(pk=action.matter_id).update(under_notice=False)
        lights.relight_by_id(kind_def, action.matter_id)
    audit.record(actor, "supervision.reply", action, after={"reply": text[:500]},
                 message=f"回复{action.get_kind_display()}：{action.matter_code}" + (f"（{action.number}）" if action.number else ""))
    return action


@transaction.atomic
def save_ladder(actor: Actor, kind_key: str, *, major: bool, steps: list[dict]) -> Ladder:
    """The office edits a ladder: each step's offset, reply days, target and whether it runs. Open matters of
    the kind are looked at again by the next sweep (steps already fired stay fired)."""
    _office(actor, _("修改督办梯度"))
    kind_def = registry.get(kind_key)
    seen = set()
    for step in steps:
        if step["kind"] not in ActionKind.values or step["kind"] in seen:
            raise ServiceError(_("每种督办方式只能出现一次。"))
        seen.add(step["kind"])
        if not -MAX_OFFSET <= int(step["offset"]) <= MAX_OFFSET:
            raise ServiceError(_("%(kind)s：距完成时限应在 ±%(max)s 个工作日之内。") % {"kind": ActionKind(step["kind"]).label, "max": MAX_OFFSET})
        if step["kind"] == ActionKind.NOTICE and step.get("enabled", True) and not int(step.get("reply_days") or 0):
            raise ServiceError(_("督办通知单须规定回复期限（至少 1 个工作日）。"))
        if step.get("target", StepTarget.UNIT) not in StepTarget.values:
            raise ServiceError(_("督办对象不正确。"))
    order = [s for s in steps if s.get("enabled", True)]
    offsets = [int(s["offset"]) for s in sorted(order, key=lambda s: list(ActionKind.values).index(s["kind"]))]
    if offsets != sorted(offsets):
        raise ServiceError(_("督办梯度须逐级加严：提醒、催办、督办通知单、约谈建议、问责建议的时间应依次不早于上一级。"))
    ladder, _created = Ladder.objects.get_or_create(
        kind=kind_key, major=major, defaults={"name": f"{kind_def.label}{'（重大事项）' if major else ''}督办梯度"})
    before = [[s.kind, s.offset, s.reply_days, s.target, s.enabled] for s in ladder.steps.all()]
    ladder.steps.all().delete()
    LadderStep.objects.bulk_create([
        LadderStep(ladder=ladder, kind=s["kind"], offset=int(s["offset"]), reply_days=int(s.get("reply_days") or 0),
                   target=s.get("target", StepTarget.UNIT), enabled=bool(s.get("enabled", True)))
        for s in steps
    ])
    ladder.updated_at = timezone.now()
    ladder.save(update_fields=["updated_at"])
    kind_def.model.objects.filter(state__in=kind_def.chased_states).update(ladder_next_on=None)
    audit.record(actor, "supervision.ladder", ladder, before={"steps": before},
                 after={"steps": [[s["kind"], int(s["offset"]), int(s.get("reply_days") or 0), s.get("target", "unit"),
                                   bool(s.get("enabled", True))] for s in steps]},
                 message=f"修改{ladder.name}")
    return ladder


def take_document_numbers(documents) -> None:
    """Number other documents of the office (the bulletins: anything with `issued_on` and `number`) from the
    notices' 县督字 series, under the same row lock, so that one series holds them all."""
    allocate_numbers(documents)
