"""单位画像 (/reports/units/<pk>/): every number links to a list of exactly that many rows; who may see it; a fixed
number of queries."""

import datetime as dt
import re

import pytest

from duban.appeals import services as appeals
from duban.core.actor import Actor
from duban.ledger import services as ledger
from duban.matters import registry
from duban.supervision.models import SupervisionAction
from tests.appeals.conftest import desk, fresh, submit  # noqa: F401  (fixtures)
from tests.kit.queries import assert_fixed_queries
from tests.ledger.conftest import campaign, make_task  # noqa: F401  (fixtures)
from tests.safety.conftest import assign, gas, grid_worker, report  # noqa: F401  (fixtures)
from tests.supervision.conftest import noticed, record  # noqa: F401  (fixtures)

FIGURE = re.compile(r'<a href="([^"]+)" data-figure="([^"]+)"(?: data-matters="(\d+)")?>(\d+)')


def figures(html: str) -> dict[str, tuple[str, int, int | None]]:
    return {name: (href.replace("&amp;", "&"), int(number), int(matters) if matters else None)
            for href, name, matters, number in FIGURE.findall(html)}


def rows_on(client, url: str, kind_key: str | None) -> int:
    """The distinct matters (or 督办记录) a list page shows, by the links to their pages."""
    html = client.get(url).content.decode()
    if kind_key is None:  # the action list: each row links to its record's page
        return len(set(re.findall(r'href="(/supervision/actions/\d+/)"', html)))
    prefix = registry.get(kind_key).url("CODE").split("CODE")[0]
    return len(set(re.findall(r'href="(' + re.escape(prefix) + r'[^"/]*\d[^"/]*/)"', html)))


@pytest.fixture
def transport(county, record, make_task, time_machine, submit, desk, report, assign):
    """县交通运输局 on 20 October 2026: its tasks and their 督办 (the supervision record), one task whose completion
    was sent back twice, one it asked to pass on, two appeals dispatched to it (one sent back), one hazard."""
    u, p = county.units, county.people
    office, head = Actor(user=p["supervision"]), Actor(user=p["unit_head"])
    returned = make_task(title="完成县道桥梁检测")
    ledger.sign_task(head, returned)
    for reason in ("检测报告未盖章", "缺少第三方检测结论"):
        ledger.request_completion(head, fresh(returned), summary="已完成", no_evidence_reason="已现场核验")
        ledger.return_task(office, fresh(returned), reason=reason)
    passing = make_task(title="统筹城区停车场建设")
    ledger.request_reassignment(head, passing, reason="属于住建局职责", suggested_unit=u["ndrc"])
    appeals_of_unit = []
    for n in range(2):
        appeal = submit(description=f"物流园区道路破损，第{n + 1}次反映，请尽快安排修复，影响货车通行。").appeal
        appeals.accept_appeal(desk, appeal)
        appeals.dispatch_appeal(desk, fresh(appeal), lead_unit=u["transport"])
        appeals_of_unit.append(fresh(appeal))
    appeals.send_back_appeal(head, appeals_of_unit[0], reason="道路属城关镇管养")
    hazard = report()
    assign(hazard, lead_unit=u["transport"], due_date=dt.date(2026, 11, 20))
    return {"returned": returned, "passing": passing, "hazard": hazard, "appeals": appeals_of_unit}


def test_every_number_links_to_exactly_its_rows(county, transport):
    office = county.client("supervision")
    unit = county.units["transport"]
    response = office.get(f"/reports/units/{unit.pk}/")
    assert response.status_code == 200
    shown = figures(response.content.decode())
    assert shown["ledger.task:total"][1] == 4  # the record's A (2026-0001) and its notice's task, the returned and the passed on
    assert (shown["appeals.appeal:total"][1], shown["safety.hazard:total"][1], shown["safety.hazard:green"][1]) == (2, 1, 1)
    # Sent back twice, one task; one request to pass a task on; one appeal sent back (退单) by the unit.
    assert shown["ledger.task:returns"][1:] == (2, 1)
    assert shown["ledger.task:reassigns"][1:] == (1, 1)
    assert shown["appeals.appeal:reassigns"][1:] == (1, 1)
    assert shown["action:total"][1] == SupervisionAction.objects.filter(target_unit__path__startswith=unit.path).count() > 0
    walked = 0
    for name, (href, number, matters) in shown.items():
        key, _, column = name.partition(":")
        if key == "action":
            assert rows_on(office, href, None) == number, name
        elif column in ("returns", "reassigns"):
            assert rows_on(office, href, key) == matters, name
        else:
            assert rows_on(office, href, key) == number, name
        walked += 1
    assert walked >= 20


def test_the_score_trend_is_the_board_of_each_of_the_last_twelve_months(county, transport):
    unit = county.units["transport"]
    html = county.client("principal").get(f"/reports/units/{unit.pk}/").content.decode()
    months = re.findall(r'<tr data-month="([\d-]+)"><td><a href="/scoring/\?period=[\d-]+">[^<]+</a></td><td class="text-end">([^<]+)</td>', html)
    assert [m for m, _ in months] == ["2025-11", "2025-12"] + [f"2026-{n:02d}" for n in range(1, 11)]
    # No rules are set: every month the base score (scoring.scores.board), and the chart gets the same numbers.
    assert {score for _, score in months} == {"100.00"}
    assert 'id="profile-score-data"' in html and "vendor/echarts/echarts.min.js" in html and "duban/profile.js" in html
    # A section is not ranked: its profile says so instead of drawing an empty chart.
    section = county.client("principal").get(f"/reports/units/{county.units['transport_office'].pk}/").content.decode()
    assert 'id="profile-score-chart"' not in section and "不单独参加考核排名" in section


@pytest.mark.parametrize("role, unit, status", [
    ("principal", "ndrc", 200), ("supervision", "chengguan", 200),
    ("leader", "transport", 200), ("leader", "transport_office", 200), ("leader", "ndrc", 404),
    ("unit_head", "transport", 200), ("unit_head", "transport_office", 200), ("unit_head", "ndrc", 404),
    ("liaison", "ndrc", 200), ("liaison", "transport", 404),
    ("section_liaison", "transport", 404), ("business", "transport", 404),
])
def test_who_may_see_a_profile(county, role, unit, status):
    assert county.client(role).get(f"/reports/units/{county.units[unit].pk}/").status_code == status


def test_a_missing_unit_is_404_and_anonymous_goes_to_log_in(county, client):
    assert county.client("supervision").get("/reports/units/999999/").status_code == 404
    assert client.get(f"/reports/units/{county.units['transport'].pk}/").status_code == 302


def test_the_profile_runs_a_fixed_number_of_queries(county, transport, make_task, submit, desk):
    unit = county.units["transport"]
    head = Actor(user=county.people["unit_head"])

    def grow():
        for n in range(3):
            task = make_task(title=f"国道沿线第{n + 1}批整治")
            ledger.sign_task(head, task)
        appeal = submit(description="园区路灯损坏已一个月，夜间货车进出存在安全隐患，请尽快修复。").appeal
        appeals.accept_appeal(desk, appeal)
        appeals.dispatch_appeal(desk, fresh(appeal), lead_unit=unit)

    assert assert_fixed_queries(county.client("supervision"), f"/reports/units/{unit.pk}/", grow) <= 100


def test_the_board_links_each_unit_to_its_profile(county, transport):
    html = county.client("supervision").get("/scoring/?period=2026-09").content.decode()
    assert f'href="/reports/units/{county.units["transport"].pk}/"' in html


def test_the_unit_page_links_to_the_profile_for_whoever_may_see_it(county):
    transport = county.units["transport"].pk
    assert f'href="/reports/units/{transport}/"' in county.client("unit_head").get(f"/units/{transport}/").content.decode()
    # The business office finds 县交通运输局 in the directory but may not see its matters: no link.
    page = county.client("business").get(f"/units/{transport}/")
    assert page.status_code == 200 and "/reports/units/" not in page.content.decode()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_score_chart_draws_in_chromium_and_a_point_opens_its_month(county, page, sign_in, live_server):
    errors, missing = [], []
    # The browser's own request for /favicon.ico (the site declares none) is not the page's.
    page.on("console", lambda message: errors.append((message.text, message.location.get("url", "")))
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    sign_in("ducha")
    unit = county.units["transport"]
    page.goto(f"{live_server.url}/reports/units/{unit.pk}/")
    page.locator("#profile-score-chart canvas").wait_for()
    painted = page.evaluate("""() => {
        const canvas = document.querySelector('#profile-score-chart canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { ink++; } }
        return {ink, width: canvas.width, height: canvas.height};
    }""")
    assert painted["height"] >= 200 and painted["ink"] > 1000, painted
    page.screenshot(path="/tmp/profile_chart.png", full_page=False)
    # The last point (this month) opens the board of that month.
    x, y = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('profile-score-chart'));
        const data = JSON.parse(document.getElementById('profile-score-data').textContent);
        const last = data.months.length - 1;
        const box = document.getElementById('profile-score-chart').getBoundingClientRect();
        const [px, py] = chart.convertToPixel({seriesIndex: 0}, [last, data.scores[last]]);
        return [box.left + px, box.top + py];
    }""")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r".*/scoring/\?period=\d{4}-\d{2}$"))
    assert errors == [] and missing == [], (errors, missing)
