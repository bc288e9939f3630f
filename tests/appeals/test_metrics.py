"""The appeals' rates (issue 8, acceptance 4): on a fixed set of appeals built through the services under frozen
time, the page shows the figures a person counts by hand — counted, ruled-out, repeat, sent-back, re-opened, late,
declined and merged appeals among them — and every figure links to a list of exactly that many appeals."""

import io
import re
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.http import QueryDict

from duban.appeals import services
from duban.appeals.choices import Category, Outcome, Rating
from duban.appeals.filters import AppealFilter
from duban.appeals.models import Appeal
from tests.appeals.conftest import as_actor, at, credit_code, fresh

pytestmark = pytest.mark.django_db

JUNE = {"accepted_from": "2026-06-01", "accepted_to": "2026-06-30"}
NOW = "2026-06-12"  # a Friday; June 2026 has no holiday before the 19th


@pytest.fixture
def book(county, submit, desk):
    """Thirteen appeals; the fate of each beside it (limits: sign 1, reply 5 working days)."""
    units = county.units
    hands = {units["ndrc"]: as_actor(county.people["liaison"]), units["transport"]: as_actor(county.people["unit_head"]),
             units["chengguan"]: as_actor(county.people["township_liaison"])}
    made = {}

    def new(key, category, serial, **more):
        made[key] = submit(category=category, credit_code=credit_code(serial), enterprise_name=f"企业{serial}", **more).appeal
        return made[key]

    def accept(key):
        services.accept_appeal(desk, fresh(made[key]))

    def dispatch(key, unit):
        services.dispatch_appeal(desk, fresh(made[key]), lead_unit=units[unit])

    def sign(key):
        appeal = fresh(made[key])
        services.sign_appeal(hands[appeal.lead_unit], appeal)

    def send_back(key):
        appeal = fresh(made[key])
        services.send_back_appeal(hands[appeal.lead_unit], appeal, reason="不属于本单位职责")

    def reply(key, outcome=Outcome.RESOLVED):
        appeal = fresh(made[key])
        services.reply_appeal(hands[appeal.lead_unit], appeal, public_text="已办理。", outcome=outcome,
                              legal_basis="《土地管理法》第四十四条" if outcome == Outcome.UNRESOLVABLE else "")

    def rate(key, rating):
        services.rate_appeal(desk, fresh(made[key]), rating=rating, comment="" if rating != Rating.UNSATISFIED else "没有解决")

    with at("2026-05-29"):  # A0: accepted in May, outside the period
        new("A0", Category.LAND, 100)
        accept("A0"), dispatch("A0", "ndrc"), sign("A0"), reply("A0"), rate("A0", Rating.SATISFIED)
    with at("2026-06-01"):
        for key, category, serial in (("A1", Category.UTILITIES, 1), ("A2", Category.LAND, 2), ("A3", Category.UTILITIES, 3),
                                      ("A4", Category.APPROVAL, 4), ("A5", Category.LAND, 5), ("A9", Category.LAND, 9),
                                      ("A10", Category.FINANCING, 10), ("A11", Category.APPROVAL, 11), ("A13", Category.FINANCING, 13)):
            new(key, category, serial)
            accept(key)
        new("A6", Category.OTHER, 6)
        services.decline_appeal(desk, fresh(made["A6"]), reason="属于民事纠纷，请通过诉讼解决")  # declined: never counted
        new("A7", Category.LAND, 9)  # A9's enterprise again: merged into A9, not counted
        accept("A7")
        services.merge_appeal(desk, fresh(made["A7"]), into=fresh(made["A9"]))
        dispatch("A1", "ndrc"), sign("A1")            # A1 ndrc: signed on the day (limit 6-2)
        dispatch("A2", "ndrc")                        # A2 ndrc: signed 6-3, late
        dispatch("A3", "transport")                   # A3 transport: sent back 6-2, then ndrc
        dispatch("A4", "chengguan")                   # A4 chengguan: signed 6-2, on the limit
        dispatch("A5", "ndrc"), sign("A5")            # A5 closed, then ruled out
        dispatch("A9", "transport"), sign("A9")       # A9 transport: reply limit 6-8 passes unanswered
        dispatch("A11", "transport"), send_back("A11")  # A11: sent back by transport twice, then chengguan
        dispatch("A13", "ndrc"), sign("A13")          # A13 ndrc: replied, rated unsatisfied, re-opened, overdue
    with at("2026-06-02"):
        send_back("A3"), dispatch("A3", "ndrc"), sign("A3")
        sign("A4")
        dispatch("A10", "chengguan")                  # A10 chengguan: limit 6-3, signed 6-4, late
        dispatch("A11", "transport"), send_back("A11")
        reply("A5"), rate("A5", Rating.SATISFIED)
        reply("A13")                                  # on time (limit 6-8)
    with at("2026-06-03"):
        sign("A2")                                    # reply limit 6-10
        reply("A1"), rate("A1", Rating.SATISFIED)     # A1 closed 6-3, 2 working days after acceptance
        dispatch("A11", "chengguan")
        rate("A13", Rating.UNSATISFIED)               # re-opened: new reply limit 6-10, passes unanswered
        services.exclude_appeal(desk, fresh(made["A5"]), reason="属于省级事权，超出县级权限")
    with at("2026-06-04"):
        sign("A10")                                   # reply limit 6-11
        reply("A4", Outcome.PARTLY)                   # on time (limit 6-9)
    with at("2026-06-05"):
        reply("A3"), rate("A3", Rating.SATISFIED)     # on time (limit 6-9), 4 working days
        rate("A4", Rating.UNSATISFIED)                # re-opened: reply limit 6-12
        reply("A10", Outcome.UNRESOLVABLE)            # on time, awaiting call-back, 4 working days
    with at("2026-06-08"):
        sign("A11")                                   # reply limit 6-15: not yet due
    with at("2026-06-10"):
        reply("A4"), rate("A4", Rating.SATISFIED)     # second round on time; 7 working days
    with at("2026-06-11"):
        new("A8", Category.UTILITIES, 1)              # A1's enterprise, within 90 days of its closing: a repeat (ndrc)
        accept("A8"), dispatch("A8", "ndrc")          # sign limit 6-12: still within it on 6-12
        new("A12", Category.OTHER, 12)
        accept("A12")                                 # accepted, not dispatched
    with at("2026-06-12"):
        reply("A2", Outcome.PARTLY), rate("A2", Rating.BASIC)  # late (limit 6-10), 9 working days
    return made


def cells(html: str, testid: str) -> dict[str, list[str]]:
    """label → the row's figures as shown, in the page's column order (a send-back count keeps its (n 次))."""
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)[1]
    rows = {}
    for row in re.findall(r'<tr data-testid="metrics-row"[^>]*>(.*?)</tr>', table, re.S):
        values = [re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[values[0]] = values[1:]
    return rows


def page(client, **params):
    with at(NOW, 18):
        response = client.get("/appeals/metrics/", {**JUNE, **params})
    assert response.status_code == 200
    return response.content.decode()


# Columns: 受理 | 应签收 按时签收 响应率 | 已办结 已解决 解决率 | 已评价 满意 满意率 | 应答复 按时 按时办结率 | 已答复 平均时长 | 退单 | 重复
def test_the_rates_equal_the_hand_counts(county, book):
    html = page(county.client("business"))
    # Counted: A1 A2 A3 A4 A8 A9 A10 A11 A12 A13 = 10 (A5 ruled out, A6 declined, A7 merged, A0 accepted in May).
    # 响应 (first dispatch): on time A1 A4 A9 A13; late A2 (signed 6-3 > 6-2), A3 A11 (sent back), A10 (6-4 > 6-3);
    #   A8 within its limit, A12 not dispatched → 4 / 8 = 50.0%.
    # 解决: closed A1 A2 A3 A4; last outcome resolved A1 A3 A4 (A2 partly) → 3 / 4 = 75.0%.
    # 满意: latest ratings A1 满意, A2 基本满意, A3 满意, A4 满意 (after 不满意), A13 不满意 (re-opened) → 4 / 5 = 80.0%.
    # 按时: due A1 A2 A3 A4 A10 (replied) + A9 A13 (办理中 past the limit on 6-12) = 7; on time A1 A3 A4 A10 → 57.1%.
    # 平均时长: A1 2 + A2 9 + A3 4 + A4 7 + A10 4 + A13 1 = 27 working days over 6 replied → 4.5.
    # 退单: A3 (once) and A11 (twice) → 2 appeals, 3 send-backs; 重复: A8 → 1.
    assert cells(html, "by-category") == {
        # utilities A1 A3 A8: response A1 on, A3 late; closed A1 A3 both resolved; days 2 + 4
        "水电气": ["3", "2", "1", "50.0%", "2", "2", "100.0%", "2", "2", "100.0%", "2", "2", "100.0%", "2", "3.0", "1", "1"],
        # land A2 A9: response A2 late, A9 on; A2 closed partly; A2 late reply, A9 overdue
        "用地": ["2", "2", "1", "50.0%", "1", "0", "0.0%", "1", "1", "100.0%", "2", "0", "0.0%", "1", "9.0", "0", "0"],
        # approval A4 A11: A4 on, A11 late (sent back); A4 resolved; A11 not yet due to reply
        "审批": ["2", "2", "1", "50.0%", "1", "1", "100.0%", "1", "1", "100.0%", "1", "1", "100.0%", "1", "7.0", "1（2次）", "0"],
        # financing A10 A13: A10 late, A13 on; none closed; A13 rated unsatisfied; A10 on time, A13 overdue; days 4 + 1
        "融资": ["2", "2", "1", "50.0%", "0", "0", "—", "1", "0", "0.0%", "2", "1", "50.0%", "2", "2.5", "0", "0"],
        "其他": ["1", "0", "0", "—", "0", "0", "—", "0", "0", "—", "0", "0", "—", "0", "—", "0", "0"],
        "合计": ["10", "8", "4", "50.0%", "4", "3", "75.0%", "5", "4", "80.0%", "7", "4", "57.1%", "6", "4.5", "2（3次）", "1"],
    }
    # By unit: the lead unit, but the first dispatch's unit for the response, the unit that sent back for send-backs
    # and the unit that closed the earlier appeal for repeats.
    assert cells(html, "by-unit") == {
        # ndrc leads A1 A2 A3 A8 A13; first dispatch A1 on, A2 late, A13 on (A8 within limit); closed A1 A2 A3, resolved
        # A1 A3; rated A1 A2 A3 A13, satisfied three; due A1 A2 A3 A13, on time A1 A3; days 2 + 9 + 4 + 1; A8 repeats A1
        "县发展和改革局": ["5", "3", "2", "66.7%", "3", "2", "66.7%", "4", "3", "75.0%", "4", "2", "50.0%", "4", "4.0", "0", "1"],
        # transport leads A9 (overdue); first dispatch of A3 (sent back), A9 (on time), A11 (sent back); sent back A3, A11 ×2
        "县交通运输局": ["1", "3", "1", "33.3%", "0", "0", "—", "0", "0", "—", "1", "0", "0.0%", "0", "—", "2（3次）", "0"],
        # chengguan leads A4 A10 A11; first dispatch A4 on, A10 late; A4 closed resolved; A4 A10 on time; days 7 + 4
        "城关镇": ["3", "2", "1", "50.0%", "1", "1", "100.0%", "1", "1", "100.0%", "2", "2", "100.0%", "2", "5.5", "0", "0"],
    }
    ruled = re.search(r'data-testid="ruled-out-count">(\d+)</a>', html)[1]
    assert ruled == "1" and book["A5"].code in html and "属于省级事权，超出县级权限" in html


def links(html: str, at_least: int = 100) -> list[tuple[str, int]]:
    """Every linked number of the page: (the list's query, the number)."""
    found = [(href, int(n)) for href, n in re.findall(r'<a href="(/appeals/list/\?[^"]+)"[^>]*>(\d+)</a>', html)]
    assert len(found) > at_least
    return [(href.replace("&amp;", "&"), n) for href, n in found]


@pytest.mark.parametrize("role", ["business", "leader"])
def test_each_number_links_to_exactly_that_many_appeals(county, book, rf, role):
    user = county.people[role]  # the leader's list, like their figures, holds only what they may see
    html = page(county.client(role))
    request = rf.get("/appeals/list/")
    request.user = user
    with at(NOW, 18):
        for href, number in links(html, at_least=100 if role == "business" else 20):
            params = QueryDict(urlsplit(href).query)
            filterset = AppealFilter(params, queryset=Appeal.objects.visible_to(user), request=request)
            assert filterset.is_valid(), (href, filterset.errors)
            assert filterset.qs.count() == number, href


def test_the_sent_back_and_repeat_lists_name_their_appeals(county, book, rf):
    user = county.people["business"]
    html = page(county.client("business"))
    unit_table = re.search(r'data-testid="by-unit">(.*?)</table>', html, re.S)[1]
    request = rf.get("/appeals/list/")
    request.user = user

    def codes(figure, label):
        row = re.search(rf"<td>{label}</td>(.*?)</tr>", unit_table, re.S)[1]
        href = re.search(rf'data-figure="{figure}"><a href="([^"]+)"', row)[1].replace("&amp;", "&")
        with at(NOW, 18):
            filterset = AppealFilter(QueryDict(urlsplit(href).query), queryset=Appeal.objects.visible_to(user), request=request)
            return sorted(filterset.qs.values_list("code", flat=True))

    assert codes("sent_back", "县交通运输局") == sorted([book["A3"].code, book["A11"].code])
    assert codes("repeats", "县发展和改革局") == [book["A8"].code]
    assert codes("responded", "县交通运输局") == [book["A9"].code]
    assert codes("timely_due", "县交通运输局") == [book["A9"].code]


def test_a_leader_sees_the_rates_of_the_units_in_their_charge(county, book):
    # 李副县长 is in charge of 交通运输局, which leads A9 alone now (A3 and A11 went on to other units).
    html = page(county.client("leader"))
    assert cells(html, "by-category")["合计"] == ["1", "1", "1", "100.0%", "0", "0", "—", "0", "0", "—", "1", "0", "0.0%",
                                                 "0", "—", "0", "0"]
    assert set(cells(html, "by-unit")) == {"县交通运输局"}


def test_the_period_and_category_narrow_every_figure(county, book):
    html = page(county.client("business"), accepted_from="2026-06-11", category=Category.UTILITIES)
    # Only A8 (utilities, accepted 6-11): dispatched, still within its sign limit, a repeat of A1.
    assert cells(html, "by-category") == {
        "水电气": ["1", "0", "0", "—", "0", "0", "—", "0", "0", "—", "0", "0", "—", "0", "—", "0", "1"],
        "合计": ["1", "0", "0", "—", "0", "0", "—", "0", "0", "—", "0", "0", "—", "0", "—", "0", "1"],
    }
    may = page(county.client("business"), accepted_from="2026-05-01", accepted_to="2026-05-31")
    assert cells(may, "by-category")["合计"][:7] == ["1", "1", "1", "100.0%", "1", "1", "100.0%"]  # A0 alone


def test_the_export_holds_the_same_figures(county, book):
    with at(NOW, 18):
        response = county.client("business").get("/appeals/metrics/export/", JUNE)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["诉求办理指标"]
    rows = {row[0]: list(row[1:]) for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["合计"] == [10, 8, 4, 50.0, 4, 3, 75.0, 5, 4, 80.0, 7, 4, 57.1, 6, 4.5, 2, 3, 1]
    assert rows["县交通运输局"] == [1, 3, 1, 33.3, 0, 0, None, 0, 0, None, 1, 0, 0.0, 0, None, 2, 3, 0]


def test_the_units_do_not_see_the_rates_page(county, book):
    with at(NOW, 18):
        for role in ("liaison", "unit_head"):
            assert county.client(role).get("/appeals/metrics/").status_code == 403
            assert county.client(role).get("/appeals/metrics/export/").status_code == 403
