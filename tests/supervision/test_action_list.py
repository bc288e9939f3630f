"""The 督办记录 list page: the office narrows the county's record by 督办方式, reply status, target unit (with its
sub-units), sweep or hand, date range and keyword; each role only within its scope; refused values are
explained on the form; pages follow by cursor; a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.supervision.views import actions as action_views
from tests.supervision.record import CASES, EVERYTHING, NO_DATE_CURSOR, more_urges

pytestmark = pytest.mark.django_db

def listed(response, record) -> list[str]:
    """The tags of the rows on the page, in order."""
    assert response.status_code == 200
    tags = {a.pk: tag for tag, a in record.items()}
    return [tags[int(pk)] for pk in re.findall(r'data-action="(\d+)"', response.content.decode())]


@pytest.mark.parametrize(("params", "expected"), CASES)
def test_the_office_narrows_the_record(county, record, params, expected):
    if "unit" in params:
        params = {**params, "unit": county.units[params["unit"]].pk}
    response = county.client("supervision").get(reverse("supervision:action_list"), params)
    assert listed(response, record) == expected
    assert 'data-testid="filter-errors"' not in response.content.decode()


def test_a_unit_head_sees_and_filters_only_his_units(county, record):
    head = county.client("unit_head")
    page = head.get(reverse("supervision:action_list"))
    assert listed(page, record) == ["office_urge", "notice", "urge", "remind"]
    select = re.search(r'<select name="unit".*?</select>', page.content.decode(), re.DOTALL).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select) == ["全部单位", "县交通运输局", "\u3000县交通运输局办公室"]
    assert listed(head.get(reverse("supervision:action_list"), {"unit": county.units["transport_office"].pk}), record) == ["office_urge"]

    other = head.get(reverse("supervision:action_list"), {"unit": county.units["ndrc"].pk})
    html = other.content.decode()
    assert "督办对象单位（含下级单位）：没有这个单位，或它不在您的职责范围内，请从列表中选择。" in html
    assert listed(other, record) == ["office_urge", "notice", "urge", "remind"]  # the refused filter is not applied


def test_refused_values_are_explained_on_the_form_and_the_others_still_apply(county, record):
    response = county.client("supervision").get(reverse("supervision:action_list"), {
        "kind": "bogus", "issued_after": "明年", "status": "late", "q": "x" * 101})
    html = response.content.decode()
    errors = re.search(r'data-testid="filter-errors">(.*?)</form>', html, re.DOTALL).group(1)
    assert re.findall(r"<div>([^<]*)</div>", errors) == [
        "督办方式：没有“bogus”这种督办方式，请从列表中选择。",
        "督办日期不早于：请按“年-月-日”填写日期，如 2026-10-01。",
        "关键词：关键词最多 100 个字。",
    ]
    assert re.search(r'<select name="kind" class="form-select form-select-sm is-invalid"[^>]*aria-invalid="true"', html)
    assert listed(response, record) == ["notice"]


def test_pages_follow_by_cursor_keeping_the_filters(county, record, monkeypatch):
    monkeypatch.setattr(action_views, "PAGE_SIZE", 2)
    office = county.client("supervision")
    url = reverse("supervision:action_list")
    pages, response = [], office.get(url)
    while True:
        pages.append(listed(response, record))
        nxt = re.search(r'data-testid="next-page" href="\?([^"]+)"', response.content.decode())
        if not nxt:
            break
        response = office.get(url + "?" + nxt.group(1).replace("&amp;", "&"))
    assert pages == [EVERYTHING[0:2], EVERYTHING[2:4], EVERYTHING[4:6]]
    back = re.search(r'data-testid="prev-page" href="\?([^"]+)"', response.content.decode()).group(1)
    assert listed(office.get(url + "?" + back.replace("&amp;", "&")), record) == EVERYTHING[2:4]

    by_hand = office.get(url, {"automatic": "false"})
    nxt = re.search(r'data-testid="next-page" href="\?([^"]+)"', by_hand.content.decode()).group(1).replace("&amp;", "&")
    assert "automatic=false" in nxt
    assert listed(office.get(url + "?" + nxt), record) == ["office_urge"]

    for cursor in ("not-a-cursor", NO_DATE_CURSOR):
        broken = office.get(url, {"cursor": cursor})
        assert '<div class="alert alert-warning" data-testid="cursor-error">翻页参数无效，请从第一页重新浏览。</div>' in broken.content.decode()
        assert listed(broken, record) == EVERYTHING[0:2]


@pytest.mark.parametrize("role", ["supervision", "unit_head"])
def test_a_filtered_page_runs_as_many_queries_for_3_rows_as_for_30(county, noticed, role, django_assert_num_queries):
    client = county.client(role)
    url = reverse("supervision:action_list")
    params = {"unit": county.units["transport"].pk, "kind": "urge", "q": "2026-0001", "issued_after": "2026-09-01"}
    more_urges(noticed, county.people["supervision"], 2)
    client.get(url, params)
    with CaptureQueriesContext(connection) as three:
        response = client.get(url, params)
    assert response.content.decode().count('data-action="') == 3
    more_urges(noticed, county.people["supervision"], 27)
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(url, params)
    assert response.content.decode().count('data-action="') == 30
