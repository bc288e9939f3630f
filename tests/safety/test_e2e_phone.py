"""Acceptance 6 of issue 10, in Chromium at phone size: a grid worker confirms the shift on the home page in one
tap and reports a hazard with a photo from the phone; the unit rectifies it; the safety office verifies it and
strikes it off. Each step checked on screen."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from duban.safety import services
from duban.safety.choices import HazardState, PostKind, ShiftState
from duban.safety.models import Hazard, HazardPhoto, Shift
from duban.safety.services import duty
from tests.conftest import PASSWORD
from tests.safety.conftest import as_actor, photo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def open_as(browser, live_server, username, **device):
    context = browser.new_context(locale="zh-CN", **(device or {"viewport": {"width": 1280, "height": 900}}))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    return page


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 60, 40)).save(out, "JPEG")
    return out.getvalue()


def test_a_grid_worker_confirms_the_shift_and_reports_a_hazard_the_office_strikes_it_off(browser, live_server, county, grid_worker,
                                                                                         gas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.localtime().replace(second=0, microsecond=0)
    office = as_actor(county.people["safety"])
    post = duty.save_post(office, name="东关网格", township=county.units["chengguan"], kind=PostKind.GRID)
    [shift] = duty.schedule_shifts(office, post, first=now.date(), people=[grid_worker], start_time=now.time(),
                                   end_time=(now + dt.timedelta(hours=2)).time())

    # The grid worker, on a phone: the shift waits on the home page; one tap confirms it.
    phone = open_as(browser, live_server, "dongguan_wangge", **PHONE)
    work = phone.get_by_test_id("my-work")
    expect(work).to_contain_text("我的值班")
    expect(work).to_contain_text("城关镇东关网格")
    work.get_by_test_id("work-action").click()
    expect(phone.locator(".alert-success")).to_contain_text("已确认到岗")
    expect(phone.get_by_test_id("work-action")).to_have_count(0)
    assert Shift.objects.get(pk=shift.pk).state == ShiftState.CONFIRMED

    # … and reports what they found on the round, with a photo from the phone.
    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("link", name="安全隐患", exact=True).click()
    phone.get_by_test_id("report-hazard").click()
    form = phone.get_by_test_id("report-form")
    form.get_by_label("行业领域").select_option(label="燃气")
    form.get_by_label("隐患部位").fill("城关镇东关村 幸福路8号 小吃店后厨")
    form.get_by_label("隐患内容").fill("液化气钢瓶与灶具间距不足，软管老化")
    form.get_by_label("现场照片").set_input_files([{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    form.get_by_role("button", name="上报").click()
    expect(phone.locator(".alert-success")).to_contain_text("已上报隐患")
    hazard = Hazard.objects.get()
    assert (hazard.township, hazard.found_by, hazard.state) == (county.units["chengguan"], grid_worker, HazardState.FOUND)
    assert HazardPhoto.objects.filter(hazard=hazard, stage="before").count() == 1
    phone.context.close()  # no request of the phone's left in flight while the test writes (SQLite locks the table)

    # The township rectifies it (交办 and 申请验收 through the services: the pages are tested on their own).
    services.assign_rectification(office, Hazard.objects.get(pk=hazard.pk), lead_unit=county.units["chengguan"], measures="更换软管，钢瓶移出灶间",
                                  due_date=now.date() + dt.timedelta(days=10))
    services.request_verification(as_actor(county.people["township_liaison"]), Hazard.objects.get(pk=hazard.pk),
                                  result="已更换软管，钢瓶移至室外气瓶间", photos=[photo("整改后.jpg", color=(40, 160, 60))])

    # The safety office verifies it and strikes it off.
    desk = open_as(browser, live_server, "anwei")
    desk.goto(live_server.url + f"/safety/hazards/{hazard.code}/")
    expect(desk.get_by_test_id("state")).to_have_text("待验收")
    desk.get_by_test_id("actions").get_by_role("link", name="验收销号").click()
    desk.get_by_test_id("action-form").get_by_label("验收意见").fill("现场复核，整改到位")
    desk.get_by_test_id("action-form").get_by_role("button", name="验收销号").click()
    expect(desk.get_by_test_id("state")).to_have_text("已销号")
    assert Hazard.objects.get(pk=hazard.pk).state == HazardState.CLOSED
