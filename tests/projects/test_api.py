"""/api/v1/projects, /api/v1/procedures, /api/v1/project-reports: each role reads exactly its projects, procedures
and monthly reports; the lists filter as their pages' FilterSets do and page by keyset; the moves are the services'
(a stage move refused while a procedure is open changes nothing, a stale version is a 409); the schema lists every
path with a Chinese description; the lists run a fixed number of queries.

Given, on Monday 16 March 2026: 年产10万吨新型建材项目 (县交通运输局's, followed by 李副县长) in 前期手续 with its
eight procedures (施工许可 at 住建局, the land ones at 自然资源局) and its March report due; 现代农业产业园项目 (城关镇's,
an agricultural project: 立项/备案, 规划许可, 环评 — the county's template lists no 施工许可 for it) just a lead.
"""

import re
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from duban.api import services as token_services
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.projects import services
from duban.projects.choices import ProcedureState, ReportState, Stage
from duban.projects.filters import ProcedureFilter, ProjectFilter, ReportFilter
from duban.projects.models import InvestmentReport, Procedure, ProcedureTemplate, Project
from tests import kit
from tests.conftest import make_person
from tests.projects.conftest import at

pytestmark = pytest.mark.django_db

TABLES = kit.tables_for("projects")


def token_client(county, user) -> kit.ApiClient:
    """The API as `user` (a person outside the fixture county's roles) calls it with a token of their own."""
    client = kit.ApiClient(county, kit.ANONYMOUS)
    client.headers = {"Authorization": "Bearer " + token_services.create_token(Actor(user=user), name="测试")[1]}
    return client


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def make_world(county, handlers, office, new_project):
    # The county's template for agricultural projects (greenhouses, orchards) lists no 施工许可.
    ProcedureTemplate.objects.filter(project_type="agricultural", procedure_type__code="construction_permit").delete()
    with at("2026-03-02"):
        works = new_project()
        services.move_stage(office, works, Stage.NEGOTIATING)
        farm = new_project(name="现代农业产业园项目", investor="某某农业开发有限公司", industry="agriculture", project_type="agricultural",
                           level="city", total_investment=Decimal("8000"), annual_plan=Decimal("3000"), lead_unit=county.units["chengguan"],
                           leader_in_charge=None)
    with at("2026-03-16"):
        services.move_stage(office, fresh(works), Stage.PREPARING)
    works = fresh(works)
    return SimpleNamespace(
        works=works, farm=fresh(farm),
        permit=Procedure.objects.get(project=works, procedure_type__code="construction_permit"),
        farm_eia=Procedure.objects.get(project=farm, procedure_type__code="eia"),
        march=InvestmentReport.objects.get(project=works, year=2026, month=3))


@pytest.fixture
def world(county, handlers, office, new_project):
    return make_world(county, handlers, office, new_project)


# Who sees what (models.visible_to): the project office (县发改局) and the supervision office, the principal leader
# all; the leader in charge 年产10万吨 (he follows it, and 交通运输局 is in his charge); a unit its own projects and
# those whose procedures it handles — only those procedures of them; admins and the other offices none.
API = kit.Statuses("""
                  anon  prin lead sup  bus  saf  head sect lia  town sys  sec  aud
    projects      401   200  200  200  200  200  200  200  200  200  200  200  200
    works         401   200  200  200  404  404  200  404  200  404  404  404  404
    farm          401   200  404  200  404  404  404  404  200  200  404  404  404
    no_project    401   404  404  404  404  404  404  404  404  404  404  404  404
    procedures    401   200  200  200  200  200  200  200  200  200  200  200  200
    permit        401   200  200  200  404  404  200  404  200  404  404  404  404
    farm_eia      401   200  404  200  404  404  404  404  200  200  404  404  404
    reports       401   200  200  200  200  200  200  200  200  200  200  200  200
    march         401   200  200  200  404  404  200  404  200  404  404  404  404
""")


def api_urls(w) -> dict[str, str]:
    return {"projects": "/api/v1/projects", "works": f"/api/v1/projects/{w.works.code}", "farm": f"/api/v1/projects/{w.farm.code}",
            "no_project": "/api/v1/projects/XM2026-9999", "procedures": "/api/v1/procedures",
            "permit": f"/api/v1/procedures/{w.permit.code}", "farm_eia": f"/api/v1/procedures/{w.farm_eia.code}",
            "reports": "/api/v1/project-reports", "march": f"/api/v1/project-reports/{w.march.code}"}


@kit.each_role
def test_every_api_url_as_every_role(county, world, role):
    kit.check_api(API, api_urls(world), county, role)


EVERYTHING = {"projects": {"works", "farm"}, "procedures": 11, "reports": {"march"}}
NOTHING = {"projects": set(), "procedures": 0, "reports": set()}
SEEN = {
    "principal": EVERYTHING, "supervision": EVERYTHING, "liaison": EVERYTHING,
    "leader": {"projects": {"works"}, "procedures": 8, "reports": {"march"}},
    "unit_head": {"projects": {"works"}, "procedures": 8, "reports": {"march"}},
    "township_liaison": {"projects": {"farm"}, "procedures": 3, "reports": set()},
    "business": NOTHING, "safety": NOTHING, "section_liaison": NOTHING, "sysadmin": NOTHING, "secadmin": NOTHING, "auditadmin": NOTHING,
}


@pytest.mark.parametrize("role", sorted(SEEN))
def test_the_lists_give_each_role_exactly_its_rows(county, world, role):
    client, seen = kit.api_client(county, role), SEEN[role]
    projects = {item["code"] for item in client.get("/api/v1/projects", {"limit": 100}).json()["items"]}
    assert projects == {getattr(world, name).code for name in seen["projects"]}
    procedures = client.get("/api/v1/procedures", {"limit": 100}).json()["items"]
    assert len(procedures) == seen["procedures"]
    assert {p["code"] for p in procedures} == set(Procedure.objects.visible_to(county.people[role]).values_list("code", flat=True))
    reports = {item["code"] for item in client.get("/api/v1/project-reports", {"limit": 100}).json()["items"]}
    assert reports == {getattr(world, name).code for name in seen["reports"]}


def test_a_handling_unit_sees_the_project_and_only_the_procedure_it_handles(county, handlers, world):
    building = token_client(county, handlers.building_liaison)
    assert [i["code"] for i in building.get("/api/v1/projects").json()["items"]] == [world.works.code]
    assert building.get(f"/api/v1/projects/{world.farm.code}").status_code == 404
    body = building.get(f"/api/v1/projects/{world.works.code}").json()
    assert [(p["name"], p["lead_unit"]["name"]) for p in body["procedures"]] == [("施工许可", "县住房和城乡建设局")]
    assert body["months"] == [] and body["actions"] == []
    assert [i["code"] for i in building.get("/api/v1/procedures").json()["items"]] == [world.permit.code]
    assert building.get("/api/v1/project-reports").json()["items"] == []
    # 自然资源局 handles land procedures of both.
    land = token_client(county, handlers.land_liaison)
    assert {i["code"] for i in land.get("/api/v1/projects").json()["items"]} == {world.works.code, world.farm.code}
    assert {i["name"] for i in land.get("/api/v1/procedures", {"project": world.farm.code}).json()["items"]} == {"规划许可", "环评"}


def test_the_project_detail_gives_its_procedures_and_this_year_s_months(county, world):
    with at("2026-03-16"):
        body = kit.api_client(county, "liaison").get(f"/api/v1/projects/{world.works.code}").json()
    assert {k: body[k] for k in ("code", "name", "stage", "stage_label", "level_label", "industry_label", "total_investment",
                                 "annual_plan", "completion_rate", "light", "version")} == {
        "code": world.works.code, "name": "年产10万吨新型建材项目", "stage": "preparing", "stage_label": "前期手续",
        "level_label": "县重点", "industry_label": "新材料", "total_investment": "52000.00", "annual_plan": "12000.00",
        "completion_rate": 0.0, "light": "green", "version": world.works.version}
    assert body["lead_unit"] == {"id": county.units["transport"].pk, "name": "县交通运输局"}
    assert body["leader_in_charge"] == {"id": county.people["leader"].pk, "name": "李副县长"}
    assert {k: v for k, v in body["stage_dates"].items() if v} == {"lead": "2026-03-02", "negotiating": "2026-03-02", "preparing": "2026-03-16"}
    assert [p["name"] for p in body["procedures"]] == ["立项/备案", "土地征收", "土地出让", "供地", "规划许可", "环评", "能评", "施工许可"]
    assert body["procedures"][-1]["lead_unit"]["name"] == "县住房和城乡建设局" and body["procedures"][-1]["state"] == "pending"
    assert body["months"] == [{"code": world.march.code, "month": 3, "state": "due", "state_label": "待报送", "planned": None,
                               "completed": None, "year_to_date": None, "due_date": "2026-03-25", "light": "green"}]
    assert body["actions"] == ["edit", "move", "stop", "raise_problem"]


def _query(params: dict) -> QueryDict:
    """The parameters as the page's FilterSet gets them from a GET."""
    return QueryDict(urlencode(params, doseq=True))


def _codes(response):
    assert response.status_code == 200, response.json()
    return [item["code"] for item in response.json()["items"]]


PROJECT_PARAMS = [
    {"stage": "open"}, {"stage": ["lead", "preparing"]}, {"stage": "started"}, {"level": "city"}, {"industry": "materials"},
    {"project_type": "agricultural"}, {"q": "农业"}, {"q": "新材料"}, {"light": "green"}, {"light": ["red", "yellow"]},
    {"plan_year": 2026}, {"started_from": "2026-01-01"},
]


@pytest.mark.parametrize("params", PROJECT_PARAMS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_the_project_list_filters_as_the_page_s_filterset(county, handlers, world, params):
    user = county.people["liaison"]
    expected = list(ProjectFilter(_query(params), queryset=Project.objects.visible_to(user)).qs.order_by("-total_investment", "id").values_list("code", flat=True))
    assert _codes(kit.api_client(county, "liaison").get("/api/v1/projects", params)) == expected


def test_the_lists_filter_by_units_and_people_as_the_pages_do(county, handlers, world):
    office = kit.api_client(county, "liaison")
    assert _codes(office.get("/api/v1/projects", {"holding_unit": handlers.building.pk})) == [world.works.code]
    assert _codes(office.get("/api/v1/projects", {"holding_unit": handlers.land.pk})) == [world.works.code, world.farm.code]
    assert _codes(office.get("/api/v1/projects", {"lead_unit": county.units["chengguan"].pk})) == [world.farm.code]
    assert _codes(office.get("/api/v1/projects", {"leader": county.people["leader"].pk})) == [world.works.code]
    for params in ({"lead_unit": handlers.land.pk}, {"state": "open", "project": world.farm.code}, {"light": "green", "q": "施工许可"}):
        expected = list(ProcedureFilter(_query(params), queryset=Procedure.objects.all()).qs.order_by("due_sort", "id").values_list("code", flat=True))
        assert _codes(office.get("/api/v1/procedures", params)) == expected and expected
    for params in ({"year": 2026, "month": 3}, {"state": "due"}, {"project": world.works.code}, {"state": "submitted"}):
        expected = list(ReportFilter(_query(params), queryset=InvestmentReport.objects.all()).qs.values_list("code", flat=True))
        assert _codes(office.get("/api/v1/project-reports", params)) == expected
    # The FilterSet's refusals are 422 naming the parameter; a bad cursor 400.
    refused = office.get("/api/v1/projects", {"lead_unit": 999999})
    assert refused.status_code == 422 and refused.json()["field"] == "lead_unit"
    assert office.get("/api/v1/projects", {"stage": "finished"}).status_code == 422
    assert office.get("/api/v1/procedures", {"procedure_type": 999999}).json()["field"] == "procedure_type"
    bad = office.get("/api/v1/projects", {"cursor": "garbage"})
    assert bad.status_code == 400 and bad.json() == {"detail": "翻页参数无效，请从第一页重新浏览。", "field": "cursor"}


def test_the_lists_page_by_keyset(county, world):
    office = kit.api_client(county, "liaison")
    first = office.get("/api/v1/projects", {"limit": 1}).json()
    assert [i["code"] for i in first["items"]] == [world.works.code] and first["prev"] is None  # 52000 万元 before 8000
    second = office.get("/api/v1/projects", {"limit": 1, "cursor": first["next"]}).json()
    assert [i["code"] for i in second["items"]] == [world.farm.code] and second["next"] is None
    back = office.get("/api/v1/projects", {"limit": 1, "cursor": second["prev"]}).json()
    assert [i["code"] for i in back["items"]] == [world.works.code]
    seen, cursor = [], None
    while True:
        page = office.get("/api/v1/procedures", {"limit": 4, **({"cursor": cursor} if cursor else {})}).json()
        seen += [i["code"] for i in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 11


# --- moves ---------------------------------------------------------------------------------------------------


def test_a_move_refused_while_a_procedure_is_open_changes_nothing(county, world):
    office = kit.api_client(county, "liaison")
    with at("2026-03-16"):
        before = kit.footprint(TABLES, world.works)
        refused = office.post(f"/api/v1/projects/{world.works.code}/move", {"version": world.works.version, "stage": "started"})
        kit.assert_unchanged(before, kit.footprint(TABLES, world.works), "the refused move")
    assert refused.status_code == 400 and refused.json()["field"] == "stage"
    detail = refused.json()["detail"]
    assert detail.startswith("项目“年产10万吨新型建材项目”还有手续未办结，不能进入“开工”阶段：")
    assert "施工许可（住建局，未启动）" in detail and "土地征收（自然资源局，未启动）" in detail
    assert fresh(world.works).state == Stage.PREPARING

    # Not the office nor the project's unit: 403, nothing changed; not in scope at all: 404.
    building = token_client(county, make_person("zhujian_head", world.permit.lead_unit, Role.UNIT_HEAD, full_name="住建局长"))
    township = kit.api_client(county, "township_liaison")
    with at("2026-03-16"):
        before = kit.footprint(TABLES, world.works)
        forbidden = building.post(f"/api/v1/projects/{world.works.code}/move", {"version": world.works.version, "stage": "signed"})
        hidden = township.post(f"/api/v1/projects/{world.works.code}/move",
                                                                 {"version": world.works.version, "stage": "started"})
        backwards = office.post(f"/api/v1/projects/{world.works.code}/move", {"version": world.works.version, "stage": "signed"})
        kit.assert_unchanged(before, kit.footprint(TABLES, world.works), "the refused moves")
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"].endswith("：只有县重点项目办或项目责任单位的联络员、一把手可以推进项目阶段。")
    assert hidden.status_code == 404 and hidden.json()["detail"] == f"未找到项目 {world.works.code}，或该项目不在您的职责范围内。"
    assert backwards.status_code == 400 and "只能向后推进" in backwards.json()["detail"]


def test_procedures_started_finished_waived_and_extended_through_the_api_then_the_project_moves(county, handlers, world):
    office = kit.api_client(county, "liaison")
    building = token_client(county, handlers.building_liaison)
    code = world.permit.code
    with at("2026-03-16"):
        started = building.post(f"/api/v1/procedures/{code}/start", {"version": world.permit.version, "workdays": 7})
        assert started.status_code == 200, started.json()
        body = started.json()
        assert (body["state"], body["state_label"], body["due_date"], body["workdays"]) == ("in_progress", "办理中", "2026-03-25", 7)
        assert body["actions"] == ["finish"]  # 调整时限 and 无需办理 are the office's
        # A stale version: 409, nothing changed.
        before = kit.footprint(TABLES, world.permit)
        stale = building.post(f"/api/v1/procedures/{code}/finish", {"version": world.permit.version, "approval_no": "建施〔2026〕18号"})
        kit.assert_unchanged(before, kit.footprint(TABLES, world.permit), "the stale finish")
        assert stale.status_code == 409
        refused = building.post(f"/api/v1/procedures/{code}/extend", {"version": body["version"], "due_date": "2026-04-10", "reason": "公示"})
        assert refused.status_code == 403 and refused.json()["detail"] == (
            f"您无权对手续 {code} 调整时限：只有县重点项目办可以调整手续办理时限。")
        extended = office.post(f"/api/v1/procedures/{code}/extend", {"version": body["version"], "due_date": "2026-04-10",
                                                                    "reason": "规划公示期"})
        assert extended.status_code == 200 and extended.json()["due_date"] == "2026-04-10" and extended.json()["note"] == "规划公示期"
        assert extended.json()["deadline_cycle"] == 2
        past = office.post(f"/api/v1/procedures/{code}/extend", {"version": extended.json()["version"], "due_date": "2026-03-01", "reason": "x"})
        assert past.status_code == 400 and past.json() == {"detail": "新的办理时限应晚于今天。", "field": "due_date"}
        finished = building.post(f"/api/v1/procedures/{code}/finish", {"version": extended.json()["version"], "approval_no": "建施〔2026〕18号"})
        assert finished.status_code == 200
        assert (finished.json()["state"], finished.json()["approval_no"], finished.json()["completed_on"]) == ("done", "建施〔2026〕18号", "2026-03-16")
        for p in Procedure.objects.filter(project=world.works).exclude(pk=world.permit.pk):
            waived = office.post(f"/api/v1/procedures/{p.code}/waive", {"version": p.version, "reason": "已有工业用地"})
            assert waived.status_code == 200 and waived.json()["state_label"] == "无需办理"
        moved = office.post(f"/api/v1/projects/{world.works.code}/move", {"version": fresh(world.works).version, "stage": "started",
                                                                         "note": "举行开工仪式"})
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["stage"], moved.json()["stage_dates"]["started"]) == ("started", "2026-03-16")
    assert fresh(world.works).state == Stage.STARTED and fresh(world.permit).state == ProcedureState.DONE


def test_reports_submitted_and_corrected_through_the_api(county, world):
    head = kit.api_client(county, "unit_head")
    code = world.march.code
    with at("2026-03-24"):
        submitted = head.post(f"/api/v1/project-reports/{code}/submit", {"version": world.march.version, "completed": "800.5",
                                                                         "image_progress": "场地平整完成"})
        assert submitted.status_code == 200, submitted.json()
        body = submitted.json()
        assert {k: body[k] for k in ("state", "completed", "year_to_date", "cumulative", "image_progress", "photos", "actions")} == {
            "state": "submitted", "completed": "800.50", "year_to_date": "800.50", "cumulative": "800.50",
            "image_progress": "场地平整完成", "photos": [], "actions": ["correct"]}
        assert body["submitted_by"] == {"id": county.people["unit_head"].pk, "name": "周局长"}
        assert body["submitted_at"] == "2026-03-24T09:00:00+08:00"
        project = kit.api_client(county, "leader").get(f"/api/v1/projects/{world.works.code}").json()
        assert (project["year_completed"], project["completion_rate"]) == ("800.50", 6.7)  # 800.5 / 12000 = 6.67%
        assert project["months"][0]["state"] == "submitted"
        negative = head.post(f"/api/v1/project-reports/{code}/correct", {"version": body["version"], "completed": "-1", "reason": "口径"})
        assert negative.status_code == 422 and negative.json()["field"] == "completed"
        no_reason = head.post(f"/api/v1/project-reports/{code}/correct", {"version": body["version"], "completed": "900", "reason": " "})
        assert no_reason.status_code == 400 and no_reason.json() == {"detail": "请填写更正原因。", "field": "reason"}
        corrected = head.post(f"/api/v1/project-reports/{code}/correct", {"version": body["version"], "completed": "900",
                                                                          "reason": "统计口径调整"})
    assert corrected.status_code == 200 and (corrected.json()["completed"], corrected.json()["cumulative"]) == ("900.00", "900.00")
    assert fresh(world.works).year_completed == Decimal("900.00") and fresh(world.march).state == ReportState.SUBMITTED
    # The leader follows the project but does not report for its unit.
    leader = kit.api_client(county, "leader").post(f"/api/v1/project-reports/{code}/correct",
                                                   {"version": corrected.json()["version"], "completed": "1", "reason": "x"})
    assert leader.status_code == 403 and leader.json()["detail"] == (
        f"您无权对月报 {code} 更正月报：只有项目责任单位的联络员或一把手可以更正投资月报。")


def test_the_office_enters_and_stops_a_project_through_the_api(county, handlers, world):
    office = kit.api_client(county, "liaison")
    fields = {"name": "光伏发电项目", "lead_unit": county.units["transport"].pk, "leader_in_charge": county.people["leader"].pk,
              "industry": "new_energy", "project_type": "infrastructure", "level": "province", "total_investment": "120000",
              "annual_plan": "30000", "stage": "signed", "investor": "某某能源有限公司"}
    with at("2026-03-16"):
        assert kit.api_client(county, "unit_head").post("/api/v1/projects", fields).json()["detail"] == "只有县重点项目办或主要领导可以录入项目。"
        unknown = office.post("/api/v1/projects", {**fields, "lead_unit": 999999})
        assert unknown.status_code == 422 and unknown.json()["field"] == "lead_unit"
        assert "没有 id 为 999999 的在用单位" in unknown.json()["detail"]
        extra = office.post("/api/v1/projects", {**fields, "state": "producing"})
        assert extra.status_code == 422 and extra.json()["field"] == "state"
        not_a_leader = office.post("/api/v1/projects", {**fields, "leader_in_charge": county.people["unit_head"].pk})
        assert not_a_leader.status_code == 400 and not_a_leader.json()["field"] == "leader_in_charge"
        assert Project.objects.count() == 2
        made = office.post("/api/v1/projects", fields)
        assert made.status_code == 201, made.json()
        body = made.json()
        assert (body["code"], body["stage"], body["stage_dates"]["signed"], body["level_label"]) == ("XM2026-0003", "signed", "2026-03-16", "省重点")
        assert [p["name"] for p in body["procedures"]] == ["立项/备案", "土地征收", "供地", "规划许可", "环评", "施工许可"]
        stopped = office.post(f"/api/v1/projects/{body['code']}/stop", {"version": body["version"], "reason": "企业撤回投资"})
    assert stopped.status_code == 200
    assert (stopped.json()["stage"], stopped.json()["stop_reason"], stopped.json()["actions"]) == ("stopped", "企业撤回投资", [])
    assert {p["state"] for p in stopped.json()["procedures"]} == {"waived"}


# --- schema and queries --------------------------------------------------------------------------------------

PATHS = {
    "/api/v1/projects": {"get", "post"}, "/api/v1/projects/{code}": {"get"}, "/api/v1/projects/{code}/move": {"post"},
    "/api/v1/projects/{code}/stop": {"post"}, "/api/v1/procedures": {"get"}, "/api/v1/procedures/{code}": {"get"},
    "/api/v1/procedures/{code}/start": {"post"}, "/api/v1/procedures/{code}/finish": {"post"},
    "/api/v1/procedures/{code}/waive": {"post"}, "/api/v1/procedures/{code}/extend": {"post"},
    "/api/v1/project-reports": {"get"}, "/api/v1/project-reports/{code}": {"get"},
    "/api/v1/project-reports/{code}/submit": {"post"}, "/api/v1/project-reports/{code}/correct": {"post"},
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_the_schema_lists_the_project_paths_with_chinese_descriptions(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in PATHS.items():
        assert set(schema["paths"][path]) == methods, path
        for method in methods:
            operation = schema["paths"][path][method]
            assert CHINESE.search(operation["summary"]) and CHINESE.search(operation["description"]), (path, method)
            assert operation["tags"][0] in {"重点项目", "项目手续", "投资月报"}
    components = schema["components"]["schemas"]
    assert components["ProjectMoveIn"]["additionalProperties"] is False and set(components["ProjectMoveIn"]["required"]) == {"version", "stage"}
    assert "409" in components["ProjectMoveIn"]["properties"]["version"]["description"]
    assert set(components["ProjectIn"]["required"]) == {"name", "lead_unit"}


def test_the_project_shapes_take_no_other_app_s_schema_name():
    """The schema names its shapes by class name: a twin elsewhere would silently replace the other app's shape."""
    import importlib

    from ninja import Schema

    from duban.api.main import APP_ROUTERS

    def names(module_name):
        module = importlib.import_module(module_name)
        return {n for n, v in vars(module).items() if isinstance(v, type) and issubclass(v, Schema) and v.__module__ == module_name}

    ours = names("duban.projects.api.schemas")
    assert {"ProjectItem", "ProjectReportPage", "ProcedureStartIn"} <= ours
    for app in APP_ROUTERS:
        if app != "duban.projects.api":
            try:
                theirs = names(f"{app}.schemas")
            except ModuleNotFoundError:
                continue
            assert not ours & theirs, app


def _more_projects(county, office, n=30):
    for i in range(n):
        services.create_project(office, name=f"扩建项目{i}", lead_unit=county.units["transport"] if i % 2 else county.units["chengguan"],
                                leader_in_charge=county.people["leader"], total_investment=Decimal(90000 + i), annual_plan=Decimal("100"),
                                stage=Stage.STARTED if i % 3 == 0 else Stage.SIGNED, industry="manufacturing", township=county.units["chengguan"])


# The token, the person's roles, the project office's unit, the page; a unit head also the units they head.
QUERIES = {"liaison": 4, "unit_head": 5, "township_liaison": 4}


@pytest.mark.parametrize("role", sorted(QUERIES))
def test_the_lists_run_a_fixed_number_of_queries(county, handlers, office, world, role):
    client = kit.api_client(county, role)
    with at("2026-03-16"):
        for url in ("/api/v1/projects?limit=100", "/api/v1/procedures?limit=100", "/api/v1/project-reports?limit=100&state=due"):
            count = kit.assert_fixed_queries(client, url, lambda: _more_projects(county, office, 6))
            assert count == QUERIES[role], url
