"""The key-work task through the kind kit (tests/kit): every page and API URL as every role of the fixture
county, every refused transition leaving every ledger table as it was, and lists in a fixed number of queries.

Given a 县交通运输局 task (城关镇 cooperating) signed for and reported on with a file, a second one waiting on
an extension and a reassignment request, and a draft — on Monday 2 March 2026.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from duban.core.actor import Actor
from duban.core.errors import NotAllowed
from duban.core.models import Attachment
from duban.ledger import policies, services
from duban.ledger.choices import TaskState
from duban.ledger.machine import TASK_MACHINE
from tests import kit
from tests.ledger.conftest import as_actor
from tests.ledger.moves import CALLS, TABLES, at, everyone, people, reload  # noqa: F401 — people is a fixture

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%progress photo\n"
ACTION_SLUGS = ["register", "decompose", "sign", "report", "request-completion", "close", "return", "request-extension",
                "request-reassignment", "pause", "resume-clock", "suspend", "reopen", "cancel"]


@pytest.fixture
def objects(county, make_task, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    at(time_machine, "2026-03-02 09:00")
    u, head = county.units, as_actor(county.people["unit_head"])
    task = make_task(cooperating_units=[u["chengguan"]])
    services.sign_task(head, task)
    report = services.report_progress(head, reload(task), percent=30, text="完成征地补偿协议签订 120 户",
                                      files=[SimpleUploadedFile("进展报告.pdf", PDF)])
    asked = make_task(title="修缮县道桥梁")
    services.sign_task(head, asked)
    extension = services.request_extension(head, reload(asked), new_due=dt.date(2027, 3, 31), reason="征地批复未下达")
    reassignment = services.request_reassignment(head, reload(asked), reason="属于发改局职责", suggested_unit=u["ndrc"])
    return SimpleNamespace(
        task=reload(task), asked=reload(asked), draft=make_task(register=False, title="尚在建账"),
        extension=extension, reassignment=reassignment,
        attachment=Attachment.objects.get(owner_type="ledger.ProgressReport", owner_id=str(report.pk)),
    )


# --- 1. every URL × every role ------------------------------------------------------------------------

def page_urls(o) -> dict[str, str]:
    t = o.task.code
    return {
        "list": "/ledger/",
        "new": "/ledger/tasks/new/",
        "detail": f"/ledger/tasks/{t}/",
        "draft": f"/ledger/tasks/{o.draft.code}/",
        "edit": f"/ledger/tasks/{t}/edit/",
        **{f"action:{slug}": f"/ledger/tasks/{t}/{slug}/" for slug in ACTION_SLUGS},
        "decide-extension": f"/ledger/tasks/{o.asked.code}/extensions/{o.extension.pk}/",
        "decide-reassignment": f"/ledger/tasks/{o.asked.code}/reassignments/{o.reassignment.pk}/",
        "import": "/ledger/import/",
        "import-template": "/ledger/import/template/",
        "import-done": "/ledger/import/done/",  # nothing imported in this session: back to the upload page
        "import-preview": "/ledger/import/" + "x" * 24 + "/",  # a token this session never made
        "export": "/ledger/export/",
        "attachment": f"/attachments/{o.attachment.pk}/",
    }


# The task is in progress (not paused, no request pending); its leader in charge is 李副县长 (lead), who
# charges 县交通运输局; 城关镇 (town) cooperates. Out of scope is 404; a role with no business on the ledger
# gets 403 on every page, but 404 for a file (never a hint that it exists).
PAGES = kit.Statuses("""
                                 anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    list                         login 200  200  200  403  403  200  200  200  200  403  403  403
    new                          login 200  403  200  403  403  403  403  403  403  403  403  403
    detail                       login 200  200  200  403  403  200  404  404  200  403  403  403
    draft                        login 200  404  200  403  403  404  404  404  404  403  403  403
    edit                         login 200  403  200  403  403  403  404  404  403  403  403  403
    action:register              login 403  403  403  403  403  403  404  404  403  403  403  403
    action:decompose             login 200  403  200  403  403  403  404  404  403  403  403  403
    action:sign                  login 403  403  403  403  403  403  404  404  403  403  403  403
    action:report                login 403  403  403  403  403  200  404  404  200  403  403  403
    action:request-completion    login 403  403  403  403  403  200  404  404  403  403  403  403
    action:close                 login 403  403  403  403  403  403  404  404  403  403  403  403
    action:return                login 403  403  403  403  403  403  404  404  403  403  403  403
    action:request-extension     login 403  403  403  403  403  200  404  404  403  403  403  403
    action:request-reassignment  login 403  403  403  403  403  200  404  404  403  403  403  403
    action:pause                 login 200  200  200  403  403  403  404  404  403  403  403  403
    action:resume-clock          login 403  403  403  403  403  403  404  404  403  403  403  403
    action:suspend               login 200  403  403  403  403  403  404  404  403  403  403  403
    action:reopen                login 403  403  403  403  403  403  404  404  403  403  403  403
    action:cancel                login 200  403  403  403  403  403  404  404  403  403  403  403
    decide-extension             login 200  200  403  403  403  403  404  404  404  403  403  403
    decide-reassignment          login 403  403  200  403  403  403  404  404  404  403  403  403
    import                       login 200  403  200  403  403  200  200  200  200  403  403  403
    import-template              login 200  403  200  403  403  403  403  403  403  403  403  403
    import-done                  login 302  403  302  403  403  302  302  302  302  403  403  403
    import-preview               login 404  403  404  403  403  404  404  404  404  403  403  403
    export                       login 200  200  200  403  403  200  200  200  200  403  403  403
    attachment                   login 200  200  200  404  404  200  404  404  200  404  404  404
""")


def api_urls(o) -> dict[str, str]:
    t = o.task.code
    return {
        "tasks": "/api/v1/tasks",
        "task": f"/api/v1/tasks/{t}",
        "draft": f"/api/v1/tasks/{o.draft.code}",
        "reports": f"/api/v1/tasks/{t}/reports",
        "events": f"/api/v1/tasks/{t}/events",
        "unknown": "/api/v1/tasks/2026-9999",
    }


# The API has no role gate of its own: a role with no tasks in its scope lists none (200) and finds none (404).
API = kit.Statuses("""
             anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    tasks    401   200  200  200  200  200  200  200  200  200  200  200  200
    task     401   200  200  200  404  404  200  404  404  200  404  404  404
    draft    401   200  404  200  404  404  404  404  404  404  404  404  404
    reports  401   200  200  200  404  404  200  404  404  200  404  404  404
    events   401   200  200  200  404  404  200  404  404  200  404  404  404
    unknown  401   404  404  404  404  404  404  404  404  404  404  404  404
""")


@kit.each_role
def test_every_ledger_page_answers_each_role_as_the_grid_says(county, objects, role):
    kit.check_pages(PAGES, page_urls(objects), county, role)


@kit.each_role
def test_every_ledger_api_url_answers_each_role_as_the_grid_says(county, objects, role):
    kit.check_api(API, api_urls(objects), county, role)


def test_a_wrong_cell_fails_naming_the_url_the_role_and_both_statuses(county, objects):
    wrong = PAGES.replace("detail", "liaison", 200)  # 县发展和改革局 has nothing to do with this task
    with pytest.raises(AssertionError) as failed:
        kit.check_pages(wrong, page_urls(objects), county, "liaison")
    assert str(failed.value) == ("1 of 27 URLs answered liaison otherwise than the grid says:\n"
                                 f"  GET /ledger/tasks/{objects.task.code}/ (detail) as liaison (郑联络): expected 200, got 404")


# --- 2. every refused transition changes nothing ---------------------------------------------------------

# The two decisions are taken on a pending request; their predicates are the services' (not in CAN).
DECISIONS = {
    "decide_extension": (policies.decides_extension,
                         lambda actor, o: services.decide_extension(actor, o.pending, approve=True, note="同意")),
    "decide_reassignment": (lambda task, user: policies.is_office(user),
                            lambda actor, o: services.decide_reassignment(actor, o.pending, approve=True)),
}
# Who may take each transition on a 县交通运输局 task led by 李副县长 with 城关镇 cooperating (SPEC §1, §3).
LEAD_UNIT = {"unit_head", "lead_liaison"}
OFFICE_OR_PRINCIPAL = {"principal", "supervision"}
MAY = {
    "edit": OFFICE_OR_PRINCIPAL, "register": OFFICE_OR_PRINCIPAL, "decompose": OFFICE_OR_PRINCIPAL,
    "sign": LEAD_UNIT, "report": LEAD_UNIT | {"township_liaison"}, "request_completion": LEAD_UNIT,
    "close": {"supervision"}, "return": {"supervision"},
    "request_extension": LEAD_UNIT, "decide_extension": {"principal", "leader"},
    "request_reassignment": LEAD_UNIT, "decide_reassignment": {"supervision"},
    "pause": {"supervision", "principal", "leader"}, "resume_clock": {"supervision", "principal", "leader"},
    "suspend": {"principal"}, "reopen": {"principal"}, "cancel": {"principal"},
}
# What a person in scope but without the right is told (the last part of the refusal).
WHO_MAY = {
    "edit": "只有县督查室或主要领导可以修改任务。", "register": "只有县督查室或主要领导可以立账交办。",
    "decompose": "只有县督查室或主要领导可以分解任务。", "sign": "只有牵头单位的联络员或一把手可以签收。",
    "report": "只有牵头单位或配合单位的联络员、一把手可以报送进展。", "request_completion": "只有牵头单位的联络员或一把手可以申请销账。",
    "close": "只有县督查室可以审核销账。", "return": "只有县督查室可以退回。",
    "request_extension": "只有牵头单位的联络员或一把手可以申请延期。", "request_reassignment": "只有牵头单位的联络员或一把手可以申请调整。",
    "pause": "只有县督查室或分管该任务的县领导可以挂起计时。", "resume_clock": "只有县督查室或分管该任务的县领导可以恢复计时。",
    "suspend": "只有主要领导可以暂停任务。", "reopen": "只有主要领导可以恢复任务。", "cancel": "只有主要领导可以撤销任务。",
}
# Who sees a registered task of 县交通运输局 with 城关镇 cooperating; a draft only the first two.
SEES = {"principal", "supervision", "leader", "unit_head", "township_liaison", "lead_liaison", "other_leader"}
# The state each transition is tried from (one it may leave), and how the task gets there.
FROM = {
    "register": "draft", "sign": "assigned", "close": "completion_requested", "return": "completion_requested",
    "decide_extension": "extension_pending", "decide_reassignment": "reassignment_pending", "resume_clock": "paused",
    "reopen": "suspended",
}


def given(state: str, make_task, county, p) -> SimpleNamespace:
    """A 县交通运输局 task (城关镇 cooperating) in `state`, got there through the services; the pending request if any."""
    task = make_task(register=state != "draft", cooperating_units=[county.units["chengguan"]])
    pending = None
    head, office = as_actor(p["unit_head"]), as_actor(p["supervision"])
    if state not in {"draft", "assigned"}:
        services.sign_task(head, reload(task))
    if state == "completion_requested":
        services.request_completion(head, reload(task), summary="各项标准均已完成", no_evidence_reason="已现场核验")
    elif state == "extension_pending":
        pending = services.request_extension(head, reload(task), new_due=dt.date(2027, 3, 31), reason="征地批复未下达")
    elif state == "reassignment_pending":
        pending = services.request_reassignment(head, reload(task), reason="属于发改局职责", suggested_unit=county.units["ndrc"])
    elif state == "paused":
        services.pause_clock(office, reload(task), reason="等待省厅用地批复")
    elif state == "suspended":
        services.suspend_task(as_actor(p["principal"]), reload(task), reason="规划调整，暂缓实施")
    return SimpleNamespace(task=reload(task), pending=pending)


def test_every_transition_has_a_call_and_a_rule_of_who_may():
    assert set(TASK_MACHINE.transitions) == set(CALLS) | set(DECISIONS) == set(MAY)
    # Who may is declared on the transition itself; the decisions are taken from the request's own page.
    assert {name for name, t in TASK_MACHINE.transitions.items() if t.offered} == set(CALLS)
    assert all(t.may is not None and t.refusal for t in TASK_MACHINE.transitions.values())


@pytest.mark.parametrize("transition", list(TASK_MACHINE.transitions))
def test_everyone_who_may_not_take_a_transition_is_refused_and_nothing_changes(transition, county, people, make_task, time_machine):
    at(time_machine, "2026-03-02 09:00")
    o = given(FROM.get(transition, "in_progress"), make_task, county, people)
    task = o.task
    assert task.state in TASK_MACHINE.transitions[transition].sources
    if transition in DECISIONS:
        may, attempt = DECISIONS[transition]
    else:
        may, attempt = TASK_MACHINE.transitions[transition].permits, (lambda actor, o: CALLS[transition](actor, o.task))
    persons = everyone(people)
    assert {key for key, user in persons.items() if may(task, user)} == MAY[transition]
    sees = {"principal", "supervision"} if task.state == TaskState.DRAFT else SEES
    label = TASK_MACHINE.transitions[transition].label
    for key, user in persons.items():
        if key in MAY[transition]:
            continue
        if transition == "decide_extension":
            message = f"任务 {task.code} 的延期由其牵头县领导或主要领导审批。"
        elif transition == "decide_reassignment":
            message = "调整承办单位由县督查室处理。"
        elif key not in sees:
            message = f"任务 {task.code} 不在您的职责范围内，无法办理。"
        else:
            message = f"您无权对任务 {task.code} {label}：{WHO_MAY[transition]}"
        with kit.refused(TABLES, task, NotAllowed, message):
            attempt(Actor(user=user), o)


# --- 3. lists in a fixed number of queries -----------------------------------------------------------------

def more_tasks(county, campaign, n=60):
    """`n` more registered tasks for 县交通运输局 under 李副县长 (城关镇 cooperating): some signed and reported on, some
    waiting on an extension, a few completion requests, and five drafts."""
    u, p = county.units, county.people
    rows = [dict(title=f"农村公路提档升级第{i}段", standard="完成路基\n完成路面", leader_in_charge=p["leader"], lead_unit=u["transport"],
                 responsible_person=p["unit_head"], due_date=dt.date(2026, 6, 30) + dt.timedelta(days=i), start_date=dt.date(2026, 1, 1),
                 deadline_text="2026年6月底前", reward_penalty="按期完成加1分", front=campaign.fronts.first(), cooperating_units=[u["chengguan"]])
             for i in range(n)]
    office = as_actor(p["supervision"])
    tasks = services.create_tasks(office, campaign, rows, register=True)
    services.create_tasks(office, campaign, rows[:5])  # drafts, for the office to register
    head = as_actor(p["unit_head"])
    for task in tasks[:5]:
        services.sign_task(head, reload(task))
        services.report_progress(head, reload(task), percent=40, text="路基完成四成")
    for task in tasks[5:8]:
        services.sign_task(head, reload(task))
        services.request_extension(head, reload(task), new_due=dt.date(2027, 6, 30), reason="汛期停工")
    for task in tasks[8:11]:
        services.sign_task(head, reload(task))
        services.request_completion(head, reload(task), summary="路基路面均已完成", no_evidence_reason="已现场核验")


@pytest.mark.parametrize("role", ["principal", "leader", "supervision", "unit_head", "township_liaison"])
def test_the_ledger_list_runs_a_fixed_number_of_queries(county, campaign, objects, role):
    kit.assert_fixed_queries(county.client(role), "/ledger/", lambda: more_tasks(county, campaign))


@pytest.mark.parametrize("role", ["principal", "leader", "unit_head", "township_liaison"])
def test_the_task_api_list_runs_a_fixed_number_of_queries(county, campaign, objects, role):
    kit.assert_fixed_queries(kit.api_get(county, role), "/api/v1/tasks", lambda: more_tasks(county, campaign))


@pytest.mark.parametrize("role", ["principal", "leader", "supervision", "unit_head"])
def test_the_home_page_lists_todays_work_in_a_fixed_number_of_queries(county, campaign, objects, role):
    kit.assert_fixed_queries(county.client(role), "/", lambda: more_tasks(county, campaign))
