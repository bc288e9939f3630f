"""The staff's side in Chromium: the business office enters a phone appeal on a desktop, accepts and dispatches it;
the unit's liaison, on a phone (390×844), finds it on the home page, signs for it in one tap and replies; the office
calls back and the appeal closes — each state checked on screen, and no page breaking the CSP."""

import pytest
from playwright.sync_api import expect

from duban.appeals.choices import AppealState
from duban.appeals.models import Appeal
from tests.safety.test_e2e_phone import PHONE, open_as  # the e2e tests' sign-in in a device of their own

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_phone_appeal_goes_from_the_desk_to_the_unit_on_its_phone_and_back_to_closed(browser, live_server, county, sign_in):
    office = sign_in("yingshang")  # the desktop page: tests.browser fails the test on any CSP refusal
    office.get_by_test_id("nav-appeals").click()
    office.get_by_test_id("new-appeal").click()
    office.get_by_label("电话", exact=True).check()
    office.get_by_label("企业名称").fill("某某新材料有限公司")
    office.get_by_label("联系人").fill("马经理")
    office.get_by_label("联系电话").fill("13900001111")
    office.get_by_label("诉求类别").select_option(label="水电气")
    office.get_by_label("诉求内容").fill("电话反映：车间用电增容勘察两个月未安排。")
    office.get_by_role("button", name="登记").click()
    expect(office.get_by_test_id("state")).to_have_text("待受理")
    appeal = Appeal.objects.get()
    office.get_by_test_id("act-accept").click()
    office.get_by_role("button", name="受理").click()
    expect(office.get_by_test_id("state")).to_have_text("待派单")
    office.get_by_test_id("act-dispatch").click()
    office.get_by_label("承办单位").select_option(label="县发展和改革局")
    office.get_by_role("button", name="派单").click()
    expect(office.get_by_test_id("state")).to_have_text("待签收")

    unit = open_as(browser, live_server, "fagai_lly", **PHONE)
    refused: list[str] = []
    unit.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    unit.get_by_role("link", name=f"{appeal.code} {appeal.title}").click()
    unit.get_by_test_id("do-sign").tap()
    expect(unit.get_by_test_id("state")).to_have_text("办理中")
    unit.get_by_test_id("act-reply").tap()
    unit.get_by_label("答复企业内容").fill("已协调供电公司6月8日现场勘察，7月15日前完成增容。")
    unit.get_by_label("已解决").check()
    unit.get_by_role("button", name="答复").tap()
    expect(unit.get_by_test_id("state")).to_have_text("待回访")

    office.goto(live_server.url + "/appeals/")
    expect(office.get_by_test_id("count-replied")).to_have_text("1")
    office.get_by_test_id("queue-replied").get_by_role("link", name=appeal.code).click()
    office.get_by_test_id("act-rate").click()
    office.get_by_label("满意", exact=True).check()
    office.get_by_role("button", name="回访评价").click()
    expect(office.get_by_test_id("state")).to_have_text("已办结")
    expect(office.get_by_test_id("rating")).to_contain_text("满意")
    assert Appeal.objects.get().state == AppealState.CLOSED
    assert refused == []
