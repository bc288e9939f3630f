"""Browser fixtures shared by every test that drives Chromium (one Playwright per session)."""


import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are ordinary blocking calls, which Django would otherwise refuse there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail("browser tests need Debian's Chromium: apt-get install -y chromium fonts-noto-cjk (`make test` does it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page; the test fails if anything on it broke the Content-Security-Policy (Chromium reports each
    refused script, handler or style on the console) — such a page would look fine and not work."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert refused == [], refused


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the real form as `username` and land on the home page."""
    from tests.conftest import PASSWORD

    def _sign_in(username, password=PASSWORD):
        page.goto(live_server.url + "/login/")
        page.get_by_label("登录名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(live_server.url + "/")
        return page

    return _sign_in
