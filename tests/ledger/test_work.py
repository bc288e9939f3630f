""""My work" on the home page: each role is told what it must do today, most urgent first."""

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine

from duban.core import work
from duban.core.work import OVERDUE, TODAY
from duban.ledger import services
from duban.ledger.models import Task
from tests.ledger.conftest import as_actor

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))


def at(day, hour=9):
    return time_machine.travel(dt.datetime(2026, 6, day, hour, tzinfo=CST), tick=False)


def kinds(user, day):
    return [(item.kind, item.title.split(" ", 1)[0]) for item in work.items_for(user, dt.date(2026, 6, day))]


def fresh(task):
    return Task.objects.get(pk=task.pk)


def test_core_does_not_know_the_ledger():
    core = Path(__file__).resolve().parents[2] / "src" / "duban" / "core"
    offenders = [p.name for p in core.rglob("*.py") if re.search(r"^(from|import) duban\.ledger", p.read_text(), re.M)]
    assert offenders == []


def test_the_ledger_registered_its_provider():
    from duban.ledger.work import ledger_work

    assert ledger_work in work._providers


def test_the_unit_is_told_to_sign_then_to_report_then_that_it_is_late(county, make_task):
    head, liaison = county.people["unit_head"], county.people["liaison"]
    with at(1):
        task = make_task(report_cycle="monthly:25")
        assert kinds(head, 1) == [("待签收", task.code)]
        assert work.items_for(head, dt.date(2026, 6, 1))[0].urgency == TODAY
        assert kinds(liaison, 1) == []  # another unit's task
    assert work.items_for(head, dt.date(2026, 6, 3))[0].urgency == OVERDUE  # one working day has passed
    with at(2):
        services.sign_task(as_actor(head), task)
    assert kinds(head, 2) == []  # next report due on the 25th: nothing yet
    item = work.items_for(head, dt.date(2026, 6, 23))[0]  # two working days before it
    assert (item.kind, item.due, item.urgency) == ("报送进展", dt.date(2026, 6, 25), TODAY)
    item = work.items_for(head, dt.date(2026, 6, 26))[0]
    assert (item.kind, item.urgency) == ("进展逾期未报", OVERDUE)
    with at(26):
        services.report_progress(as_actor(head), fresh(task), percent=50, text="过半")
    assert kinds(head, 26) == []


def test_a_section_liaison_is_told_only_about_its_section(county, make_task):
    with at(1):
        department = make_task()
        section = make_task(lead_unit=county.units["transport_office"])
    assert kinds(county.people["section_liaison"], 1) == [("待签收", section.code)]
    assert {code for _kind, code in kinds(county.people["unit_head"], 1)} == {department.code, section.code}


def test_the_sign_for_day_runs_from_the_arrival_not_from_the_last_touch(county, make_task):
    head, office = county.people["unit_head"], as_actor(county.people["supervision"])
    with at(1):  # Monday: registered and handed over
        task = make_task()
    with at(2, 17):  # the office corrects the wording the next day: the unit's day to sign is still Tuesday
        services.update_task(office, fresh(task), standard="按月报送并附佐证")
    item = work.items_for(head, dt.date(2026, 6, 3))[0]
    assert (item.kind, item.due, item.urgency) == ("待签收", dt.date(2026, 6, 2), OVERDUE)


def test_a_reassigned_task_gives_the_new_unit_its_own_day_to_sign(county, make_task):
    head, other = county.people["unit_head"], county.people["liaison"]
    with at(1):
        task = make_task()
        services.request_reassignment(as_actor(head), fresh(task), reason="职能不符")
    with at(4):  # Thursday: the office moves it
        request = task.reassign_requests.get()
        services.decide_reassignment(as_actor(county.people["supervision"]), request, approve=True, new_unit=other.unit)
    item = work.items_for(other, dt.date(2026, 6, 4))[0]
    assert (item.kind, item.due, item.urgency) == ("待签收", dt.date(2026, 6, 5), TODAY)


def test_a_returned_task_is_on_the_units_list_until_the_unit_answers_it(county, make_task):
    head, office = as_actor(county.people["unit_head"]), as_actor(county.people["supervision"])
    with at(1):
        task = make_task()
        services.sign_task(head, task)
        services.request_completion(head, fresh(task), summary="完成", no_evidence_reason="现场查看")
        services.return_task(office, fresh(task), reason="缺验收材料")
    assert kinds(county.people["unit_head"], 1) == [("退回整改", task.code)]
    with at(2):
        services.report_progress(head, fresh(task), percent=90, text="已补齐验收材料")
    assert kinds(county.people["unit_head"], 2) == []  # answered: no longer a to-do though return_count stays 1
    assert fresh(task).return_count == 1


def test_the_office_is_told_what_to_verify_decide_and_register(county, make_task):
    head = as_actor(county.people["unit_head"])
    with at(1):
        draft = make_task(register=False, title="草稿任务")
        verify = make_task(title="待审核任务")
        services.sign_task(head, verify)
        services.request_completion(head, fresh(verify), summary="完成", no_evidence_reason="已现场核验")
        moving = make_task(title="想调整的任务")
        services.sign_task(head, moving)
        services.request_reassignment(head, fresh(moving), reason="不是本单位职责")
    items = work.items_for(county.people["supervision"], dt.date(2026, 6, 1))
    assert [(i.kind, i.title.split(" ")[0]) for i in items] == [
        ("审核销账", verify.code), ("处理调整申请", moving.code), ("待立账", draft.code),
    ]
    assert items[1].url.startswith(f"/ledger/tasks/{moving.code}/reassignments/")


def test_leaders_are_told_which_extensions_to_approve(county, make_task):
    head = as_actor(county.people["unit_head"])
    with at(1):
        mine = make_task(title="副县长牵头")
        others = make_task(title="书记牵头", leader_in_charge=county.people["principal"])
        for task in (mine, others):
            services.sign_task(head, task)
            services.request_extension(head, fresh(task), new_due=dt.date(2027, 3, 31), reason="等批复")
    assert kinds(county.people["leader"], 1) == [("审批延期", mine.code)]
    assert sorted(kinds(county.people["principal"], 1)) == sorted([("审批延期", mine.code), ("审批延期", others.code)])
    assert kinds(county.people["supervision"], 1) == []


def test_the_most_urgent_comes_first(county, make_task):
    head = as_actor(county.people["unit_head"])
    with at(1):
        reporting = make_task(title="月报", report_cycle="monthly:25")
        services.sign_task(head, reporting)
        unsigned = make_task(title="一直没签")  # to sign by 2 June
    with at(25):
        new = make_task(title="刚交办")  # to sign by 26 June
    items = work.items_for(county.people["unit_head"], dt.date(2026, 6, 26))
    assert [(i.kind, i.title.split(" ")[0], i.urgency) for i in items] == [
        ("待签收", unsigned.code, OVERDUE), ("进展逾期未报", reporting.code, OVERDUE), ("待签收", new.code, TODAY),
    ]


def test_the_home_page_shows_my_work_with_links(county, make_task):
    with at(1):
        task = make_task()
    with at(1, 10):
        html = county.client("unit_head").get("/").content.decode()
    block = html.split('data-testid="my-work"', 1)[1]
    assert "待签收" in block and f'href="/ledger/tasks/{task.code}/"' in block and task.title in block
    with at(1, 10):
        assert 'data-testid="no-work"' in county.client("liaison").get("/").content.decode()


@pytest.mark.parametrize("role", ["unit_head", "supervision", "principal"])
def test_the_home_page_runs_a_fixed_number_of_queries(county, make_task, django_assert_num_queries, role):
    head = as_actor(county.people["unit_head"])
    client = county.client(role)

    def add(n):
        with at(1):
            for _ in range(n):
                task = make_task(report_cycle="weekly:5")
                services.sign_task(head, task)
                services.request_extension(head, fresh(task), new_due=dt.date(2027, 3, 31), reason="等批复")
                make_task()  # to sign
                make_task(register=False)  # draft

    add(1)
    with at(4, 10):
        client.get("/")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get("/")
    add(6)
    with at(4, 10), django_assert_num_queries(len(few)):
        response = client.get("/")
    assert response.content.decode().count('data-kind="') >= 7


def test_nobody_is_asked_to_decide_a_request_while_its_task_may_not_be_decided(county, make_task):
    head, principal = as_actor(county.people["unit_head"]), as_actor(county.people["principal"])
    with at(1):
        task = make_task(title="等批复")
        services.sign_task(head, task)
        services.request_extension(head, fresh(task), new_due=dt.date(2027, 3, 31), reason="等批复")
        services.request_reassignment(head, fresh(task), reason="不是本单位职责")
        services.suspend_task(principal, fresh(task), reason="规划调整")
    # 暂停: the services refuse both decisions now, so neither is anyone's work.
    assert kinds(county.people["leader"], 1) == []
    assert kinds(county.people["supervision"], 1) == []
    with at(2):
        services.reopen_task(principal, fresh(task), reason="规划已定")
    assert kinds(county.people["leader"], 2) == [("审批延期", task.code)]
    assert kinds(county.people["supervision"], 2) == [("处理调整申请", task.code)]
    with at(2):
        services.request_completion(head, fresh(task), summary="提前完成", no_evidence_reason="已现场核验")
    # 申请销账: an extension may still be decided, a reassignment no longer.
    assert kinds(county.people["leader"], 2) == [("审批延期", task.code)]
    assert kinds(county.people["supervision"], 2) == [("审核销账", task.code)]
