"""The appeal list's Excel export, page and command: the list's filters over the reader's appeals (each role's sheet
holds exactly its appeals), in the county's columns, a hidden enterprise nowhere in a unit's file, the phone masked
for the roles that read it masked, and what the enterprise typed kept as inert text (never a formula, a script or
a control character). The world is tests/appeals/test_api.py's."""

import datetime as dt
import html
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban import cli
from duban.core.models import AuditEntry
from tests import kit
from tests.appeals.test_api import HIDDEN, ROAD, VISIBLE, credit_code, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

HEADER = ["序号", "受理编号", "来源渠道", "企业名称", "统一社会信用代码", "联系人", "联系电话", "诉求类别", "诉求内容", "承办单位", "配合单位",
          "提交时间", "受理时间", "办理时限", "答复时间", "办理结果", "答复内容", "满意度", "退单次数", "重办次数", "是否重复", "不纳入考核", "状态"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _bytes(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return b"".join(response.streaming_content)


def sheet_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def rows(data: bytes) -> list[list]:
    return [list(r) for r in sheet_of(data).iter_rows(min_row=4, values_only=True)]


def xml_of(data: bytes) -> str:
    """Every part of the .xlsx, unzipped, as written (openpyxl writes Chinese as character references)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(name).decode() for name in z.namelist())


def text_of(data: bytes) -> str:
    """What a reader of the file could find in it: every part, references resolved."""
    return html.unescape(xml_of(data))


def export(county, role: str, query: str = "") -> bytes:
    return _bytes(county.client(role).get("/appeals/export/" + query))


@pytest.mark.parametrize("role", sorted(r for r in VISIBLE if r not in {"sysadmin", "secadmin", "auditadmin"}))
def test_each_role_s_export_holds_exactly_its_appeals(county, world, role):
    expected = sorted(getattr(world, name).code for name in VISIBLE[role])
    data = export(county, role)
    assert [r[1] for r in rows(data)] == expected
    assert [r[0] for r in rows(data)] == list(range(1, len(expected) + 1))


def test_admins_and_strangers_get_no_export(county, world):
    for role in ("sysadmin", "secadmin", "auditadmin"):
        assert county.client(role).get("/appeals/export/").status_code == 403
    assert kit.page_client(county, kit.ANONYMOUS).get("/appeals/export/")["Location"] == "/login/?next=/appeals/export/"
    assert not AuditEntry.objects.filter(action="appeals.export").exists()


def test_the_export_has_the_county_s_columns_and_the_appeal_s_values(county, world):
    data = export(county, "business")
    sheet = sheet_of(data)
    assert sheet["A1"].value.startswith("企业诉求台账（导出时间：")
    assert sheet["A2"].value == "全部企业诉求。共 3 件。办理时限：已答复的为最近一轮的答复时限，未答复的为当前环节的时限。"
    assert [c.value for c in sheet[3]] == HEADER
    by_code = {r[1]: r for r in rows(data)}
    assert by_code[world.road.code] == [
        2, world.road.code, "网上提交", "通达物流有限公司", credit_code(3), "张师傅", "13800002222", "用地",
        '=HYPERLINK("http://evil.example","点我")园区道路破损', "县交通运输局", "城关镇", dt.datetime(2026, 6, 1, 9, 0),
        dt.datetime(2026, 6, 1, 9, 0), dt.datetime(2026, 6, 9), dt.datetime(2026, 6, 2, 10, 0), "已解决", "已安排6月10日修复园区道路。",
        "满意", 0, 0, "否", "否", "已办结"]
    assert by_code[world.hidden.code] == [
        1, world.hidden.code, "网上提交", "隐身科技有限公司", credit_code(2), "马经理", "13912345678", "水电气",
        "厂区用电增容申请两个月未安排勘察。", "县发展和改革局", None, dt.datetime(2026, 6, 1, 9, 0), dt.datetime(2026, 6, 1, 9, 0),
        dt.datetime(2026, 6, 2), None, None, None, None, 0, 0, "否", "否", "待签收"]
    entry = AuditEntry.objects.get(action="appeals.export")
    assert (entry.actor_name, entry.message) == ("钱营商（yingshang）", "导出企业诉求 3 件")


def test_a_unit_s_export_never_holds_a_hidden_enterprise_and_a_leader_s_masks_the_phone(county, world):
    unit = export(county, "liaison")
    assert rows(unit)[0][3:7] == ["（企业要求对承办单位保密）", None, None, None]
    text = text_of(unit)
    for value in HIDDEN.values():
        assert value not in text
    office = text_of(export(county, "business"))
    assert [value for value in HIDDEN.values() if value not in office] == []

    leader = rows(export(county, "leader"))
    assert leader[0][3:7] == ["通达物流有限公司", credit_code(3), "张**", "138****2222"]
    assert ROAD["phone"] not in text_of(export(county, "leader"))
    assert rows(export(county, "unit_head"))[0][5:7] == ["张师傅", "13800002222"]


def test_what_the_enterprise_typed_stays_inert_text(county, world):
    data = export(county, "business")
    sheet = sheet_of(data)
    cells = {row[1].value: row for row in sheet.iter_rows(min_row=4)}
    formula = cells[world.road.code][8]
    assert (formula.value, formula.data_type, formula.quotePrefix) == ('=HYPERLINK("http://evil.example","点我")园区道路破损', "s", True)
    script = cells[world.waiting.code][8]
    # The bell character, stored as typed, is dropped (an .xlsx cannot hold it); the script is text, escaped in the XML.
    assert world.waiting.description == "<script>alert(1)</script>技改补贴\x07未兑现"
    assert (script.value, script.data_type, script.quotePrefix) == ("<script>alert(1)</script>技改补贴未兑现", "s", False)
    text = xml_of(data)
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<f>" not in text  # no formula anywhere


def test_the_export_takes_the_list_s_query_string_and_gives_the_api_s_rows(county, world):
    query = "?state=open&category=utilities&category=policy"
    exported = [r[1] for r in rows(export(county, "business", query))]
    listed = kit.api_client(county, "business").get("/api/v1/appeals", {"state": "open", "category": ["utilities", "policy"]}).json()
    assert exported == sorted(i["code"] for i in listed["items"]) == sorted([world.hidden.code, world.waiting.code])
    assert sheet_of(export(county, "business", query))["A2"].value.startswith("筛选条件：状态：在办（全部未办结）；诉求类别：水电气、政策兑现。共 2 件。")
    assert [r[1] for r in rows(export(county, "business", f"?unit={county.units['chengguan'].pk}&rating=satisfied"))] == [world.road.code]
    included = sheet_of(export(county, "business", "?excluded=false&repeat=false"))["A2"].value
    assert included.startswith("筛选条件：不纳入考核：否。共 3 件。")
    # A unit's keyword search does not find a hidden enterprise by its name.
    assert rows(export(county, "liaison", "?q=隐身科技")) == []
    assert [r[1] for r in rows(export(county, "business", "?q=隐身科技"))] == [world.hidden.code]


def test_a_refused_filter_goes_back_to_the_list_and_exports_nothing(county, world):
    response = county.client("business").get("/appeals/export/?submitted_from=2026-13-01&state=open")
    assert response.status_code == 302 and response["Location"] == "/appeals/list/?submitted_from=2026-13-01&state=open"
    assert not AuditEntry.objects.filter(action="appeals.export").exists()


# --- duban export appeals --------------------------------------------------------------------------------

def run(*args) -> str:
    out = io.StringIO()
    call_command("export_appeals", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_duban_export_appeals_runs_the_appeals_command_and_export_ledger_the_ledger_s(monkeypatch):
    ran = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", ran.append)
    assert cli.main(["export", "appeals", "-o", "a.xlsx", "--user", "yingshang"]) == 0
    assert cli.main(["export", "ledger", "-o", "b.xlsx"]) == 0
    assert ran == [["duban", "export_appeals", "-o", "a.xlsx", "--user", "yingshang"], ["duban", "export", "ledger", "-o", "b.xlsx"]]


def test_the_command_exports_as_the_named_account_sees(county, world, tmp_path):
    target = tmp_path / "诉求.xlsx"
    assert f"已导出 1 件企业诉求到 {target}" in run("-o", str(target), "--user", "fagai_lly")
    data = target.read_bytes()
    assert [r[1] for r in rows(data)] == [world.hidden.code]
    assert HIDDEN["enterprise_name"] not in text_of(data)
    assert AuditEntry.objects.get(action="appeals.export").actor_name == "郑联络（fagai_lly）"

    run("-o", str(target), "--user", "yingshang", "--state", "在办", "--category", "水电气,policy")
    assert [r[1] for r in rows(target.read_bytes())] == sorted([world.hidden.code, world.waiting.code])
    run("-o", str(target), "--user", "yingshang", "--unit", "城关镇", "--rating", "满意")
    assert [r[1] for r in rows(target.read_bytes())] == [world.road.code]


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "nobody"], "没有在用的账号“nobody”。"),
    (["--user", "sysadmin"], "账号“sysadmin”是管理员账号，不能查看企业诉求；请用县营商办等业务账号导出。"),
    (["--user", "yingshang", "--state", "飞了"], "状态“飞了”不对"),
    (["--user", "yingshang", "--unit", "县月球局"], "找不到单位“县月球局”。"),
    (["--user", "yingshang", "--submitted-from", "2026-13-01"], "筛选条件有误：提交日期自："),
])
def test_the_command_refuses_what_it_cannot_export_and_writes_nothing(county, world, tmp_path, args, message):
    target = tmp_path / "诉求.xlsx"
    with pytest.raises(CommandError) as refused:
        run("-o", str(target), *args)
    assert refused.value.returncode == 2 and message in str(refused.value)
    assert not target.exists()
    assert not AuditEntry.objects.filter(action="appeals.export").exists()


def grow(county, submit, desk):
    """Thirty more appeals dispatched to 县发展和改革局 with 城关镇 cooperating (each row's units are read per chunk)."""
    from duban.appeals import services
    from tests.appeals.conftest import at, fresh

    def make():
        with at("2026-06-05"):
            for n in range(30):
                made = submit(enterprise_name=f"企业{n}", credit_code=credit_code(100 + n), description=f"诉求{n}").appeal
                services.accept_appeal(desk, made)
                services.dispatch_appeal(desk, fresh(made), lead_unit=county.units["ndrc"], cooperating_units=[county.units["chengguan"]])

    return make


def test_the_export_runs_a_fixed_number_of_queries(county, world, submit, desk):
    assert kit.assert_fixed_queries(county.client("business"), "/appeals/export/", grow(county, submit, desk)) == 13  # session, roles, count, rows, units, replies, audit …
    assert len(rows(export(county, "business"))) == 33
