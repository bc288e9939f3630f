"""The issue's whole story in Chromium (acceptance 1), the enterprise on a phone (390×844) and no account: it submits
with an attachment and gets its tracking number; the business office accepts and dispatches; the unit sends it back
once (counted); dispatched again, the right unit replies on its phone; the enterprise rates it unsatisfied on the
tracking page; it re-opens; the second reply is rated satisfied and it closes — each state checked on screen."""

import pytest
from playwright.sync_api import expect

from duban.appeals.choices import AppealState
from duban.appeals.models import Appeal, AppealReply
from duban.core.models import Attachment
from duban.matters.models import MatterEvent
from tests.appeals.conftest import credit_code
from tests.appeals.test_public_e2e_phone import PHONE, photo
from tests.safety.test_e2e_phone import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_appeal_goes_round_from_the_enterprises_phone_to_closed(browser, live_server, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    refused: list[str] = []

    def watch(page):
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    enterprise_context = browser.new_context(locale="zh-CN", **PHONE)
    enterprise = watch(enterprise_context.new_page())
    enterprise.set_default_timeout(10_000)
    enterprise.goto(live_server.url + "/appeal/")
    form = enterprise.get_by_test_id("intake-form")
    form.get_by_label("企业名称").fill("宁夏某某新材料有限公司")
    form.get_by_label("统一社会信用代码").fill(credit_code(7))
    form.get_by_label("联系人").fill("马经理")
    form.get_by_label("联系电话").fill("13900001111")
    form.get_by_text("水电气", exact=True).click()
    form.get_by_label("诉求内容").fill("厂区新建车间用电增容申请已提交两个月，至今未安排勘察。")
    form.get_by_label("附件").set_input_files([{"name": "申请回执.png", "mimeType": "image/png", "buffer": photo()}])
    form.get_by_role("button", name="提交诉求").click()
    number = enterprise.get_by_test_id("tracking-number").inner_text().strip()
    code = enterprise.get_by_test_id("query-code").inner_text().strip()
    appeal = Appeal.objects.get(code=number)
    assert Attachment.objects.filter(owner_type="appeals.Appeal", owner_id=str(appeal.pk)).count() == 1

    def track(expected: str):
        enterprise.goto(live_server.url + "/appeal/track/")
        if enterprise.get_by_test_id("track-form").count():
            enterprise.get_by_test_id("track-form").get_by_label("受理编号").fill(number)
            enterprise.get_by_test_id("track-form").get_by_label("查询码").fill(code)
            enterprise.get_by_test_id("track-form").get_by_role("button", name="查询").click()
        expect(enterprise.get_by_test_id("status")).to_have_text(expected)

    track("已提交待受理")

    office = watch(open_as(browser, live_server, "yingshang"))
    page_url = f"{live_server.url}/appeals/{number}/"
    office.goto(page_url)
    expect(office.get_by_test_id("state")).to_have_text("待受理")
    office.get_by_test_id("act-accept").click()
    office.get_by_role("button", name="受理").click()
    expect(office.get_by_test_id("state")).to_have_text("待派单")

    def dispatch(unit_name: str):
        office.get_by_test_id("act-dispatch").click()
        office.get_by_label("承办单位").select_option(label=unit_name)
        office.get_by_role("button", name="派单").click()
        expect(office.get_by_test_id("state")).to_have_text("待签收")

    dispatch("县交通运输局")

    # The wrong unit sends it back, with its reason; counted against it.
    wrong = watch(open_as(browser, live_server, "jiaotong_head", **PHONE))
    wrong.goto(page_url)
    wrong.get_by_test_id("act-send-back").tap()
    wrong.get_by_label("退单理由").fill("用电增容属供电企业和发改局职责，不属本局。")
    wrong.get_by_role("button", name="退单").tap()
    expect(wrong.get_by_test_id("state")).to_have_text("待派单")
    office.goto(page_url)
    expect(office.get_by_test_id("state")).to_have_text("待派单")
    expect(office.get_by_text("退单次数")).to_be_visible()
    assert Appeal.objects.get(pk=appeal.pk).sendback_count == 1
    assert MatterEvent.objects.get(kind="appeals.appeal", matter_id=appeal.pk, event="sent_back").unit == county.units["transport"]
    dispatch("县发展和改革局")

    unit = watch(open_as(browser, live_server, "fagai_lly", **PHONE))

    def reply(text: str, outcome: str):
        unit.goto(page_url)
        if unit.get_by_test_id("do-sign").count():
            unit.get_by_test_id("do-sign").tap()
        expect(unit.get_by_test_id("state")).to_have_text("办理中")
        unit.get_by_test_id("act-reply").tap()
        unit.get_by_label("答复企业内容").fill(text)
        unit.get_by_label(outcome, exact=True).check()
        unit.get_by_role("button", name="答复").tap()
        expect(unit.get_by_test_id("state")).to_have_text("待回访")

    def rate(choice: str, comment: str = ""):
        rating = enterprise.get_by_test_id("rating-form")
        rating.get_by_text(choice, exact=True).click()
        if comment:
            rating.get_by_label("评价意见").fill(comment)
        rating.get_by_role("button", name="提交评价").click()

    reply("已协调供电公司本周五现场勘察。", "部分解决")
    track("已答复")
    expect(enterprise.get_by_test_id("reply-text")).to_have_text("已协调供电公司本周五现场勘察。")
    rate("不满意", "只答应勘察，没有完成时间")
    expect(enterprise.get_by_test_id("status")).to_have_text("办理中")
    assert Appeal.objects.get(pk=appeal.pk).reopen_count == 1

    reply("供电公司已承诺7月15日前完成增容，施工队已进场。", "已解决")
    track("已答复")
    rate("满意")
    expect(enterprise.get_by_test_id("status")).to_have_text("已办结")
    office.goto(page_url)
    expect(office.get_by_test_id("state")).to_have_text("已办结")

    appeal = Appeal.objects.get(pk=appeal.pk)
    assert (appeal.state, appeal.sendback_count, appeal.reopen_count, appeal.rating) == (AppealState.CLOSED, 1, 1, "satisfied")
    assert list(AppealReply.objects.filter(appeal=appeal).order_by("round").values_list("outcome", "rating")) == [
        ("partly", "unsatisfied"), ("resolved", "satisfied")]
    assert refused == [], refused
    enterprise_context.close()
