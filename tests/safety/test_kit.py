"""The hazard through the kind kit (tests/kit): every page URL as every role of the fixture county, every
refused transition leaving every safety table as it was, and the ledger list in a fixed number of queries.

Given, on Monday 1 June 2026: a general gas hazard in 城关镇 being rectified by 城关镇 (with its photo), a major
one just found there, and a general one of 县交通运输局 awaiting verification.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from duban.core.actor import Actor
from duban.core.errors import NotAllowed
from duban.safety import services
from duban.safety.choices import HazardLevel
from duban.safety.machine import HAZARD_MACHINE
from duban.safety.models import Hazard, HazardPhoto
from tests import kit
from tests.safety.conftest import as_actor, at, photo

pytestmark = pytest.mark.django_db

TABLES = kit.tables_for("safety")


def reload(hazard):
    return Hazard.objects.get(pk=hazard.pk)


@pytest.fixture
def objects(county, report, assign, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with at("2026-06-01"):
        rectifying = report()
        assign(reload(rectifying))
        major = report(level=HazardLevel.MAJOR, place="城关镇加油站储罐区", title="防雷接地失效")
        awaiting = report(place="县道X201线 K12 处", title="护栏缺失", by=county.people["unit_head"], sector=rectifying.sector)
        assign(reload(awaiting), lead_unit=county.units["transport"])
        services.request_verification(as_actor(county.people["unit_head"]), reload(awaiting), result="已补设护栏", photos=[photo()])
    return SimpleNamespace(rectifying=reload(rectifying), major=reload(major), awaiting=reload(awaiting),
                           photo=HazardPhoto.objects.filter(hazard=rectifying).get())


# --- 1. every URL × every role ------------------------------------------------------------------------

def page_urls(o) -> dict[str, str]:
    return {
        "list": "/safety/hazards/",
        "report": "/safety/hazards/report/",
        "rectifying": f"/safety/hazards/{o.rectifying.code}/",
        "major": f"/safety/hazards/{o.major.code}/",
        "awaiting": f"/safety/hazards/{o.awaiting.code}/",
        "assign_major": f"/safety/hazards/{o.major.code}/assign/",
        "ask_verify": f"/safety/hazards/{o.rectifying.code}/request-verification/",
        "verify": f"/safety/hazards/{o.awaiting.code}/verify/",
        "photo": f"/attachments/{o.photo.attachment_id}/",
        "unknown": "/safety/hazards/YH2026-999999/",
    }


# 城关镇 (town) sees the hazards of its territory and rectifies the first; 县交通运输局 (head, and its section
# through the head's tree: sect sees its own unit only) rectifies the third; the leader in charge of 交通运输局
# sees that one; the business office and 发改局 see none; the admins have no business here.
PAGES = kit.Statuses("""
                anon   prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    list        login  200  200  200  200  200  200  200  200  200  403  403  403
    report      login  200  200  200  200  200  200  200  200  200  403  403  403
    rectifying  login  200  404  200  404  200  404  404  404  200  403  403  403
    major       login  200  404  200  404  200  404  404  404  200  403  403  403
    awaiting    login  200  200  200  404  200  200  404  404  404  403  403  403
    assign_major login 403  404  403  404  200  404  404  404  403  403  403  403
    ask_verify  login  403  404  403  404  403  404  404  404  200  403  403  403
    verify      login  403  403  403  404  200  403  404  404  404  403  403  403
    photo       login  200  404  200  404  200  404  404  404  200  404  404  404
    unknown     login  404  404  404  404  404  404  404  404  404  403  403  403
""")


@kit.each_role
def test_every_page_as_every_role(county, objects, role):
    kit.check_pages(PAGES, page_urls(objects), county, role)


def test_the_list_shows_each_role_exactly_its_hazards(county, objects):
    def codes(role):
        return set(Hazard.objects.visible_to(county.people[role]).values_list("code", flat=True))

    o = objects
    assert codes("safety") == codes("principal") == {o.rectifying.code, o.major.code, o.awaiting.code}
    assert codes("township_liaison") == {o.rectifying.code, o.major.code}
    assert codes("unit_head") == codes("leader") == {o.awaiting.code}
    assert codes("liaison") == codes("business") == set()
    page = county.client("township_liaison").get("/safety/hazards/").content.decode()
    assert o.rectifying.code in page and o.awaiting.code not in page


# --- 2. refused = nothing changed --------------------------------------------------------------------

def _calls(o):
    return {
        "assign": (o.major, lambda a, h: services.assign_rectification(a, h, lead_unit=h.township, measures="整改", due_date=dt.date(2026, 7, 1),
                                                                        funds=1, plan_goal="g", plan_person="p", plan_contingency="c")),
        "request_verification": (o.rectifying, lambda a, h: services.request_verification(a, h, result="已整改", photos=[photo()])),
        "verify": (o.awaiting, lambda a, h: services.verify_hazard(a, h)),
        "return": (o.awaiting, lambda a, h: services.return_hazard(a, h, reason="不合格")),
    }


@pytest.mark.parametrize("name", ["assign", "request_verification", "verify", "return"])
def test_every_transition_refused_for_every_role_that_may_not_take_it_changes_nothing(county, objects, name):
    hazard, call = _calls(objects)[name]
    transition = HAZARD_MACHINE.transitions[name]
    refused_roles = [key for key, person in county.people.items() if not transition.permits(hazard, person)]
    assert refused_roles, name
    with at("2026-06-02"):
        for key in refused_roles:
            with kit.refused(TABLES, hazard, NotAllowed):
                call(Actor(user=county.people[key]), reload(hazard))
    allowed = {key for key, person in county.people.items() if transition.permits(hazard, person)}
    assert allowed == ({"township_liaison"} if name == "request_verification" else {"safety"})  # the unit; the county's office


# --- 3. the list in a fixed number of queries ----------------------------------------------------------

def test_the_hazard_ledger_runs_a_fixed_number_of_queries(county, objects, report):
    def grow():
        with at("2026-06-02"):
            for n in range(30):
                report(place=f"城关镇东街{n}号", title=f"灭火器过期 {n}")

    assert kit.assert_fixed_queries(county.client("safety"), "/safety/hazards/", grow) <= 13


# --- 4. the API: the same scope, the same services -----------------------------------------------------

def api_urls(o) -> dict[str, str]:
    return {"list": "/api/v1/hazards", "rectifying": f"/api/v1/hazards/{o.rectifying.code}", "awaiting": f"/api/v1/hazards/{o.awaiting.code}"}


API = kit.Statuses("""
                anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    list        401   200  200  200  200  200  200  200  200  200  200  200  200
    rectifying  401   200  404  200  404  200  404  404  404  200  404  404  404
    awaiting    401   200  200  200  404  200  200  404  404  404  404  404  404
""")


@kit.each_role
def test_every_api_url_as_every_role(county, objects, role):
    kit.check_api(API, api_urls(objects), county, role)


def test_the_api_verifies_through_the_service_and_refuses_as_it_does(county, objects):
    client = kit.api_client(county, "safety")
    o = objects
    with at("2026-06-02"):
        done = client.post(f"/api/v1/hazards/{o.awaiting.code}/transitions/verify", {"version": o.awaiting.version, "note": "合格"})
        assert done.status_code == 200 and done.json()["state"] == "closed"
        stale = client.post(f"/api/v1/hazards/{o.major.code}/transitions/assign",
                            {"version": o.major.version, "lead_unit": county.units["chengguan"].pk, "measures": "整改", "due_date": "2026-07-01"})
    assert stale.status_code == 400 and "重大隐患须先制定整改方案" in stale.json()["detail"]
    assert reload(o.major).state == "found"
    listed = client.get("/api/v1/hazards", {"state": "open", "level": "major"}).json()
    assert [item["code"] for item in listed["items"]] == [o.major.code]
