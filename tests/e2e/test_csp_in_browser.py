"""In Chromium, under the strict Content-Security-Policy: what inline handlers once did still happens (the
page fixture fails any test on a refused script, handler or style)."""

import datetime as dt

import pytest
from django.urls import reverse

from duban.core.choices import CalendarDayKind
from duban.core.models import CalendarDay

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_delete_asks_first_and_cancelling_keeps_the_day(sign_in, live_server, county):
    day = CalendarDay.objects.create(date=dt.date(2026, 10, 1), kind=CalendarDayKind.HOLIDAY, name="国庆节")
    page = sign_in("sysadmin")
    page.goto(f"{live_server.url}{reverse('manage_holiday_list')}?year={day.date.year}")
    form = page.locator(f"form[action='{reverse('manage_holiday_delete', args=[day.pk])}']")
    asked = []

    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    form.get_by_role("button", name="删除").click()
    page.wait_for_timeout(300)
    assert asked and day.date.isoformat() in asked[0]
    assert CalendarDay.objects.filter(pk=day.pk).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="删除").click()
    page.get_by_text("已删除").first.wait_for()
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_the_csp_header_is_on_the_pages_the_browser_gets(page, live_server, county):
    response = page.goto(live_server.url + "/login/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
