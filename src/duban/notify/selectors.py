"""Reads of the inbox shared by the pages and the API: scoped rows and a keyset page that never fails on a bad cursor."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from duban.core.paging import BadCursor, Keyset, KeysetPage
from duban.notify.models import Notification

INBOX_KEYSET = Keyset(["-created_at", "-id"])
INBOX_FIELDS = ("id", "recipient_id", "title", "body", "url", "urgent", "kind", "created_at", "read_at")
MAX_ID = 2**63 - 1
BAD_CURSOR = gettext_lazy("翻页参数无效，请从第一页重新浏览。")


def inbox(user, *, unread_only: bool = False):
    """The user's own messages (nobody else's, whatever their role)."""
    rows = Notification.objects.visible_to(user).only(*INBOX_FIELDS)
    return rows.unread() if unread_only else rows


def page_of(keyset: Keyset, rows, cursor: str | None, size: int) -> KeysetPage:
    """A keyset page; a cursor that does not decode to this ordering's values is BadCursor, never a 500."""
    if cursor:
        try:
            _, values = keyset.decode(cursor, rows.model)
        except ValidationError:
            raise BadCursor(BAD_CURSOR) from None
        for value in values:
            if value is None or isinstance(value, str) and "\x00" in value or isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise BadCursor(BAD_CURSOR)
    return keyset.page(rows, cursor=cursor or None, size=size)
