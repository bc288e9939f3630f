"""GET /api/v1/inbox and marking read over the API: the caller's own messages only."""

from __future__ import annotations

import pytest

from duban.notify.models import Notification
from duban.notify.services import Message, send
from tests.api.conftest import api  # noqa: F401  (the token-client fixture)
from tests.notify.conftest import WORKING, at


@pytest.fixture
def inbox(county, time_machine):
    at(time_machine, WORKING)
    liaison = county.people["liaison"]
    send([Message(recipient=liaison, title=f"催办 {i}", body="请报送进展。", url="/ledger/tasks/2026-0001/", kind="supervision.urge") for i in range(3)])
    send([Message(recipient=county.people["unit_head"], title="给周局长", body="")])
    return list(Notification.objects.filter(recipient=liaison).order_by("-id"))


def test_the_inbox_lists_the_callers_own_messages_newest_first_with_paging(county, api, inbox):
    client = api("liaison")
    first = client.get("/inbox", {"limit": 2}).json()
    assert first["unread"] == 3
    assert [item["id"] for item in first["items"]] == [inbox[0].pk, inbox[1].pk]
    assert first["items"][0] == {
        "id": inbox[0].pk, "title": "催办 2", "body": "请报送进展。", "url": "/ledger/tasks/2026-0001/", "urgent": False,
        "kind": "supervision.urge", "created_at": "2026-03-11T02:00:00Z", "read_at": None,
    }
    second = client.get("/inbox", {"limit": 2, "cursor": first["next"]}).json()
    assert [item["id"] for item in second["items"]] == [inbox[2].pk] and second["next"] is None


def test_marking_read_over_the_api(county, api, inbox):
    client = api("liaison")
    answer = client.post(f"/inbox/{inbox[0].pk}/read")
    assert answer.status_code == 200 and answer.json()["read_at"] == "2026-03-11T02:00:00Z"
    assert [i["id"] for i in client.get("/inbox", {"unread": "true"}).json()["items"]] == [inbox[1].pk, inbox[2].pk]
    assert client.post("/inbox/read-all").json() == {"marked": 2}
    assert client.get("/inbox").json()["unread"] == 0


def test_another_persons_message_is_not_found(county, api, inbox):
    theirs = Notification.objects.get(recipient=county.people["unit_head"])
    answer = api("supervision").post(f"/inbox/{theirs.pk}/read")
    assert answer.status_code == 404
    assert answer.json()["detail"] == f"未找到消息 {theirs.pk}，或它不是发给您的。"
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api("supervision").get("/inbox").json() == {"unread": 0, "items": [], "next": None, "prev": None}


@pytest.mark.parametrize("cursor", ["garbage", "WyJhZnRlciIsIFsibm90IGEgZGF0ZSIsIDFdXQ"])  # the second: ["after", ["not a date", 1]]
def test_a_bad_cursor_is_a_400(county, api, inbox, cursor):
    answer = api("liaison").get("/inbox", {"cursor": cursor})
    assert answer.status_code == 400 and answer.json() == {"detail": "翻页参数无效，请从第一页重新浏览。", "field": "cursor"}
