"""/api/v1/shifts…: the duty shifts over REST (值班班次). Validate, load through `Shift.objects.visible_to`, call the
service; the list filters through the one `ShiftFilter` and pages by keyset."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Path, Query

from duban.api.filtering import as_params, check
from duban.api.schemas import ERRORS, MAX_ID, Input, Ref, Schema
from duban.core.actor import Actor
from duban.core.paging import BadCursor
from duban.safety import selectors
from duban.safety.api import router
from duban.safety.choices import ShiftState
from duban.safety.filters import SHIFT_KEYSET
from duban.safety.models import Shift
from duban.safety.services import duty

PAGE_MAX = 100
ShiftStateName = Literal[tuple(ShiftState.values)]  # type: ignore[valid-type]
SHIFT_ID = Path(..., ge=1, le=MAX_ID)


class ShiftItem(Schema):
    id: int
    post: Ref = Field(..., description="值守点")
    township: Ref = Field(..., description="乡镇")
    critical: bool = Field(..., description="重点值守点")
    date: dt.date = Field(..., description="值班日期")
    start_time: dt.time
    end_time: dt.time = Field(..., description="不晚于开始时间的，到次日结束")
    hours: str
    person: Ref = Field(..., description="值班人员")
    second_person: Ref | None = None
    state: str
    state_label: str
    confirmed_at: dt.datetime | None = None
    lapse: str | None = Field(None, description="未确认到岗转成的值守事项编号")


class ShiftPage(Schema):
    items: list[ShiftItem]
    next: str | None
    prev: str | None


class ShiftQuery(Schema):
    """The shift filters (the same ShiftFilter as the pages), and paging."""

    date: dt.date | None = Field(None, description="值班日期")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    post: int | None = Field(None, ge=1, le=MAX_ID, description="值守点 id")
    township: int | None = Field(None, ge=1, le=MAX_ID, description="乡镇 id")
    state: list[ShiftStateName] | None = Field(None, description="状态，可多选")
    cursor: str | None = Field(None, max_length=400)
    limit: int = Field(50, ge=1, le=PAGE_MAX)


class ConfirmIn(Input):
    note: str = Field("", max_length=300, description="交接班记录，可不填")


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": user.full_name or user.username}


def _item(s: Shift) -> dict:
    lapse = getattr(s, "lapse", None)
    return {
        "id": s.pk, "post": {"id": s.post_id, "name": s.post.name}, "township": {"id": s.post.township_id, "name": s.post.township.name},
        "critical": s.post.critical, "date": s.date, "start_time": s.start_time, "end_time": s.end_time, "hours": s.hours,
        "person": _person(s.person), "second_person": _person(s.second_person) if s.second_person_id else None,
        "state": s.state, "state_label": s.get_state_display(),
        "confirmed_at": timezone.localtime(s.confirmed_at) if s.confirmed_at else None, "lapse": lapse.code if lapse else None,
    }


def _shift_or_404(request, pk: int) -> Shift:
    try:
        return selectors.shift_for(request.auth, pk)
    except Http404:
        raise Http404(f"未找到班次 {pk}，或该班次不在您的职责范围内。") from None


@router.get("/shifts", response={200: ShiftPage, **ERRORS}, summary="值班班次列表", tags=["值班值守"])
def list_shifts(request, filters: Query[ShiftQuery]):
    """调用者职责范围内的值班班次，可按日期、值守点、乡镇和状态筛选；按游标翻页。"""
    filterset = check(selectors.shift_listing(request.auth, as_params(filters, ("date", "date_from", "date_to", "post", "township"), ("state",))))
    rows = filterset.qs.select_related("lapse")
    try:
        page = SHIFT_KEYSET.page(rows, cursor=filters.cursor or None, size=filters.limit)
    except DjangoValidationError:
        raise BadCursor("翻页参数无效，请从第一页重新浏览。") from None
    return {"items": [_item(s) for s in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


@router.post("/shifts/{shift_id}/confirm", response={200: ShiftItem, **ERRORS}, summary="确认到岗/交接班", tags=["值班值守"])
def confirm(request, payload: ConfirmIn, shift_id: int = SHIFT_ID):
    """值班人员（或第二值班人员）在班次开始前 1 小时至结束前确认到岗；不需要定位和照片。"""
    shift = _shift_or_404(request, shift_id)
    duty.confirm_handover(Actor.from_request(request), shift, note=payload.note)
    return _item(selectors.shift_for(request.auth, shift_id))
