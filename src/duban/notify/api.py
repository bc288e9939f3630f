"""/api/v1/inbox…: the caller's own inbox over REST (the same rows and rules as the /inbox/ page)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router

from duban.api.schemas import ERRORS, MAX_ID, Schema
from duban.notify import selectors, services

router = Router(tags=["站内消息"])

PAGE_MAX = 100


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str = Field(..., description="事项页面的链接（站内路径）")
    urgent: bool
    kind: str = Field(..., description="消息类别，如 supervision.urge")
    created_at: dt.datetime
    read_at: dt.datetime | None = Field(None, description="阅读时间；未读为空")


class InboxPage(Schema):
    unread: int = Field(..., description="未读消息总数")
    items: list[NotificationOut]
    next: str | None = Field(None, description="下一页游标（作为 cursor 传回）")
    prev: str | None = Field(None, description="上一页游标")


class InboxQuery(Schema):
    unread: bool = Field(False, description="只看未读")
    cursor: str | None = Field(None, max_length=400, description="翻页游标（上一页返回的 next 或 prev）")
    limit: int = Field(20, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


class Marked(Schema):
    marked: int = Field(..., description="本次标为已读的条数")


def _out(note) -> dict:
    return {"id": note.pk, "title": note.title, "body": note.body, "url": note.safe_url, "urgent": note.urgent,
            "kind": note.kind, "created_at": note.created_at, "read_at": note.read_at}


@router.get("/inbox", response={200: InboxPage, **ERRORS}, summary="我的站内消息")
def list_inbox(request, query: Query[InboxQuery]):
    """调用者本人的站内消息，从新到旧；可只看未读；按游标翻页。不会返回他人的消息。"""
    page = selectors.page_of(selectors.INBOX_KEYSET, selectors.inbox(request.auth, unread_only=query.unread), query.cursor, query.limit)
    return {"unread": services.unread_count(request.auth), "items": [_out(n) for n in page.rows],
            "next": page.next_cursor, "prev": page.prev_cursor}


@router.post("/inbox/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读")
def read_one(request, notification_id: int = Path(..., ge=1, le=MAX_ID)):
    """把本人的一条消息标为已读；他人的消息视为不存在（404）。"""
    note = selectors.inbox(request.auth).filter(pk=notification_id).first()
    if note is None:
        raise Http404(_("未找到消息 %(id)s，或它不是发给您的。") % {"id": notification_id})
    services.mark_read(request.auth, note)
    return _out(note)


@router.post("/inbox/read-all", response={200: Marked, **ERRORS}, summary="全部标为已读")
def read_all(request):
    """把本人的全部未读消息标为已读。"""
    return {"marked": services.mark_all_read(request.auth)}
