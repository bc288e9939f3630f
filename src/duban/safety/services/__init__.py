"""Hazard services (SPEC §7): one function per transition. Each checks who may and whether the move is legal
now, writes, records the timeline event and the audit entry, in one transaction (`matters.services.perform`).

    report_hazard → 已发现待整改 ─ assign_rectification → 整改中 ─ request_verification → 待验收
                      └ on_the_spot=True: 当场整改, struck off at once                ├ verify_hazard → 已销号
                                                                                    └ return_hazard → 整改中
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import attachments as attachment_store
from duban.core import photos as photo_check
from duban.core.actor import Actor
from duban.core.choices import UnitKind
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import Unit
from duban.matters import lights, numbering
from duban.matters import services as kernel
from duban.safety import policies
from duban.safety.choices import RECURRENCE_DAYS, EventKind, HazardLevel, HazardState
from duban.safety.kind import ASSIGN_FIELDS, HAZARD_KIND, REPORT_FIELDS
from duban.safety.models import Hazard, HazardPhoto, PhotoStage, Sector, normalize_place

MAX_PHOTOS = 9  # one message's worth in WeCom


def today() -> dt.date:
    return timezone.localdate()


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _text(value, what: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("请填写%(what)s。") % {"what": what}, field=field)
    return value


def _next_code(year: int) -> str:
    numbering.lock(HAZARD_KIND.key, year)
    return numbering.next_number(Hazard.objects.all(), "code", f"YH{year}-", 6)


def township_of(unit: Unit | None) -> Unit | None:
    """The township (乡镇) a unit lies in: itself, or the nearest township above it (a village, a station)."""
    while unit is not None:
        if unit.kind == UnitKind.TOWNSHIP:
            return unit
        unit = unit.parent
    return None


def _checked_photos(files, field: str) -> list[photo_check.CleanPhoto]:
    files = list(files or ())
    if len(files) > MAX_PHOTOS:
        raise ServiceError(_("一次最多上传 %(n)s 张照片。") % {"n": MAX_PHOTOS}, field=field)
    return [photo_check.clean(f, field=field) for f in files]


def _keep(hazard: Hazard, cleaned: list[photo_check.CleanPhoto], stage: str, actor: Actor) -> list[HazardPhoto]:
    kept = []
    for photo in cleaned:
        attachment = attachment_store.store(photo.upload, owner=hazard, user=actor.user)
        kept.append(HazardPhoto.objects.create(hazard=hazard, stage=stage, attachment=attachment, width=photo.width, height=photo.height))
    return kept


def _position_from(cleaned: list[photo_check.CleanPhoto]):
    return next((p.position for p in cleaned if p.position), None)


def recurrence_for(sector: Sector, place: str, on: dt.date) -> Hazard | None:
    """The struck-off hazard this one comes back after: same sector, same place, closed within 180 days."""
    return (
        Hazard.objects.filter(sector=sector, place_key=normalize_place(place), state=HazardState.CLOSED,
                              closed_on__gte=on - dt.timedelta(days=RECURRENCE_DAYS), closed_on__lte=on)
        .order_by("-closed_on", "-id").first()
    )


@transaction.atomic
def report_hazard(actor: Actor, *, sector: Sector, place: str, title: str, level: str = HazardLevel.GENERAL,
                  township: Unit | None = None, place_unit: str = "", detail: str = "", found_on: dt.date | None = None,
                  latitude: Decimal | None = None, longitude: Decimal | None = None, photos=(),
                  on_the_spot: bool = False, result: str = "", after_photos=(), found_by_name: str = "") -> Hazard:
    """发现上报: a hazard found on an inspection or by a grid worker, with its photos (before). 当场整改: fixed on
    the spot — struck off at once with what was done and a photo after, still counted in the ledger.
    `found_by_name`: the 排查人 a sheet names (an imported ledger): the hazard is theirs, not the importer's."""
    user = actor.user
    if user is not None and not policies.may_report(user):
        raise NotAllowed(_("系统管理员、安全管理员和审计管理员不能上报隐患。"))
    place, title = _text(place, _("隐患部位"), "place"), _text(title, _("隐患内容"), "title")
    if not sector.active:
        raise ServiceError(_("行业领域“%(name)s”已停用，请选择其他领域。") % {"name": sector.name}, field="sector")
    if level not in HazardLevel.values:
        raise ServiceError(_("隐患等级只能是“一般隐患”或“重大隐患”。"), field="level")
    found_on = found_on or today()
    if found_on > today():
        raise ServiceError(_("排查时间不能晚于今天。"), field="found_on")
    if on_the_spot:
        if level == HazardLevel.MAJOR:
            raise ServiceError(_("重大隐患须制定整改方案、挂牌督办，不能登记为当场整改。"), field="on_the_spot")
        result = _text(result, _("当场整改情况"), "result")
        if not after_photos:
            raise ServiceError(_("当场整改须上传整改后的照片。"), field="after_photos")
    before = _checked_photos(photos, "photos")
    after = _checked_photos(after_photos, "after_photos") if on_the_spot else []
    found_by_name = (found_by_name or "").strip()[:60]
    if township is None and user is not None and not found_by_name:
        township = township_of(user.unit)
    if township is not None and township.kind != UnitKind.TOWNSHIP:
        raise ServiceError(_("“%(unit)s”不是乡镇，请选择隐患所在的乡镇。") % {"unit": township}, field="township")
    position = _position_from(before) if latitude is None and longitude is None else None
    if position:
        latitude, longitude = position
    hazard = Hazard(
        code=_next_code(found_on.year), sector=sector, level=level, place=place, title=title, township=township,
        place_unit=(place_unit or "").strip(), detail=(detail or "").strip(), found_on=found_on, start_date=found_on,
        latitude=latitude, longitude=longitude, found_by=None if found_by_name else user,
        found_by_name=found_by_name or (user.full_name if user is not None else ""), state=HazardState.FOUND,
        recurrence_of=recurrence_for(sector, place, found_on),
    )
    hazard.save()
    _keep(hazard, before, PhotoStage.BEFORE, actor)
    again = f"（{hazard.recurrence_of.code} 销号后 {RECURRENCE_DAYS} 天内复发）" if hazard.recurrence_of_id else ""
    kernel.created(actor, hazard, text=f"发现{hazard.get_level_display()}：{place} {title}{again}", event=EventKind.REPORTED,
                   audit_action="report", kind=HAZARD_KIND)
    if on_the_spot:
        now = timezone.now()
        kernel.perform(actor, hazard, "rectify_on_spot", kind=HAZARD_KIND, prepare=lambda: _keep(hazard, after, PhotoStage.AFTER, actor),
                       changes={"state": HazardState.CLOSED, "rectified_on_spot": True, "result": result, "completed_on": found_on,
                                "closed_on": found_on, "verified_by": user, "verified_at": now,
                                "closed_by_unit": user.unit if user is not None else None},
                       text=f"当场整改：{result}")
    return hazard


def _assignment(hazard: Hazard, values: dict) -> dict:
    """The rectification fields of `values`, checked: 措施、责任单位、时限 always; the plan for a major hazard."""
    changes = {k: v for k, v in values.items() if k in ASSIGN_FIELDS}
    for field, what in (("lead_unit", _("整改责任单位")), ("due_date", _("整改时限"))):
        if not changes.get(field):
            raise ServiceError(_("请填写%(what)s。") % {"what": what}, field=field)
    changes["measures"] = _text(changes.get("measures"), _("整改措施"), "measures")
    if changes["due_date"] < today():
        raise ServiceError(_("整改时限不能早于今天。"), field="due_date")
    funds = changes.get("funds")
    if funds is not None and funds < 0:
        raise ServiceError(_("整改资金不能为负数。"), field="funds")
    if hazard.is_major:
        probe = Hazard(level=hazard.level, **{f: changes.get(f, getattr(hazard, f)) for f in ("plan_goal", "measures", "funds", "plan_person", "due_date", "plan_contingency")})
        missing = probe.missing_plan()
        if missing:
            raise ServiceError(_("重大隐患须先制定整改方案，请补全：%(parts)s。") % {"parts": "、".join(missing)}, field="plan_goal")
    return changes


@transaction.atomic
def assign_rectification(actor: Actor, hazard: Hazard, *, expected_version: int | None = None, **values) -> Hazard:
    """交办整改: measures, responsible unit and person, deadline and funds — for a major hazard the whole plan
    (五落实) — and the hazard is on the clock; the sweep chases it (a major one on the stricter ladder)."""
    changes: dict = {}

    def ready():
        changes.update(_assignment(hazard, values))

    def values_to_write(_prepared):
        return {**changes, "state": HazardState.RECTIFYING, "start_date": today()}

    kernel.perform(actor, hazard, "assign", guard=ready, expected_version=expected_version, changes=values_to_write, kind=HAZARD_KIND,
                   text=lambda _p: f"交办{changes['lead_unit']}整改，{_day(changes['due_date'])}前完成"
                                   + ("（重大隐患挂牌督办）" if hazard.is_major else ""))
    return hazard


@transaction.atomic
def request_verification(actor: Actor, hazard: Hazard, *, result: str, photos=(), expected_version: int | None = None) -> Hazard:
    """申请验收: the unit says what it did and shows it (at least one photo after rectification)."""
    said = (result or "").strip()
    cleaned: list = []

    def ready():
        _text(said, _("整改完成情况"), "result")
        if not photos:
            raise ServiceError(_("请上传至少一张整改后的照片。"), field="photos")
        cleaned.extend(_checked_photos(photos, "photos"))

    kernel.perform(actor, hazard, "request_verification", guard=ready, expected_version=expected_version, kind=HAZARD_KIND,
                   prepare=lambda: _keep(hazard, cleaned, PhotoStage.AFTER, actor),
                   changes={"state": HazardState.AWAITING, "result": said, "completed_on": today()}, text=f"申请验收：{said}")
    return hazard


@transaction.atomic
def verify_hazard(actor: Actor, hazard: Hazard, *, note: str = "", expected_version: int | None = None) -> Hazard:
    """验收销号: rectified as planned; struck off. The unit that rectified it answers for a recurrence."""
    kernel.perform(actor, hazard, "verify", expected_version=expected_version, kind=HAZARD_KIND,
                   changes={"state": HazardState.CLOSED, "closed_on": today(), "verified_by": actor.user, "verified_at": timezone.now(),
                            "closed_by_unit": hazard.lead_unit},
                   text="验收合格，销号" + (f"：{note.strip()}" if (note or "").strip() else ""))
    return hazard


@transaction.atomic
def return_hazard(actor: Actor, hazard: Hazard, *, reason: str, expected_version: int | None = None) -> Hazard:
    """验收退回: not yet rectified; back to the unit with the reason, the deadline unchanged."""
    said = (reason or "").strip()
    kernel.perform(actor, hazard, "return", guard=lambda: _text(said, _("退回理由"), "reason"), expected_version=expected_version,
                   kind=HAZARD_KIND, changes={"state": HazardState.RECTIFYING, "completed_on": None, "return_count": F("return_count") + 1},
                   text=f"验收退回：{said}")
    return hazard


@transaction.atomic
def promote_hazard(actor: Actor, hazard: Hazard, *, campaign, expected_version: int | None = None) -> Hazard:
    """转为重点工作任务: a hazard whose rectification is more than its unit can do alone (a road to rebuild, a
    site to relocate) goes onto a key-work ledger as a draft task — its unit, deadline and measures carried over
    — that the supervision office completes and registers; the hazard keeps its own loop and links to it."""
    from duban.ledger import services as ledger_services
    from duban.ledger.choices import TaskSource

    made = {}

    def ready():
        if hazard.promoted_task_id:
            raise ServiceError(_("隐患 %(code)s 已转为重点工作任务 %(task)s，不能重复转。") % {"code": hazard.code, "task": hazard.promoted_task.code})
        if campaign is None or not campaign.is_active:
            raise ServiceError(_("请选择一个进行中的专项行动。"), field="campaign")

    def create():
        standard = hazard.measures + (f"；整改目标：{hazard.plan_goal}" if hazard.plan_goal else "")
        made["task"] = ledger_services.create_task(
            actor, campaign, title=f"整改{hazard.get_level_display()}：{hazard.place} {hazard.title}"[:200],
            standard=standard, lead_unit=hazard.lead_unit, due_date=hazard.due_date,
            source=TaskSource.HAZARD, source_ref=f"安全隐患 {hazard.code}")
        return made["task"]

    kernel.perform(actor, hazard, "promote", guard=ready, expected_version=expected_version, kind=HAZARD_KIND, prepare=create,
                   changes=lambda task: {"promoted_task": task},
                   text=lambda task: f"转为重点工作任务 {task.code}（{campaign.name}）", data=lambda task: {"task": task.code})
    return hazard


# The fields `edit_hazard` may change: what was reported and how it is to be rectified (not its state, its
# verification or its history, which only the transitions write).
EDITABLE = (*(f for f in REPORT_FIELDS if f not in ("latitude", "longitude")), *ASSIGN_FIELDS, "result")


@transaction.atomic
def edit_hazard(actor: Actor, hazard: Hazard, *, expected_version: int | None = None, text: str = "", **values) -> Hazard:
    """修改隐患: the safety office corrects an open hazard (a re-imported sheet's changed cells); a struck-off one
    is history and stays as it was."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise ServiceError(_("这些内容不能修改：%(fields)s。") % {"fields": "、".join(unknown)})
    if "place" in values or "title" in values:
        values.update({k: _text(values[k], label, k) for k, label in (("place", _("隐患部位")), ("title", _("隐患内容"))) if k in values})
    if "level" in values and values["level"] not in HazardLevel.values:
        raise ServiceError(_("隐患等级只能是“一般隐患”或“重大隐患”。"), field="level")
    if values.get("funds") is not None and values["funds"] < 0:
        raise ServiceError(_("整改资金不能为负数。"), field="funds")
    kernel.perform(actor, hazard, "edit", expected_version=expected_version, kind=HAZARD_KIND, changes=values,
                   text=text or _("修改隐患信息"))
    return hazard


def refresh_light(hazard: Hazard, on: dt.date | None = None) -> None:
    """Recompute and store the hazard's light (what the sweep does each morning for every open matter)."""
    lights.relight(HAZARD_KIND, hazard, on)


def available_actions(hazard: Hazard, user) -> list[str]:
    """The transitions the hazard page offers `user` now (read from the machine's who-may)."""
    return [t.name for t in kernel.offered(hazard, user, kind=HAZARD_KIND)]



# 排查 against the checklists (a module of its own; it reports hazards through report_hazard above).
from duban.safety.services.inspecting import Answer, add_checklist_item, record_inspection, set_checklist_item_active  # noqa: E402, F401
