"""Every task action takes the version of the task the user saw: a page or API call made from an older
version is told "刚被他人修改过" and changes nothing, and the actions that add rows beside the task (a
request, sub-tasks) are refused before they insert anything. The pages and the API pass the version
straight to the service; none of them compares it by itself."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.api import services as tokens
from duban.core.actor import Actor
from duban.core.errors import Conflict
from duban.ledger import services
from duban.ledger.choices import RequestState, TaskState
from duban.ledger.models import ExtensionRequest, ReassignRequest, Task
from tests.api.conftest import ApiClient
from tests.ledger.conftest import as_actor
from tests.ledger.moves import at, people, refused, reload  # noqa: F401 — people is a fixture

pytestmark = pytest.mark.django_db

D = dt.date
STALE = "该任务刚被他人修改过（当前为第 {} 版），您的操作没有保存。请刷新页面，看过最新情况后再操作。"


def _pending(model, task):
    return model.objects.get(task=task, state=RequestState.PENDING)


# (how the task is made ready, who acts, the call with an expected version)
CASES = {
    "decompose": ("in_progress", "supervision",
                  lambda a, t, v, p: services.decompose_task(a, t, [{"lead_unit": p["liaison"].unit}], expected_version=v)),
    "request_extension": ("in_progress", "lead_liaison",
                          lambda a, t, v, p: services.request_extension(a, t, new_due=D(2027, 3, 31), reason="等待批复", expected_version=v)),
    "request_reassignment": ("in_progress", "lead_liaison",
                             lambda a, t, v, p: services.request_reassignment(a, t, reason="不是我们的", expected_version=v)),
    "approve_extension": ("extension_pending", "leader",
                          lambda a, t, v, p: services.decide_extension(a, _pending(ExtensionRequest, t), approve=True, expected_version=v)),
    "reject_extension": ("extension_pending", "leader",
                         lambda a, t, v, p: services.decide_extension(a, _pending(ExtensionRequest, t), approve=False, expected_version=v)),
    "approve_reassignment": ("reassign_pending", "supervision",
                             lambda a, t, v, p: services.decide_reassignment(a, _pending(ReassignRequest, t), approve=True,
                                                                             new_unit=p["liaison"].unit, expected_version=v)),
    "reject_reassignment": ("reassign_pending", "supervision",
                            lambda a, t, v, p: services.decide_reassignment(a, _pending(ReassignRequest, t), approve=False, expected_version=v)),
    "pause": ("in_progress", "supervision", lambda a, t, v, p: services.pause_clock(a, t, reason="等待批复", expected_version=v)),
    "resume_clock": ("paused", "supervision", lambda a, t, v, p: services.resume_clock(a, t, expected_version=v)),
    "suspend": ("in_progress", "principal", lambda a, t, v, p: services.suspend_task(a, t, reason="暂缓", expected_version=v)),
    "reopen": ("suspended", "principal", lambda a, t, v, p: services.reopen_task(a, t, reason="规划已定", expected_version=v)),
    "cancel": ("in_progress", "principal", lambda a, t, v, p: services.cancel_task(a, t, reason="并入其他任务", expected_version=v)),
}


def ready(where: str, people, make_task) -> Task:
    liaison = as_actor(people["lead_liaison"])
    task = make_task()
    services.sign_task(liaison, task)
    if where == "paused":
        services.pause_clock(as_actor(people["supervision"]), reload(task), reason="等待批复")
    elif where == "suspended":
        services.suspend_task(as_actor(people["principal"]), reload(task), reason="暂缓")
    elif where == "extension_pending":
        services.request_extension(liaison, reload(task), new_due=D(2027, 3, 31), reason="等待批复")
    elif where == "reassign_pending":
        services.request_reassignment(liaison, reload(task), reason="不是我们的")
    return reload(task)


def inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]


@pytest.mark.parametrize("action", list(CASES))
def test_an_action_from_an_older_version_is_refused_before_anything_is_written(action, people, make_task, time_machine):
    where, who, act = CASES[action]
    at(time_machine, "2026-06-01 09:00")
    task = ready(where, people, make_task)
    seen = task.version  # the page the user opened
    at(time_machine, "2026-06-01 09:05")
    services.update_task(as_actor(people["supervision"]), reload(task), reward_penalty="按期完成加5分")  # someone else, meanwhile
    actor = as_actor(people[who])
    with refused(task, Conflict, STALE.format(seen + 1)), CaptureQueriesContext(connection) as queries:
        act(actor, reload(task), seen, people)
    assert inserts(queries) == []  # no request row, no sub-task, no event, no audit entry was even tried
    # Read again, the same action goes through.
    act(actor, reload(task), seen + 1, people)
    assert reload(task).version in {seen + 1, seen + 2}


def test_a_version_that_is_current_is_no_obstacle_and_none_means_the_version_read(people, make_task):
    task = ready("in_progress", people, make_task)
    services.pause_clock(as_actor(people["supervision"]), task, reason="等待批复", expected_version=task.version)
    task = reload(task)
    services.resume_clock(as_actor(people["supervision"]), task)
    assert reload(task).paused_since is None


# --- the pages and the API hand the version to the service -------------------------------------------------


def url(task, action):
    return f"/ledger/tasks/{task.code}/{action}/"


@pytest.fixture
def stale(people, make_task):
    """A signed task, the version its page showed, and an office edit made since."""
    task = ready("in_progress", people, make_task)
    seen = task.version
    services.update_task(as_actor(people["supervision"]), reload(task), reward_penalty="按期完成加5分")
    return reload(task), seen


@pytest.mark.parametrize(("action", "role", "data"), [
    ("request-extension", "unit_head", {"new_due": "2027-03-31", "reason": "用地批复未下达"}),
    ("request-reassignment", "unit_head", {"reason": "属自然资源部门职责"}),
    ("pause", "supervision", {"reason": "等待省厅批复"}),
    ("suspend", "principal", {"reason": "规划调整"}),
    ("cancel", "principal", {"reason": "项目取消"}),
])
def test_a_stale_action_page_gets_the_changed_by_someone_else_answer(action, role, data, county, stale):
    task, seen = stale
    before = (task.version, ExtensionRequest.objects.count(), ReassignRequest.objects.count())
    response = county.client(role).post(url(task, action), {**data, "version": seen})
    assert response.status_code == 409
    assert STALE.format(task.version) in response.content.decode()
    assert (reload(task).version, ExtensionRequest.objects.count(), ReassignRequest.objects.count()) == before


def test_a_stale_decision_page_is_refused_and_the_request_still_waits(county, people, make_task):
    task = ready("extension_pending", people, make_task)
    pending = _pending(ExtensionRequest, task)
    seen = task.version
    services.update_task(as_actor(people["supervision"]), reload(task), reward_penalty="按期完成加5分")
    response = county.client("leader").post(f"/ledger/tasks/{task.code}/extensions/{pending.pk}/", {"version": seen, "decision": "reject"})
    assert response.status_code == 409 and STALE.format(seen + 1) in response.content.decode()
    assert ExtensionRequest.objects.get(pk=pending.pk).state == RequestState.PENDING


def test_the_api_passes_the_version_of_a_request_and_of_a_decision(county, people, make_task):
    def api(role):
        return ApiClient(tokens.create_token(Actor(user=county.people[role]), name="测试")[1])

    task = ready("in_progress", people, make_task)
    seen = task.version
    services.update_task(as_actor(people["supervision"]), reload(task), reward_penalty="按期完成加5分")
    response = api("unit_head").post(f"/tasks/{task.code}/transitions/request_extension",
                                     {"version": seen, "new_due": "2027-03-31", "reason": "等待批复"})
    assert response.status_code == 409 and response.json()["detail"] == STALE.format(seen + 1)
    assert not ExtensionRequest.objects.exists()

    request = services.request_extension(as_actor(people["lead_liaison"]), reload(task), new_due=D(2027, 3, 31), reason="等待批复")
    response = api("leader").post(f"/extension-requests/{request.pk}/decision", {"version": seen, "approve": True})
    assert response.status_code == 409 and response.json()["detail"] == STALE.format(seen + 1)
    assert (reload(task).due_date, ExtensionRequest.objects.get(pk=request.pk).state) == (D(2026, 12, 31), RequestState.PENDING)
    response = api("leader").post(f"/extension-requests/{request.pk}/decision", {"version": seen + 1, "approve": True})
    assert response.status_code == 200 and response.json()["due_date"] == "2027-03-31"
    assert reload(task).state == TaskState.IN_PROGRESS
