"""/api/v1/supervision/actions…: 督办记录 over REST — the same scope and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router
from ninja.errors import ValidationError

from duban.api.schemas import ERRORS, MAX_ID, Schema
from duban.core.actor import Actor
from duban.core.errors import NotAllowed
from duban.supervision import services
from duban.supervision.choices import ActionKind, ActionState
from duban.supervision.filters import Q_MAX_LENGTH, STATUS_CHOICES
from duban.supervision.models import SupervisionAction
from duban.supervision.selectors import action_filter, page_of

router = Router(tags=["督办"])
PAGE_MAX = 100
KindName = Literal[tuple(ActionKind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(value for value, _label in STATUS_CHOICES)]  # type: ignore[valid-type]


class ActionOut(Schema):
    id: int
    kind: str = Field(..., description="remind 提醒 / urge 催办 / notice 督办通知单 / interview 约谈建议 / accountability 问责建议")
    kind_label: str
    state: str = Field(..., description="open 待回复 / replied 已回复 / done 已记录")
    number: str = Field(..., description="督办通知单的文号，如 县督字〔2026〕12号；其他为空")
    matter_code: str
    matter_title: str
    deadline_cycle: int
    automatic: bool = Field(..., description="true：系统按督办梯度发出")
    target_unit: str | None
    target_person: str | None
    text: str
    issued_on: dt.date
    reply_due: dt.date | None
    reply: str
    replied_at: dt.datetime | None


class ActionPage(Schema):
    items: list[ActionOut]
    next: str | None = Field(None, description="下一页游标（作为 cursor 传回）")
    prev: str | None = Field(None, description="上一页游标")


class ActionQuery(Schema):
    """The list's filters (the same ActionFilter as the 督办记录 page and its Excel export) and paging."""

    kind: KindName | None = Field(None, description="督办方式")
    status: StatusName | None = Field(None, description="open 待回复（含逾期）；late 逾期未回复；replied 已回复")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="督办对象单位 id（含下级单位）；须在调用者职责范围内")
    automatic: bool | None = Field(None, description="true：系统按督办梯度发出；false：人工发出")
    issued_after: dt.date | None = Field(None, description="督办日期不早于")
    issued_before: dt.date | None = Field(None, description="督办日期不晚于")
    q: str | None = Field(None, max_length=Q_MAX_LENGTH, description="关键词：事项编号、事项名称或文号")
    cursor: str | None = Field(None, max_length=400, description="翻页游标（上一页返回的 next 或 prev）")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


class ActionReplyIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000, description="办理情况、未按期完成的原因和整改措施")


def _out(a: SupervisionAction) -> dict:
    return {
        "id": a.pk, "kind": a.kind, "kind_label": str(ActionKind(a.kind).label), "state": a.state, "number": a.number,
        "matter_code": a.matter_code, "matter_title": a.matter_title, "deadline_cycle": a.deadline_cycle,
        "automatic": a.automatic, "target_unit": a.target_unit.name if a.target_unit_id else None,
        "target_person": a.target_person.full_name if a.target_person_id else None, "text": a.text,
        "issued_on": a.issued_on, "reply_due": a.reply_due, "reply": a.reply, "replied_at": a.replied_at,
    }


def _visible(request):
    return SupervisionAction.objects.visible_to(request.auth).select_related("target_unit", "target_person")


def _filtered(request, query: ActionQuery):
    """The caller's actions through the ActionFilter; a value it refuses is a 422 naming the parameter."""
    data = QueryDict(mutable=True)
    for name in ("kind", "status", "unit", "q"):
        value = getattr(query, name)
        if value is not None:
            data[name] = str(value)
    if query.automatic is not None:
        data["automatic"] = "true" if query.automatic else "false"
    for name in ("issued_after", "issued_before"):
        value = getattr(query, name)
        if value is not None:
            data[name] = value.isoformat()
    filterset = action_filter(request, data)
    if not filterset.is_valid():
        raise ValidationError([
            {"loc": ("query", name), "msg": " ".join(messages), "type": "value_error"}
            for name, messages in filterset.errors.items()
        ])
    return filterset.qs.select_related("target_unit", "target_person")


@router.get("/supervision/actions", response={200: ActionPage, **ERRORS}, summary="督办记录")
def list_actions(request, query: Query[ActionQuery]):
    """调用者职责范围内的督办记录，从新到旧（督办日期、id 倒序）；可按督办方式、回复情况、督办对象单位（含下级单位）、
    发出方式、督办日期和关键词筛选；按游标翻页。"""
    page = page_of(_filtered(request, query), query.cursor, query.limit)
    return {"items": [_out(a) for a in page.rows], "next": page.next_cursor, "prev": page.prev_cursor}


def _get(request, action_id: int) -> SupervisionAction:
    action = _visible(request).filter(pk=action_id).first()
    if action is None:
        raise Http404(_("未找到督办记录 %(id)s，或它不在您的职责范围内。") % {"id": action_id})
    return action


@router.get("/supervision/actions/{action_id}", response={200: ActionOut, **ERRORS}, summary="一条督办记录")
def get_action(request, action_id: int = Path(..., ge=1, le=MAX_ID)):
    return _out(_get(request, action_id))


@router.post("/supervision/actions/{action_id}/reply", response={200: ActionOut, **ERRORS}, summary="书面回复督办")
def reply(request, body: ActionReplyIn, action_id: int = Path(..., ge=1, le=MAX_ID)):
    """被督办单位的负责人、联络员（或被督办的领导）书面回复；回复后追督停止。"""
    action = _get(request, action_id)
    if not services.may_reply(action, request.auth) and action.state == ActionState.OPEN:
        raise NotAllowed(_("只有被督办单位的负责人、联络员（或被督办的领导）可以回复。"))
    return _out(services.reply_to_action(Actor.from_request(request), action, text=body.text))
