"""排查 (SPEC §7): the safety office keeps a checklist per sector; a person inspects a place against it, and each
item found wanting becomes a hazard in the same step — one submission, one transaction, every hazard audited
and on its own loop from there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import UnitKind
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import Unit
from duban.safety import policies
from duban.safety.models import ChecklistItem, Inspection, InspectionResult, Outcome, Sector, normalize_place

CHECKLIST_FIELDS = ("sector", "text", "sort", "active")
INSPECTION_FIELDS = ("sector", "place", "place_unit", "township", "inspected_on", "inspector", "inspector_name", "note")


def _office_only(actor: Actor) -> None:
    if actor.user is not None and not policies.is_safety_office(actor.user):
        raise NotAllowed(_("排查检查表由县安委办维护。"))


@transaction.atomic
def add_checklist_item(actor: Actor, *, sector: Sector, text: str) -> ChecklistItem:
    """A line added at the end of the sector's checklist."""
    _office_only(actor)
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写检查内容。"), field="text")
    if ChecklistItem.objects.filter(sector=sector, text=text).exists():
        raise ServiceError(_("“%(sector)s”的检查表已有“%(text)s”。") % {"sector": sector.name, "text": text}, field="text")
    last = ChecklistItem.objects.filter(sector=sector).aggregate(m=Max("sort"))["m"] or 0
    item = ChecklistItem.objects.create(sector=sector, text=text, sort=last + 10)
    audit.record(actor, "checklist.add", item, after=audit.snapshot(item, CHECKLIST_FIELDS), message=f"{sector.name}：{text}"[:300])
    return item


@transaction.atomic
def set_checklist_item_active(actor: Actor, item: ChecklistItem, *, active: bool) -> ChecklistItem:
    """停用 / 启用 a line: a retired line is no longer asked, and stays on the inspections that asked it."""
    _office_only(actor)
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if item.active == active:
        return item
    before = audit.snapshot(item, CHECKLIST_FIELDS)
    item.active = active
    item.save(update_fields=["active"])
    audit.record(actor, "checklist.enable" if active else "checklist.retire", item, before=before,
                 after=audit.snapshot(item, CHECKLIST_FIELDS), message=item.text[:300])
    return item


@dataclass(frozen=True)
class Answer:
    """One checklist line as the inspector answered it; `hazard` makes a failed line a hazard (the default)."""

    item: ChecklistItem
    outcome: str
    note: str = ""
    hazard: bool = True
    photos: tuple = ()


@transaction.atomic
def record_inspection(actor: Actor, *, sector: Sector, place: str, answers: list[Answer], inspected_on: dt.date | None = None,
                      township: Unit | None = None, place_unit: str = "", note: str = "") -> Inspection:
    """排查 of `place` against `sector`'s checklist: every active line answered 合格 / 不合格 / 不涉及; each 不合格 with
    `hazard` set is reported as a hazard (发现上报) at that place, found that day, with the line and its note as
    what is wrong. Nothing is stored when anything is refused."""
    from duban.safety.services import report_hazard, today, township_of  # the hazard services, beside this module

    user = actor.user
    if user is not None and not policies.may_report(user):
        raise NotAllowed(_("系统管理员、安全管理员和审计管理员不能登记排查。"))
    place = (place or "").strip()
    if not place:
        raise ServiceError(_("请填写检查部位。"), field="place")
    inspected_on = inspected_on or today()
    if inspected_on > today():
        raise ServiceError(_("检查日期不能晚于今天。"), field="inspected_on")
    if township is None and user is not None:
        township = township_of(user.unit)
    if township is not None and township.kind != UnitKind.TOWNSHIP:
        raise ServiceError(_("“%(unit)s”不是乡镇，请选择检查部位所在的乡镇。") % {"unit": township}, field="township")
    asked = {i.pk: i for i in ChecklistItem.objects.filter(sector=sector, active=True)}
    if not asked:
        raise ServiceError(_("“%(name)s”还没有排查检查表，请县安委办先添加检查项。") % {"name": sector.name}, field="sector")
    given = {a.item.pk: a for a in answers}
    foreign = [a.item.text for a in answers if a.item.pk not in asked]
    if foreign:
        raise ServiceError(_("检查项“%(item)s”不在“%(sector)s”当前的检查表中，请刷新页面后重新填写。") % {"item": foreign[0], "sector": sector.name}, field="answers")
    missing = [item.text for pk, item in asked.items() if pk not in given]
    if missing:
        raise ServiceError(_("还有 %(n)s 项没有填写检查结果（如“%(item)s”），请逐项选择合格、不合格或不涉及。") % {"n": len(missing), "item": missing[0]}, field="answers")
    for answer in answers:
        if answer.outcome not in Outcome.values:
            raise ServiceError(_("检查结果只能是合格、不合格或不涉及。"), field="answers")
        if answer.outcome == Outcome.FAIL and not answer.note.strip():
            raise ServiceError(_("“%(item)s”不合格，请写明存在的问题。") % {"item": answer.item.text}, field="answers")
    inspection = Inspection.objects.create(
        sector=sector, place=place, place_key=normalize_place(place), place_unit=(place_unit or "").strip(), township=township,
        inspected_on=inspected_on, inspector=user, inspector_name=user.full_name if user is not None else "", note=(note or "").strip())
    failed = 0
    for answer in sorted(answers, key=lambda a: (a.item.sort, a.item.pk)):
        hazard = None
        if answer.outcome == Outcome.FAIL:
            failed += 1
            if answer.hazard:
                hazard = report_hazard(actor, sector=sector, place=place, place_unit=inspection.place_unit, township=township,
                                       title=f"{answer.item.text}：{answer.note.strip()}"[:200], found_on=inspected_on,
                                       detail=f"排查发现（检查表：{sector.name}）", photos=answer.photos)
        InspectionResult.objects.create(inspection=inspection, item=answer.item, item_text=answer.item.text, outcome=answer.outcome,
                                        note=answer.note.strip()[:500], hazard=hazard)
    audit.record(actor, "inspection.record", inspection, after=audit.snapshot(inspection, INSPECTION_FIELDS),
                 message=f"排查 {place}：{len(answers)} 项，不合格 {failed} 项"[:300])
    return inspection
