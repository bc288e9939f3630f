"""The project list, "my projects" and the project page (issue 9): who sees which project, the one FilterSet's
filters returning exactly their rows, the list's fixed query count, the page naming a late procedure and the
unit holding it, and the investment chart's numbers."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from duban.projects import services
from duban.projects.choices import ProjectType, Stage
from duban.projects.models import InvestmentReport, Procedure, Project
from duban.supervision.sweep import sweep
from tests import kit
from tests.conftest import make_person
from tests.projects.conftest import CST, as_actor, at

pytestmark = pytest.mark.django_db


class Scene:
    """Three projects on 2026-03-16: A (县重点, 前期手续, 交通运输局, 李副县长) red — its 施工许可 at 住建局 is past
    its limit; B (省重点, 签约 2026-02-10, 城关镇, 王书记) and C (市重点, 签约 2026-03-02, no procedures, 李副县长) green."""

    def __init__(self, county, handlers, office, new_project):
        with at("2026-03-02"):
            self.a = new_project(name="年产10万吨新型建材项目", stage=Stage.PREPARING)
            self.permit = Procedure.objects.get(project=self.a, procedure_type__code="construction_permit")
            services.start_procedure(as_actor(handlers.building_liaison), self.permit, workdays=7)  # due 2026-03-11
            self.b = new_project(name="古城文旅综合体项目", level="province", total_investment=Decimal("30000"), stage=Stage.SIGNED,
                                 stage_on=dt.date(2026, 2, 10), lead_unit=county.units["chengguan"],
                                 leader_in_charge=county.people["principal"], project_type=ProjectType.SOCIAL)
            self.c = new_project(name="物流园区项目", level="city", total_investment=Decimal("8000"), annual_plan=Decimal("0"),
                                 lead_unit=county.units["ndrc"], with_procedures=False)
            services.move_stage(office, self.c, Stage.SIGNED)
        sweep(dt.datetime(2026, 3, 16, 9, tzinfo=CST))


@pytest.fixture
def scene(county, handlers, office, new_project):
    return Scene(county, handlers, office, new_project)


def codes(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-testid="project-row" data-code="([^"]+)"', response.content.decode())


def client_of(client, user):
    client.force_login(user)
    return client


# --- scope ---------------------------------------------------------------------------------------------------


def test_the_office_sees_every_project_a_handling_unit_its_projects_another_unit_none_of_them(county, handlers, scene, client):
    a, b, c = scene.a.code, scene.b.code, scene.c.code
    with at("2026-03-16"):
        assert codes(county.client("liaison").get("/projects/")) == [a, b, c]  # the project office, biggest first
        assert codes(county.client("supervision").get("/projects/")) == [a, b, c]
        # 住建局 handles A's and B's 施工许可 (C lists none): it sees those two and may open A.
        building = client_of(client, handlers.building_liaison)
        assert codes(building.get("/projects/")) == [a, b]
        assert building.get(f"/projects/{a}/").status_code == 200
        # 城关镇 is B's responsible unit and handles nothing of A's: A does not exist for it.
        township = county.client("township_liaison")
        assert codes(township.get("/projects/")) == [b]
        assert township.get(f"/projects/{a}/").status_code == 404
        assert township.get(f"/projects/{b}/").status_code == 200
        assert county.client("sysadmin").get("/projects/").status_code == 403


# --- the one FilterSet -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "expected"), [
    ("stage=preparing", "a"), ("stage=signed", "bc"), ("stage=open", "abc"), ("stage=lead", ""),
    ("light=red", "a"), ("light=green", "bc"), ("light=red&light=green", "abc"),
    ("level=province", "b"), ("level=city&level=county", "ac"),
    ("leader={leader}", "ac"), ("leader={principal}", "b"),
    ("holding_unit={building}", "ab"), ("holding_unit={land}", "ab"), ("holding_unit={transport}", ""),
    ("lead_unit={chengguan}", "b"), ("q=文旅", "b"),
    ("signed_from=2026-03-01", "c"), ("signed_to=2026-02-28", "b"), ("signed_from=2026-02-01&signed_to=2026-03-31", "bc"),
    ("preparing_from=2026-03-01", "abc"),  # not a filter of the list: ignored
    ("started_from=2026-01-01", ""), ("producing_to=2026-12-31", ""), ("plan_year=2026", "abc"), ("plan_year=2025", ""),
    ("stage=signed&level=province", "b"),
])
def test_each_filter_returns_exactly_its_projects(county, handlers, scene, params, expected):
    ids = {"leader": county.people["leader"].pk, "principal": county.people["principal"].pk, "building": handlers.building.pk,
           "land": handlers.land.pk, "transport": county.units["transport"].pk, "chengguan": county.units["chengguan"].pk}
    wanted = [getattr(scene, letter).code for letter in expected]
    with at("2026-03-16"):
        assert codes(county.client("liaison").get("/projects/?" + params.format(**ids))) == wanted


def test_link_only_parameters_are_kept_not_shown_as_controls(county, scene):
    with at("2026-03-16"):
        body = county.client("liaison").get("/projects/?signed_from=2026-03-01&stage=signed").content.decode()
    assert '<input type="hidden" name="signed_from" value="2026-03-01">' in body
    assert 'id="id_signed_from"' not in body and 'id="id_plan_year"' not in body
    assert 'name="holding_unit"' in body and 'name="leader"' in body


def test_the_light_counts_follow_the_filter(county, scene):
    with at("2026-03-16"):
        body = county.client("liaison").get("/projects/?stage=open").content.decode()
        counts = dict(re.findall(r'data-light-count="(\w+)">.*?</span> \S+ (\d+)</a>', body))
        assert counts == {"green": "2", "yellow": "0", "red": "1", "grey": "0"}
        body = county.client("liaison").get("/projects/?level=province").content.decode()
        assert dict(re.findall(r'data-light-count="(\w+)">.*?</span> \S+ (\d+)</a>', body))["green"] == "1"


def test_a_row_shows_amounts_rate_unit_leader_and_the_reason_naming_the_late_procedure(county, scene, office):
    with at("2026-03-24"):
        services.submit_report(as_actor(county.people["unit_head"]), InvestmentReport.objects.get(project=scene.a, month=3),
                               completed="800.5")
        body = county.client("liaison").get("/projects/").content.decode()
    row = re.search(rf'<tr data-testid="project-row" data-code="{scene.a.code}".*?</tr>', body).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert re.sub(r"<[^>]+>", "", cells[1]) == "年产10万吨新型建材项目" and f'href="/projects/{scene.a.code}/"' in cells[1]
    assert cells[2:8] == ["前期手续", "县重点", "52,000", "12,000", "800.5", "6.7%"]  # 800.5 / 12000 = 6.6708…%
    assert cells[8:10] == ["交通运输局" if county.units["transport"].short_name else "县交通运输局", "李副县长"]
    assert 'data-light="red"' in cells[10] and "施工许可（住建局）已逾期 9 个工作日（完成时限 2026年3月11日）" in cells[10]
    c_row = re.search(rf'data-code="{scene.c.code}".*?</tr>', body).group(0)
    assert "<td class=\"text-end\" data-rate>—</td>" in c_row  # no annual plan: no rate


def test_the_list_pages_by_the_biggest_investment_first(county, handlers, office, new_project):
    with at("2026-03-02"):
        made = [new_project(name=f"项目{n}", total_investment=Decimal(1000 + n), with_procedures=False) for n in range(55)]
    client = county.client("liaison")
    first = client.get("/projects/")
    shown = codes(first)
    assert shown == [p.code for p in reversed(made)][:50]
    cursor = re.search(r'href="\?cursor=([^"]+)" data-testid="next-page"', first.content.decode()).group(1)
    assert codes(client.get(f"/projects/?cursor={cursor}")) == [p.code for p in reversed(made)][50:]
    assert "翻页参数无效" in client.get("/projects/?cursor=bogus").content.decode()


def test_the_list_runs_a_fixed_number_of_queries(county, handlers, office, new_project, scene):
    def grow():
        leaders = [make_person(f"leader{n}", county.units["leadership"], "leader", full_name=f"领导{n}") for n in range(3)]
        units = [county.units["transport"], county.units["chengguan"], county.units["ndrc"]]
        for n in range(24):
            new_project(name=f"新增项目{n}", total_investment=Decimal(90000 + n), lead_unit=units[n % 3], leader_in_charge=leaders[n % 3],
                        with_procedures=n % 2 == 0)

    # The session, the user and roles, the office's unit, the counts, the page, the inbox, the filter's four
    # selects (units, leaders) and the session's save: none per row.
    assert kit.assert_fixed_queries(county.client("liaison"), "/projects/?stage=open", grow=grow) <= 15
    # A unit's list (its scope is a subquery) and a filter by the unit holding a procedure: fixed too.
    kit.assert_fixed_queries(county.client("township_liaison"), "/projects/",
                             grow=lambda: new_project(name="城关新增项目", lead_unit=county.units["chengguan"], total_investment=Decimal(99999)))
    kit.assert_fixed_queries(county.client("liaison"), f"/projects/?light=green&holding_unit={handlers.building.pk}",
                             grow=lambda: new_project(name="再增项目", total_investment=Decimal(99998)))


# --- my projects ---------------------------------------------------------------------------------------------------


def test_my_projects_lists_the_leaders_projects_red_first_naming_the_unit_holding_each(county, scene):
    with at("2026-03-16"):
        body = county.client("leader").get("/projects/mine/").content.decode()
    items = re.findall(r'<li class="list-group-item[^"]*" data-testid="my-project" data-code="([^"]+)">(.*?)</li>', body)
    assert [code for code, _html in items] == [scene.a.code, scene.c.code]
    assert "施工许可（住建局）已逾期 3 个工作日（完成时限 2026年3月11日）" in items[0][1]
    assert f'href="/projects/{scene.a.code}/"' in items[0][1]
    assert scene.b.code not in body  # 王书记's


def test_red_comes_first_even_when_smaller(county, handlers, office, new_project):
    with at("2026-03-02"):
        big = new_project(name="大项目", total_investment=Decimal("90000"), with_procedures=False)
        small = new_project(name="小项目", total_investment=Decimal("100"))
        services.start_procedure(office, Procedure.objects.get(project=small, procedure_type__code="approval"), workdays=2)
    sweep(dt.datetime(2026, 3, 16, 9, tzinfo=CST))
    with at("2026-03-16"):
        body = county.client("leader").get("/projects/mine/").content.decode()
    assert re.findall(r'data-testid="my-project" data-code="([^"]+)"', body) == [small.code, big.code]
    assert "立项/备案（发改局）" in body or "立项/备案（县发展和改革局）" in body


def test_anyone_without_projects_to_follow_is_told_why_the_list_is_empty(county, scene):
    body = county.client("township_liaison").get("/projects/mine/").content.decode()
    assert 'data-testid="no-projects"' in body and "您目前没有包抓的重点项目。" in body
    assert 'data-testid="my-project"' not in body


# --- the project page ----------------------------------------------------------------------------------------------


def test_the_project_page_names_the_late_procedure_and_the_unit_holding_it(county, handlers, scene):
    with at("2026-03-16"):
        body = county.client("liaison").get(f"/projects/{scene.a.code}/").content.decode()
    late = re.search(r'data-testid="late-procedure" data-code="([^"]+)">(.*?)</div>', body, re.S)
    assert late.group(1) == scene.permit.code
    assert "卡在住建局" in late.group(2) and "手续“施工许可”已逾期 3 个工作日（完成时限 2026年3月11日）" in late.group(2)
    assert f'href="/projects/procedures/{scene.permit.code}/"' in late.group(2)
    assert body.count('data-testid="late-procedure"') == 1
    rows = re.findall(r'<tr data-testid="procedure" data-code="([^"]+)" data-light="(\w+)"( class="table-danger")?>(.*?)</tr>', body, re.S)
    assert [code for code, *_rest in rows] == list(Procedure.objects.filter(project=scene.a).order_by("sort").values_list("code", flat=True))
    permit = next(r for r in rows if r[0] == scene.permit.code)
    assert permit[1] == "red" and permit[2] and "<strong>住建局</strong>" in permit[3]
    assert "2026-03-02" in permit[3] and "2026-03-11" in permit[3] and "7 个工作日" in permit[3]
    assert "施工许可（住建局）已逾期 3 个工作日（完成时限 2026年3月11日）" in body  # the project's own reason
    # The stage bar, with the date of each move.
    steps = dict(re.findall(r'data-stage="(\w+)" data-status="(\w+)"', body))
    assert steps == {"lead": "skipped", "negotiating": "skipped", "signed": "skipped", "preparing": "current", "started": "todo",
                     "completed": "todo", "producing": "todo"}
    assert re.search(r'data-stage="preparing".*?<div data-testid="stage-date">2026-03-02</div>', body, re.S)
    # Facts.
    assert "某某新材料有限公司" in body and "先进制造业" not in body and "新材料" in body and "李副县长" in body


def test_the_stage_bar_dates_every_move(county, handlers, office, new_project):
    with at("2026-03-02"):
        project = new_project(with_procedures=False)
    with at("2026-03-10"):
        services.move_stage(office, Project.objects.get(pk=project.pk), Stage.SIGNED)
    with at("2026-04-01"):
        services.move_stage(office, Project.objects.get(pk=project.pk), Stage.STARTED)
        body = county.client("liaison").get(f"/projects/{project.code}/").content.decode()
    dates = dict(re.findall(r'data-stage="(\w+)" data-status="\w+"[^>]*>\s*<div class="fw-semibold">[^<]+</div><div data-testid="stage-date">([^<]+)</div>', body))
    assert dates == {"lead": "2026-03-02", "negotiating": "—", "signed": "2026-03-10", "preparing": "—", "started": "2026-04-01",
                     "completed": "—", "producing": "—"}
    events = re.search(r'data-testid="timeline">(.*?)</ul>', body, re.S).group(1)
    assert events.count("推进阶段") == 2 and "录入项目" in events


def test_the_investment_chart_and_months_show_plan_and_completed(county, handlers, scene, office):
    with at("2026-03-20"):
        services.set_month_plans(office, scene.a, 2026, {1: "500", 2: "800", 3: "1000", 4: "1200"})
    with at("2026-03-24"):
        services.submit_report(as_actor(county.people["unit_head"]), InvestmentReport.objects.get(project=scene.a, month=3),
                               completed="800.5")
        body = county.client("liaison").get(f"/projects/{scene.a.code}/").content.decode()
    bars = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="18" height="([\d.]+)" fill="#\w+" data-kind="(\w+)" data-month="(\d+)" data-value="([\d,.]+)">', body)
    shown = {(kind, int(month)): (value, float(height), float(y)) for _x, y, height, kind, month, value in bars}
    # Heights are to the largest figure (April's plan, 1200 万元) over a plot 170 high whose floor is at 182.
    assert shown == {
        ("planned", 1): ("500", 70.8, 111.2), ("planned", 2): ("800", 113.3, 68.7), ("planned", 3): ("1,000", 141.7, 40.3),
        ("completed", 3): ("800.5", 113.4, 68.6), ("planned", 4): ("1,200", 170.0, 12.0),
    }
    assert "3月完成 800.5 万元" in body and "style=" not in re.search(r"<svg.*?</svg>", body, re.S).group(0)
    months = dict(re.findall(r'<tr data-testid="month" data-month="(\d+)">(.*?)</tr>', body, re.S))
    march = dict(re.findall(r'data-cell="(\w+)">([^<]*)<', months["3"]))
    assert march == {"planned": "1,000", "completed": "800.5", "year_to_date": "800.5", "cumulative": "800.5"}
    report = InvestmentReport.objects.get(project=scene.a, month=3)
    assert f'href="/projects/reports/{report.code}/"' in months["3"] and "已报送" in months["3"]
    april = dict(re.findall(r'data-cell="(\w+)">([^<]*)<', months["4"]))
    assert april == {"planned": "1,200", "completed": "—", "year_to_date": "—", "cumulative": "—"}
    assert "未到报送期" in months["4"] and "href" not in months["5"]
    amounts = dict(re.findall(r'data-amount="(\w+)">([^<]*)<', body))
    assert amounts == {"total": "52,000", "plan": "12,000", "year": "800.5", "rate": "6.7%", "cumulative": "800.5"}


def test_a_problem_shows_with_its_appeal_and_that_appeals_light(county, handlers, scene, office):
    with at("2026-03-16"):
        problem = services.raise_problem(office, scene.a, title="用地指标未落实", detail="需县里协调新增建设用地指标")
        body = county.client("liaison").get(f"/projects/{scene.a.code}/").content.decode()
    item = re.search(r'<li class="list-group-item" data-testid="problem">(.*?)</li>', body, re.S).group(1)
    appeal = problem.appeal
    assert "用地指标未落实" in item and f'href="/appeals/{appeal.code}/"' in item and f">{appeal.code}</a>" in item
    assert f'data-light="{appeal.light}"' in item and "转企业诉求" in item
    events = re.search(r'data-testid="timeline">(.*?)</ul>', body, re.S).group(1)
    assert "提出问题" in events and appeal.code in events


def test_the_action_bar_offers_only_what_the_reader_may_do(county, handlers, scene):
    with at("2026-03-16"):
        body = county.client("liaison").get(f"/projects/{scene.a.code}/").content.decode()
    offered = re.findall(r'href="/projects/[^/]+/([\w-]+)/" data-action="(\w+)"', body)
    assert offered == [("edit", "edit"), ("move", "move"), ("stop", "stop"), ("raise-problem", "raise_problem"),
                       ("add-procedure", "add_procedure"), ("month-plans", "set_month_plans")]


def test_a_handling_unit_sees_no_moves_it_may_not_take(county, handlers, scene, client):
    with at("2026-03-16"):
        body = client_of(client, handlers.building_liaison).get(f"/projects/{scene.a.code}/").content.decode()
    assert 'data-testid="actions"' not in body and 'data-testid="late-procedure"' in body


def test_unknown_project_is_404(county, scene):
    assert county.client("liaison").get("/projects/XM2099-9999/").status_code == 404



def test_my_projects_and_the_project_page_run_a_fixed_number_of_queries(county, handlers, office, new_project, scene):
    def more_projects():
        for n in range(6):
            project = new_project(name=f"包抓项目{n}", total_investment=Decimal(1000 + n), lead_unit=county.units["chengguan"])
            services.start_procedure(office, Procedure.objects.get(project=project, procedure_type__code="approval"), workdays=3)

    kit.assert_fixed_queries(county.client("leader"), "/projects/mine/", grow=more_projects)

    def more_on_the_page():
        services.set_month_plans(office, scene.a, 2026, {month: str(100 * month) for month in range(1, 13)})
        for title in ("用地指标未落实", "电力接入滞后"):
            services.raise_problem(office, scene.a, title=title)
        services.start_procedure(office, Procedure.objects.get(project=scene.a, procedure_type__code="planning"), workdays=10)

    kit.assert_fixed_queries(county.client("liaison"), f"/projects/{scene.a.code}/", grow=more_on_the_page)


def test_each_light_count_links_to_its_projects_with_the_same_filters(county, scene):
    with at("2026-03-16"):
        client = county.client("liaison")
        body = client.get("/projects/?level=county&level=city").content.decode()
        red = re.search(r'href="([^"]+)" data-light-count="red"', body).group(1).replace("&amp;", "&")
        assert codes(client.get(red)) == [scene.a.code]
        green = re.search(r'href="([^"]+)" data-light-count="green"', body).group(1).replace("&amp;", "&")
        assert codes(client.get(green)) == [scene.c.code]
        mine = county.client("leader").get("/projects/mine/").content.decode()
        red = re.search(r'href="([^"]+)" data-light-count="red"', mine).group(1).replace("&amp;", "&")
        assert codes(client.get(red)) == [scene.a.code]
