"""Supervision actions (督办记录) through the kind kit (tests/kit): every page and API URL as every role of the
fixture county, refused replies and hand-issued actions leaving every table as it was, lists in a fixed number
of queries.

Given a 县交通运输局 task due 30 September 2026, signed for, and swept on Saturday 10 October: a reminder, an
urge and a notice (县督字〔2026〕1号) awaiting the unit's written reply.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.ledger import services as ledger
from duban.ledger.models import Task
from duban.notify.models import Delivery, Notification
from duban.supervision import services
from duban.supervision.choices import ActionState
from duban.supervision.models import SupervisionAction
from duban.supervision.sweep import sweep
from tests import kit
from tests.ledger.moves import at, everyone, people, reload  # noqa: F401 — people is a fixture

pytestmark = pytest.mark.django_db

# What supervision writes: its own tables, the audit trail and attachments, the chased task (督办中, its
# light) and the inbox.
TABLES = kit.tables_for("supervision", extra=[Task, Notification, Delivery])
REPLY = "征地协议已签订九成，剩余三户月底前完成。"


@pytest.fixture
def objects(county, make_task, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the notice template lives there
    at(time_machine, "2026-09-01 09:00")
    task = make_task(due_date=dt.date(2026, 9, 30))
    ledger.sign_task(Actor(user=county.people["unit_head"]), task)
    sweep(at(time_machine, "2026-10-10 09:00"))
    actions = {a.slot: a for a in SupervisionAction.objects.all()}
    assert sorted(actions) == ["notice", "remind", "urge"]
    return SimpleNamespace(task=reload(task), notice=actions["notice"], urge=actions["urge"], units=county.units)


# --- 1. every URL × every role ------------------------------------------------------------------------

def page_urls(o) -> dict[str, str]:
    u = o.units
    return {
        "actions": "/supervision/actions/",
        "notice": f"/supervision/actions/{o.notice.pk}/",
        "notice.docx": f"/supervision/actions/{o.notice.pk}/notice.docx",
        "urge": f"/supervision/actions/{o.urge.pk}/",
        "urge.docx": f"/supervision/actions/{o.urge.pk}/notice.docx",  # only a notice has a Word document
        "issue": f"/supervision/issue/ledger.task/{o.task.code}/",  # POST only
        "ladder": "/supervision/ladder/",
        "obstruction": "/supervision/obstruction/",
        "obstruction:transport": f"/supervision/obstruction/units/{u['transport'].pk}/",
        "obstruction:section": f"/supervision/obstruction/units/{u['transport_office'].pk}/",
        "obstruction:ndrc": f"/supervision/obstruction/units/{u['ndrc'].pk}/",
        "notice-template": "/supervision/notice-template/",
        "notice-template:download": "/supervision/notice-template/download/",
        "notice-template:sample": "/supervision/notice-template/sample/",
        "notice-template:restore": "/supervision/notice-template/restore/",  # POST only
    }


# The actions target 县交通运输局 (charged by 李副县长); its section's liaison (sect) and other units see none.
PAGES = kit.Statuses("""
                                anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    actions                     login 200  200  200  403  403  200  200  200  200  403  403  403
    notice                      login 200  200  200  403  403  200  404  404  404  403  403  403
    notice.docx                 login 200  200  200  403  403  200  404  404  404  403  403  403
    urge                        login 200  200  200  403  403  200  404  404  404  403  403  403
    urge.docx                   login 404  404  404  403  403  404  404  404  404  403  403  403
    issue                       login 403  403  405  403  403  403  403  403  403  403  403  403
    ladder                      login 403  403  200  403  403  403  403  403  403  403  403  403
    obstruction                 login 200  200  200  403  403  403  403  403  403  403  403  403
    obstruction:transport       login 200  200  200  403  403  200  404  404  404  403  403  403
    obstruction:section         login 200  200  200  403  403  200  200  404  404  403  403  403
    obstruction:ndrc            login 200  404  200  403  403  404  404  200  404  403  403  403
    notice-template             login 403  403  200  403  403  403  403  403  403  403  403  403
    notice-template:download    login 403  403  200  403  403  403  403  403  403  403  403  403
    notice-template:sample      login 403  403  200  403  403  403  403  403  403  403  403  403
    notice-template:restore     login 403  403  405  403  403  403  403  403  403  403  403  403
""")


def api_urls(o) -> dict[str, str]:
    return {
        "actions": "/api/v1/supervision/actions",
        "notice": f"/api/v1/supervision/actions/{o.notice.pk}",
        "urge": f"/api/v1/supervision/actions/{o.urge.pk}",
        "unknown": "/api/v1/supervision/actions/999999",
    }


API = kit.Statuses("""
               anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    actions    401   200  200  200  200  200  200  200  200  200  200  200  200
    notice     401   200  200  200  404  404  200  404  404  404  404  404  404
    urge       401   200  200  200  404  404  200  404  404  404  404  404  404
    unknown    401   404  404  404  404  404  404  404  404  404  404  404  404
""")


@kit.each_role
def test_every_supervision_page_answers_each_role_as_the_grid_says(county, objects, role):
    kit.check_pages(PAGES, page_urls(objects), county, role)


@kit.each_role
def test_every_supervision_api_url_answers_each_role_as_the_grid_says(county, objects, role):
    kit.check_api(API, api_urls(objects), county, role)


# --- 2. refused replies and hand-issued actions change nothing -----------------------------------------

REPLIERS = {"unit_head", "lead_liaison"}  # 县交通运输局's head and liaison: the notice's addressees
NOT_YOURS = "只有被督办单位的负责人、联络员（或被督办的领导）可以回复。"


def test_nobody_but_the_addressed_unit_may_reply_and_a_refused_reply_changes_nothing(objects, people):
    persons = everyone(people)
    assert {key for key, user in persons.items() if services.may_reply(objects.notice, user)} == REPLIERS
    for key, user in persons.items():
        if key not in REPLIERS:
            with kit.refused(TABLES, objects.notice, NotAllowed, NOT_YOURS):
                services.reply_to_action(Actor(user=user), objects.notice, text=REPLY)


def test_a_notice_is_answered_once_and_a_second_reply_changes_nothing(objects, people):
    services.reply_to_action(Actor(user=people["lead_liaison"]), objects.notice, text=REPLY)
    notice = SupervisionAction.objects.get(pk=objects.notice.pk)
    assert (notice.state, notice.reply, notice.replied_by) == (ActionState.REPLIED, REPLY, people["lead_liaison"])
    for key in ("lead_liaison", "unit_head"):
        with kit.refused(TABLES, notice, ServiceError, "该督办通知单已于 2026-10-10 09:00 回复，无需再回复。"):
            services.reply_to_action(Actor(user=people[key]), notice, text="补充说明：剩余三户已签订协议。")


def test_an_action_that_asks_no_reply_refuses_one_and_changes_nothing(objects, people):
    with kit.refused(TABLES, objects.urge, ServiceError, "该催办不需要回复。"):
        services.reply_to_action(Actor(user=people["unit_head"]), objects.urge, text=REPLY)


def test_nobody_but_the_office_issues_by_hand_and_a_refused_issue_changes_nothing(objects, people):
    for key, user in everyone(people).items():
        if key != "supervision":
            with kit.refused(TABLES, objects.task, NotAllowed, "只有县委县政府督查室可以发出督办。"):
                services.issue_action(Actor(user=user), objects.task, kind="urge", text="县委常委会点名，请本周内完成。")


# Over HTTP: the reply form on the action page, the API's reply, and issuing from the task page. The
# addressees' reply and the office's issue go through (and write); every other answer changes nothing.
POSTS = kit.Statuses("""
                 anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    reply        login 403  403  403  403  403  302  404  404  404  403  403  403
    api-reply    401   403  403  403  404  404  200  404  404  404  404  404  404
    issue        login 403  403  302  403  403  403  403  403  403  403  403  403
""")
GOES_THROUGH = {("reply", "unit_head"), ("api-reply", "unit_head"), ("issue", "supervision")}


def post(county, o, role: str, name: str):
    """(POST function, URL, data) of one row of POSTS."""
    if name == "api-reply":
        return kit.api_client(county, role).post, f"/api/v1/supervision/actions/{o.notice.pk}/reply", {"text": REPLY}
    page = kit.page_client(county, role)
    if name == "reply":
        return page.post, f"/supervision/actions/{o.notice.pk}/", {"text": REPLY}
    return page.post, f"/supervision/issue/ledger.task/{o.task.code}/", {"kind": "urge", "text": "请本周内完成。", "reply_days": 0}


@kit.each_role
@pytest.mark.parametrize("name", list(POSTS.rows))
def test_a_post_refused_over_http_changes_nothing(county, objects, role, name):
    send, url, data = post(county, objects, role, name)  # (a token is made before the footprint is taken)
    before = kit.footprint(TABLES, objects.task)
    kit.check(POSTS.only(name), {name: url}, role, lambda url: send(url, data))
    after = kit.footprint(TABLES, objects.task)
    if (name, role) in GOES_THROUGH:
        assert kit.differences(before, after), f"POST {url} as {role} went through but wrote nothing"
    else:
        kit.assert_unchanged(before, after, f"POST {url} as {role}, refused")


def test_a_second_reply_over_http_is_refused_and_changes_nothing(county, objects):
    """What the app answers today: the page refuses as if the unit had no say (403, "只有被督办单位…"), the
    API says the notice was answered already (400)."""
    head, api = county.client("unit_head"), kit.api_client(county, "unit_head")
    assert head.post(f"/supervision/actions/{objects.notice.pk}/", {"text": REPLY}).status_code == 302
    before = kit.footprint(TABLES, objects.notice)
    again = head.post(f"/supervision/actions/{objects.notice.pk}/", {"text": "补充说明：剩余三户已签订协议。"})
    assert (again.status_code, NOT_YOURS in again.content.decode()) == (403, True)
    answered = api.post(f"/api/v1/supervision/actions/{objects.notice.pk}/reply", {"text": "补充说明：剩余三户已签订协议。"})
    assert (answered.status_code, answered.json()["detail"]) == (400, "该督办通知单已于 2026-10-10 09:00 回复，无需再回复。")
    kit.assert_unchanged(before, kit.footprint(TABLES, objects.notice), "a second reply")


# --- 3. lists in a fixed number of queries -----------------------------------------------------------------

def more_actions(county, task, n=60):
    """`n` more actions issued by hand on the task (every sixth a notice), each awaiting a reply in 2 working days."""
    office = Actor(user=county.people["supervision"])
    for i in range(n):
        services.issue_action(office, reload(task), kind="notice" if i % 6 == 0 else "urge", text=f"第{i + 1}次督办：请本周内完成。",
                              reply_days=2)


@pytest.mark.parametrize("role", ["principal", "leader", "supervision", "unit_head"])
def test_the_action_list_runs_a_fixed_number_of_queries(county, objects, role):
    kit.assert_fixed_queries(county.client(role), "/supervision/actions/", lambda: more_actions(county, objects.task))


@pytest.mark.parametrize("role", ["principal", "leader", "supervision", "unit_head"])
def test_the_action_api_list_runs_a_fixed_number_of_queries(county, objects, role):
    kit.assert_fixed_queries(kit.api_get(county, role), "/api/v1/supervision/actions", lambda: more_actions(county, objects.task))


def test_the_home_page_lists_the_replies_due_in_a_fixed_number_of_queries(county, objects):
    kit.assert_fixed_queries(county.client("unit_head"), "/", lambda: more_actions(county, objects.task))
