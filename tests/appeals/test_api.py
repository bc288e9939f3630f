"""/api/v1/appeals: each role reads exactly its appeals, a hidden enterprise is nowhere in a unit's answers, the
phone is masked for the roles that read it masked, and the 12345 hotline pushes its tickets with a business-office
token — once per ticket, whatever it retries.

Given, on Monday 1 June 2026: an appeal whose enterprise asked to stay hidden, dispatched to 县发展和改革局; an appeal
of 县交通运输局 (with 城关镇 cooperating) signed for, replied to and rated satisfied; one still waiting to be accepted.
"""

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from duban.api import services as token_services
from duban.appeals import services
from duban.appeals.choices import AppealState, Category, Channel, Outcome, RatedVia, Rating
from duban.appeals.models import Appeal, AppealReply
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.models import RoleGrant, User
from duban.matters.models import MatterEvent
from tests import kit
from tests.appeals.conftest import as_actor, at, credit_code, fresh
from tests.ledger.test_concurrency import connections_that_wait, race  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

HIDDEN = {"enterprise_name": "隐身科技有限公司", "credit_code": credit_code(2), "contact_name": "马经理", "phone": "13912345678"}
ROAD = {"enterprise_name": "通达物流有限公司", "credit_code": credit_code(3), "contact_name": "张师傅", "phone": "13800002222"}


def make_world(county, submit, desk):
    """The three appeals of the module's docstring, through the services."""
    with at("2026-06-01"):
        hidden = submit(**HIDDEN, identity_hidden=True, description="厂区用电增容申请两个月未安排勘察。").appeal
        services.accept_appeal(desk, hidden)
        services.dispatch_appeal(desk, fresh(hidden), lead_unit=county.units["ndrc"])
        road = submit(**ROAD, category=Category.LAND, description='=HYPERLINK("http://evil.example","点我")园区道路破损').appeal
        services.accept_appeal(desk, road)
        services.dispatch_appeal(desk, fresh(road), lead_unit=county.units["transport"], cooperating_units=[county.units["chengguan"]])
        waiting = submit(enterprise_name="某某食品有限公司", credit_code=credit_code(4), contact_name="刘会计", phone="13700003333",
                         category=Category.POLICY, description="<script>alert(1)</script>技改补贴\x07未兑现").appeal
    with at("2026-06-02", 10):
        head = as_actor(county.people["unit_head"])
        services.sign_appeal(head, fresh(road))
        services.reply_appeal(head, fresh(road), public_text="已安排6月10日修复园区道路。", outcome=Outcome.RESOLVED, internal_note="养护站")
    with at("2026-06-03", 15):
        services.rate_appeal(desk, fresh(road), rating=Rating.SATISFIED, via=RatedVia.CALLBACK)
    return SimpleNamespace(hidden=fresh(hidden), road=fresh(road), waiting=fresh(waiting))


@pytest.fixture
def world(county, submit, desk):
    return make_world(county, submit, desk)


# Who sees which appeal (SPEC §5): the business office, the principal leader and the supervision office all; a unit
# those dispatched to it, lead or cooperating; the leader in charge of 交通运输局 that bureau's; the rest none.
VISIBLE = {
    "business": {"hidden", "road", "waiting"}, "principal": {"hidden", "road", "waiting"}, "supervision": {"hidden", "road", "waiting"},
    "leader": {"road"}, "unit_head": {"road"}, "township_liaison": {"road"}, "liaison": {"hidden"},
    "section_liaison": set(), "safety": set(), "sysadmin": set(), "secadmin": set(), "auditadmin": set(),
}

API = kit.Statuses("""
                anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    list        401   200  200  200  200  200  200  200  200  200  200  200  200
    hidden      401   200  404  200  200  404  404  404  200  404  404  404  404
    road        401   200  200  200  200  404  200  404  404  200  404  404  404
    waiting     401   200  404  200  200  404  404  404  404  404  404  404  404
    unknown     401   404  404  404  404  404  404  404  404  404  404  404  404
""")


def api_urls(w) -> dict[str, str]:
    return {"list": "/api/v1/appeals", "hidden": f"/api/v1/appeals/{w.hidden.code}", "road": f"/api/v1/appeals/{w.road.code}",
            "waiting": f"/api/v1/appeals/{w.waiting.code}", "unknown": "/api/v1/appeals/SQ2026-999999"}


@kit.each_role
def test_every_api_url_as_every_role(county, world, role):
    kit.check_api(API, api_urls(world), county, role)


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_the_list_gives_each_role_exactly_its_appeals(county, world, role):
    expected = {getattr(world, name).code for name in VISIBLE[role]}
    listed = kit.api_client(county, role).get("/api/v1/appeals", {"limit": 100}).json()
    assert {item["code"] for item in listed["items"]} == expected
    assert set(Appeal.objects.visible_to(county.people[role]).values_list("code", flat=True)) == expected


def test_the_list_filters_as_the_page_and_pages_by_keyset(county, world):
    office = kit.api_client(county, "business")
    by_due = office.get("/api/v1/appeals", {"limit": 1}).json()
    # The hidden one's sign-for limit (2 June) comes first; the closed one has no limit and sorts last.
    assert [i["code"] for i in by_due["items"]] == [world.hidden.code] and by_due["prev"] is None
    second = office.get("/api/v1/appeals", {"limit": 1, "cursor": by_due["next"]}).json()
    assert [i["code"] for i in second["items"]] == [world.waiting.code]
    assert [i["code"] for i in office.get("/api/v1/appeals", {"state": "open", "category": ["utilities", "policy"]}).json()["items"]] == [
        world.hidden.code, world.waiting.code]
    assert [i["code"] for i in office.get("/api/v1/appeals", {"rating": "satisfied", "unit": county.units["chengguan"].pk}).json()["items"]] == [
        world.road.code]
    assert [i["code"] for i in office.get("/api/v1/appeals", {"sort": "new"}).json()["items"]] == [
        world.waiting.code, world.road.code, world.hidden.code]
    refused = office.get("/api/v1/appeals", {"unit": 999999})
    assert refused.status_code == 422 and refused.json()["field"] == "unit"
    assert office.get("/api/v1/appeals", {"cursor": "garbage"}).status_code == 400


def test_a_unit_never_reads_a_hidden_enterprise_and_a_leader_reads_the_phone_masked(county, world):
    unit = kit.api_client(county, "liaison")
    listed, detail = unit.get("/api/v1/appeals"), unit.get(f"/api/v1/appeals/{world.hidden.code}")
    for text in (listed.content.decode(), detail.content.decode()):
        for value in HIDDEN.values():
            assert value not in text
        assert json.dumps(HIDDEN["enterprise_name"])[1:-1] not in text  # nor as a JSON escape
    body = detail.json()
    assert {k: body[k] for k in ("identity_withheld", "enterprise_name", "credit_code", "contact_name", "phone", "hotline_ref")} == {
        "identity_withheld": True, "enterprise_name": None, "credit_code": None, "contact_name": None, "phone": None, "hotline_ref": None}
    assert body["actions"] == ["sign", "send_back"] and body["description"] == "厂区用电增容申请两个月未安排勘察。"

    office = kit.api_client(county, "business").get(f"/api/v1/appeals/{world.hidden.code}").json()
    assert (office["identity_withheld"], office["enterprise_name"], office["phone"], office["contact_name"]) == (
        False, "隐身科技有限公司", "13912345678", "马经理")

    leader = kit.api_client(county, "leader").get(f"/api/v1/appeals/{world.road.code}").json()
    head = kit.api_client(county, "unit_head").get(f"/api/v1/appeals/{world.road.code}").json()
    assert (leader["phone"], leader["contact_name"], leader["enterprise_name"]) == ("138****2222", "张**", "通达物流有限公司")
    assert (head["phone"], head["contact_name"]) == ("13800002222", "张师傅")


def test_a_hidden_repeat_does_not_name_the_enterprise_s_earlier_appeal(county, world, submit, desk):
    """A repeat of a closed appeal the unit handled would tell it who is behind the hidden one."""
    with at("2026-06-04"):
        again = submit(**ROAD, category=Category.LAND, identity_hidden=True, description="园区道路又破损了。").appeal
        services.accept_appeal(desk, again)
        services.dispatch_appeal(desk, fresh(again), lead_unit=county.units["transport"])
    assert fresh(again).repeat_of == world.road
    head = kit.api_client(county, "unit_head").get(f"/api/v1/appeals/{again.code}")
    assert head.json()["repeat"] is True and head.json()["repeat_of"] is None
    assert world.road.code not in head.content.decode()
    office = kit.api_client(county, "business").get(f"/api/v1/appeals/{again.code}").json()
    assert office["repeat_of"] == world.road.code
    assert f"（{world.road.code} 办结后 90 天内重复诉求）" in office["timeline"][-1]["text"]


def test_the_detail_gives_the_replies_round_by_round_and_the_timeline(county, world):
    body = kit.api_client(county, "leader").get(f"/api/v1/appeals/{world.road.code}").json()
    assert body["state"] == AppealState.CLOSED and body["cooperating_units"] == [{"id": county.units["chengguan"].pk, "name": "城关镇"}]
    assert body["replies"] == [{
        "round": 1, "unit": {"id": county.units["transport"].pk, "name": "县交通运输局"}, "person": "周局长",
        "public_text": "已安排6月10日修复园区道路。", "internal_note": "养护站", "outcome": "resolved", "outcome_label": "已解决",
        "legal_basis": "", "replied_at": "2026-06-02T10:00:00+08:00", "due_date": "2026-06-09", "on_time": True,
        "rating": "satisfied", "rating_label": "满意", "rating_comment": "", "rated_via": "callback",
        "rated_at": "2026-06-03T15:00:00+08:00",
    }]
    assert [(e["event"], e["at"]) for e in body["timeline"]] == [
        ("rated", "2026-06-03T15:00:00+08:00"), ("replied", "2026-06-02T10:00:00+08:00"), ("signed", "2026-06-02T10:00:00+08:00"),
        ("dispatched", "2026-06-01T09:00:00+08:00"), ("accepted", "2026-06-01T09:00:00+08:00"), ("submitted", "2026-06-01T09:00:00+08:00")]
    assert body["timeline"][3]["text"] == "派单至县交通运输局，配合单位：城关镇"


# --- the 12345 hotline's push ----------------------------------------------------------------------------

TICKET = {"hotline_ref": "12345-20260601-0042", "enterprise_name": "宏达建材有限公司", "credit_code": credit_code(7),
          "contact_name": "王经理", "phone": "0951-1234567", "category": "arrears", "description": "工程款拖欠半年未付。"}


@pytest.fixture
def hotline(county):
    """The account the business office opens for the 12345 system, and a client with its token."""
    account = User.objects.create_user("rexian12345", password="x" * 20, full_name="12345热线对接", unit=county.units["business"])
    RoleGrant.objects.create(user=account, role=Role.BUSINESS)
    _token, raw = token_services.create_token(Actor(user=account), name="12345热线系统")
    client = kit.ApiClient(county, kit.ANONYMOUS)
    client.headers = {"Authorization": f"Bearer {raw}"}
    return client


def test_the_hotline_pushes_a_ticket_once_and_gets_the_tracking_number_and_the_code_once(county, hotline):
    with at("2026-06-01", 14):
        made = hotline.post("/api/v1/appeals", TICKET)
    assert made.status_code == 201
    body = made.json()
    appeal = Appeal.objects.get()
    assert body["code"] == appeal.code == "SQ2026-000001" and body["existing"] is False
    assert services.code_matches(appeal, body["query_code"])
    assert (body["state"], body["state_label"], body["track_url"]) == ("submitted", "待受理", "http://testserver/appeal/track/")
    assert (appeal.channel, appeal.hotline_ref, appeal.enterprise_name, appeal.phone, appeal.entered_by.username) == (
        Channel.HOTLINE, "12345-20260601-0042", "宏达建材有限公司", "0951-1234567", "rexian12345")
    assert appeal.due_date == dt.date(2026, 6, 2)

    # The hotline got no answer and retries: the same appeal, 200, no second row, no second event, no code.
    again = hotline.post("/api/v1/appeals", {**TICKET, "description": "重试"})
    assert again.status_code == 200
    assert again.json() == {**body, "query_code": None, "existing": True}
    assert Appeal.objects.count() == 1 and Appeal.objects.get().description == "工程款拖欠半年未付。"
    assert MatterEvent.objects.filter(kind="appeals.appeal").count() == 1
    # Another ticket is another appeal.
    other = hotline.post("/api/v1/appeals", {**TICKET, "hotline_ref": "12345-20260601-0043"})
    assert other.status_code == 201 and other.json()["code"] == "SQ2026-000002"


def test_only_a_business_office_token_may_push_and_a_refused_push_stores_nothing(county, hotline):
    refused = kit.api_client(county, "liaison").post("/api/v1/appeals", TICKET)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "只有县营商办的账号可以推送 12345 热线诉求，请用县营商办为热线系统开设的账号创建访问令牌。", "field": None}
    assert kit.api_client(county, kit.ANONYMOUS).post("/api/v1/appeals", TICKET).status_code == 401

    code = TICKET["credit_code"]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    bad = hotline.post("/api/v1/appeals", {**TICKET, "credit_code": wrong})
    assert bad.status_code == 422
    assert (bad.json()["detail"], bad.json()["field"]) == ("统一社会信用代码第18位校验码不符，请对照营业执照逐位核对。", "credit_code")
    phone = hotline.post("/api/v1/appeals", {**TICKET, "phone": "12"})
    assert phone.status_code == 422 and phone.json()["field"] == "phone"
    assert hotline.post("/api/v1/appeals", {**TICKET, "category": "roads"}).status_code == 422
    assert hotline.post("/api/v1/appeals", {**TICKET, "channel": "web"}).status_code == 422  # the channel is the hotline's
    assert not Appeal.objects.exists() and not MatterEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_pushes_of_one_ticket_at_once_make_one_appeal(connections_that_wait, county):
    """The hotline retries before its first push has answered: two connections, one ticket, exactly one appeal."""
    office = Actor(user=county.people["business"])
    fields = {**TICKET, "category": Category.ARREARS}
    with at("2026-06-01"):
        results = race(*[lambda: services.submit_appeal(office, channel=Channel.HOTLINE, **fields)] * 2)
    assert all(isinstance(r, services.Submitted) for r in results), results
    assert sorted(r.existing for r in results) == [False, True]
    assert {r.appeal.code for r in results} == {"SQ2026-000001"} and Appeal.objects.count() == 1


# --- the handling unit's moves -----------------------------------------------------------------------------

def test_the_unit_signs_and_replies_through_the_api_and_a_stale_version_changes_nothing(county, world):
    unit = kit.api_client(county, "liaison")
    code = world.hidden.code
    with at("2026-06-02"):
        assert kit.api_client(county, "unit_head").post(f"/api/v1/appeals/{code}/transitions/sign", {"version": world.hidden.version}).status_code == 404
        signed = unit.post(f"/api/v1/appeals/{code}/transitions/sign", {"version": world.hidden.version})
        assert signed.status_code == 200 and signed.json()["state"] == "handling" and signed.json()["due_date"] == "2026-06-09"
        stale = unit.post(f"/api/v1/appeals/{code}/transitions/reply", {"version": world.hidden.version, "public_text": "已勘察",
                                                                          "outcome": "resolved"})
        assert stale.status_code == 409
        assert not AppealReply.objects.filter(appeal=world.hidden).exists()
        basis = unit.post(f"/api/v1/appeals/{code}/transitions/reply", {"version": signed.json()["version"], "public_text": "不能办",
                                                                          "outcome": "unresolvable"})
        assert basis.status_code == 400 and basis.json() == {"detail": "无法解决的，请写明法律法规或政策依据。", "field": "legal_basis"}
        replied = unit.post(f"/api/v1/appeals/{code}/transitions/reply", {"version": signed.json()["version"],
                                                                            "public_text": "供电公司6月5日勘察。", "outcome": "partly"})
    assert replied.status_code == 200 and replied.json()["state"] == "replied"
    assert [r["public_text"] for r in replied.json()["replies"]] == ["供电公司6月5日勘察。"]
    assert fresh(world.hidden).state == AppealState.REPLIED


def test_the_schema_lists_the_appeal_paths(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/appeals", "/api/v1/appeals/{code}", "/api/v1/appeals/{code}/transitions/sign",
            "/api/v1/appeals/{code}/transitions/send_back", "/api/v1/appeals/{code}/transitions/reply"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/appeals"]) == {"get", "post"}
    assert schema["components"]["schemas"]["HotlineIn"]["additionalProperties"] is False
    assert set(schema["components"]["schemas"]["HotlineIn"]["required"]) == {
        "hotline_ref", "enterprise_name", "contact_name", "phone", "category", "description"}


def test_the_list_runs_a_fixed_number_of_queries(county, world, submit, desk):
    from tests.appeals.test_export import grow

    assert kit.assert_fixed_queries(kit.api_client(county, "liaison"), "/api/v1/appeals?limit=100", grow(county, submit, desk)) == 4  # token, roles, counts, page
