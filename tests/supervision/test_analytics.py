"""中梗阻 analytics: given a March of real work in the fixture county (tasks moved through the ledger's
services under frozen time), each role sees exactly its scope's numbers, every number is exact, and each
links to a ledger list of exactly its matters.

The county on 2026-03-20 (a Friday; March 2026 has no holidays), N = 10 working days, so the idle cutoff
is Sunday 8 March (a report on Monday 9 March is 9 working days old):

    task  lead unit            story                                                   idle  dwell
    A     交通运输局           registered 3-2, signed, report 3-3                        yes   14
    B     交通运输局           registered 3-9, signed, report 3-9                        no     9
    C     交通运输局办公室     registered 3-5, never signed                              yes   11
    D     交通运输局           report 3-3, completion 3-4, returned 3-5                  yes   14
    E     交通运输局           paused 3-3, resumed 3-10 (5 working days stood still)     no     9
    F     城关镇               交通 asks to pass it on (→ 发改), 发改 asks too (→ 城关) 3-6  yes   10
    G     交通运输局           交通 asks to pass it on twice, refused twice               yes   14
    H     交通运输局           completion 3-4, closed 3-5                                 —      2
    N     发展和改革局         registered 3-2, report 3-16                                no    14
"""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.core import calendar
from duban.core.choices import Role, UnitKind
from duban.ledger import services
from duban.ledger.choices import EventKind, TaskState
from duban.ledger.filters import idle_cutoff
from duban.ledger.kind import TASK_KIND
from duban.ledger.models import Task
from duban.matters.models import MatterEvent
from duban.supervision import analytics
from tests.conftest import make_person, make_unit
from tests.ledger.conftest import as_actor, campaign, make_task  # noqa: F401 — fixtures
from tests.ledger.moves import at, reload

pytestmark = pytest.mark.django_db

COUNTY_URL = "/supervision/obstruction/"
TODAY = "2026-03-20 10:00"
CODE = re.compile(r'<tr data-code="([^"]+)"')
ROW = re.compile(r'<tr data-unit="(\d+)">(.*?)</tr>', re.S)
FIGURE = re.compile(r'href="([^"]*)" data-figure="(\w+)"[^>]*>([^<]*)<')
DWELL = re.compile(r'data-figure="dwell">([^<\s]+)')


def unit_url(unit) -> str:
    return f"/supervision/obstruction/units/{unit.pk}/"


def table(response, testid="obstruction-table") -> dict[str, dict]:
    """unit id → {figure: (number, href)} and "dwell": the median as shown, from a figures table."""
    assert response.status_code == 200, response.content[:500]
    html = response.content.decode().split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for unit_id, body in ROW.findall(html):
        figures = {name: (int(number), href.replace("&amp;", "&")) for href, name, number in FIGURE.findall(body)}
        figures["dwell"] = DWELL.search(body)[1]
        rows[unit_id] = figures
    return rows


def numbers(rows: dict, unit) -> dict:
    row = rows[str(unit.pk)]
    return {name: value if name == "dwell" else value[0] for name, value in row.items()}


def listed(client, href: str) -> list[str]:
    """The codes of the ledger list behind a link (all pages: the list shows 50 a page)."""
    response = client.get(href)
    assert response.status_code == 200, response.content[:500]
    return CODE.findall(response.content.decode())


@pytest.fixture
def march(county, make_task, time_machine):
    """The story of the module docstring, every step through the ledger's services."""
    u, p = county.units, county.people
    lead = make_person("jiaotong_lly", u["transport"], Role.LIAISON, full_name="陈联络")
    ndrc = p["liaison"]
    office = as_actor(p["supervision"])
    me = as_actor(lead)
    t = {}

    at(time_machine, "2026-03-02 09:00")
    for key in "A":
        t[key] = make_task(title=f"{key} 任务")
    at(time_machine, "2026-03-05 09:00")
    t["C"] = make_task(title="C 办公室任务", lead_unit=u["transport_office"])
    at(time_machine, "2026-03-02 09:00")
    for key in "DEFGH":
        t[key] = make_task(title=f"{key} 任务")
    t["N"] = make_task(title="N 发改任务", lead_unit=u["ndrc"], responsible_person=ndrc)
    for key in "ADEH":
        services.sign_task(me, t[key])
    services.sign_task(as_actor(ndrc), t["N"])

    at(time_machine, "2026-03-03 09:00")
    services.report_progress(me, reload(t["A"]), percent=10, text="已启动")
    services.report_progress(me, reload(t["D"]), percent=90, text="基本完成")
    services.report_progress(me, reload(t["H"]), percent=90, text="基本完成")
    services.pause_clock(office, reload(t["E"]), reason="等待省厅批复")
    services.request_reassignment(me, reload(t["F"]), reason="属于发改局职责", suggested_unit=u["ndrc"])
    services.request_reassignment(me, reload(t["G"]), reason="属于发改局职责", suggested_unit=u["ndrc"])

    at(time_machine, "2026-03-04 09:00")
    services.request_completion(me, reload(t["D"]), summary="已完成", no_evidence_reason="已现场核验")
    services.request_completion(me, reload(t["H"]), summary="已完成", no_evidence_reason="已现场核验")
    services.decide_reassignment(office, t["F"].reassign_requests.get(), approve=True)
    services.decide_reassignment(office, t["G"].reassign_requests.get(), approve=False, note="仍由交通局办理")

    at(time_machine, "2026-03-05 09:00")
    services.return_task(office, reload(t["D"]), reason="缺少验收材料")
    services.close_task(office, reload(t["H"]), checklist=[True, True, True], grade="good")
    services.request_reassignment(as_actor(ndrc), reload(t["F"]), reason="属于城关镇", suggested_unit=u["chengguan"])

    at(time_machine, "2026-03-06 09:00")
    services.decide_reassignment(office, t["F"].reassign_requests.get(state="pending"), approve=True)

    at(time_machine, "2026-03-09 09:00")
    t["B"] = make_task(title="B 任务")
    services.sign_task(me, t["B"])
    services.report_progress(me, reload(t["B"]), percent=20, text="已开工")

    at(time_machine, "2026-03-10 09:00")
    services.resume_clock(office, reload(t["E"]))
    services.request_reassignment(me, reload(t["G"]), reason="确属发改局职责", suggested_unit=u["ndrc"])

    at(time_machine, "2026-03-11 09:00")
    services.decide_reassignment(office, t["G"].reassign_requests.get(state="pending"), approve=False)

    at(time_machine, "2026-03-16 09:00")
    services.report_progress(as_actor(ndrc), reload(t["N"]), percent=30, text="推进中")

    at(time_machine, TODAY)
    return {key: reload(task) for key, task in t.items()}


def codes(march, letters: str) -> set[str]:
    return {march[letter].code for letter in letters}


# --- the story's state, as the services left it ----------------------------------------------------


def test_the_story_is_what_the_numbers_are_about(county, march):
    u = county.units
    assert {k: (t.state, t.lead_unit_id, t.reassign_count, t.return_count) for k, t in march.items() if k in "DFGH"} == {
        "D": (TaskState.IN_PROGRESS, u["transport"].pk, 0, 1),
        "F": (TaskState.ASSIGNED, u["chengguan"].pk, 2, 0),
        "G": (TaskState.ASSIGNED, u["transport"].pk, 2, 0),
        "H": (TaskState.CLOSED, u["transport"].pk, 0, 0),
    }
    assert march["E"].paused_since is None and march["A"].last_report_on == dt.date(2026, 3, 3)


# --- the county table ---------------------------------------------------------------------------------


TRANSPORT = {"in_hand": 6, "dwell": "11", "returns": 1, "reassigns": 3, "idle": 4, "passed_on": 1}
NDRC = {"in_hand": 1, "dwell": "14", "returns": 0, "reassigns": 1, "idle": 0, "passed_on": 0}
CHENGGUAN = {"in_hand": 1, "dwell": "10", "returns": 0, "reassigns": 0, "idle": 1, "passed_on": 1}
EMPTY = {"in_hand": 0, "dwell": "—", "returns": 0, "reassigns": 0, "idle": 0, "passed_on": 0}


@pytest.mark.parametrize("role", ["supervision", "principal"])
def test_the_office_and_principal_leaders_see_every_county_level_unit(county, march, role):
    rows = table(county.client(role).get(COUNTY_URL))
    u = county.units
    # One row per county-level unit (departments, townships, offices), sub-units rolled up, leadership left out.
    assert set(rows) == {str(u[k].pk) for k in ("supervision", "business", "safety", "transport", "ndrc", "chengguan", "it")}
    assert numbers(rows, u["transport"]) == TRANSPORT
    assert numbers(rows, u["ndrc"]) == NDRC
    assert numbers(rows, u["chengguan"]) == CHENGGUAN
    assert numbers(rows, u["business"]) == EMPTY


def test_a_leader_sees_the_units_in_his_charge_with_the_same_numbers(county, march):
    rows = table(county.client("leader").get(COUNTY_URL))
    assert list(rows) == [str(county.units["transport"].pk)]
    assert numbers(rows, county.units["transport"]) == TRANSPORT


@pytest.mark.parametrize("role", ["unit_head", "liaison", "section_liaison", "township_liaison", "business", "safety",
                                  "sysadmin", "secadmin", "auditadmin"])
def test_the_county_table_is_not_for_units_nor_for_other_offices(county, march, role):
    assert county.client(role).get(COUNTY_URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(COUNTY_URL).status_code == 302


@pytest.mark.parametrize("role", ["supervision", "leader"])
def test_every_number_links_to_exactly_its_matters(county, march, role):
    client = county.client(role)
    rows = table(client.get(COUNTY_URL))
    expected = {
        (county.units["transport"].pk, "in_hand"): "ABCDEG",
        (county.units["transport"].pk, "idle"): "ACDG",
        (county.units["transport"].pk, "passed_on"): "G",
        (county.units["transport"].pk, "returns"): "D",
        (county.units["transport"].pk, "reassigns"): "FG",
    }
    if role == "supervision":
        expected |= {
            (county.units["chengguan"].pk, "idle"): "F",
            (county.units["chengguan"].pk, "passed_on"): "F",
            (county.units["ndrc"].pk, "reassigns"): "F",
            (county.units["ndrc"].pk, "in_hand"): "N",
            (county.units["business"].pk, "idle"): "",
        }
    for (unit_id, figure), letters in expected.items():
        number, href = rows[str(unit_id)][figure]
        assert set(listed(client, href)) == codes(march, letters), (unit_id, figure, href)
    # Counts of matters equal the numbers; returns and reassignment requests count times (G was asked twice).
    for unit_id, figures in rows.items():
        for figure in ("in_hand", "idle", "passed_on"):
            number, href = figures[figure]
            assert len(listed(client, href)) == number, (unit_id, figure)


def test_the_links_are_the_ledgers_own_filters(county, march):
    rows = table(county.client("supervision").get(COUNTY_URL))
    transport = county.units["transport"].pk
    query = {name: parse_qs(urlsplit(href).query) for name, (_n, href) in rows[str(transport)].items() if name != "dwell"}
    assert query == {
        "in_hand": {"lead_unit": [str(transport)], "state": ["open"]},
        "idle": {"lead_unit": [str(transport)], "idle": ["10"]},
        "passed_on": {"lead_unit": [str(transport)], "state": ["open"], "passed_on": ["2"]},
        "returns": {"returned_by": [str(transport)]},
        "reassigns": {"reassign_by": [str(transport)]},
    }


def test_n_comes_from_the_query_and_the_boundary_day_counts(county, march):
    office = county.client("supervision")
    transport = county.units["transport"]
    # B reported on Monday 9 March: 9 working days ago on Friday the 20th. E's clock resumed on the 10th: 8.
    assert numbers(table(office.get(COUNTY_URL, {"idle": 9})), transport)["idle"] == 5
    number, href = table(office.get(COUNTY_URL, {"idle": 9}))[str(transport.pk)]["idle"]
    assert set(listed(office, href)) == codes(march, "ABCDG")
    assert numbers(table(office.get(COUNTY_URL, {"idle": 8})), transport)["idle"] == 6  # E too
    assert numbers(table(office.get(COUNTY_URL, {"idle": 15})), transport)["idle"] == 0  # G: 14 working days
    assert numbers(table(office.get(COUNTY_URL, {"idle": 14})), transport)["idle"] == 1


def test_a_bad_n_falls_back_to_ten_and_says_so(county, march):
    response = county.client("supervision").get(COUNTY_URL, {"idle": "abc"})
    assert 'data-testid="idle-error"' in response.content.decode()
    assert numbers(table(response), county.units["transport"])["idle"] == 4
    assert county.client("supervision").get("/ledger/", {"idle": "0"}).status_code == 200  # the list refuses it in its form


def test_the_table_sorts_by_every_column(county, march):
    office = county.client("supervision")
    u = county.units

    def order(sort):
        return [int(pk) for pk in table(office.get(COUNTY_URL, {"sort": sort}))]

    assert order("-idle")[:2] == [u["transport"].pk, u["chengguan"].pk]  # the default: most idle first
    assert order("-in_hand")[:1] == [u["transport"].pk]
    assert order("-reassigns")[:2] == [u["transport"].pk, u["ndrc"].pk]
    assert order("-dwell")[:3] == [u["ndrc"].pk, u["transport"].pk, u["chengguan"].pk]  # 14, 11, 10; none last
    assert order("dwell")[:3] == [u["chengguan"].pk, u["transport"].pk, u["ndrc"].pk]
    assert order("-passed_on")[-1] != u["transport"].pk
    assert order("unit") == sorted(order("unit"), key=lambda pk: next(x.sort_key for x in u.values() if x.pk == pk))
    assert order("nonsense") == order("-idle")
    html = office.get(COUNTY_URL, {"sort": "-idle", "idle": 9}).content.decode()
    assert 'href="?sort=idle&amp;idle=9" data-sort="idle"' in html  # the header flips the order, keeps N


def test_the_kind_filter_keeps_like_with_like(county, march):
    rows = table(county.client("supervision").get(COUNTY_URL, {"kind": UnitKind.TOWNSHIP}))
    assert list(rows) == [str(county.units["chengguan"].pk)]


def test_the_page_defines_its_numbers(county, march):
    html = county.client("supervision").get(COUNTY_URL).content.decode()
    block = html.split('data-testid="definitions"', 1)[1]
    for term in ("在办事项", "办理时长中位数", "退回整改", "申请调整", "久拖未报（≥10个工作日）", "多次推转", "挂起、暂停期间不计"):
        assert term in block
    assert 'class="table-responsive"' in html


# --- a unit's page ------------------------------------------------------------------------------------


def figure_cards(response) -> dict[str, int]:
    html = response.content.decode().split('data-testid="unit-figures"', 1)[1].split('data-testid=', 1)[0]
    return {name: int(number) for name, number in re.findall(r'data-figure="(\w+)"><div class="small text-muted">[^<]*</div><div class="fs-4 fw-bold[^"]*">(\d+)', html)}


def list_codes(response, testid) -> list[str]:
    html = response.content.decode().split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-code="([^"]+)"', html)


def test_a_unit_head_sees_his_unit_with_its_lists_and_trend(county, march):
    head = county.client("unit_head")
    response = head.get(unit_url(county.units["transport"]))
    # F now lies with 城关镇, outside the unit head's scope: his own reassignment request on it is not his to see.
    assert figure_cards(response) == {"in_hand": 6, "dwell": 11, "returns": 1, "reassigns": 2, "idle": 4, "passed_on": 1}
    assert list_codes(response, "idle-list") == [march[k].code for k in "GACD"]  # longest idle first
    html = response.content.decode()
    days = dict(re.findall(r'<tr data-code="([^"]+)">.*?<td class="text-end">(\d+)</td>', html.split('data-testid="idle-list"', 1)[1].split("</table>", 1)[0], re.S))
    assert days == {march["G"].code: "14", march["A"].code: "13", march["C"].code: "11", march["D"].code: "11"}
    assert list_codes(response, "passed-on-list") == [march["G"].code]
    assert 'data-flag="passed-on"' in html.split('data-testid="passed-on-list"', 1)[1].split("</table>", 1)[0]
    assert list_codes(response, "returned-list") == [march["D"].code]
    children = table(response, "children-table")
    assert numbers(children, county.units["transport_office"]) == {"in_hand": 1, "dwell": "11", "returns": 0, "reassigns": 0, "idle": 1, "passed_on": 0}
    trend = dict(re.findall(r'data-month="([\d-]+)"><td>[^<]*</td>((?:<td class="text-end">\d+</td>){3})', html))
    assert list(trend) == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    assert re.findall(r"\d+", trend["2026-03"]) == ["1", "1", "2"]  # H closed, D returned, G asked twice
    assert re.findall(r"\d+", trend["2026-02"]) == ["0", "0", "0"]
    # the links on his page list exactly what he may see
    links = dict(re.findall(r'href="([^"]*)" data-figure="(\w+)"', html.split('data-testid="unit-figures"', 1)[1].split("</div>\n\n", 1)[0]))
    by_figure = {figure: href.replace("&amp;", "&") for href, figure in links.items()}
    assert set(listed(head, by_figure["reassigns"])) == codes(march, "G")
    assert set(listed(head, by_figure["idle"])) == codes(march, "ACDG")
    assert 'href="/supervision/obstruction/' not in html.split("<main", 1)[1].split('data-testid="unit-figures"', 1)[0]  # no county link


UNIT_PAGES = {
    "supervision": {"transport": 200, "transport_office": 200, "ndrc": 200, "chengguan": 200, "dongguan": 200},
    "principal": {"transport": 200, "ndrc": 200},
    "leader": {"transport": 200, "transport_office": 200, "ndrc": 404, "chengguan": 404},
    "unit_head": {"transport": 200, "transport_office": 200, "ndrc": 404, "chengguan": 404},
    "section_liaison": {"transport_office": 200, "transport": 404},
    "liaison": {"ndrc": 200, "transport": 404, "chengguan": 404},
    "township_liaison": {"chengguan": 200, "dongguan": 404, "transport": 404},
    "business": {"transport": 403, "ndrc": 403},
    "sysadmin": {"transport": 403},
    "auditadmin": {"transport": 403},
}


@pytest.mark.parametrize("role", sorted(UNIT_PAGES))
def test_each_role_opens_exactly_the_unit_pages_of_its_scope(county, march, role):
    client = county.client(role)
    seen = {key: client.get(unit_url(county.units[key])).status_code for key in UNIT_PAGES[role]}
    assert seen == UNIT_PAGES[role]
    assert client.get("/supervision/obstruction/units/999999/").status_code == (403 if UNIT_PAGES[role].get("transport") == 403 else 404)


def test_a_liaison_sees_her_own_numbers_and_the_links_agree(county, march):
    liaison = county.client("liaison")  # 县发展和改革局
    response = liaison.get(unit_url(county.units["ndrc"]))
    # F, which 发改 asked to pass on, now lies with 城关镇: outside her scope, so neither counted nor listed.
    assert figure_cards(response) == {"in_hand": 1, "dwell": 14, "returns": 0, "reassigns": 0, "idle": 0, "passed_on": 0}
    township = county.client("township_liaison").get(unit_url(county.units["chengguan"]))
    assert figure_cards(township) == {"in_hand": 1, "dwell": 10, "returns": 0, "reassigns": 0, "idle": 1, "passed_on": 1}
    assert list_codes(township, "passed-on-list") == [march["F"].code]


# --- definitions at the edges ---------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["2026-01-20", "2026-02-10", "2026-02-14", "2026-02-22", "2026-09-28", "2026-10-08", "2026-12-31"])
def test_the_idle_cutoff_is_the_last_day_n_working_days_back(start):
    today = dt.date.fromisoformat(start)
    for n in (1, 2, 5, 10, 20):
        cutoff = idle_cutoff(n, today)
        assert calendar.workdays_between(cutoff, today) >= n
        assert calendar.workdays_between(cutoff + dt.timedelta(days=1), today) == n - 1


def test_the_median_dwell_leaves_out_paused_days_and_counts_to_the_completion_request(county, march):
    figures = analytics.unit_figures(county.people["supervision"], [county.units["transport"]], kind=TASK_KIND, idle_days=10, today=dt.date(2026, 3, 20))
    assert sorted(figures[0].dwell) == [2, 9, 9, 11, 14, 14, 14]  # H, B, E (14 − 5 paused), C, A, D, G
    assert figures[0].median_dwell == 11


def test_a_matter_closed_last_year_does_not_count_in_this_years_median(county, march, time_machine):
    at(time_machine, "2027-01-05 10:00")
    figures = analytics.unit_figures(county.people["supervision"], [county.units["transport"]], kind=TASK_KIND, idle_days=10, today=dt.date(2027, 1, 5))
    assert len(figures[0].dwell) == 6  # H (closed in 2026) is out; the six in hand remain


def test_a_year_without_calendar_data_does_not_crash(county, march, time_machine):
    at(time_machine, "2031-06-02 10:00")
    rows = table(county.client("supervision").get(COUNTY_URL))
    assert numbers(rows, county.units["transport"])["idle"] == 6


# --- a fixed number of queries ------------------------------------------------------------------------------


def grow(county, campaign, n_units: int, n_tasks: int):
    """`n_units` more departments in the leader's charge, each with a section, and `n_tasks` tasks with events
    and requests for each of them and for 县交通运输局."""
    from duban.core.models import LeaderCharge
    from duban.ledger.models import CompletionRequest, ReassignRequest

    leader = county.people["leader"]
    start = Task.objects.count()
    for i in range(start, start + n_units):
        dept = make_unit(f"县第{i}局", UnitKind.DEPARTMENT)
        LeaderCharge.objects.create(leader=leader, unit=dept)
        section = make_unit(f"县第{i}局股室", UnitKind.SECTION, parent=dept)
        if i == start:
            dept, section = county.units["transport"], county.units["transport_office"]
        tasks = Task.objects.bulk_create([
            Task(campaign=campaign, code=f"2026-9{i:03d}{k:02d}", state=TaskState.IN_PROGRESS, title=f"批量{i}-{k}",
                 lead_unit=section if k % 2 else dept, leader_in_charge=leader, due_date=dt.date(2026, 12, 31),
                 reassign_count=k % 3, return_count=k % 2)
            for k in range(n_tasks)
        ])
        MatterEvent.objects.bulk_create([
            MatterEvent(kind="ledger.task", matter_id=t.pk, unit_id=t.lead_unit_id, person_name="t", event=event)
            for t in tasks for event in (EventKind.REGISTERED, EventKind.REASSIGN_REQUESTED, EventKind.RETURNED)])
        ReassignRequest.objects.bulk_create([ReassignRequest(task=t, unit=dept, reason="x", state="rejected") for t in tasks])
        CompletionRequest.objects.bulk_create([CompletionRequest(task=t, summary="x", state="rejected") for t in tasks])


@pytest.mark.parametrize(("role", "url"), [("supervision", "county"), ("leader", "county"), ("unit_head", "unit"), ("supervision", "unit")])
def test_the_pages_run_a_fixed_number_of_queries(county, campaign, django_assert_num_queries, role, url):  # noqa: F811
    client = county.client(role)
    path = COUNTY_URL if url == "county" else unit_url(county.units["transport"])
    grow(county, campaign, 2, 2)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    grow(county, campaign, 18, 20)
    with django_assert_num_queries(len(few)):
        assert client.get(path).status_code == 200
    assert len(few) <= 24


def test_dwell_runs_from_the_signature_or_before_it_from_the_arrival(county, make_task, time_machine):
    head = as_actor(county.people["unit_head"])
    at(time_machine, "2026-03-02 09:00")
    late = make_task(title="晚签收")
    unsigned = make_task(title="未签收")
    at(time_machine, "2026-03-06 09:00")
    services.sign_task(head, late)
    figures = analytics.unit_figures(county.people["supervision"], [county.units["transport"]], kind=TASK_KIND, idle_days=10, today=dt.date(2026, 3, 20))
    # 3-6 → 3-20: 10 working days; 3-2 → 3-20: 14.
    assert sorted(figures[0].dwell) == [10, 14]
    assert unsigned.signed_at is None


def test_the_export_names_the_analytics_filters_it_was_cut_with(county, march):
    from django.http import QueryDict

    from duban.ledger.excel.export import describe_filters
    from duban.ledger.filters import TaskFilter

    params = QueryDict(f"lead_unit={county.units['transport'].pk}&idle=10&passed_on=2")
    filterset = TaskFilter(params, queryset=Task.objects.all())
    assert set(filterset.qs.values_list("code", flat=True)) == codes(march, "G")
    assert describe_filters(filterset) == "牵头单位（含下级单位）：县交通运输局；连续未报送进展的工作日不少于：10；申请调整次数不少于：2"
