"""The supervision engine in Chromium: a task four working days late is swept (提醒, 催办, 督办通知单); the office
finds the notice and downloads it as Word; the unit's liaison sees it on the home page, replies in writing; the
task leaves 督办中. Each step checked on screen."""

import datetime as dt
import io
import re

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duban.core import calendar
from duban.core.actor import Actor
from duban.ledger import services as ledger
from duban.ledger.models import Campaign, Task
from duban.supervision.sweep import sweep
from tests.e2e.test_ledger_flow import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_late_task_is_swept_noticed_and_answered(browser, live_server, county):
    today = timezone.localdate()
    due = calendar.add_workdays(today, -4)  # the notice (3 working days after) fell due yesterday
    campaign = Campaign.objects.create(name=f"{today.year}年执行力亮剑行动", year=today.year)
    office_actor = Actor(user=county.people["supervision"])
    task = ledger.create_task(
        office_actor, campaign, title="推进重点项目前期手续办理", standard="完成项目立项\n完成用地预审",
        leader_in_charge=county.people["leader"], lead_unit=county.units["ndrc"], responsible_person=county.people["liaison"],
        due_date=due, start_date=due - dt.timedelta(days=90), deadline_text=f"{due.month}月{due.day}日前", reward_penalty="按期完成加2分",
    )
    ledger.register_task(office_actor, task)
    ledger.sign_task(Actor(user=county.people["liaison"]), Task.objects.get(pk=task.pk))
    result = sweep()
    assert result.actions == 3 and result.notices == 1
    number = f"县督字〔{calendar.add_workdays(due, 3).year}〕1号"

    # The office: the 督办 list shows the three steps; the notice opens and downloads as Word.
    office = open_as(browser, live_server, "ducha")
    office.get_by_role("link", name="督办记录", exact=True).click()
    rows = office.get_by_test_id("action-table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(office.get_by_test_id("action-table")).to_contain_text(number)
    office.locator("tr[data-kind=notice] a").click()
    expect(office.get_by_test_id("number")).to_have_text(number)
    with office.expect_download() as download:
        office.get_by_test_id("download-notice").click()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(open(download.value.path(), "rb").read())).paragraphs)
    assert number in text and "推进重点项目前期手续办理" in text and "县发展和改革局" in text

    # The liaison: the notice waits on the home page; the reply is written there.
    liaison = open_as(browser, live_server, "fagai_lly")
    work = liaison.get_by_test_id("my-work")
    expect(work).to_contain_text("回复督办通知单")
    work.get_by_role("link", name=re.compile(task.code)).first.click()
    liaison.get_by_test_id("reply-form").locator("textarea").fill("在办")
    liaison.get_by_role("button", name="提交回复").click()
    expect(liaison.locator(".invalid-feedback")).to_contain_text("不少于 10 个字")
    liaison.get_by_test_id("reply-form").locator("textarea").fill("项目立项已批复，用地预审材料已报市局，预计两周内取得批复。")
    liaison.get_by_role("button", name="提交回复").click()
    expect(liaison.get_by_test_id("reply")).to_contain_text("项目立项已批复")

    # The task's page: the notice answered, no longer 督办中.
    office.goto(live_server.url + f"/ledger/tasks/{task.code}/")
    supervision = office.get_by_test_id("supervision")
    expect(supervision.locator("li[data-kind=notice]")).to_contain_text("已回复")
    expect(supervision.locator(".badge")).to_have_count(0)
    for page in (office, liaison):
        page.context.close()  # before the live server stops: no request of theirs outlives the test
