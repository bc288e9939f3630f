"""Three people sign in through Chromium and each sees their own part of the county."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def unit_names(page):
    return set(page.locator("[data-testid=unit-table] tbody tr td:first-child a").all_inner_texts())


def test_sign_in_page_is_chinese_and_refuses_a_wrong_password(page, live_server, county):
    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")
    assert page.locator("h1").inner_text() == "县重点工作督办系统"
    page.get_by_label("登录名").fill("ducha")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert "登录名或密码不正确" in page.locator(".alert-danger").inner_text()


def test_supervision_office_sees_the_whole_county(sign_in, live_server, county):
    page = sign_in("ducha")
    assert page.get_by_test_id("greeting").inner_text() == "赵督查，您好"
    assert page.get_by_test_id("my-unit").inner_text() == "县委督查室"
    assert "督查室" in page.get_by_test_id("my-roles").inner_text()
    page.get_by_role("link", name="单位", exact=True).click()
    assert unit_names(page) == {u.name for u in county.units.values()}


def test_unit_head_sees_own_unit_and_its_sections_only(sign_in, live_server, county):
    page = sign_in("jiaotong_head")
    assert page.get_by_test_id("my-unit").inner_text() == "县交通运输局"
    page.get_by_role("link", name="单位", exact=True).click()
    assert unit_names(page) == {"县交通运输局", "县交通运输局办公室"}
    page.get_by_role("link", name="人员", exact=True).click()
    names = set(page.locator("[data-testid=people-table] tbody tr td:first-child").all_inner_texts())
    assert names == {"周局长", "吴办事"}


def test_township_liaison_sees_only_the_township_on_a_phone(browser, live_server, county):
    from tests.conftest import PASSWORD

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.get_by_label("登录名").fill("chengguan_lly")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    assert "联络员" in page.get_by_test_id("my-roles").inner_text()
    page.get_by_role("button", name="菜单").click()  # the nav collapses on a phone
    page.get_by_role("link", name="单位", exact=True).click()
    assert unit_names(page) == {"城关镇"}
    page.goto(live_server.url + f"/units/{county.units['ndrc'].pk}/")
    assert page.locator("body").inner_text().count("县发展和改革局") == 0
    context.close()
