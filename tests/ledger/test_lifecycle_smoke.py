"""A task walks 建账 → 立账 → 签收 → 进展 → 申请销账 → 退回 → 申请销账 → 销账."""

import datetime as dt

import pytest
import time_machine

from duban.core.errors import Conflict, NotAllowed, ServiceError
from duban.ledger import services
from duban.ledger.choices import TaskState
from duban.ledger.models import Task
from tests.ledger.conftest import as_actor

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_the_whole_road(county, make_task):
    office = as_actor(county.people["supervision"])
    head = as_actor(county.people["unit_head"])
    task = make_task()
    assert task.state == TaskState.ASSIGNED and task.code == "2026-0001"
    with pytest.raises(ServiceError, match="不能申请销账"):
        services.request_completion(head, task, summary="做完了", no_evidence_reason="已现场核验")
    services.sign_task(head, task)
    services.report_progress(head, task, percent=40, text="已签订补偿协议 80 户")
    task.refresh_from_db()
    assert (task.progress, task.light, task.light_reason) == (40, "yellow", "欠进度（已报 40%）")
    services.request_completion(head, task, summary="全部完成", no_evidence_reason="已现场核验")
    task.refresh_from_db()
    services.return_task(office, task, reason="附着物清点表未盖章", checklist=[True, False, True])
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and task.return_count == 1
    services.request_completion(head, task, summary="已补盖章", no_evidence_reason="已现场核验")
    task.refresh_from_db()
    services.close_task(office, task, checklist=[True, True, True], grade="good")
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED and task.light == "grey" and task.schedule == "done_early"
    assert list(task.events.values_list("event", flat=True)) == [
        "created", "registered", "signed", "progress", "completion_requested", "returned", "completion_requested", "closed",
    ]


def test_other_units_liaison_cannot_sign(county, make_task):
    task = make_task()
    with pytest.raises(NotAllowed, match="不在您的职责范围"):
        services.sign_task(as_actor(county.people["liaison"]), task)
    task.refresh_from_db()
    assert task.state == TaskState.ASSIGNED and task.version == 2


def test_a_stale_form_is_refused(county, make_task):
    office = as_actor(county.people["supervision"])
    task = make_task()
    stale = Task.objects.get(pk=task.pk)
    services.update_task(office, task, expected_version=task.version, title="新标题")
    with pytest.raises(Conflict, match="刚被他人修改"):
        services.update_task(office, stale, expected_version=stale.version, reward_penalty="改了奖惩")
    task.refresh_from_db()
    assert task.title == "新标题" and task.reward_penalty == "按期完成加2分，逾期扣3分"
