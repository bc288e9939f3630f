"""The dashboard and the big screen in Chromium (issue 11, acceptance 4): the charts are drawn (a canvas of more than
one colour), nothing goes to the console as an error, a click on a chart segment lands on its list, the screen
refreshes its figures in place; screenshots of both are saved to /tmp/shots/."""

import pathlib

import pytest

from duban.core.actor import Actor
from duban.ledger.models import Campaign, Front, Task
from tests.reports.test_dashboard import TASKS, add_tasks

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = pathlib.Path("/tmp/shots")

# Distinct colours of a canvas, read back from its pixels (a blank or single-colour canvas has at most one).
COLOURS = """(selector) => {
  const canvases = document.querySelectorAll(selector + " canvas");
  if (!canvases.length) return 0;
  const c = canvases[0];
  const ctx = c.getContext("2d");
  const data = ctx.getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4 * 97) { if (data[i + 3] > 0) seen.add(data[i] + "," + data[i + 1] + "," + data[i + 2]); }
  return seen.size;
}"""

# Where, in page coordinates, the middle of one stacked bar's segment is: ECharts' own convertToPixel.
SEGMENT = """([id, seriesKey, index]) => {
  const chart = window.dubanCharts[id];
  const option = chart.getOption();
  const series = option.series;
  let below = 0, value = 0, url = "";
  for (const s of series) {
    const d = s.data[index];
    const v = (d && typeof d === "object") ? d.value : d;
    if (s.itemStyle && s.name && seriesKey === s.name) { value = v; url = d.url; break; }
    below += v || 0;
  }
  const [x, y] = chart.convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [index, below + value / 2]);
  const box = document.getElementById(id).getBoundingClientRect();
  return { x: box.left + x, y: box.top + y, url: url, value: value };
}"""


@pytest.fixture
def county_ledger(county):
    u = county.units
    campaigns = {"a": Campaign.objects.create(name="2026年执行力亮剑行动", year=2026),
                 "b": Campaign.objects.create(name="2026年营商环境攻坚行动", year=2026)}
    fronts = {n: Front.objects.create(campaign=campaigns["a"], number=n, name=name, lead_unit=u["ndrc"])
              for n, name in ((1, "交通建设战线"), (2, "项目建设战线"))}
    add_tasks(county, campaigns, fronts, TASKS, Actor(user=county.people["supervision"]))
    return campaigns


def watch_console(page):
    """Errors on the console and failed requests (the site's icon too: base.html names it)."""
    errors = []
    page.on("console", lambda m: errors.append(f"{m.text} @ {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfinished", lambda r: errors.append(f"{r.url}") if r.response() and r.response().status >= 400 else None)
    return errors


def test_the_dashboard_draws_its_charts_and_a_bar_segment_opens_its_list(page, live_server, sign_in, county, county_ledger):
    errors = watch_console(page)
    sign_in("shuji")
    page.get_by_test_id("nav-dashboard").click()
    page.wait_for_url(live_server.url + "/reports/")
    page.wait_for_function("document.documentElement.dataset.chartsDrawn === '1'")
    for chart in ("#chart-campaigns", "#chart-trend", "#chart-fronts", "#chart-appeals", "#chart-investment"):
        assert page.evaluate(COLOURS, chart) > 1, f"{chart} is blank"
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(300)  # the charts follow the window's size
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    # The red segment of the first campaign's bar: 3 open tasks lit red.
    page.locator("#chart-campaigns").scroll_into_view_if_needed()
    spot = page.evaluate(SEGMENT, ["chart-campaigns", "红灯", 0])
    assert spot["value"] == 3
    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_url(f"**{spot['url']}")
    campaign = county_ledger["a"]
    assert spot["url"] == f"/ledger/?campaign={campaign.pk}&state=open&light=red"
    assert page.locator("tr[data-code]").count() == 3 == Task.objects.filter(campaign=campaign, light="red", state="in_progress").count()
    assert errors == [], errors


def test_the_big_screen_is_dark_full_size_and_refreshes_in_place(page, live_server, sign_in, county, county_ledger):
    errors = watch_console(page)
    sign_in("ducha")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(live_server.url + "/reports/")
    page.get_by_test_id("to-screen").click()
    page.wait_for_url(live_server.url + "/reports/screen/")
    page.wait_for_function("document.documentElement.dataset.chartsDrawn === '1'")
    for chart in ("#screen-campaigns", "#screen-lights", "#screen-trend", "#screen-appeals", "#screen-investment"):
        assert page.evaluate(COLOURS, chart) > 1, f"{chart} is blank"
    background = page.evaluate("getComputedStyle(document.querySelector('.screen')).backgroundColor")
    assert background == "rgb(7, 16, 31)"
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080 + 4  # one screen, no scrolling
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.screen-value')).fontSize)")
    assert size >= 48
    red = page.locator('[data-screen-figure="red"] .screen-value')
    assert red.inner_text() == "4"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "screen.png"))

    # Two more tasks turn red; the next refresh shows them without reloading the page.
    page.evaluate("window.__same_page = true")
    for task in Task.objects.filter(light="green", state__in=["in_progress", "assigned"])[:2]:
        Task.objects.filter(pk=task.pk).update(light="red")
    page.evaluate("window.dubanScreenRefresh()")
    page.wait_for_function("document.querySelector('[data-screen-figure=\"red\"] .screen-value').textContent === '6'")
    assert page.evaluate("window.__same_page") is True
    assert errors == [], errors
