"""领导驾驶舱 (issue 11, acceptance 2): given a fixed county of tasks, appeals, projects, hazards and supervision
actions, the dashboard's numbers equal direct counts, every number on the page links to a list holding exactly
that many rows, and the page answers in a fixed number of queries however many tasks there are."""

import datetime as dt
import io
import re
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType

from duban.appeals import services as appeal_services
from duban.appeals.choices import Category
from duban.core import versions
from duban.core.actor import Actor
from duban.ledger import services as ledger_services
from duban.ledger.choices import OPEN_STATES, TaskState
from duban.ledger.models import Campaign, Front, Task
from duban.matters.choices import Light, Schedule
from duban.projects import services as project_services
from duban.projects.choices import ProjectType
from duban.safety import services as safety_services
from duban.safety.models import Hazard, Sector
from duban.supervision.models import SupervisionAction
from tests import kit
from tests.appeals.conftest import credit_code
from tests.safety.conftest import photo

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date
TODAY = D(2026, 6, 15)

# (campaign, front, lead unit, state, light, schedule, closed_on, due_date): the fixed ledger.
TASKS = [
    ("a", 1, "transport", "in_progress", "red", "behind", None, D(2026, 5, 29)),
    ("a", 1, "transport", "in_progress", "red", "behind", None, D(2026, 6, 10)),
    ("a", 1, "transport_office", "in_progress", "yellow", "on", None, D(2026, 6, 17)),
    ("a", 1, "transport", "assigned", "green", "", None, D(2026, 12, 31)),
    ("a", 2, "ndrc", "in_progress", "green", "ahead", None, D(2026, 9, 30)),
    ("a", 2, "ndrc", "in_progress", "red", "behind", None, D(2026, 4, 30)),
    ("a", 2, "ndrc", "completion_requested", "green", "on", None, D(2026, 7, 31)),
    ("a", 2, "chengguan", "closed", "grey", "done", D(2026, 5, 20), D(2026, 5, 31)),
    ("a", None, "chengguan", "closed", "grey", "done_early", D(2026, 3, 2), D(2026, 6, 30)),
    ("a", 1, "ndrc", "suspended", "grey", "", None, D(2026, 8, 31)),
    ("b", None, "chengguan", "in_progress", "yellow", "behind", None, D(2026, 6, 18)),
    ("b", None, "transport", "closed", "grey", "done", D(2025, 12, 10), D(2025, 12, 31)),
    ("b", None, "ndrc", "cancelled", "grey", "", None, D(2026, 2, 28)),
    ("b", None, "ndrc", "in_progress", "red", "behind", None, D(2026, 6, 1)),
]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 15, 10, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def ledger(county, frozen):
    u, p = county.units, county.people
    office = Actor(user=p["supervision"])
    campaigns = {"a": Campaign.objects.create(name="2026年执行力亮剑行动", year=2026),
                 "b": Campaign.objects.create(name="2026年营商环境攻坚行动", year=2026)}
    fronts = {n: Front.objects.create(campaign=campaigns["a"], number=n, name=name, lead_unit=u["ndrc"])
              for n, name in ((1, "交通建设战线"), (2, "项目建设战线"))}
    add_tasks(county, campaigns, fronts, TASKS, office)
    return campaigns, fronts


def add_tasks(county, campaigns, fronts, specs, office):
    """Tasks built through the ledger's service, then set to the state, light and dates of each spec."""
    u, p = county.units, county.people
    for c in {s[0] for s in specs}:
        mine = [s for s in specs if s[0] == c]
        # 李副县长 is in charge of 县交通运输局's tasks, 王书记 of the others.
        rows = [dict(title=f"重点任务{c}{i}", standard="完成方案\n通过验收", lead_unit=u[s[2]],
                     leader_in_charge=p["leader"] if s[2].startswith("transport") else p["principal"],
                     responsible_person=p["unit_head"], start_date=D(2025, 6, 1), due_date=s[7], deadline_text="按期",
                     reward_penalty="按期完成加2分", front=fronts.get(s[1]) if s[1] else None)
                for i, s in enumerate(mine)]
        tasks = ledger_services.create_tasks(office, campaigns[c], rows, register=True)
        for task, s in zip(tasks, mine, strict=True):
            Task.objects.filter(pk=task.pk).update(state=s[3], light=s[4], schedule=s[5], closed_on=s[6])


@pytest.fixture
def others(county, frozen, settings):
    """Two appeals, two projects, two hazards and four supervision actions."""
    u, p = county.units, county.people
    desk = Actor(user=p["business"])
    for n in range(2):
        appeal = appeal_services.submit_appeal(
            Actor.system("企业（网上）"), enterprise_name=f"某某新材料有限公司{n}", credit_code=credit_code(n + 1),
            contact_name="马经理", phone="13900001111", category=Category.UTILITIES, description="厂区新建车间用电增容申请已提交两个月，至今未安排勘察。").appeal
        appeal_services.accept_appeal(desk, appeal)
        appeal.refresh_from_db()
        appeal_services.dispatch_appeal(desk, appeal, lead_unit=u["ndrc"] if n == 0 else u["transport"])

    settings.DUBAN_PROJECTS_OFFICE_UNIT = "县发展和改革局"
    office = Actor(user=p["liaison"])
    for n, unit in enumerate(("transport", "ndrc")):
        project_services.create_project(
            office, name=f"年产10万吨新型建材项目{n}", investor="某某新材料有限公司", industry="materials", project_type=ProjectType.INDUSTRIAL,
            level="county", total_investment=Decimal("52000"), annual_plan=Decimal("12000"), lead_unit=u[unit],
            leader_in_charge=p["leader"] if n == 0 else None, contact_name="张经理", contact_phone="13900001111",
            stage="signed", stage_on=D(2026, 3, 2), with_procedures=False)

    Sector.ensure_defaults()
    gas = Sector.objects.get(code="gas")
    worker = kit_person(county)
    for n in range(2):
        safety_services.report_hazard(Actor(user=worker), sector=gas, place=f"城关镇南街{n}号", title="液化气钢瓶与灶具间距不足",
                                      photos=[photo()])

    task_type = ContentType.objects.get_for_model(Task)
    task = Task.objects.filter(lead_unit=u["transport"]).first()
    other = Task.objects.filter(lead_unit=u["ndrc"]).first()
    for kind, target, matter in (("remind", "transport", task), ("urge", "transport", task), ("notice", "transport", task),
                                 ("notice", "ndrc", other)):
        SupervisionAction.objects.create(
            kind=kind, state="open" if kind == "notice" else "done", matter_type=task_type, matter_id=matter.pk, matter_code=matter.code,
            matter_title=matter.title, text="督办", issued_on=D(2026, 6, 1), reply_due=D(2026, 6, 10) if kind == "notice" else None,
            target_unit=u[target], issued_by=p["supervision"])


def kit_person(county):
    from duban.core.choices import Role
    from tests.conftest import make_person

    return make_person("dongguan_wangge", county.units["dongguan"], Role.LIAISON, full_name="韩网格")


# --- reading the pages ----------------------------------------------------------------------------------

DRILL = re.compile(r'<a [^>]*data-drill[^>]*href="([^"]+)"[^>]*>(\d+)</a>|<a [^>]*href="([^"]+)"[^>]*data-drill[^>]*>(\d+)</a>')
# Each list's row marker (the lists page 50 rows; the data set stays below that).
ROWS = {
    "/ledger/": re.compile(r'<tr data-code="'),
    "/appeals/list/": re.compile(r'<tr data-testid="appeal-row"'),
    "/projects/": re.compile(r'<tr data-testid="project-row"'),
    "/projects/reports/": re.compile(r'<tr data-testid="report-row"'),
    "/safety/hazards/": re.compile(r'<tr data-testid="hazard-row"'),
    "/supervision/actions/": re.compile(r'<tr data-kind="'),
}


def drills(html: str) -> list[tuple[str, int]]:
    """Every drill-down link of the page: (its list's address, the number it shows)."""
    out = []
    for m in DRILL.finditer(html):
        href, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.append((unescape(href), int(value)))
    return out


def rows_of(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    path = url.split("?")[0]
    html = response.content.decode()
    assert path in ROWS, f"a link to a list the test does not know: {url}"
    assert 'data-testid="next-page"' not in html or "disabled" in html, f"{url}: more than one page"
    return len(ROWS[path].findall(html))


def walk(client, html: str) -> list[tuple[str, int]]:
    """Open every drill-down link of the page: each list holds exactly the number the link shows."""
    links = drills(html)
    lists = {}
    for url, value in links:
        if url not in lists:
            lists[url] = rows_of(client, url)
        assert lists[url] == value, f"{url} shows {value} on the dashboard, {lists[url]} rows on its list"
    assert {u.split("?")[0] for u in lists} == set(ROWS)  # every module's list is reached
    return links


def figure(html: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}" href="[^"]*">(\d+)</a>', html).group(1))


# --- the story ------------------------------------------------------------------------------------------


def test_the_principal_sees_the_whole_county_and_every_number_is_its_list(county, ledger, others):
    client = county.client("principal")
    html = client.get("/reports/").content.decode()

    open_tasks = Task.objects.filter(state__in=OPEN_STATES)
    assert figure(html, "open") == open_tasks.count() == 9
    assert figure(html, "red") == open_tasks.filter(light=Light.RED).count() == 4
    assert figure(html, "yellow") == open_tasks.filter(light=Light.YELLOW).count() == 2
    assert figure(html, "green") == open_tasks.filter(light=Light.GREEN).count() == 3
    assert figure(html, "finished") == Task.objects.filter(state=TaskState.CLOSED).count() == 3
    late = open_tasks.filter(due_date__lt=dt.date(2026, 6, 15)).count()  # red also counts a task under an open notice
    assert figure(html, "late") == late and late <= figure(html, "red")
    assert 'data-figure="completion">25.0%</span>' in html  # 3 closed of 3 + 9
    assert figure(html, "schedule-behind") == open_tasks.filter(schedule=Schedule.BEHIND).count() == 5
    assert figure(html, "schedule-ahead") == 1 and figure(html, "schedule-on") == 2

    links = walk(client, html)
    assert len(links) > 100  # tables by campaign, front and unit, the trend, appeals, projects, hazards, actions
    shown = {u: v for u, v in links}
    assert shown["/appeals/list/?accepted_from=2026-01-01&accepted_to=2026-06-15&counting=counted"] == 2
    assert shown["/safety/hazards/"] == Hazard.objects.count() == 2
    assert shown["/supervision/actions/"] == SupervisionAction.objects.count() == 4
    assert shown["/supervision/actions/?kind=notice"] == 2 and shown["/supervision/actions/?status=late"] == 2
    assert shown["/projects/?signed_from=2026-01-01&signed_to=2026-12-31"] == 2  # 三个一批: signed this year
    assert shown["/projects/?plan_year=2026"] == 2


def test_by_unit_the_late_units_come_first_and_a_section_counts_with_its_department(county, ledger, others):
    html = county.client("supervision").get("/reports/").content.decode()
    table = html.split('data-testid="tasks-units"')[1].split("</table>")[0]
    names = re.findall(r"<th class=\"fw-normal\">([^<]+)</th>", table)
    assert names == ["县交通运输局", "县发展和改革局", "城关镇"]  # red 2, 2 and 0; the first two tie on 欠进度 and open tasks too
    transport = Task.objects.filter(lead_unit__in=[county.units["transport"], county.units["transport_office"]], state__in=OPEN_STATES)
    assert f'lead_unit={county.units["transport"].pk}&amp;state=open">{transport.count()}<' in table


def test_the_fronts_of_the_chosen_campaign(county, ledger, others):
    campaigns, fronts = ledger
    html = county.client("principal").get(f"/reports/?campaign={campaigns['a'].pk}").content.decode()
    table = html.split('data-testid="tasks-fronts"')[1].split("</table>")[0]
    assert "1. 交通建设战线" in table and "2. 项目建设战线" in table
    for front in fronts.values():
        n = Task.objects.filter(front=front, state__in=OPEN_STATES).count()
        assert f'front={front.pk}&amp;state=open">{n}<' in table


def test_the_trend_counts_tasks_closed_and_turned_red_per_month(county, ledger, others):
    html = county.client("principal").get("/reports/").content.decode()
    table = html.split('data-testid="trend-table"')[1].split("</table>")[0]
    months = re.findall(r"<th class=\"text-end\">(\d{4}-\d\d)</th>", table)
    assert months[0] == "2025-07" and months[-1] == "2026-06" and len(months) == 12
    finished, red = (re.findall(r">(\d+)</a>", row) for row in table.split("<tr>")[2:4])
    assert dict(zip(months, map(int, finished), strict=True)) == {
        **dict.fromkeys(months, 0), "2025-12": 1, "2026-03": 1, "2026-05": 1}
    assert dict(zip(months, map(int, red), strict=True)) == {**dict.fromkeys(months, 0), "2026-04": 1, "2026-05": 1, "2026-06": 2}


def test_a_leader_in_charge_sees_their_charge_only(county, ledger, others):
    leader = county.people["leader"]
    client = county.client("leader")
    html = client.get("/reports/").content.decode()
    visible = Task.objects.visible_to(leader).filter(state__in=OPEN_STATES)
    assert figure(html, "open") == visible.count() == 4  # 县交通运输局's and its office's
    assert figure(html, "red") == visible.filter(light=Light.RED).count() == 2
    assert "城关镇" not in html.split('data-testid="tasks-units"')[1].split("</table>")[0]
    walk(client, html)
    actions = SupervisionAction.objects.visible_to(leader).count()
    assert actions == 3  # the three on 县交通运输局, not the notice to 县发改局
    assert f'href="/supervision/actions/">{actions}</a>' in html


@pytest.mark.parametrize("role, status", [("principal", 200), ("leader", 200), ("supervision", 200), ("unit_head", 403),
                                          ("liaison", 403), ("business", 403), ("sysadmin", 403)])
def test_who_may_open_the_dashboard(county, role, status):
    client = county.client(role)
    for url in ("/reports/", "/reports/screen/", "/reports/screen/data.json", "/reports/export/?table=campaigns"):
        assert client.get(url).status_code == status, url


def test_the_page_runs_a_fixed_number_of_queries_however_many_tasks(county, ledger, others):
    campaigns, fronts = ledger
    more = [("a", 1, "transport", "in_progress", "red", "behind", None, D(2026, 6, 1))] * 30 + \
           [("b", None, "chengguan", "closed", "grey", "done", D(2026, 6, 2), D(2026, 6, 5))] * 20
    office = Actor(user=county.people["supervision"])

    def computed(client):  # the figures computed each time, as after any write (kept ones are read back below)
        def get(url):
            versions.raise_now()
            return client.get(url)
        return get

    n = kit.assert_fixed_queries(computed(county.client("principal")), "/reports/", grow=lambda: add_tasks(county, campaigns, fronts, more, office))
    assert n <= 42, n
    n = kit.assert_fixed_queries(computed(county.client("leader")), "/reports/screen/data.json",
                                 grow=lambda: add_tasks(county, campaigns, fronts, more, office))
    assert n <= 42, n


def unmasked(response) -> str:
    """The page without its CSRF tokens (masked anew on every response)."""
    return re.sub(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode())


def test_the_figures_are_kept_until_the_next_write(county, ledger, others):
    """Read back while nothing is written (a few queries, the same page); computed again after any write."""
    campaigns, fronts = ledger
    client = county.client("principal")
    first = client.get("/reports/")
    kept, queries = kit.count_queries(client, "/reports/")
    assert unmasked(kept) == unmasked(first) and len(queries) <= 10, queries
    add_tasks(county, campaigns, fronts, [("a", 1, "transport", "in_progress", "red", "behind", None, D(2026, 6, 1))],
              Actor(user=county.people["supervision"]))
    again, queries = kit.count_queries(client, "/reports/")
    assert unmasked(again) != unmasked(first) and len(queries) > 10
    red = Task.objects.filter(state__in=OPEN_STATES, light="red").count()
    assert f'data-figure="red" href="/ledger/?state=open&amp;light=red">{red}<' in again.content.decode()


def test_each_table_exports_to_xlsx_with_the_pages_numbers(county, ledger, others):
    client = county.client("principal")
    response = client.get("/reports/export/?table=campaigns")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("名称", "任务总数", "在办")
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["2026年执行力亮剑行动"][2] == Task.objects.filter(campaign__name="2026年执行力亮剑行动", state__in=OPEN_STATES).count()
    assert by_name["合计"][1:3] == (Task.objects.count(), 9)
    assert by_name["合计"][-1] == 25.0
    for table in ("fronts", "units", "trend", "appeals", "investment", "batches", "hazards", "actions"):
        assert client.get(f"/reports/export/?table={table}").status_code == 200, table
    assert client.get("/reports/export/?table=nonsense").status_code == 404


def test_the_screen_data_is_the_dashboards(county, ledger, others):
    data = county.client("principal").get("/reports/screen/data.json").json()
    assert data["figures"]["open"]["value"] == 9
    assert data["figures"]["red"] == {"value": 4, "url": "/ledger/?state=open&light=red"}
    assert data["refresh"] == 180
    campaign_bars = data["charts"]["campaigns"]
    red = next(s for s in campaign_bars["series"] if s["key"] == "red")
    assert [d["value"] for d in red["data"]] == [3, 1]


def test_the_ledger_list_says_which_dashboard_filter_it_was_opened_with(county, ledger):
    html = county.client("principal").get("/ledger/?state=open&schedule=behind").content.decode()
    assert "序时进度：欠进度" in html and '<input type="hidden" name="schedule" value="behind">' in html
    assert len(ROWS["/ledger/"].findall(html)) == 5
    html = county.client("principal").get("/ledger/?state=closed&closed_after=2026-05-01&closed_before=2026-05-31").content.decode()
    assert "办结日期不早于：2026年5月1日" in html and len(ROWS["/ledger/"].findall(html)) == 1


@pytest.mark.parametrize("role, shown", [("principal", True), ("leader", True), ("supervision", True), ("unit_head", False),
                                         ("liaison", False)])
def test_the_nav_offers_the_dashboard_to_the_leaders_and_the_office(county, role, shown):
    html = county.client(role).get("/").content.decode()
    assert ('data-testid="nav-dashboard"' in html) is shown


def test_the_job_precomputes_the_county_and_each_leader_once_per_version(county, ledger, others, django_capture_on_commit_callbacks):
    """reports.precompute (a minute after each sweep slot) computes what the last writes made stale, for the county
    and every leader in charge; the next readers find it kept; with nothing written since, it computes nothing."""
    from duban.core.jobs import run_now
    from duban.core.models import JobRun
    from duban.reports import kept

    clients = {role: county.client(role) for role in ("principal", "leader")}  # signing in writes: before
    readers = kept.readers()
    assert readers[0].username in ("shuji", "ducha") and county.people["leader"] in readers
    assert kept.precompute() == 2 * len(readers)
    assert kept.precompute() == 0
    for role, client in clients.items():
        _response, queries = kit.count_queries(client, "/reports/")
        assert not any('"ledger_task"' in q for q in queries), role  # read back, not counted
    campaigns, fronts = ledger
    add_tasks(county, campaigns, fronts, [("a", 1, "transport", "in_progress", "red", "behind", None, D(2026, 6, 1))],
              Actor(user=county.people["supervision"]))
    with django_capture_on_commit_callbacks(execute=True):
        run_now(Actor(user=county.people["sysadmin"]), "reports.precompute")
    assert JobRun.objects.get(name="reports.precompute").message == f"重算 {2 * len(readers)} 份驾驶舱数字"
    assert kept.precompute() == 0


def test_names_in_the_exports_stay_text(county, ledger, others):
    """A campaign named like a formula is written as text (quoted), never as a formula Excel would run."""
    campaigns, _fronts = ledger
    Campaign.objects.filter(pk=campaigns["a"].pk).update(name='=HYPERLINK("http://x","y")')
    response = county.client("principal").get("/reports/export/?table=campaigns")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=3) if row[0].value == '=HYPERLINK("http://x","y")']
    assert cells and cells[0].data_type == "s" and cells[0].quotePrefix
