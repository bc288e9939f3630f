"""The 督办记录 over REST: the list's filters and cursor pages (the same ActionFilter and keyset as the page),
a fixed number of queries, and a reply recorded with the caller's address and request id."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.core.models import AuditEntry
from duban.supervision.choices import ActionState
from duban.supervision.models import SupervisionAction
from tests.supervision.record import CASES, EVERYTHING, NO_DATE_CURSOR, more_urges

pytestmark = pytest.mark.django_db

REPLY = "征地协议已签订九成，剩余三户月底前完成。"


def test_a_reply_by_token_is_audited_with_the_callers_address_and_request_id(county, noticed, api):
    head = api("unit_head")
    response = head.client.post(
        f"/api/v1/supervision/actions/{noticed.pk}/reply", json.dumps({"text": REPLY}), content_type="application/json",
        headers={**head.headers, "X-Request-ID": "req20261010a"}, REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 200 and response["X-Request-ID"] == "req20261010a"
    entry = AuditEntry.objects.get(action="supervision.reply")
    assert (entry.actor, entry.ip, entry.request_id) == (county.people["unit_head"], "10.20.30.40", "req20261010a")
    assert SupervisionAction.objects.get(pk=noticed.pk).state == ActionState.REPLIED


def tags_of(response, record) -> list[str]:
    assert response.status_code == 200, response.json()
    tags = {a.pk: tag for tag, a in record.items()}
    return [tags[item["id"]] for item in response.json()["items"]]


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_the_list_filters_like_the_page(county, record, api, params, expected):
    if "unit" in params:
        params = {**params, "unit": county.units[params["unit"]].pk}
    assert tags_of(api("supervision").get("/supervision/actions", params), record) == expected


def test_a_unit_head_lists_and_filters_within_his_scope(county, record, api):
    head = api("unit_head")
    assert tags_of(head.get("/supervision/actions"), record) == ["office_urge", "notice", "urge", "remind"]
    assert tags_of(head.get("/supervision/actions", {"unit": county.units["transport_office"].pk}), record) == ["office_urge"]
    refused = head.get("/supervision/actions", {"unit": county.units["ndrc"].pk})
    assert refused.status_code == 422
    assert (refused.json()["detail"], refused.json()["field"]) == ("“unit”没有这个单位，或它不在您的职责范围内，请从列表中选择。", "unit")


@pytest.mark.parametrize(("params", "field", "detail"), [
    ({"status": "bogus"}, "status", "“status”应为以下之一：'open', 'late' or 'replied'。"),
    ({"kind": "reminder"}, "kind", "“kind”应为以下之一：'remind', 'urge', 'notice', 'interview' or 'accountability'。"),
    ({"issued_after": "明年"}, "issued_after", "“issued_after”应为日期，格式 YYYY-MM-DD。"),
    ({"q": "村道\x00"}, "q", "“q”关键词中不能含有空字符（\\u0000）。"),
    ({"q": "x" * 101}, "q", "“q”太长：最多 100 个字。"),
    ({"unit": 0}, "unit", "“unit”应不小于 1。"),
    ({"limit": 101}, "limit", "“limit”应不大于 100。"),
])
def test_a_refused_filter_is_a_422_in_chinese(county, record, api, params, field, detail):
    response = api("supervision").get("/supervision/actions", params)
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["detail"]) == (field, detail)


def test_cursor_pages_walk_the_record_newest_first_both_ways(county, record, api):
    office = api("supervision")
    pages, cursor = [], None
    while True:
        body = office.get("/supervision/actions", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        assert set(body) == {"items", "next", "prev"}  # the task API's shape: no page numbers, no total
        pages.append([{a.pk: t for t, a in record.items()}[item["id"]] for item in body["items"]])
        cursor = body["next"]
        if not cursor:
            break
        last = body
    assert pages == [EVERYTHING[0:2], EVERYTHING[2:4], EVERYTHING[4:6]]
    back = office.get("/supervision/actions", {"limit": 2, "cursor": last["prev"]})
    assert tags_of(back, record) == EVERYTHING[0:2]
    by_hand = office.get("/supervision/actions", {"limit": 2, "automatic": False}).json()
    assert tags_of(office.get("/supervision/actions", {"limit": 2, "automatic": False, "cursor": by_hand["next"]}), record) == ["office_urge"]
    for broken in ("not-a-cursor", NO_DATE_CURSOR):
        refused = office.get("/supervision/actions", {"cursor": broken})
        assert (refused.status_code, refused.json()) == (400, {"detail": "翻页参数无效，请从第一页重新浏览。", "field": "cursor"})


@pytest.mark.parametrize("role", ["supervision", "unit_head"])
def test_the_list_runs_as_many_queries_for_3_rows_as_for_30(county, noticed, api, role, django_assert_num_queries):
    client = api(role)
    params = {"unit": county.units["transport"].pk, "kind": "urge", "q": "2026-0001", "limit": 100}
    more_urges(noticed, county.people["supervision"], 2)
    client.get("/supervision/actions", params)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get("/supervision/actions", params).json()["items"]) == 3
    more_urges(noticed, county.people["supervision"], 27)
    with django_assert_num_queries(len(three.captured_queries)):
        assert len(client.get("/supervision/actions", params).json()["items"]) == 30
