"""The 督办记录 over REST: the list's filters and cursor pages (the same ActionFilter and keyset as the page),
a fixed number of queries, and a reply recorded with the caller's address and request id."""

import json

import pytest

from duban.core.models import AuditEntry
from duban.supervision.choices import ActionState
from duban.supervision.models import SupervisionAction

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
