"""In Chromium: a person makes a token from the menu, and the API docs render from this server alone."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_liaison_makes_a_token_from_the_menu_and_revokes_it(county, sign_in, live_server):
    page = sign_in("fagai_lly")
    page.get_by_test_id("me").click()
    page.get_by_role("link", name="我的访问令牌").click()
    page.get_by_label("用途").fill("台账同步脚本")
    page.get_by_role("button", name="创建令牌").click()
    box = page.get_by_test_id("new-token")
    assert "请立即复制保存" in box.inner_text()
    token = box.locator("input").input_value()
    assert token.startswith("dbn_")
    page.goto(live_server.url + "/api/tokens/")
    assert token not in page.content()
    page.get_by_role("button", name="撤销").click()
    assert "已撤销" in page.get_by_test_id("token-table").inner_text()


def test_the_docs_render_without_any_outside_request(county, sign_in, live_server):
    page = sign_in("ducha")
    host = urlsplit(live_server.url).netloc
    outside = []
    page.on("request", lambda request: outside.append(request.url) if urlsplit(request.url).netloc not in {host, ""} else None)
    page.goto(live_server.url + "/api/v1/docs")
    page.get_by_text("督办系统 API").first.wait_for()
    page.get_by_text("/api/v1/tasks/{code}/transitions/sign").first.wait_for()
    assert [url for url in outside if not url.startswith(("data:", "blob:"))] == []
