"""/api/v1/hazards… reads and changes."""

from __future__ import annotations

from django.http import Http404, QueryDict
from django.utils import timezone
from ninja import Path, Query

from duban.api.filtering import as_params, check
from duban.api.schemas import ERRORS
from duban.core.actor import Actor
from duban.core.models import Unit
from duban.matters import services as kernel
from duban.safety import selectors, services
from duban.safety.api import router
from duban.safety.api.schemas import (
    NOT_FOUND,
    AssignIn,
    HazardDetail,
    HazardPage,
    HazardQuery,
    HazardReturnIn,
    InspectionDetail,
    InspectionPage,
    InspectionQuery,
    VerifyIn,
)
from duban.safety.kind import HAZARD_KIND
from duban.safety.models import Hazard, PhotoStage

CODE = Path(..., max_length=24)


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _item(h: Hazard) -> dict:
    return {
        "code": h.code, "sector": _ref(h.sector), "level": h.level, "level_label": h.get_level_display(), "place": h.place,
        "place_unit": h.place_unit, "title": h.title, "township": _ref(h.township), "lead_unit": _ref(h.lead_unit),
        "due_date": h.due_date, "found_on": h.found_on, "state": h.state, "state_label": h.get_state_display(), "light": h.light,
        "light_reason": h.light_reason, "return_count": h.return_count,
        "recurrence_of": h.recurrence_of.code if h.recurrence_of_id and h.recurrence_of else None,
    }


def _hazard_or_404(request, code: str) -> Hazard:
    try:
        return selectors.hazard_for(request.auth, code)
    except Http404:
        raise Http404(NOT_FOUND.format(code=code)) from None


def _detail(request, code: str) -> dict:
    h = _hazard_or_404(request, code)
    photos = selectors.photos_of(h)
    return {
        **_item(h), "version": h.version, "detail": h.detail, "found_by": h.found_by_name, "measures": h.measures, "funds": h.funds,
        "plan_goal": h.plan_goal, "plan_person": h.plan_person, "plan_contingency": h.plan_contingency,
        "rectified_on_spot": h.rectified_on_spot, "result": h.result,
        "verified_at": timezone.localtime(h.verified_at) if h.verified_at else None, "closed_on": h.closed_on,
        "photos_before": [p.attachment_id for p in photos[PhotoStage.BEFORE]],
        "photos_after": [p.attachment_id for p in photos[PhotoStage.AFTER]],
        "actions": [t.name for t in kernel.offered(h, request.auth, kind=HAZARD_KIND)],
    }


@router.get("/hazards", response={200: HazardPage, **ERRORS}, summary="隐患列表")
def list_hazards(request, filters: Query[HazardQuery]):
    """调用者职责范围内的隐患，可按领域、等级、属地、责任单位、状态、亮灯和关键词筛选；按游标翻页。"""
    listing = selectors.listing(request.auth, as_params(filters, ("sector", "level", "township", "lead_unit", "q"), ("state", "light")))
    check(listing.filterset)
    page = selectors.page_of(listing.rows, filters.cursor, filters.limit)
    return {"items": [_item(h) for h in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


@router.get("/hazards/{code}", response={200: HazardDetail, **ERRORS}, summary="隐患详情")
def get_hazard(request, code: str = CODE):
    """隐患的部位、内容、整改责任、方案、照片（附件 id）、状态与版本号，以及调用者现在可以办理的操作。"""
    return _detail(request, code)


@router.post("/hazards/{code}/transitions/assign", response={200: HazardDetail, **ERRORS}, summary="交办整改")
def assign(request, payload: AssignIn, code: str = CODE):
    """落实整改措施、责任单位、时限和资金；重大隐患须同时提交整改方案（挂牌督办）。"""
    hazard = _hazard_or_404(request, code)
    unit = Unit.objects.filter(pk=payload.lead_unit, is_active=True).first()
    if unit is None:
        raise Http404(f"没有 id 为 {payload.lead_unit} 的在用单位。")
    values = payload.dict(exclude={"version", "lead_unit"})
    services.assign_rectification(Actor.from_request(request), hazard, expected_version=payload.version, lead_unit=unit, **values)
    return _detail(request, code)


@router.post("/hazards/{code}/transitions/verify", response={200: HazardDetail, **ERRORS}, summary="验收销号")
def verify(request, payload: VerifyIn, code: str = CODE):
    """核查整改情况合格，销号。"""
    services.verify_hazard(Actor.from_request(request), _hazard_or_404(request, code), note=payload.note, expected_version=payload.version)
    return _detail(request, code)


@router.post("/hazards/{code}/transitions/return", response={200: HazardDetail, **ERRORS}, summary="验收退回")
def return_(request, payload: HazardReturnIn, code: str = CODE):
    """整改不到位，写明理由退回整改责任单位。"""
    services.return_hazard(Actor.from_request(request), _hazard_or_404(request, code), reason=payload.reason, expected_version=payload.version)
    return _detail(request, code)


# --- 排查 -----------------------------------------------------------------------------------------------


def _inspection(i) -> dict:
    return {"id": i.pk, "sector": _ref(i.sector), "place": i.place, "place_unit": i.place_unit, "township": _ref(i.township),
            "inspected_on": i.inspected_on, "inspector": i.inspector_name, "failed": i.failed}


@router.get("/inspections", response={200: InspectionPage, **ERRORS}, summary="排查记录")
def list_inspections(request, filters: Query[InspectionQuery]):
    """调用者可见的排查记录（与页面同一套筛选），按检查日期倒序，按游标翻页。"""
    filterset, rows = selectors.inspections(request.auth, as_params(filters, ("sector", "township", "q", "inspected_from", "inspected_to")))
    check(filterset)
    page = selectors.inspection_page(rows, filters.cursor, filters.limit)
    return {"items": [_inspection(i) for i in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


@router.get("/inspections/{inspection_id}", response={200: InspectionDetail, **ERRORS}, summary="排查详情")
def get_inspection(request, inspection_id: int = Path(..., ge=1, le=2**31 - 1)):
    """一次排查的逐项结果，不合格项登记的隐患编号。"""
    _filterset, rows = selectors.inspections(request.auth, QueryDict())
    inspection = rows.filter(pk=inspection_id).first()
    if inspection is None:
        raise Http404(f"未找到排查记录 {inspection_id}，或不在您的职责范围内。")
    results = [{"item": r.item_text, "outcome": r.outcome, "note": r.note, "hazard": r.hazard.code if r.hazard else None}
               for r in selectors.results_of(inspection)]
    return {**_inspection(inspection), "note": inspection.note, "results": results}
