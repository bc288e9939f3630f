"""The home page (今日待办) runs as many queries with 30 things to do of each kind as with 2, for the office,
a unit head and the safety office (SPEC §9: a fixed number of queries, independent of rows)."""

import datetime as dt
import re

import pytest

from duban.core.actor import Actor
from duban.ledger import services as ledger
from duban.supervision import services as supervision
from tests.ledger.conftest import campaign, make_task  # noqa: F401  (fixtures)
from tests.safety.conftest import gas, grid_worker, report  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


def unit_head_work(county, make_task, report, n):
    """县交通运输局 has `n` tasks to sign for and `n` 督办通知单 to answer."""
    office = Actor(user=county.people["supervision"])
    for i in range(n):
        task = make_task(title=f"待签收任务{i}")
        supervision.issue_action(office, task, kind="notice", text=f"第{i}号通知", reply_days=2)
    return {"待签收": n, "回复督办通知单": n}


def office_work(county, make_task, report, n):
    """The office has `n` drafts to register and `n` completion requests to verify."""
    head = Actor(user=county.people["unit_head"])
    for i in range(n):
        make_task(register=False, title=f"草稿{i}")
        task = make_task(title=f"申请销账任务{i}")
        ledger.sign_task(head, task)
        task.refresh_from_db()
        ledger.request_completion(head, task, summary="已完成", no_evidence_reason="现场查看即可")
    return {"待立账": n, "审核销账": n}


def safety_work(county, make_task, report, n):
    """The safety office has `n` hazards to put on the clock."""
    for i in range(n):
        report(place=f"城关镇南街{i}号")
    return {"待交办整改": n}


WORK = {"unit_head": unit_head_work, "supervision": office_work, "safety": safety_work}
QUERIES = {"unit_head": 17, "supervision": 13, "safety": 10}


@pytest.mark.parametrize("role", sorted(WORK))
def test_the_home_page_runs_as_many_queries_for_30_of_each_kind_as_for_2(county, make_task, report, role, time_machine,
                                                                          django_assert_num_queries):
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=CST), tick=False)
    client = county.client(role)
    for have, n in ((0, 2), (2, 30)):
        expected = WORK[role](county, make_task, report, n - have)
        client.get("/")
        with django_assert_num_queries(QUERIES[role]):
            page = client.get("/").content.decode()
        for kind in expected:
            assert page.count(f'data-kind="{kind}"') == n, (kind, n)
        assert set(expected) == set(re.findall(r'data-kind="([^"]+)"', page))
