"""整改率 and 按期整改率 (issue 10, acceptance 4): on a fixed set of hazards the page shows the counts a person
counts by hand, by sector and by township, and every figure links to exactly its hazards."""

import datetime as dt
import re

import pytest

from duban.core.choices import Role
from duban.safety import services
from duban.safety.models import Hazard
from tests.conftest import make_person
from tests.safety.conftest import as_actor, at, photo

pytestmark = pytest.mark.django_db


def fresh(hazard):
    return Hazard.objects.get(pk=hazard.pk)


@pytest.fixture
def ledger(county, report, assign, forest, other_township):
    """Seven hazards on 20 June 2026, each with the fate written beside it."""
    office = as_actor(county.people["safety"])
    liaisons = {county.units["chengguan"]: as_actor(county.people["township_liaison"]),
                other_township: as_actor(make_person("guanmiao_lly", other_township, Role.LIAISON))}
    done = {}

    def finish(hazard, day, *, verify_on=None):
        hazard = fresh(hazard)
        with at(day):
            services.request_verification(liaisons[hazard.lead_unit], hazard, result="已整改", photos=[photo("整改后.jpg")])
        if verify_on:
            with at(verify_on):
                services.verify_hazard(office, fresh(hazard), note="合格")

    with at("2026-06-01"):
        done["on_time"] = report(place="南街1号")                      # gas, done 6-10 ≤ 6-12, struck off
        done["late_closed"] = report(place="南街2号")                  # gas, done 6-15 > 6-12, struck off
        done["overdue"] = report(place="南街3号")                      # gas, still rectifying on 6-20: late
        done["spot"] = report(place="南街4号", on_the_spot=True, result="当场更换软管", after_photos=[photo()])  # on time
        done["not_due"] = report(place="林场1号", sector=forest)       # forest, due 6-30: not yet due
        done["elsewhere"] = report(place="关庙街1号", township=other_township, by=county.people["safety"])  # gas, 关庙镇
        for key in ("on_time", "late_closed", "overdue"):
            assign(fresh(done[key]))  # due 6-12
        assign(fresh(done["elsewhere"]), lead_unit=other_township)
        assign(fresh(done["not_due"]), due_date=dt.date(2026, 6, 30))
    with at("2026-06-18"):
        done["unassigned"] = report(place="林场2号", sector=forest)    # forest, found, not on the clock
    finish(done["on_time"], "2026-06-10", verify_on="2026-06-11")
    finish(done["late_closed"], "2026-06-15", verify_on="2026-06-16")
    finish(done["elsewhere"], "2026-06-12")  # done on the deadline, awaiting verification
    return done


def cells(html: str, testid: str) -> dict[str, list[str]]:
    """The rows of one rate table: label → [found, closed, 整改率, due, on time, late, 按期整改率]."""
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)[1]
    rows = {}
    for row in re.findall(r'<tr data-testid="rate-row"[^>]*>(.*?)</tr>', table, re.S):
        values = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[values[0]] = values[1:]
    return rows


def test_the_rates_equal_the_hand_counts_by_sector_and_township(county, ledger):
    with at("2026-06-20"):
        html = county.client("safety").get("/safety/hazards/rates/").content.decode()
    # by sector: 燃气 5 found (4 in 城关镇, 1 in 关庙镇), 3 struck off; due: all 5; on time: 南街1号, 当场整改, 关庙街1号
    assert cells(html, "by-sector") == {
        "燃气": ["5", "3", "60.0%", "5", "3", "2", "60.0%"],
        "森林防火": ["2", "0", "0.0%", "0", "0", "0", "—"],
        "合计": ["7", "3", "42.9%", "5", "3", "2", "60.0%"],
    }
    assert cells(html, "by-township") == {
        "关庙镇": ["1", "0", "0.0%", "1", "1", "0", "100.0%"],
        "城关镇": ["6", "3", "50.0%", "4", "2", "2", "50.0%"],
        "合计": ["7", "3", "42.9%", "5", "3", "2", "60.0%"],
    }


def test_each_figure_links_to_exactly_its_hazards(county, ledger):
    client = county.client("safety")
    with at("2026-06-20"):
        html = client.get("/safety/hazards/rates/").content.decode()
        sector_table = re.search(r'data-testid="by-sector">(.*?)</table>', html, re.S)[1]
        gas_row = re.search(r'<tr data-testid="rate-row">\s*<td>燃气</td>(.*?)</tr>', sector_table, re.S)[1]
        links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', gas_row)]
        late = client.get(links[4]).content.decode()  # found, closed, due, on time, late
        on_time = client.get(links[3]).content.decode()
    codes = lambda page: sorted(re.findall(r'href="/safety/hazards/(YH[0-9-]+)/"', page))  # noqa: E731
    assert codes(late) == sorted([ledger["late_closed"].code, ledger["overdue"].code])
    assert codes(on_time) == sorted([ledger["on_time"].code, ledger["spot"].code, ledger["elsewhere"].code])


def test_a_township_sees_the_rates_of_its_own_hazards_only(county, ledger, township_head):
    from django.test import Client

    client = Client()
    client.force_login(township_head)
    with at("2026-06-20"):
        html = client.get("/safety/hazards/rates/").content.decode()
    assert set(cells(html, "by-township")) == {"城关镇", "合计"}
    assert cells(html, "by-sector")["合计"] == ["6", "3", "50.0%", "4", "2", "2", "50.0%"]


def test_the_period_filters_by_the_day_found(county, ledger):
    with at("2026-06-20"):
        html = county.client("safety").get("/safety/hazards/rates/", {"found_from": "2026-06-10"}).content.decode()
    assert cells(html, "by-sector") == {"森林防火": ["1", "0", "0.0%", "0", "0", "0", "—"],
                                         "合计": ["1", "0", "0.0%", "0", "0", "0", "—"]}
