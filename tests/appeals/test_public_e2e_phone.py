"""In Chromium at phone size (390×844), no account: an enterprise fills the appeal form with a photo, submits, reads
its tracking number and query code on screen, opens its appeal on the tracking page with them, reads the unit's
answer there and rates it unsatisfied (re-opened); the poster prints on one A4 sheet."""

import io
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from duban.appeals import services
from duban.appeals.choices import AppealState, Outcome
from duban.appeals.models import Appeal
from duban.core.actor import Actor
from duban.core.models import Attachment
from tests.appeals.conftest import credit_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SHOTS = os.environ.get("DUBAN_SCREENSHOTS", "")  # a folder: the pages are saved there to be looked at


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 110, 190)).save(out, "PNG")
    return out.getvalue()


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_an_enterprise_submits_on_a_phone_and_follows_its_appeal_with_the_number_and_code(browser, live_server, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DUBAN_COUNTY_NAME = "同心县"
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)

    page.goto(live_server.url + "/appeal/")
    expect(page.get_by_test_id("appeal-header")).to_have_text("同心县 · 企业诉求直通车")
    shot(page, "appeal-intake")
    form = page.get_by_test_id("intake-form")
    form.get_by_label("企业名称").fill("宁夏某某新材料有限公司")
    good = credit_code(3)
    form.get_by_label("统一社会信用代码").fill(good[:-1] + ("0" if good[-1] != "0" else "1"))  # a wrong check character
    form.get_by_label("联系人").fill("马经理")
    form.get_by_label("联系电话").fill("13900001111")
    form.get_by_text("水电气", exact=True).click()
    form.get_by_label("诉求内容").fill("厂区新建车间用电增容申请已提交两个月，至今未安排勘察。")
    form.get_by_role("button", name="提交诉求").click()

    # The check character does not fit: said on the field, nothing stored; the rest of the form is kept.
    expect(page.get_by_test_id("error-credit_code")).to_contain_text("校验码不符")
    shot(page, "appeal-intake-error")
    assert Appeal.objects.count() == 0
    form = page.get_by_test_id("intake-form")
    expect(form.get_by_label("联系人")).to_have_value("马经理")
    form.get_by_label("统一社会信用代码").fill(good)
    form.get_by_label("附件").set_input_files([{"name": "申请回执.png", "mimeType": "image/png", "buffer": photo()}])
    form.get_by_label("对承办单位保密我的企业身份").check()
    form.get_by_role("button", name="提交诉求").click()

    expect(page.get_by_test_id("save-hint")).to_contain_text("保存截图")
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    code = page.get_by_test_id("query-code").inner_text().strip()
    shot(page, "appeal-done")
    appeal = Appeal.objects.get()
    assert (appeal.code, appeal.state, appeal.identity_hidden) == (number, AppealState.SUBMITTED, True)
    assert Attachment.objects.filter(owner_type="appeals.Appeal", owner_id=str(appeal.pk)).count() == 1
    assert "/appeal/done/" in page.url and code not in page.url

    page.get_by_test_id("to-track").click()
    track = page.get_by_test_id("track-form")
    track.get_by_label("受理编号").fill(number)
    track.get_by_label("查询码").fill(code)
    track.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交待受理")
    expect(page.get_by_test_id("tracking-number")).to_have_text(number)
    shot(page, "appeal-track")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    # Answered by the unit (through the services: the desk's pages are tested on their own), the enterprise
    # reads the answer on the same page and is not satisfied: the appeal goes back to the unit.
    desk, unit = Actor(user=county.people["business"]), Actor(user=county.people["liaison"])
    appeal = Appeal.objects.get()
    services.accept_appeal(desk, appeal)
    services.dispatch_appeal(desk, Appeal.objects.get(), lead_unit=county.units["ndrc"])
    services.sign_appeal(unit, Appeal.objects.get())
    services.reply_appeal(unit, Appeal.objects.get(), public_text="已协调供电公司本周五现场勘察。", outcome=Outcome.PARTLY,
                          internal_note="增容需省公司批复")
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("已答复")
    expect(page.get_by_test_id("unit")).to_have_text("县发展和改革局")
    expect(page.get_by_test_id("reply-text")).to_have_text("已协调供电公司本周五现场勘察。")
    rating = page.get_by_test_id("rating-form")
    rating.get_by_text("不满意", exact=True).click()
    rating.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("error-comment")).to_contain_text("请说明不满意的原因")
    page.get_by_test_id("rating-form").get_by_label("评价意见").fill("只答应勘察，没有时间表")
    shot(page, "appeal-rating")
    page.get_by_test_id("rating-form").get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("status")).to_have_text("办理中")
    expect(page.get_by_test_id("reopened")).to_be_visible()
    shot(page, "appeal-reopened")
    assert Appeal.objects.get().state == AppealState.HANDLING

    page.goto(live_server.url + "/appeal/poster/")
    expect(page.get_by_test_id("poster-qr").locator("svg")).to_be_visible()
    shot(page, "appeal-poster")
    context.close()

    # The poster printed: one A4 sheet, without the page's header and buttons.
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    printed = desk.new_page()
    printed.goto(live_server.url + "/appeal/poster/")
    printed.emulate_media(media="print")
    expect(printed.get_by_test_id("appeal-header")).to_be_hidden()
    expect(printed.get_by_test_id("poster-tools")).to_be_hidden()
    pdf = printed.pdf(prefer_css_page_size=True)
    if SHOTS:
        printed.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        shot(printed, "appeal-poster-print")
    desk.close()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    assert refused == [], refused
