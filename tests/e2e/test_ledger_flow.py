"""Acceptance (issue 3, item 7): a task walks 建账 → 立账 → 签收 → 进展 → 申请销账 → 退回 → 申请销账 → 销账 in Chromium,
the supervision office and the unit's liaison each in their own browser, every step checked on screen."""

import re

import pytest
from playwright.sync_api import expect

from duban.ledger.models import Campaign, Front

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_as(browser, live_server, username):
    from tests.conftest import PASSWORD

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    return page


def state(page):
    return page.get_by_test_id("task-state")


def timeline(page):
    return page.get_by_test_id("timeline").locator("li")


def test_office_and_liaison_take_a_task_from_draft_to_closed(browser, live_server, county):
    campaign = Campaign.objects.create(name="2026年执行力亮剑行动", year=2026)
    front = Front.objects.create(campaign=campaign, number=1, name="项目建设战线", lead_unit=county.units["ndrc"])
    front.lead_leaders.add(county.people["leader"])

    # 建账: the supervision office opens the ledger entry through the form.
    office = open_as(browser, live_server, "ducha")
    office.get_by_role("link", name="台账", exact=True).click()
    office.get_by_test_id("create-task").click()
    office.get_by_label("战线").select_option(label="2026 · 项目建设战线")
    office.get_by_label("工作任务（干什么）").fill("推进重点项目前期手续办理")
    office.get_by_label("具体措施及标准（怎么干）").fill("完成项目立项\n完成用地预审")
    office.get_by_label("牵头县领导").select_option(label="李副县长（县委县政府）")
    office.get_by_label("牵头单位").select_option(label="县发展和改革局")
    office.get_by_label("责任人", exact=True).select_option(label="郑联络（县发展和改革局）")
    office.get_by_label("完成时限", exact=True).fill("2026-12-31")
    office.get_by_label("奖惩措施").fill("按期完成加2分")
    office.get_by_role("button", name="保存草稿").click()
    expect(state(office)).to_have_text("建账")
    expect(office.get_by_test_id("task-title")).to_have_text("推进重点项目前期手续办理")
    code = re.search(r"/ledger/tasks/([^/]+)/$", office.url)[1]
    task_url = office.url

    # 立账: one click; the task is now waiting for the unit to sign.
    office.get_by_role("button", name="立账交办").click()
    expect(office.locator(".alert-success")).to_contain_text("已立账交办")
    expect(state(office)).to_have_text("已交办待签收")
    expect(timeline(office).first).to_contain_text("立账交办")

    # 签收: the liaison finds it on the home page and signs for it.
    liaison = open_as(browser, live_server, "fagai_lly")
    work = liaison.get_by_test_id("my-work")
    expect(work).to_contain_text("待签收")
    work.get_by_role("link", name=re.compile(code)).click()
    liaison.get_by_role("button", name="签收").click()
    expect(state(liaison)).to_have_text("承办中")
    expect(timeline(liaison).first).to_contain_text("签收")

    # 报送进展
    liaison.get_by_role("link", name="报送进展").click()
    liaison.get_by_label("完成进度（%）").fill("60")
    liaison.get_by_label("工作进展").fill("立项批复已取得，用地预审材料已报送")
    liaison.get_by_label("存在问题").fill("用地指标紧张")
    liaison.get_by_role("button", name="报送进展").click()
    expect(liaison.get_by_test_id("progress")).to_have_text("60%")
    expect(timeline(liaison).first).to_contain_text("报送进展")
    expect(liaison.get_by_test_id("reports")).to_contain_text("用地指标紧张")

    # 申请销账
    liaison.get_by_role("link", name="申请销账").click()
    liaison.get_by_label("完成情况").fill("立项、用地预审均已完成")
    liaison.get_by_label("没有佐证材料的原因").fill("批复原件已报县督查室")
    liaison.get_by_role("button", name="申请销账").click()
    expect(state(liaison)).to_have_text("申请销账")

    # 退回: the office finds the request on its home page, ticks one item of two and sends it back.
    office.goto(live_server.url + "/")
    expect(office.get_by_test_id("my-work")).to_contain_text("审核销账")
    office.get_by_test_id("my-work").get_by_role("link", name=re.compile(code)).click()
    office.get_by_role("link", name="退回").click()
    office.get_by_label("完成项目立项").check()
    office.get_by_label("退回理由").fill("用地预审批复文件未附")
    office.get_by_role("button", name="退回").click()
    expect(state(office)).to_have_text("承办中")
    expect(timeline(office).first).to_contain_text("退回")
    expect(timeline(office).first).to_contain_text("用地预审批复文件未附")

    # The liaison sees the return on her home page and asks again.
    liaison.goto(live_server.url + "/")
    expect(liaison.get_by_test_id("my-work")).to_contain_text("退回整改")
    liaison.goto(task_url)
    liaison.get_by_role("link", name="申请销账").click()
    liaison.get_by_label("完成情况").fill("已补附用地预审批复")
    liaison.get_by_label("没有佐证材料的原因").fill("用地预审批复原件已补报县督查室")
    liaison.get_by_role("button", name="申请销账").click()
    expect(state(liaison)).to_have_text("申请销账")

    # 销账: the office ticks every item of the standard and grades the work.
    office.goto(task_url)
    office.get_by_role("link", name="审核销账").click()
    expect(office.get_by_test_id("completion-under-review")).to_contain_text("已补附用地预审批复")
    office.get_by_label("完成项目立项").check()
    office.get_by_label("完成用地预审").check()
    office.get_by_label("良好").check()
    office.get_by_role("button", name="审核销账").click()
    expect(state(office)).to_have_text("已销账")
    expect(office.get_by_test_id("task-light").locator("[data-light]")).to_have_attribute("data-light", "grey")
    kinds = office.get_by_test_id("timeline").locator("li").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert kinds == ["closed", "completion_requested", "returned", "completion_requested", "progress", "signed", "registered", "created"]

    liaison.reload()
    expect(state(liaison)).to_have_text("已销账")
    office.context.close()
    liaison.context.close()
