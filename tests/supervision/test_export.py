"""The 督办记录 list as Excel: the office takes the county's record, or part of it by the list's own filters,
in the columns it files; a unit head only his units'; a refused filter sends him back to the list with the
reason; a reply is written as text, never as a formula; each export is audited; fixed queries."""

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.core.actor import Actor
from duban.core.models import AuditEntry
from duban.supervision import services
from tests.supervision.record import more_urges

pytestmark = pytest.mark.django_db

HEADER = ("文号", "督办方式", "事项编号", "事项", "督办对象单位", "督办日期", "回复期限", "状态", "回复内容", "回复时间")
URL = "/supervision/actions/export/"


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def rows_of(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=4, values_only=True))


def test_the_office_exports_the_notices_in_the_county_record(county, record):
    response = county.client("supervision").get(reverse("supervision:action_export"), {"kind": "notice"})
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('督办记录-20261020.xlsx')}"
    sheet = sheet_of(response)
    assert sheet.title == "督办记录"
    assert sheet["A1"].value == "督办记录（导出时间：2026-10-20 09:00）"
    assert sheet["A2"].value == "筛选条件：督办方式：督办通知单。共 3 条。"
    assert next(sheet.iter_rows(min_row=3, max_row=3, values_only=True)) == HEADER
    assert rows_of(sheet) == [
        ("县督字〔2026〕3号", "督办通知单", "2026-0004", "完成村道安防工程", "东关村",
         dt.datetime(2026, 10, 19), dt.datetime(2026, 10, 21), "待回复", None, None),
        ("县督字〔2026〕2号", "督办通知单", "2026-0003", "推进产业园区标准化厂房建设", "县发展和改革局",
         dt.datetime(2026, 10, 12), dt.datetime(2026, 10, 14), "已回复", "厂房主体已封顶，月底前完成内部装修。", dt.datetime(2026, 10, 13, 16, 0)),
        ("县督字〔2026〕1号", "督办通知单", "2026-0001", "完成国道改线工程征地拆迁", "县交通运输局",
         dt.datetime(2026, 10, 10), dt.datetime(2026, 10, 13), "逾期未回复", None, None),
    ]
    assert (sheet["F4"].number_format, sheet["J5"].number_format) == ("yyyy-mm-dd", "yyyy-mm-dd hh:mm")
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A4", "A3:J6")
    entry = AuditEntry.objects.get(action="supervision.export")
    assert (entry.actor, entry.after, entry.message) == (
        county.people["supervision"], {"rows": 3, "filters": "督办方式：督办通知单"}, "导出督办记录 3 条（督办方式：督办通知单）")


def test_each_filter_of_the_list_cuts_the_sheet(county, record):
    office = county.client("supervision")
    params = {"unit": county.units["transport"].pk, "automatic": "true", "issued_after": "2026-09-25", "q": "国道"}
    sheet = sheet_of(office.get(reverse("supervision:action_export"), params))
    assert sheet["A2"].value == ("筛选条件：督办对象单位（含下级单位）：县交通运输局；发出方式：系统按梯度发出；"
                                 "督办日期不早于：2026-09-25；关键词：国道。共 2 条。")
    assert [(r[1], r[5]) for r in rows_of(sheet)] == [("督办通知单", dt.datetime(2026, 10, 10)), ("催办", dt.datetime(2026, 9, 30))]
    late = sheet_of(office.get(reverse("supervision:action_export"), {"status": "late"}))
    assert [r[0] for r in rows_of(late)] == ["县督字〔2026〕1号"]


def test_a_unit_head_exports_only_his_units_and_a_liaison_only_her_own(county, record):
    head = sheet_of(county.client("unit_head").get(reverse("supervision:action_export")))
    assert head["A2"].value == "全部督办记录。共 4 条。"
    assert [(r[1], r[4], r[5]) for r in rows_of(head)] == [
        ("催办", "县交通运输局办公室", dt.datetime(2026, 10, 12)), ("督办通知单", "县交通运输局", dt.datetime(2026, 10, 10)),
        ("催办", "县交通运输局", dt.datetime(2026, 9, 30)), ("提醒", "县交通运输局", dt.datetime(2026, 9, 24))]
    liaison = sheet_of(county.client("liaison").get(reverse("supervision:action_export")))
    assert liaison["A2"].value == "全部督办记录。共 1 条。"
    assert [r[:5] for r in rows_of(liaison)] == [("县督字〔2026〕2号", "督办通知单", "2026-0003", "推进产业园区标准化厂房建设", "县发展和改革局")]


def test_a_refused_filter_goes_back_to_the_list_with_the_reason(county, record):
    head = county.client("unit_head")
    response = head.get(reverse("supervision:action_export"), {"unit": county.units["ndrc"].pk, "status": "late", "cursor": "x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:action_list") + f"?unit={county.units['ndrc'].pk}&status=late"
    page = head.get(response["Location"]).content.decode()
    assert "筛选条件有误：督办对象单位（含下级单位）：没有这个单位，或它不在您的职责范围内，请从列表中选择。" in page
    assert not AuditEntry.objects.filter(action="supervision.export").exists()


@pytest.mark.parametrize("reply", ['=HYPERLINK("http://example.com","征地协议已全部签订")', "+86 138 0000 0000 已电话联系", "-征地协议已全部签订，拆迁已完成", "@所有人 征地协议已全部签订完毕"])
def test_a_reply_that_looks_like_a_formula_stays_text(county, record, reply):
    services.reply_to_action(Actor(user=county.people["unit_head"]), record["notice"], text=reply)
    sheet = sheet_of(county.client("supervision").get(reverse("supervision:action_export"), {"status": "replied", "q": "2026-0001"}))
    cell = sheet["I4"]
    assert (sheet["A4"].value, cell.value, cell.data_type, cell.quotePrefix) == ("县督字〔2026〕1号", reply, "s", True)


@pytest.mark.parametrize(("role", "status"), [("business", 403), ("safety", 403), ("leader", 200)])
def test_who_may_export(county, record, role, status):
    assert county.client(role).get(reverse("supervision:action_export")).status_code == status


def test_anonymous_users_are_sent_to_sign_in(county, client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_export_runs_as_many_queries_for_3_rows_as_for_30(county, noticed, django_assert_num_queries):
    office = county.client("supervision")
    params = {"unit": county.units["transport"].pk, "kind": "urge"}
    more_urges(noticed, county.people["supervision"], 2)
    office.get(URL, params)
    with CaptureQueriesContext(connection) as three:
        assert len(rows_of(sheet_of(office.get(URL, params)))) == 3
    more_urges(noticed, county.people["supervision"], 27)
    with django_assert_num_queries(len(three.captured_queries)):
        response = office.get(URL, params)
    assert len(rows_of(sheet_of(response))) == 30


def test_the_lists_export_button_carries_its_filters_not_its_page(county, record):
    page = county.client("supervision").get(reverse("supervision:action_list"), {"kind": "notice", "cursor": "abc"}).content.decode()
    assert f'href="{URL}?kind=notice" data-testid="export"' in page
