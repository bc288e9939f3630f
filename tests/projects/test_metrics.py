"""The project ledger's figures equal hand counts for a fixed data set (issue 9, acceptance 3): the pipeline by
stage, investment completion by month against the annual plan (rates from unrounded amounts, shown to one
decimal), the 三个一批 counts per period — and every number's link lists exactly that many rows.

The county's year, all entered through the services under frozen time (万元):

    project  level     leader    unit      plan_year  annual_plan  total   signed      started     producing   now
    甲 A     province  李副县长  交通局    2026       1000         50000   2026-01-05  2026-04-10  —           开工
    乙 B     city      王书记    城关镇    2026       2000         30000   2026-03-02  2026-07-15  —           开工
    丙 C     county    —         交通局    2026        500          8000   —           2026-01-05  2026-07-15  投产
    丁 D     province  李副县长  交通局    2027       3000         12000   —           —           —           在谈
    戊 E     county    李副县长  交通局    2026          0          1000   —           —           —           终止
    己 F     county    李副县长  交通局    2026          0          6000   —           —           2026-07-01  投产
    庚 G     city      李副县长  交通局    2025       5000         20000   2025-12-20  —           —           签约

    monthly reports of 2026 (planned / completed, "due" = not submitted):
    甲  1月 300/333.33  2月 300/333.33  3月 400/333.33  4月 due           → 999.99 of 1000: 99.999%
    乙  3月 600/500     4月 700/due     7月 due
    丙  1月 100/120     2月 100/80      3月 due          4月 due   6月 due → 200 of 500: 40%
"""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from duban.projects import metrics, selectors, services
from duban.projects.choices import Level, Stage
from duban.projects.models import InvestmentReport, Project
from tests.projects.conftest import at

pytestmark = pytest.mark.django_db

D = Decimal


def _report(project, month):
    return InvestmentReport.objects.get(project=project, year=2026, month=month)


def _submit(office, project, month, amount):
    services.submit_report(office, _report(project, month), completed=amount, image_progress="按计划推进")


def _move(office, project, stage, on):
    return services.move_stage(office, Project.objects.get(pk=project.pk), stage, on=dt.date.fromisoformat(on))


@pytest.fixture
def year(county, handlers, office, new_project):
    """The fixed data set of the module docstring. Each month's plan is set once the month is open: the
    worker's `open_reports` skips a project whose month is planned (未到报送期) while another of its months is
    due or submitted (its exclude() does not tie the three conditions to one report) — reported to the lead."""
    leader, principal = county.people["leader"], county.people["principal"]

    def make(name, **values):
        return new_project(name=name, with_procedures=False, **values)

    with at("2025-12-20"):
        g = make("庚", level=Level.CITY, stage=Stage.SIGNED, plan_year=2025, annual_plan="5000", total_investment="20000")
    with at("2026-01-05"):
        a = make("甲", level=Level.PROVINCE, industry="manufacturing", stage=Stage.SIGNED, plan_year=2026, annual_plan="1000",
                 total_investment="50000")
        c = make("丙", level=Level.COUNTY, stage=Stage.STARTED, plan_year=2026, annual_plan="500", total_investment="8000",
                 leader_in_charge=None)
        _move(office, a, Stage.PREPARING, "2026-01-05")
        services.set_month_plans(office, a, 2026, {1: "300"})
        services.set_month_plans(office, c, 2026, {1: "100"})
    with at("2026-01-20"):
        _submit(office, a, 1, "333.33")
        _submit(office, c, 1, "120")
    with at("2026-02-02"):
        services.open_reports()
        services.set_month_plans(office, a, 2026, {2: "300"})
        services.set_month_plans(office, c, 2026, {2: "100"})
        b = make("乙", level=Level.CITY, industry="new_energy", stage=Stage.LEAD, plan_year=2026, annual_plan="2000",
                 total_investment="30000", leader_in_charge=principal, lead_unit=county.units["chengguan"])
        d = make("丁", level=Level.PROVINCE, stage=Stage.NEGOTIATING, plan_year=2027, annual_plan="3000", total_investment="12000")
    with at("2026-02-20"):
        _submit(office, a, 2, "333.33")
        _submit(office, c, 2, "80")
    with at("2026-03-02"):
        services.open_reports()
        services.set_month_plans(office, a, 2026, {3: "400"})
        _move(office, b, Stage.NEGOTIATING, "2026-02-10")
        _move(office, b, Stage.SIGNED, "2026-03-02")
    with at("2026-03-20"):
        _submit(office, a, 3, "333.33")
        _move(office, b, Stage.PREPARING, "2026-03-20")
        services.set_month_plans(office, b, 2026, {3: "600"})
        _submit(office, b, 3, "500")
    with at("2026-04-10"):
        _move(office, a, Stage.STARTED, "2026-04-10")
        services.open_reports()
        services.set_month_plans(office, b, 2026, {4: "700"})
    with at("2026-06-30"):
        _move(office, c, Stage.COMPLETED, "2026-06-30")
    with at("2026-07-15"):
        _move(office, b, Stage.STARTED, "2026-07-15")
        _move(office, c, Stage.PRODUCING, "2026-07-15")
        e = make("戊", level=Level.COUNTY, stage=Stage.LEAD, plan_year=2026, annual_plan="0", total_investment="1000")
        services.stop_project(office, e, reason="投资方撤回")
        f = make("己", level=Level.COUNTY, stage=Stage.PRODUCING, stage_on=dt.date(2026, 7, 1), plan_year=2026, annual_plan="0",
                 total_investment="6000")
    assert leader.pk != principal.pk
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def _request(user, url="/"):
    request = RequestFactory().get(url)
    request.user = user
    return request


def listed(user, link: str) -> int:
    """How many rows the list a number links to shows, through the list's own FilterSet and scope."""
    parts = urlsplit(link)
    request = _request(user, link)
    if parts.path == reverse("projects:project_list"):
        return selectors.project_filter(request, request.GET).qs.count()
    assert parts.path == reverse("projects:report_list"), link
    return selectors.report_filter(request, request.GET).qs.count()


# --- the pipeline ----------------------------------------------------------------------------------------


def test_the_pipeline_counts_each_stage_and_its_investment(county, year):
    principal = county.people["principal"]
    with at("2026-11-20"):
        m = metrics.pipeline(_request(principal), QueryDict())
    assert [(s.stage, s.count, s.investment) for s in m.stages] == [
        ("lead", 0, D(0)), ("negotiating", 1, D("12000")), ("signed", 1, D("20000")), ("preparing", 0, D(0)),
        ("started", 2, D("80000")), ("completed", 0, D(0)), ("producing", 2, D("14000"))]
    assert (m.stopped.count, m.stopped.investment) == (1, D("1000"))
    assert (m.total.count, m.total.investment) == (6, D("126000"))
    for figure in [*m.stages, m.stopped, m.total]:
        assert listed(principal, figure.link) == figure.count, figure.link
    assert m.stages[4].link == "/projects/?stage=started"
    # The funnel's widest bar is the biggest stage; an empty stage has none.
    assert [s.width for s in m.stages] == [0, 260, 260, 0, 520, 0, 520]


def test_the_pipelines_filters_go_into_every_link(county, year):
    principal = county.people["principal"]
    with at("2026-11-20"):
        m = metrics.pipeline(_request(principal), QueryDict("level=province&industry=&leader="))
        by_leader = metrics.pipeline(_request(principal), QueryDict(f"leader={county.people['principal'].pk}"))
        unknown = metrics.pipeline(_request(principal), QueryDict("leader=99999&level=city"))
    assert {s.stage: s.count for s in m.stages if s.count} == {"negotiating": 1, "started": 1}  # 丁, 甲
    assert m.params == {"level": ["province"]}
    assert m.stages[4].link == "/projects/?stage=started&level=province"
    assert {s.stage: s.count for s in by_leader.stages if s.count} == {"started": 1}  # 乙
    # A leader the list does not offer is no filter (the list would ignore it too): left out of the links.
    assert "leader" in unknown.filterset.errors and unknown.params == {"level": ["city"]}
    assert {s.stage: s.count for s in unknown.stages if s.count} == {"signed": 1, "started": 1}  # 庚, 乙
    for figure in [*m.stages, m.total, *by_leader.stages, *unknown.stages]:
        assert listed(principal, figure.link) == figure.count, figure.link


def test_a_leader_and_a_township_see_their_scopes_figures(county, year):
    """李副县长 follows the transport bureau's projects; 乙 is 城关镇's, followed by 王书记."""
    with at("2026-11-20"):
        leader = metrics.pipeline(_request(county.people["leader"]), QueryDict())
        township = metrics.pipeline(_request(county.people["township_liaison"]), QueryDict())
    assert {s.stage: s.count for s in leader.stages if s.count} == {"negotiating": 1, "signed": 1, "started": 1, "producing": 2}
    assert {s.stage: s.count for s in township.stages if s.count} == {"started": 1}
    for user, m in ((county.people["leader"], leader), (county.people["township_liaison"], township)):
        for figure in [*m.stages, m.stopped, m.total]:
            assert listed(user, figure.link) == figure.count


# --- investment against plan -----------------------------------------------------------------------------


def test_investment_by_month_against_the_annual_plan(county, year):
    principal = county.people["principal"]
    with at("2026-11-20"):
        m = metrics.investment(_request(principal), 2026)
    by_month = {r.month: (r.planned.value, r.completed.value, r.planned_to_date.value, r.completed_to_date.value) for r in m.months}
    assert by_month[1] == (D("400"), D("453.33"), D("400"), D("453.33"))
    assert by_month[2] == (D("400"), D("413.33"), D("800"), D("866.66"))
    assert by_month[3] == (D("1000"), D("833.33"), D("1800"), D("1699.99"))
    assert by_month[4] == (D("700"), D(0), D("2500"), D("1699.99"))
    assert by_month[12] == (D(0), D(0), D("2500"), D("1699.99"))
    # 年度计划: 甲 1000 + 乙 2000 + 丙 500 + 戊 0 + 己 0 (丁 is 2027's, 庚 2025's).
    assert (m.plan.projects, m.plan.plan, m.plan.completed) == (5, D("3500"), D("1699.99"))
    assert (m.planned.value, m.completed.value) == (D("2500"), D("1699.99"))
    # Rates from the unrounded amounts: 1699.99 / 3500 = 48.5711…%, shown 48.6%.
    assert m.annual_rate == D("1699.99") * 100 / D("3500")
    assert m.annual_rate_text == "48.6%"
    march = m.months[2]
    assert march.month_rate == D("83.333")  # 833.33 of 1000
    assert (march.month_rate_text, march.to_date_rate_text, march.annual_rate_text) == ("83.3%", "94.4%", "48.6%")
    assert m.months[4].month_rate_text == "—"  # no plan in May
    # Each month's number lists its reports: all of the month for the plan, the submitted for the completion.
    assert {r.month: (listed(principal, r.planned.link), listed(principal, r.completed.link)) for r in m.months} == {
        1: (2, 2), 2: (2, 2), 3: (3, 2), 4: (3, 0), 5: (0, 0), 6: (1, 0), 7: (1, 0), 8: (0, 0), 9: (0, 0), 10: (0, 0),
        11: (0, 0), 12: (0, 0)}
    assert [(r.planned.rows, r.completed.rows) for r in m.months[:4]] == [(2, 2), (2, 2), (3, 2), (3, 0)]
    assert m.months[0].completed.link == "/projects/reports/?year=2026&month=1&state=submitted"
    assert (listed(principal, m.planned.link), listed(principal, m.completed.link)) == (12, 6)
    assert (m.planned.rows, m.completed.rows) == (12, 6)


def test_three_times_333_33_against_1000_is_99_999_percent_not_done(county, year):
    with at("2026-11-20"):
        m = metrics.investment(_request(county.people["principal"]), 2026)
    province = next(r for r in m.by_level if r.label == str(Level.PROVINCE.label))
    assert (province.projects, province.plan, province.completed) == (1, D("1000"), D("999.99"))
    assert province.rate == D("99.999")  # 999.99 × 100 ÷ 1000, unrounded
    assert province.rate_text == "99.9%"  # rounded half up it would read 100.0%: a plan not met is never shown met
    assert Project.objects.get(pk=year["a"].pk).completion_rate == D("99.999")
    assert metrics.shown_rate(D("99.95")) == "99.9%" and metrics.shown_rate(D("100")) == "100.0%"
    assert metrics.shown_rate(D("33.35")) == "33.4%" and metrics.shown_rate(None) == "—"


def test_investment_by_level_and_by_leader(county, year):
    principal = county.people["principal"]
    with at("2026-11-20"):
        m = metrics.investment(_request(principal), 2026)
    assert [(r.label, r.projects, r.plan, r.completed, r.rate_text) for r in m.by_level] == [
        ("省重点", 1, D("1000"), D("999.99"), "99.9%"),
        ("市重点", 1, D("2000"), D("500"), "25.0%"),
        ("县重点", 3, D("500"), D("200"), "40.0%"),  # 丙, 戊, 己
        ("一般项目", 0, D(0), D(0), "—")]
    assert [(r.label, r.projects, r.plan, r.completed, r.rate_text) for r in m.by_leader] == [
        ("王书记", 1, D("2000"), D("500"), "25.0%"),
        ("李副县长", 3, D("1000"), D("999.99"), "99.9%"),  # 甲, 戊, 己
        ("未定包抓领导", 1, D("500"), D("200"), "40.0%")]
    assert m.by_leader[2].link == "" and m.by_level[3].link == ""
    for row in [*m.by_level, *m.by_leader, m.plan]:
        if row.link:
            assert listed(principal, row.link) == row.projects, row.link
    assert m.by_leader[1].link == f"/projects/?plan_year=2026&leader={county.people['leader'].pk}"


def test_a_leader_reads_the_investment_of_their_scope(county, year):
    leader = county.people["leader"]
    with at("2026-11-20"):
        m = metrics.investment(_request(leader), 2026)
    # Not 乙 (城关镇's, followed by 王书记): the plan is 甲 1000 + 丙 500, completed 999.99 + 200.
    assert (m.plan.plan, m.plan.completed, m.completed.value) == (D("1500"), D("1199.99"), D("1199.99"))
    assert m.months[2].planned.value == D("400")  # 甲's March; 丙's had no plan
    assert [r.label for r in m.by_leader] == ["李副县长", "未定包抓领导"]
    for r in m.months:
        assert listed(leader, r.planned.link) == r.planned.rows and listed(leader, r.completed.link) == r.completed.rows


# --- 三个一批 ------------------------------------------------------------------------------------------------


def _counts(row):
    return [(c.count, c.investment) for c in row.cells]


def test_three_batches_per_quarter_and_month(county, year):
    principal = county.people["principal"]
    with at("2026-11-20"):
        m = metrics.batches(_request(principal), QueryDict(), metrics.parse_period("2026"))
    # 签约 甲 (1月) 乙 (3月) — not 庚, signed in 2025; 开工 丙 (1月) 甲 (4月) 乙 (7月); 投产 己 (7月1日) 丙 (7月15日).
    assert _counts(m.total) == [(2, D("80000")), (3, D("88000")), (2, D("14000"))]
    rows = {r.period.key: _counts(r) for r in m.rows}
    assert list(rows) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", *[f"2026-{n:02d}" for n in range(1, 13)]]
    assert rows["2026-Q1"] == [(2, D("80000")), (1, D("8000")), (0, D(0))]
    assert rows["2026-Q2"] == [(0, D(0)), (1, D("50000")), (0, D(0))]
    assert rows["2026-Q3"] == [(0, D(0)), (1, D("30000")), (2, D("14000"))]
    assert rows["2026-Q4"] == [(0, D(0))] * 3
    assert rows["2026-01"] == [(1, D("50000")), (1, D("8000")), (0, D(0))]
    assert rows["2026-03"] == [(1, D("30000")), (0, D(0)), (0, D(0))]
    assert rows["2026-07"] == [(0, D(0)), (1, D("30000")), (2, D("14000"))]
    assert m.total.cells[0].link == "/projects/?signed_from=2026-01-01&signed_to=2026-12-31"
    for row in [m.total, *m.rows]:
        for cell in row.cells:
            assert listed(principal, cell.link) == cell.count, cell.link


def test_three_batches_of_a_quarter_a_month_and_a_level(county, year):
    principal = county.people["principal"]
    with at("2026-11-20"):
        q3 = metrics.batches(_request(principal), QueryDict(), metrics.parse_period("2026-Q3"))
        november = metrics.batches(_request(principal), QueryDict(), metrics.parse_period("2026-11"))
        province = metrics.batches(_request(principal), QueryDict("level=province"), metrics.parse_period("2026"))
        last_year = metrics.batches(_request(principal), QueryDict(), metrics.parse_period("2025-12"))
    assert _counts(q3.total) == [(0, D(0)), (1, D("30000")), (2, D("14000"))]
    assert [r.period.key for r in q3.rows] == ["2026-07", "2026-08", "2026-09"]
    assert q3.total.cells[2].link == "/projects/?producing_from=2026-07-01&producing_to=2026-09-30"
    assert _counts(november.total) == [(0, D(0))] * 3 and november.rows == []
    assert _counts(province.total) == [(1, D("50000")), (1, D("50000")), (0, D(0))]  # 甲
    assert province.total.cells[0].link == "/projects/?signed_from=2026-01-01&signed_to=2026-12-31&level=province"
    assert _counts(last_year.total) == [(1, D("20000")), (0, D(0)), (0, D(0))]  # 庚
    for m in (q3, november, province, last_year):
        for row in [m.total, *m.rows]:
            for cell in row.cells:
                assert listed(principal, cell.link) == cell.count, cell.link


def test_periods_are_a_year_a_quarter_or_a_month():
    assert metrics.parse_period("2026") == metrics.Period("2026", 2026, tuple(range(1, 13)))
    q3 = metrics.parse_period("2026-q3")
    assert (q3.key, q3.start, q3.end, q3.label) == ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026年第3季度")
    nov = metrics.parse_period("2026-11")
    assert (nov.key, nov.start, nov.end, nov.label) == ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 11, 30), "2026年11月")
    assert metrics.parse_period("2026-2").end == dt.date(2026, 2, 28)
    assert metrics.parse_period("2026-12").end == dt.date(2026, 12, 31)
    for bad in ("", "26", "2026-13", "2026-Q5", "2026-00", "1999", "2026-11-01"):
        assert metrics.parse_period(bad) is None, bad


# --- the pages ---------------------------------------------------------------------------------------------


def test_the_pages_show_the_figures_and_their_links(county, year):
    client = county.client("principal")
    with at("2026-11-20"):
        pipeline = client.get("/projects/pipeline/?level=province")
        investment = client.get("/projects/investment/?year=2026")
        batches = client.get("/projects/batches/?period=2026-Q3")
    for response in (pipeline, investment, batches):
        assert response.status_code == 200
        body = response.content.decode()
        assert "style=" not in body and "<script>" not in body
    body = pipeline.content.decode()
    assert 'data-testid="funnel"' in body and 'href="/projects/?stage=started&amp;level=province"' in body
    body = investment.content.decode()
    assert 'href="/projects/reports/?year=2026&amp;month=3&amp;state=submitted" data-figure="completed">833.33<' in body
    assert 'data-figure="annual-rate">48.6%<' in body and ">99.9%<" in body and "100.0%" not in body
    body = batches.content.decode()
    assert 'href="/projects/?started_from=2026-07-01&amp;started_to=2026-09-30" data-figure="count">1 个<' in body


def test_a_period_or_year_not_understood_says_how_to_write_it(county, year):
    client = county.client("leader")
    with at("2026-11-20"):
        batches = client.get("/projects/batches/?period=2026年3季度")
        investment = client.get("/projects/investment/?year=twenty")
    assert batches.status_code == 200 and "2026-Q3（季度）" in batches.content.decode()
    assert 'data-period="2026"' in batches.content.decode()
    assert investment.status_code == 200 and "请写四位年份" in investment.content.decode()


@pytest.mark.parametrize("role, status", [
    ("principal", 200), ("leader", 200), ("supervision", 200), ("liaison", 200), ("unit_head", 200),
    ("township_liaison", 200), ("business", 200), ("sysadmin", 403), ("secadmin", 403), ("auditadmin", 403)])
def test_who_may_open_the_analysis_pages(county, role, status):
    client = county.client(role)
    for url in ("/projects/pipeline/", "/projects/investment/", "/projects/batches/"):
        assert client.get(url).status_code == status, url


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/projects/pipeline/")
    assert response.status_code == 302 and "next=/projects/pipeline/" in response["Location"]


def test_the_pipeline_runs_a_fixed_number_of_queries(county, year, office, new_project):
    from tests import kit

    def grow():
        for n in range(5):
            new_project(name=f"新项目{n}", with_procedures=False, stage=Stage.SIGNED, total_investment="100")

    with at("2026-11-20"):
        client = county.client("principal")
        kit.assert_fixed_queries(client, "/projects/pipeline/", grow=grow)
        _response, queries = kit.count_queries(client, "/projects/pipeline/")
    # One aggregate over the projects for every stage (not a query per stage).
    assert len([q for q in queries if 'FROM "projects_project"' in q]) == 1
