"""Acceptance 5 of issue 9, in Chromium: a leader in charge (包抓领导) signs in, opens "my projects", sees the red
project first with the procedure holding it up, follows it to the project page and finds there the late
procedure and the unit holding it (highlighted, linked to the procedure's page)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duban.core import calendar
from duban.projects import services
from duban.projects.choices import Stage
from duban.projects.models import Procedure, Project
from duban.supervision.sweep import sweep
from tests.projects.conftest import as_actor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_leader_follows_a_red_project_to_its_late_procedure_and_the_unit_holding_it(page, sign_in, live_server, county, handlers,
                                                                                       new_project):
    today = timezone.localdate()
    green = new_project(name="县城集中供热管网改造项目", total_investment=Decimal("90000"), with_procedures=False)
    red = new_project(name="年产10万吨新型建材项目", stage=Stage.PREPARING)
    permit = Procedure.objects.get(project=red, procedure_type__code="construction_permit")
    # The application was taken a month ago with 7 working days to decide it: long past its limit.
    started = today - dt.timedelta(days=30)
    services.start_procedure(as_actor(handlers.building_liaison), permit, on=started, workdays=7)
    due = calendar.add_workdays(started, 7)
    sweep(timezone.now())
    assert Project.objects.get(pk=red.pk).light == "red" and Project.objects.get(pk=green.pk).light == "green"

    sign_in("fuxianzhang")  # 李副县长, the leader in charge of both
    page.goto(live_server.url + "/projects/mine/")
    items = page.get_by_test_id("my-project")
    expect(items).to_have_count(2)
    first = items.first
    expect(first).to_contain_text("年产10万吨新型建材项目")  # red first, though the smaller project
    expect(first.get_by_test_id("light-reason")).to_contain_text("施工许可（住建局）已逾期")
    expect(first.locator('[data-light="red"]')).to_have_count(1)
    expect(items.nth(1)).to_contain_text("县城集中供热管网改造项目")

    first.get_by_role("link", name="年产10万吨新型建材项目").click()
    page.wait_for_url(f"{live_server.url}/projects/{red.code}/")
    late = page.get_by_test_id("late-procedure")
    expect(late).to_have_count(1)
    expect(late).to_contain_text("卡在住建局")
    expect(late).to_contain_text("手续“施工许可”已逾期")
    expect(late).to_contain_text(f"完成时限 {due.year}年{due.month}月{due.day}日")
    expect(late.get_by_role("link", name="查看手续")).to_have_attribute("href", f"/projects/procedures/{permit.code}/")
    row = page.locator(f'[data-testid="procedure"][data-code="{permit.code}"]')
    expect(row).to_have_class("table-danger")
    expect(row.get_by_test_id("procedure-unit")).to_have_text("住建局")
    expect(row.get_by_test_id("procedure-reason")).to_contain_text("已逾期")
    expect(page.get_by_test_id("leader")).to_have_text("李副县长")
    expect(page.get_by_test_id("light-reason")).to_contain_text("施工许可（住建局）")
