"""The appeal through the kind kit (tests/kit): every staff page URL as every role of the fixture county, every
refused transition leaving every appeals table as it was, and the list in a fixed number of queries.

Given, on Monday 1 June 2026: a web appeal (with an attachment) waiting to be accepted, one dispatched to
县发展和改革局 and hidden from it who the enterprise is, one signed for by 县交通运输局, and one 县发展和改革局
has replied to, waiting for the call-back.
"""

from types import SimpleNamespace

import pytest

from duban.appeals import services
from duban.appeals.choices import Category, Outcome, Rating
from duban.appeals.machine import APPEAL_MACHINE
from duban.core.actor import Actor
from duban.core.errors import NotAllowed
from duban.core.models import Attachment
from tests import kit
from tests.appeals.conftest import as_actor, at, credit_code, fresh
from tests.safety.conftest import photo

pytestmark = pytest.mark.django_db

TABLES = kit.tables_for("appeals")


@pytest.fixture
def objects(county, submit, desk, dispatched, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with at("2026-06-01"):
        new = submit(attachments=[photo("电表.jpg")]).appeal
        hidden = dispatched(enterprise_name="某某保密科技有限公司", credit_code=credit_code(2), phone="13700002222", identity_hidden=True,
                            category=Category.POLICY, description="技改补贴迟迟未兑现。")
        handling = submit(enterprise_name="某某物流有限公司", credit_code=credit_code(3), category=Category.APPROVAL,
                          description="物流园道路开口审批一直没有结果。").appeal
        services.accept_appeal(desk, handling)
        services.dispatch_appeal(desk, fresh(handling), lead_unit=county.units["transport"])
        services.sign_appeal(as_actor(county.people["unit_head"]), fresh(handling))
        replied = dispatched(enterprise_name="某某食品有限公司", credit_code=credit_code(4), category=Category.FINANCING,
                             description="贴息贷款申请需要发改局出具意见。")
        liaison = as_actor(county.people["liaison"])
        services.sign_appeal(liaison, replied)
        services.reply_appeal(liaison, fresh(replied), public_text="已出具意见。", outcome=Outcome.RESOLVED)
    return SimpleNamespace(new=fresh(new), hidden=fresh(hidden), handling=fresh(handling), replied=fresh(replied),
                           attachment=Attachment.objects.get(owner_type="appeals.Appeal", owner_id=str(new.pk)))


# --- 1. every URL × every role ------------------------------------------------------------------------

def page_urls(o) -> dict[str, str]:
    return {
        "desk": "/appeals/",
        "list": "/appeals/list/",
        "new": "/appeals/new/",
        "limits": "/appeals/limits/",
        "submitted": f"/appeals/{o.new.code}/",
        "hidden": f"/appeals/{o.hidden.code}/",
        "handling": f"/appeals/{o.handling.code}/",
        "accept": f"/appeals/{o.new.code}/accept/",
        "sign": f"/appeals/{o.hidden.code}/sign/",
        "reply": f"/appeals/{o.handling.code}/reply/",
        "rate": f"/appeals/{o.replied.code}/rate/",
        "promote": f"/appeals/{o.handling.code}/promote/",
        "file": f"/attachments/{o.attachment.pk}/",
        "unknown": "/appeals/SQ2026-999999/",
        "no_action": f"/appeals/{o.new.code}/fly/",
    }


# The business office keeps the desk (principal leaders and the supervision office may read it); everyone
# with a business role opens the list and sees exactly its appeals: 县发展和改革局 (lia) the two dispatched to it,
# 县交通运输局 (head) and 李副县长 in charge of it the one it handles; its section (sect), 城关镇 and the safety
# office none. An action page is open to whom the machine says; to others who see the appeal it says why not (403).
PAGES = kit.Statuses("""
                anon   prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    desk        login  200  403  200  200  403  403  403  403  403  403  403  403
    list        login  200  200  200  200  200  200  200  200  200  403  403  403
    new         login  403  403  403  200  403  403  403  403  403  403  403  403
    limits      login  403  403  403  200  403  403  403  403  403  403  403  403
    submitted   login  200  404  200  200  404  404  404  404  404  403  403  403
    hidden      login  200  404  200  200  404  404  404  200  404  403  403  403
    handling    login  200  200  200  200  404  200  404  404  404  403  403  403
    accept      login  403  404  403  200  404  404  404  404  404  403  403  403
    sign        login  403  404  403  403  404  404  404  200  404  403  403  403
    reply       login  403  403  403  403  404  200  404  404  404  403  403  403
    rate        login  403  404  403  200  404  404  404  403  404  403  403  403
    promote     login  200  403  200  403  404  403  404  404  404  403  403  403
    file        login  200  404  200  200  404  404  404  404  404  404  404  404
    unknown     login  404  404  404  404  404  404  404  404  404  403  403  403
    no_action   login  404  404  404  404  404  404  404  404  404  403  403  403
""")


@kit.each_role
def test_every_page_as_every_role(county, objects, role):
    kit.check_pages(PAGES, page_urls(objects), county, role)


def test_the_list_shows_each_role_exactly_its_appeals(county, objects):
    o = objects

    def listed(role):
        page = county.client(role).get("/appeals/list/").content.decode()
        return {a.code for a in (o.new, o.hidden, o.handling, o.replied) if f'data-code="{a.code}"' in page}

    everything = {o.new.code, o.hidden.code, o.handling.code, o.replied.code}
    assert listed("business") == listed("principal") == listed("supervision") == everything
    assert listed("liaison") == {o.hidden.code, o.replied.code}
    assert listed("unit_head") == listed("leader") == {o.handling.code}
    assert listed("section_liaison") == listed("township_liaison") == listed("safety") == set()


# --- 2. refused = nothing changed --------------------------------------------------------------------

def _calls(county, o):
    return {
        "accept": (o.new, lambda a, x: services.accept_appeal(a, x)),
        "decline": (o.new, lambda a, x: services.decline_appeal(a, x, reason="不属于县级事权")),
        "sign": (o.hidden, lambda a, x: services.sign_appeal(a, x)),
        "send_back": (o.hidden, lambda a, x: services.send_back_appeal(a, x, reason="不属本单位职责")),
        "request_extension": (o.handling, lambda a, x: services.request_extension(a, x, reason="需省厅批复")),
        "reply": (o.handling, lambda a, x: services.reply_appeal(a, x, public_text="已办结", outcome=Outcome.RESOLVED)),
        "rate": (o.replied, lambda a, x: services.rate_appeal(a, x, rating=Rating.SATISFIED)),
        "exclude": (o.handling, lambda a, x: services.exclude_appeal(a, x, reason="明显不合理")),
        "edit": (o.handling, lambda a, x: services.edit_appeal(a, x, title="改过的摘要")),
    }


@pytest.mark.parametrize("name", ["accept", "decline", "sign", "send_back", "request_extension", "reply", "rate", "exclude", "edit"])
def test_every_transition_refused_for_every_role_that_may_not_take_it_changes_nothing(county, objects, name):
    appeal, call = _calls(county, objects)[name]
    transition = APPEAL_MACHINE.transitions[name]
    refused_roles = [key for key, person in county.people.items() if not transition.permits(appeal, person)]
    with at("2026-06-02"):
        for key in refused_roles:
            with kit.refused(TABLES, appeal, NotAllowed):
                call(Actor(user=county.people[key]), fresh(appeal))
    allowed = {key for key, person in county.people.items() if transition.permits(appeal, person)}
    unit = {"hidden": {"liaison"}, "handling": {"unit_head"}}
    where = "hidden" if appeal.pk == objects.hidden.pk else "handling" if appeal.pk == objects.handling.pk else ""
    assert allowed == (unit[where] if name in {"sign", "send_back", "request_extension", "reply"} else {"business"})


def test_a_refused_post_through_the_page_changes_nothing_and_says_why(county, objects):
    o = objects
    office = county.client("supervision")  # signed in first: the sign-in is audited
    before = kit.footprint(TABLES, o.new)
    with at("2026-06-02"):
        response = office.post(f"/appeals/{o.new.code}/accept/", {"version": o.new.version, "category": "land",
                                                                                        "urgency": "normal"})
    assert response.status_code == 403
    assert f"您无权对诉求 {o.new.code} 受理：只有县营商办可以办理。" in response.content.decode()
    kit.assert_unchanged(before, kit.footprint(TABLES, o.new))


# --- 3. the list in a fixed number of queries ----------------------------------------------------------

def test_the_appeal_list_runs_a_fixed_number_of_queries(county, objects, submit, dispatched):
    def grow():
        with at("2026-06-02"):
            for n in range(15):
                submit(enterprise_name=f"某某{n}号商贸有限公司", credit_code=credit_code(100 + n), description=f"第{n}号诉求：供水管网改造。")
                dispatched(enterprise_name=f"某某{n}号建材有限公司", credit_code=credit_code(200 + n), identity_hidden=n % 2 == 0,
                           description=f"第{n}号诉求：电力增容。")

    for role in ("business", "liaison"):
        assert kit.assert_fixed_queries(county.client(role), "/appeals/list/", grow) <= 12


def test_the_desk_runs_a_fixed_number_of_queries(county, objects, submit, dispatched, desk):
    with at("2026-06-01"):  # one sent back already: its reason is read in one query for all
        services.send_back_appeal(as_actor(county.people["liaison"]), objects.hidden, reason="不属本局职责")

    def grow():
        with at("2026-06-02"):
            for n in range(8):
                submit(credit_code=credit_code(300 + n), enterprise_name=f"某某{n}号商贸有限公司")
                back = dispatched(enterprise_name=f"某某{n}号建材有限公司", credit_code=credit_code(400 + n))
                services.send_back_appeal(as_actor(county.people["liaison"]), back, reason=f"第{n}件不属本局职责")

    # six queues × (count, page), the duplicates and the send-back reasons (one each), and the page's shell
    assert kit.assert_fixed_queries(county.client("business"), "/appeals/", grow) <= 22
