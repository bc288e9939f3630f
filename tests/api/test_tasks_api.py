"""The ledger through /api/v1/: each role sees its own scope, acts only where the services let it, and
every refusal changes nothing."""

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from duban.core.models import AuditEntry
from duban.ledger import services
from duban.ledger.models import ExtensionRequest, ReassignRequest, Task
from tests.api.conftest import as_actor

pytestmark = pytest.mark.django_db

# 2026-06-01 is a Monday; the fixture tasks are due 2026-12-31.
MONDAY = dt.datetime(2026, 6, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def spread(county, make_task):
    """One registered task per corner of the scope rules, and a draft. name → task."""
    u, p = county.units, county.people
    others = dict(leader_in_charge=p["principal"], front=None)
    return {
        "transport": make_task(),  # 李副县长 in charge, on the front he leads
        "transport_office": make_task(title="整理交通档案", lead_unit=u["transport_office"], **others),
        "ndrc": make_task(title="编制项目库", lead_unit=u["ndrc"], **others),
        "chengguan": make_task(title="老旧小区改造", lead_unit=u["chengguan"], cooperating_units=[u["ndrc"]], **others),
        "dongguan": make_task(title="村道硬化", lead_unit=u["dongguan"], **others),
        "leaders_own": make_task(title="集镇污水管网", lead_unit=u["dongguan"], leader_in_charge=p["leader"], front=None),
        "draft": make_task(register=False, title="尚在建账"),
    }


EVERYTHING = {"transport", "transport_office", "ndrc", "chengguan", "dongguan", "leaders_own", "draft"}
# What each role sees (SPEC §1; the same rules as Task.objects.visible_to, which tests/ledger pins down).
SCOPE = {
    "principal": EVERYTHING,
    "supervision": EVERYTHING,
    "leader": {"transport", "transport_office", "leaders_own"},  # charged sub-tree and own tasks; no drafts
    "unit_head": {"transport", "transport_office"},  # own unit's sub-tree
    "section_liaison": {"transport_office"},
    "liaison": {"ndrc", "chengguan"},  # own unit, as lead or cooperating unit
    "township_liaison": {"chengguan"},  # own unit only, not its villages
    "business": set(),
    "safety": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "auditadmin": set(),
}


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["items"]}


@pytest.mark.parametrize("role", sorted(SCOPE))
def test_each_role_lists_exactly_its_scope(api, spread, role):
    expected = {spread[name].code for name in SCOPE[role]}
    assert codes(api(role).get("/tasks")) == expected


@pytest.mark.parametrize("role", ["liaison", "business", "sysadmin"])
def test_a_task_outside_the_scope_is_not_found(api, spread, role):
    task = spread["transport"]
    client = api(role)
    for path in (f"/tasks/{task.code}", f"/tasks/{task.code}/reports", f"/tasks/{task.code}/events"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": f"未找到任务 {task.code}，或该任务不在您的职责范围内。", "field": None}
    before = snapshot(task)
    assert client.post(f"/tasks/{task.code}/transitions/sign", {"version": task.version}).status_code == 404
    assert client.post(f"/tasks/{task.code}/reports", {"percent": 10, "text": "越权报送"}).status_code == 404
    assert snapshot(task) == before


def test_a_signed_in_browser_uses_the_api_with_its_session(county, spread):
    response = county.client("unit_head").get("/api/v1/tasks")
    assert codes(response) == {spread["transport"].code, spread["transport_office"].code}


def test_the_detail_shows_the_five_clarities_and_what_the_caller_may_do(county, api, make_task):
    u = county.units
    parent = make_task(cooperating_units=[u["ndrc"], u["chengguan"]])
    services.decompose_task(as_actor(county.people["supervision"]), parent, [{"lead_unit": u["transport_office"]}, {"lead_unit": u["ndrc"]}])
    body = api("unit_head").get(f"/tasks/{parent.code}").json()
    assert body["title"] == "完成国道改线工程征地拆迁"
    assert body["standard_items"] == ["完成征地补偿协议签订", "完成地上附着物清点", "交付施工用地"]
    assert body["leader_in_charge"] == {"id": county.people["leader"].pk, "name": "李副县长"}
    assert body["lead_unit"] == {"id": u["transport"].pk, "name": "县交通运输局"}
    assert body["responsible"] == "周局长"
    assert body["due_date"] == "2026-12-31" and body["deadline_text"] == "2026年12月底前"
    assert body["reward_penalty"] == "按期完成加2分，逾期扣3分"
    assert [c["name"] for c in body["cooperating_units"]] == ["县发展和改革局", "城关镇"]
    # the unit head sees the sub-task of his own section, not the one of 发改局
    assert body["subtasks"] == [f"{parent.code}-1"]
    assert body["state"] == "assigned" and body["state_label"] == "已交办待签收"
    # Assigned, never reported and no report due yet: not judged on schedule (it was 欠进度 at 0% before).
    assert body["schedule"] == "" and body["version"] == parent.version
    assert [a["name"] for a in body["actions"]] == ["sign", "request_extension", "request_reassignment"]
    assert body["created_at"].endswith("+08:00")
    office = api("supervision").get(f"/tasks/{parent.code}").json()
    assert office["subtasks"] == [f"{parent.code}-1", f"{parent.code}-2"]
    assert [a["name"] for a in office["actions"]] == ["edit", "decompose", "pause"]
    principal = api("principal").get(f"/tasks/{parent.code}").json()
    assert [a["name"] for a in principal["actions"]] == ["edit", "decompose", "pause", "suspend", "cancel"]


# --- transitions -------------------------------------------------------------------------------------


def snapshot(task: Task) -> tuple:
    task = Task.objects.get(pk=task.pk)
    return (task.state, task.version, task.due_date, task.paused_since, task.lead_unit_id, task.progress,
            task.events.count(), AuditEntry.objects.exclude(action__startswith="api_token.").count(),
            ExtensionRequest.objects.filter(task=task).count(), ReassignRequest.objects.filter(task=task).count(),
            task.reports.count())


def _in_progress(county, make_task):
    task = make_task()
    services.sign_task(as_actor(county.people["unit_head"]), task)
    return task


def _completion_requested(county, make_task):
    task = _in_progress(county, make_task)
    services.request_completion(as_actor(county.people["unit_head"]), task, summary="全部完成", no_evidence_reason="已现场核验")
    return task


def _paused(county, make_task):
    task = _in_progress(county, make_task)
    services.pause_clock(as_actor(county.people["supervision"]), task, reason="等待省厅批复")
    return task


def _suspended(county, make_task):
    task = _in_progress(county, make_task)
    services.suspend_task(as_actor(county.people["principal"]), task, reason="规划调整")
    return task


# action → (set-up, body without version, right role, wrong role that sees the task, state after)
TRANSITIONS = {
    "register": (lambda c, m: m(register=False), {}, "supervision", "unit_head", "assigned"),
    "sign": (lambda c, m: m(), {}, "unit_head", "supervision", "in_progress"),
    "request_completion": (_in_progress, {"summary": "三项标准均已完成", "no_evidence_reason": "纸质材料已报督查室"}, "unit_head", "leader", "completion_requested"),
    "close": (_completion_requested, {"checklist": [True, True, True], "grade": "good", "note": "资料齐全"}, "supervision", "unit_head", "closed"),
    "return": (_completion_requested, {"reason": "清点表未盖章", "checklist": [True, False, True]}, "supervision", "principal", "in_progress"),
    "request_extension": (_in_progress, {"new_due": "2027-03-31", "reason": "征地补偿标准调整"}, "unit_head", "supervision", "in_progress"),
    "request_reassignment": (_in_progress, {"reason": "应由自然资源局牵头"}, "unit_head", "leader", "in_progress"),
    "pause": (_in_progress, {"reason": "等待省厅批复"}, "leader", "unit_head", "in_progress"),
    "resume_clock": (_paused, {}, "supervision", "unit_head", "in_progress"),
    "suspend": (_in_progress, {"reason": "规划调整"}, "principal", "supervision", "suspended"),
    "reopen": (_suspended, {"reason": "规划已定"}, "principal", "supervision", "in_progress"),
    "cancel": (_in_progress, {"reason": "并入其他任务"}, "principal", "leader", "cancelled"),
}


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_by_the_right_role(county, make_task, api, action):
    setup, body, right, _wrong, state = TRANSITIONS[action]
    task = Task.objects.get(pk=setup(county, make_task).pk)
    response = api(right).post(f"/tasks/{task.code}/transitions/{action}", {**body, "version": task.version})
    assert response.status_code == 200, response.json()
    data = response.json()
    task.refresh_from_db()
    assert data["state"] == task.state == state
    assert data["version"] == task.version
    assert AuditEntry.objects.filter(object_id=str(task.pk)).order_by("-seq").first().actor_id == county.people[right].pk


def test_the_effects_of_the_side_paths(county, make_task, api):
    task = _in_progress(county, make_task)
    data = api("unit_head").post(f"/tasks/{task.code}/transitions/request_extension",
                                 {"new_due": "2027-03-31", "reason": "征地补偿标准调整"}).json()
    assert data["extension_request"]["new_due"] == "2027-03-31" and data["extension_request"]["can_decide"] is False
    assert api("leader").get(f"/tasks/{task.code}").json()["extension_request"]["can_decide"] is True
    data = api("leader").post(f"/tasks/{task.code}/transitions/pause", {"reason": "等待省厅批复"}).json()
    assert data["paused_since"] == "2026-06-01" and data["pause_reason"] == "等待省厅批复"
    assert [a["name"] for a in data["actions"]] == ["resume_clock"]


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_transition_by_the_wrong_role_changes_nothing(county, make_task, api, action):
    setup, body, _right, wrong, _state = TRANSITIONS[action]
    task = setup(county, make_task)
    before = snapshot(task)
    response = api(wrong).post(f"/tasks/{task.code}/transitions/{action}", {**body, "version": Task.objects.get(pk=task.pk).version})
    if action == "register":  # a draft is the office's own work: the unit does not even see it
        assert response.status_code == 404
    else:
        assert response.status_code == 403, response.json()
        assert response.json()["detail"].startswith("您无权对任务")
    assert snapshot(task) == before


def test_progress_report_through_the_api(county, make_task, api):
    task = _in_progress(county, make_task)
    response = api("unit_head").post(f"/tasks/{task.code}/reports", {
        "percent": 60, "text": "已签订补偿协议 120 户", "problems": "2 户未谈妥", "next_steps": "6 月底前完成清点",
    })
    assert response.status_code == 201
    report = response.json()
    assert report["percent"] == 60 and report["unit"]["name"] == "县交通运输局" and report["author"]["name"] == "周局长"
    assert report["problems"] == "2 户未谈妥" and report["reported_on"] == "2026-06-01"
    task.refresh_from_db()
    assert task.progress == 60
    listed = api("supervision").get(f"/tasks/{task.code}/reports").json()
    assert [r["id"] for r in listed["items"]] == [report["id"]]


def test_a_report_by_a_role_that_may_not_report_changes_nothing(county, make_task, api):
    task = _in_progress(county, make_task)
    before = snapshot(task)
    response = api("supervision").post(f"/tasks/{task.code}/reports", {"percent": 90, "text": "代报"})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("您无权对任务")
    assert snapshot(task) == before


def test_extension_decision_by_the_leader_moves_the_due_date(county, make_task, api):
    task = _in_progress(county, make_task)
    request = services.request_extension(as_actor(county.people["unit_head"]), task, new_due=dt.date(2027, 3, 31), reason="标准调整")
    before = snapshot(task)
    refused = api("supervision").post(f"/extension-requests/{request.pk}/decision", {"approve": True})
    assert refused.status_code == 403 and "牵头县领导或主要领导审批" in refused.json()["detail"]
    assert snapshot(task) == before
    hidden = api("liaison").post(f"/extension-requests/{request.pk}/decision", {"approve": True})
    assert hidden.status_code == 404
    response = api("leader").post(f"/extension-requests/{request.pk}/decision", {"approve": True, "note": "同意"})
    assert response.status_code == 200
    assert response.json()["due_date"] == "2027-03-31" and response.json()["extension_request"] is None
    again = api("leader").post(f"/extension-requests/{request.pk}/decision", {"approve": False})
    assert again.status_code == 400 and again.json()["detail"] == "这份延期申请已经审批过了。"


def test_reassignment_decision_by_the_office_moves_the_task(county, make_task, api):
    task = _in_progress(county, make_task)
    request = services.request_reassignment(as_actor(county.people["unit_head"]), task, reason="不归我局")
    before = snapshot(task)
    refused = api("leader").post(f"/reassignment-requests/{request.pk}/decision", {"approve": True, "new_unit": county.units["ndrc"].pk})
    assert refused.status_code == 403 and refused.json()["detail"] == "调整承办单位由县督查室处理。"
    assert snapshot(task) == before
    unknown = api("supervision").post(f"/reassignment-requests/{request.pk}/decision", {"approve": True, "new_unit": 999999})
    assert unknown.status_code == 400 and unknown.json()["field"] == "new_unit"
    assert snapshot(task) == before
    response = api("supervision").post(f"/reassignment-requests/{request.pk}/decision", {"approve": True, "new_unit": county.units["ndrc"].pk})
    assert response.status_code == 200
    assert response.json()["lead_unit"]["name"] == "县发展和改革局" and response.json()["state"] == "assigned"
    assert codes(api("liaison").get("/tasks")) == {task.code}


# --- refusals and their answers ------------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(county, make_task, api):
    task = make_task()
    stale = task.version
    services.update_task(as_actor(county.people["supervision"]), task, title="国道改线征地拆迁（调整）")
    before = snapshot(task)
    response = api("unit_head").post(f"/tasks/{task.code}/transitions/sign", {"version": stale})
    assert response.status_code == 409
    assert response.json() == {"detail": f"该任务刚被他人修改过（当前为第 {stale + 1} 版），您的操作没有保存。请刷新页面，看过最新情况后再操作。", "field": None}
    assert snapshot(task) == before


def test_a_stale_version_is_a_conflict_for_actions_without_a_form_version_too(county, make_task, api):
    task = _in_progress(county, make_task)
    before = snapshot(task)
    response = api("leader").post(f"/tasks/{task.code}/transitions/pause", {"reason": "等待批复", "version": task.version - 1})
    assert response.status_code == 409 and "刚被他人修改过" in response.json()["detail"]
    assert snapshot(task) == before


def test_an_unknown_field_is_refused_with_422(county, make_task, api):
    task = make_task()
    before = snapshot(task)
    response = api("unit_head").post(f"/tasks/{task.code}/transitions/sign", {"version": task.version, "state": "closed"})
    assert response.status_code == 422
    assert response.json()["field"] == "state"
    assert response.json()["detail"] == "“state”不认识的字段，请删除（接口不接受未定义的字段）。"
    assert snapshot(task) == before


def test_a_missing_or_mistyped_field_is_refused_in_chinese(county, make_task, api):
    task = _in_progress(county, make_task)
    missing = api("unit_head").post(f"/tasks/{task.code}/reports", {"text": "进展"})
    assert missing.status_code == 422 and missing.json()["detail"] == "“percent”缺少必填项。"
    too_big = api("unit_head").post(f"/tasks/{task.code}/reports", {"percent": 120, "text": "进展"})
    assert too_big.status_code == 422 and too_big.json()["detail"] == "“percent”应不大于 100。"
    bad_date = api("unit_head").post(f"/tasks/{task.code}/transitions/request_extension", {"new_due": "明年", "reason": "x"})
    assert bad_date.status_code == 422 and bad_date.json()["field"] == "new_due"
    not_json = api("unit_head").post(f"/tasks/{task.code}/transitions/sign", raw="{version: 2")
    assert not_json.status_code == 400 and not_json.json()["detail"] == "请求体不是合法的 JSON。"
    nul = api("unit_head").post(f"/tasks/{task.code}/reports", {"percent": 5, "text": "a\x00b"})
    assert nul.status_code == 422 and "空字符" in nul.json()["detail"]


def test_a_transition_not_allowed_in_this_state_says_what_is_allowed(county, make_task, api):
    task = make_task()
    before = snapshot(task)
    response = api("unit_head").post(f"/tasks/{task.code}/transitions/request_completion", {"version": task.version, "summary": "做完了"})
    assert response.status_code == 400
    assert response.json()["detail"] == "该任务当前为“已交办待签收”，不能申请销账。现在可以：修改任务、分解任务、签收、申请延期、审批延期、申请调整承办单位、处理调整申请、挂起计时、恢复计时、暂停任务、撤销任务。"
    assert snapshot(task) == before


def test_a_service_refusal_names_its_field(county, make_task, api):
    task = _in_progress(county, make_task)
    response = api("unit_head").post(f"/tasks/{task.code}/transitions/request_extension", {"new_due": "2026-10-01", "reason": "x"})
    assert response.status_code == 400
    assert response.json() == {"detail": "申请延至的日期应晚于现在的完成时限 2026年12月31日。", "field": "new_due"}


# --- filters and paging ------------------------------------------------------------------------------------


def test_the_list_filters_like_the_ledger_page(county, api, spread):
    office = api("supervision")
    assert codes(office.get("/tasks", {"unit": county.units["ndrc"].pk})) == {spread["ndrc"].code, spread["chengguan"].code}
    assert codes(office.get("/tasks", {"state": "draft"})) == {spread["draft"].code}
    assert codes(office.get("/tasks", {"state": ["open"], "q": "村道"})) == {spread["dongguan"].code}
    led = {spread["transport"].code, spread["leaders_own"].code, spread["draft"].code}
    assert codes(office.get("/tasks", {"leader": county.people["leader"].pk})) == led
    assert codes(office.get("/tasks", {"light": ["red"]})) == set()
    assert codes(office.get("/tasks", {"due_after": "2027-01-01"})) == set()
    unknown = office.get("/tasks", {"campaign": 999999})
    assert unknown.status_code == 422 and unknown.json()["field"] == "campaign"
    bad_state = office.get("/tasks", {"state": "done"})
    assert bad_state.status_code == 422 and bad_state.json()["field"] == "state"
    # scope first, then filters: a liaison filtering by another unit gets nothing of it
    assert codes(api("liaison").get("/tasks", {"unit": county.units["transport"].pk})) == set()


def test_keyset_pages_walk_the_whole_list_both_ways(county, api, make_task):
    made = [make_task(title=f"任务{i}", due_date=dt.date(2026, 7, 1) + dt.timedelta(days=i % 7)) for i in range(23)]
    office = api("supervision")
    seen, pages, cursor = [], [], None
    while True:
        body = office.get("/tasks", {"limit": 10, **({"cursor": cursor} if cursor else {})}).json()
        pages.append(body)
        seen += [row["code"] for row in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    expected = [t.code for t in sorted(made, key=lambda t: (t.due_date, t.pk))]
    assert seen == expected and [len(p["items"]) for p in pages] == [10, 10, 3]
    assert pages[0]["prev"] is None
    back = office.get("/tasks", {"limit": 10, "cursor": pages[2]["prev"]}).json()
    assert [row["code"] for row in back["items"]] == expected[10:20]
    by_code = office.get("/tasks", {"limit": 5, "sort": "code"}).json()
    assert [row["code"] for row in by_code["items"]] == sorted(t.code for t in made)[:5]
    # a cursor of one ordering is refused by another, as is garbage
    wrong = office.get("/tasks", {"limit": 5, "sort": "-updated", "cursor": by_code["next"]})
    assert wrong.status_code == 400 and wrong.json() == {"detail": "翻页参数无效，请从第一页重新浏览。", "field": "cursor"}
    assert office.get("/tasks", {"cursor": "not-a-cursor"}).status_code == 400
    assert office.get("/tasks", {"limit": 101}).status_code == 422


# --- a fixed number of queries -----------------------------------------------------------------------------


def _tasks(make_task, county, n):
    u = county.units
    for i in range(n):
        make_task(title=f"任务{i}", cooperating_units=[u["ndrc"], u["chengguan"]][: i % 3])


@pytest.mark.parametrize("n", [3, 60])
def test_the_list_runs_a_fixed_number_of_queries(county, api, make_task, django_assert_num_queries, n):
    _tasks(make_task, county, n)
    office, head = api("supervision"), api("unit_head")
    office.get("/tasks"), head.get("/tasks")  # first use stamps last_used_at
    # the token with its person and unit, the roles, the page of tasks, their cooperating units
    with django_assert_num_queries(4):
        body = office.get("/tasks", {"limit": 100}).json()
    assert len(body["items"]) == n
    # the same plus the ids of the unit head's sub-tree
    with django_assert_num_queries(5):
        assert len(head.get("/tasks", {"limit": 100}).json()["items"]) == n
    # each filter naming a record checks it once
    filters = {"campaign": Task.objects.first().campaign_id, "unit": county.units["transport"].pk, "state": "open", "limit": 100}
    with django_assert_num_queries(6):
        assert len(office.get("/tasks", filters).json()["items"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_reports_and_timeline_run_a_fixed_number_of_queries(county, api, make_task, django_assert_num_queries, n):
    task = _in_progress(county, make_task)
    head = as_actor(county.people["unit_head"])
    for i in range(n):
        services.report_progress(head, Task.objects.get(pk=task.pk), percent=i, text=f"第{i}次进展")
    office = api("supervision")
    office.get("/tasks")
    # token+user, roles, the task (and cooperating units), the reports, their attachments
    with django_assert_num_queries(6):
        assert len(office.get(f"/tasks/{task.code}/reports", {"limit": 100}).json()["items"]) == n
    with django_assert_num_queries(5):
        assert len(office.get(f"/tasks/{task.code}/events", {"limit": 100}).json()["items"]) == n + 3


# --- the schema and the docs -----------------------------------------------------------------------------


def test_the_openapi_schema_lists_every_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"] == {"title": "督办系统 API", "version": "1", "description": schema["info"]["description"]}
    paths = set(schema["paths"])
    assert {"/api/v1/tasks", "/api/v1/tasks/{code}", "/api/v1/tasks/{code}/reports", "/api/v1/tasks/{code}/events",
            "/api/v1/extension-requests/{request_id}/decision", "/api/v1/reassignment-requests/{request_id}/decision"} <= paths
    assert {p.rsplit("/", 1)[1] for p in paths if p.startswith("/api/v1/tasks/") and "/transitions/" in p} == set(TRANSITIONS)
    assert {"/api/v1/hazards/{code}/transitions/assign", "/api/v1/hazards/{code}/transitions/verify"} <= paths
    assert {"/api/v1/appeals", "/api/v1/appeals/{code}", "/api/v1/appeals/{code}/transitions/sign",
            "/api/v1/appeals/{code}/transitions/reply"} <= paths
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    sign_body = schema["components"]["schemas"]["VersionIn"]
    assert sign_body["additionalProperties"] is False


def test_the_docs_page_loads_everything_from_this_server(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html
    assert '"validatorUrl": null' in html
    for asset in ("/static/ninja/swagger-ui.css", "/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"):
        assert asset in html
        served = Client().get(asset)
        assert served.status_code == 200
        b"".join(served.streaming_content)


def test_a_completion_request_through_the_api_must_say_why_it_has_no_files(county, make_task, api):
    task = _in_progress(county, make_task)
    before = snapshot(task)
    response = api("unit_head").post(f"/tasks/{task.code}/transitions/request_completion", {"version": task.version, "summary": "做完了"})
    assert response.status_code == 400 and "请上传至少一份佐证材料" in response.json()["detail"]
    assert snapshot(task) == before


def test_invisible_characters_are_stripped_from_what_the_api_takes_in(county, make_task, api):
    task = _in_progress(county, make_task)
    # Literal and as JSON escapes: the schema sees neither.
    raw = json.dumps({"percent": 60, "text": "已签订\u200b补偿协议\u202e 120 户", "problems": "\\u200e2 户未谈妥"}, ensure_ascii=False)
    raw = raw.replace("\\\\u200e", "\\u200e")

    response = api("unit_head").post(f"/tasks/{task.code}/reports", raw=raw)

    assert response.status_code == 201
    assert (response.json()["text"], response.json()["problems"]) == ("已签订补偿协议 120 户", "2 户未谈妥")
    assert task.reports.get().text == "已签订补偿协议 120 户"
