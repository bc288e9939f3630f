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
# Besides each kind of work's count and page: 我的值班 (one query, for everyone: anyone may be on duty) and, for a
# unit head and the safety office, the open duty lapses (a count and a page).
# The unit head's acting units (its unit and those below it) are looked up once a request (core.scope.headed_units):
# they were looked up again by each of the four sources that need them, two queries each (29 before). The appeals
# desk adds its two sources for a unit (待签收, 待答复: a count and a page each), 4. The project ledger adds its two for a
# unit (项目手续, 投资月报待报送), 4, and whether the person is of the project office (its unit by name or short name,
# one query); for the supervision office, the number of red projects (one query for its one line).
QUERIES = {"unit_head": 31, "supervision": 20, "safety": 17}


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
        for kind in expected:  # the first 20 of each kind, and how many there are
            assert page.count(f'data-kind="{kind}"') == min(n, 20), (kind, n)
        assert sorted(map(int, re.findall(r'data-testid="section-count">(\d+)<', page))) == [n] * len(expected)
        assert set(expected) == set(re.findall(r'data-kind="([^"]+)"', page))


def test_a_unit_with_60_tasks_to_sign_sees_the_first_20_the_exact_count_and_a_link_to_the_rest(county, make_task, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=CST), tick=False)
    codes = [make_task(title=f"待签收任务{i}").code for i in range(60)]  # all arrived now: in code order
    client = county.client("unit_head")
    page = client.get("/").content.decode()
    assert re.findall(r'<a href="/ledger/tasks/([^/]+)/">', page) == codes[:20]
    assert re.search(r'data-section="ledger.sign"><span>待签收</span><span data-testid="section-count">60</span>', page)
    assert '<span class="badge text-bg-danger rounded-pill" data-testid="work-count">60</span>' in page
    more = re.search(r'<a href="(/work/ledger\.sign/\?offset=20)" hx-get="\1"', page).group(1)
    assert "还有 40 项，继续显示" in page

    # htmx appends the next 20 in place of the link, with a link to the last 20
    rest = client.get(more, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in rest and re.findall(r'<a href="/ledger/tasks/([^/]+)/">', rest) == codes[20:40]
    assert 'href="/work/ledger.sign/?offset=40"' in rest and "还有 20 项，继续显示" in rest
    # without JavaScript the link is a page of its own; the last page has no link further
    last = client.get("/work/ledger.sign/?offset=40").content.decode()
    assert "<html" in last and re.findall(r'<a href="/ledger/tasks/([^/]+)/">', last) == codes[40:]
    assert 'data-testid="section-count">60<' in last and 'data-testid="work-more"' not in last


def test_the_rest_of_the_work_is_only_the_users_own(county, make_task, time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 1, 9, tzinfo=CST), tick=False)
    make_task()
    other = county.client("liaison").get("/work/ledger.sign/").content.decode()  # 县发展和改革局: its own, none
    assert 'data-testid="section-count">0<' in other and "/ledger/tasks/" not in other
    assert county.client("unit_head").get("/work/ledger.verify/").status_code == 404  # the office's work
    assert county.client("unit_head").get("/work/ledger.sign/?offset=x").status_code == 200
    assert county.client("supervision").get("/work/nothing/").status_code == 404
