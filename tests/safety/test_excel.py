"""The hazard ledger in and out of Excel, in the county's columns (issue 10, point 5): a county's sheet with its
title row, dates written three ways and funds in 万元 imports all or nothing; the export comes back unchanged;
one edited cell changes exactly that."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from duban.core.models import AuditEntry
from duban.matters.models import MatterEvent
from duban.safety.choices import HazardLevel, HazardState
from duban.safety.excel.export import export_filtered
from duban.safety.excel.plan import apply_plan, build_plan
from duban.safety.models import Hazard
from tests.safety.conftest import as_actor, at, photo

HEADER = ["序号", "排查时间", "排查人", "隐患部位", "隐患内容", "隐患等级", "整改措施", "整改责任人", "整改时限", "整改资金",
          "整改完成情况", "验收人", "验收时间"]
ROWS = [
    [1, "2026.3.5", "王建国", "城关镇南街12号宏达餐馆后厨", "液化气钢瓶与灶具间距不足", "一般", "钢瓶移出灶间，加装报警器", "李明",
     "2026年3月20日", "0.3万元", "已整改，加装报警器1台", "孙安委", "2026.3.21"],
    [2, "2026年3月6日", "王建国", "城关镇北关农贸市场", "消防通道堆放杂物", "一般隐患", "清理通道", "张强",
     dt.datetime(2026, 4, 30), 5, "", "", ""],
    [3, dt.datetime(2026, 3, 8), "赵排查", "县城东环路施工段", "深基坑无临边防护", "重大", "设置临边防护，专人值守", "刘工",
     "2026-06-30", "5万元", "", "", ""],
]


def county_sheet(rows=ROWS, header=HEADER, title="某某县安全隐患排查整改台账") -> io.BytesIO:
    """A sheet as the county keeps it: a merged title row over the header, then the hazards, then who filled it."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "隐患台账"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["填表人：孙安委"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def with_cell(rows, index, column, value):
    rows = [list(r) for r in rows]
    rows[index][column] = value
    return rows


def bring_back(source) -> io.BytesIO:
    return io.BytesIO(source.read())


def edit(xlsx, row: int, header: str, value) -> io.BytesIO:
    """One cell of an exported sheet changed, as the office would in Excel."""
    book = openpyxl.load_workbook(xlsx)
    ws = book.active
    column = next(c.column for c in ws[3] if c.value == header)
    ws.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.fixture
def sectors(gas):
    return gas


def snapshot():
    return sorted(Hazard.objects.values_list("code", "state", "version", "found_on", "found_by_name", "place", "title", "level",
                                             "measures", "responsible_name", "due_date", "funds", "result", "verified_by_name",
                                             "closed_on", "sector__name", "township__name", "lead_unit__name"))


def test_a_bad_level_is_reported_by_row_and_column_and_nothing_is_imported(county, sectors):
    sheet = county_sheet(with_cell(ROWS, 1, 5, "特大"))
    with at("2026-03-25"):
        plan = build_plan(sheet, county.people["safety"])

    assert [str(p) for p in plan.errors] == ["第 4 行“隐患等级”列（F）：“特大”不对，只能填“一般隐患”或“重大隐患”（也可简写为“一般”“重大”）"]
    assert Hazard.objects.count() == 0


def test_the_county_sheet_imports_every_hazard_in_its_state_through_the_services(county, sectors):
    office = county.people["safety"]
    with at("2026-03-25"):
        plan = build_plan(county_sheet(), office, file_name="台账.xlsx")
        assert plan.errors == []
        result = apply_plan(plan, as_actor(office))

    assert result.created == ["YH2026-000001", "YH2026-000002", "YH2026-000003"]
    rows = {h.code: h for h in Hazard.objects.all()}
    first, second, third = rows["YH2026-000001"], rows["YH2026-000002"], rows["YH2026-000003"]
    assert (first.found_on, first.found_by_name, first.found_by, first.level) == (dt.date(2026, 3, 5), "王建国", None, HazardLevel.GENERAL)
    assert (first.state, first.due_date, first.funds, first.responsible_name) == (HazardState.CLOSED, dt.date(2026, 3, 20), Decimal("0.30"), "李明")
    assert (first.result, first.verified_by_name, first.closed_on) == ("已整改，加装报警器1台", "孙安委", dt.date(2026, 3, 21))
    assert (second.found_on, second.state, second.due_date, second.funds) == (dt.date(2026, 3, 6), HazardState.FOUND, dt.date(2026, 4, 30), Decimal("5.00"))
    assert (third.found_on, third.level, third.funds, third.due_date) == (dt.date(2026, 3, 8), HazardLevel.MAJOR, Decimal("5.00"), dt.date(2026, 6, 30))
    assert first.sector.name == "其他"
    events = list(MatterEvent.objects.filter(matter_id=first.pk, kind="safety.hazard").order_by("id").values_list("event", flat=True))
    assert events == ["reported", "imported"]
    assert list(AuditEntry.objects.filter(action__startswith="hazard.").order_by("id").values_list("action", flat=True)) == [
        "hazard.report", "hazard.import", "hazard.report", "hazard.edit", "hazard.report", "hazard.edit", "hazard.import_sheet"]


def test_export_then_reimport_changes_nothing_and_one_edited_cell_changes_exactly_that(county, sectors):
    office = county.people["safety"]
    with at("2026-03-25"):
        apply_plan(build_plan(county_sheet(), office), as_actor(office))
        exported, rows, _name = export_filtered(as_actor(office), {})
        assert rows == 3
        data = exported.read()
        before = snapshot()

        again = build_plan(io.BytesIO(data), office)
        assert (again.errors, again.created, again.updated, again.unchanged) == ([], [], [], 3)
        apply_plan(again, as_actor(office))
        assert snapshot() == before

        edited = build_plan(edit(io.BytesIO(data), 5, "整改责任人", "王刚"), office)
        assert edited.errors == []
        assert [(c.code, c.values, c.shown) for c in edited.updated] == [("YH2026-000002", {"responsible_name": "王刚"}, [("整改责任人", "张强", "王刚")])]
        apply_plan(edited, as_actor(office))

    after = snapshot()
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) == 1
    b, a = changed[0]
    assert (b[0], b[9], a[9], a[2] - b[2]) == ("YH2026-000002", "张强", "王刚", 1)


# --- the pages -----------------------------------------------------------------------------------------


def upload(client, sheet: io.BytesIO, name="隐患台账.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/safety/hazards/import/", {"file": SimpleUploadedFile(name, sheet.getvalue())})


def test_the_safety_office_uploads_previews_the_problem_then_imports_the_fixed_sheet(county, sectors):
    client = county.client("safety")
    with at("2026-03-25"):
        refused = upload(client, county_sheet(with_cell(ROWS, 1, 5, "特大")))
        preview = client.get(refused["Location"])
        html = preview.content.decode()
        assert "发现 1 处问题，未导入任何数据。" in html
        assert "“特大”不对，只能填“一般隐患”或“重大隐患”" in html and ">隐患等级（F）<" in html
        assert client.post(refused["Location"] + "confirm/").status_code == 422
        assert Hazard.objects.count() == 0

        fixed = upload(client, county_sheet())
        page = client.get(fixed["Location"]).content.decode()
        assert 'data-testid="create-count">3<' in page
        done = client.post(fixed["Location"] + "confirm/")
    assert done.status_code == 302 and done["Location"] == "/safety/hazards/"
    assert Hazard.objects.count() == 3
    assert AuditEntry.objects.filter(action="hazard.import_sheet", actor=county.people["safety"]).count() == 1


@pytest.mark.parametrize("role", ["unit_head", "township_liaison", "supervision", "principal"])
def test_other_roles_are_refused_the_import_pages(county, sectors, role):
    client = county.client(role)
    assert client.get("/safety/hazards/import/").status_code == 403
    assert upload(client, county_sheet()).status_code == 403
    assert Hazard.objects.count() == 0


def test_the_list_pages_export_uses_its_filters_and_the_users_scope(county, sectors, report, assign, other_township):
    office = county.people["safety"]
    with at("2026-03-25"):
        apply_plan(build_plan(county_sheet(), office), as_actor(office))
        mine = report(title="燃气报警器失效")  # the grid worker's, in 城关镇
        elsewhere = report(title="林区违规用火", township=other_township, by=office)
        office_export = county.client("safety").get("/safety/hazards/export/", {"level": "major"})
        township_export = county.client("township_liaison").get("/safety/hazards/export/")

    def codes(response):
        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert [c.value for c in ws[3]] == [*HEADER[:9], "整改资金（万元）", *HEADER[10:], "隐患编号", "行业领域", "属地乡镇", "整改责任单位", "状态"]
        return [row[13] for row in ws.iter_rows(min_row=4, values_only=True)]

    assert codes(office_export) == ["YH2026-000003"]  # the major one only, as the page filters it
    assert codes(township_export) == [mine.code]  # 城关镇's: not the office's sheet, not 关庙镇's
    assert elsewhere.code.startswith("YH2026-")


# --- the terminal --------------------------------------------------------------------------------------


def run(*args):
    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def saved(tmp_path, sheet: io.BytesIO, name="隐患台账.xlsx"):
    path = tmp_path / name
    path.write_bytes(sheet.getvalue())
    return path


def test_duban_import_hazards_refuses_a_bad_sheet_with_exit_1_then_imports_it_fixed(county, sectors, tmp_path):
    from django.core.management.base import CommandError

    bad = saved(tmp_path, county_sheet(with_cell(with_cell(ROWS, 1, 5, "特大"), 2, 9, "五万")))
    out = io.StringIO()
    with at("2026-03-25"), pytest.raises(CommandError) as failure:
        from django.core.management import call_command

        call_command("import", "hazards", str(bad), stdout=out, stderr=io.StringIO())
    assert failure.value.returncode == 1
    assert str(failure.value) == "未导入：发现 2 处问题（见上）。修改表格后重新导入。"
    assert out.getvalue().splitlines() == [
        "第 4 行“隐患等级”列（F）：“特大”不对，只能填“一般隐患”或“重大隐患”（也可简写为“一般”“重大”）",
        "第 5 行“整改资金”列（J）：“五万”不是金额，请写成数字（单位万元），如 5 或 5万元",
    ]
    assert Hazard.objects.count() == 0

    good = saved(tmp_path, county_sheet(), "改好的.xlsx")
    with at("2026-03-25"):
        dry = run("import", "hazards", str(good), "--dry-run")
        assert dry.splitlines() == ["新建 3 条，修改 0 条，0 条不变。", "试运行（--dry-run）：以上内容均未写入。"]
        assert Hazard.objects.count() == 0 and not AuditEntry.objects.filter(action__startswith="hazard.").exists()
        assert run("import", "hazards", str(good)).splitlines()[-1] == "导入完成：新建 3 条，修改 0 条。"
        target = tmp_path / "导出.xlsx"
        assert run("export", "hazards", "-o", str(target)) == f"已导出 3 条隐患到 {target}\n"
        assert run("import", "hazards", str(target)).splitlines() == ["新建 0 条，修改 0 条，3 条不变。", "表格与系统中的隐患一致，没有需要写入的内容。"]
    assert Hazard.objects.count() == 3
    assert AuditEntry.objects.filter(action="hazard.export", actor_name="duban export").count() == 1


def test_a_reimport_may_not_change_what_only_the_transitions_write(county, sectors):
    office = county.people["safety"]
    with at("2026-03-25"):
        apply_plan(build_plan(county_sheet(), office), as_actor(office))
        exported, _rows, _name = export_filtered(as_actor(office), {})
        plan = build_plan(edit(exported, 5, "状态", "已销号"), office)

    assert [str(p) for p in plan.errors] == [
        "第 5 行“状态”列（R）：不能通过导入修改（系统中为“已发现待整改”，表格中为“已销号”），请在隐患页面办理"]


def test_dates_and_amounts_as_counties_write_them(county, sectors):
    rows = [with_cell(ROWS, 1, 8, 46142)[1], with_cell(ROWS, 1, 9, "50000元")[1]]  # an Excel serial number: 2026-04-30
    rows[1] = with_cell([rows[1]], 0, 8, "2026/5/8")[0]
    with at("2026-03-25"):
        plan = build_plan(county_sheet(rows), county.people["safety"])
    assert plan.errors == []
    assert [(n.values["due_date"], n.values["funds"]) for n in plan.created] == [
        (dt.date(2026, 4, 30), Decimal("5.00")), (dt.date(2026, 5, 8), Decimal("5.00"))]


def test_a_date_that_is_not_one_is_refused_with_how_to_write_it(county, sectors):
    with at("2026-03-25"):
        plan = build_plan(county_sheet(with_cell(ROWS, 0, 1, "2026.2.30")), county.people["safety"])
    assert [str(p) for p in plan.errors] == ["第 3 行“排查时间”列（B）：“2026.2.30”不是有效日期（没有这一天）"]


def test_a_struck_off_hazard_stays_as_it_was_struck_off(county, sectors):
    office = county.people["safety"]
    with at("2026-03-25"):
        apply_plan(build_plan(county_sheet(), office), as_actor(office))
        exported, _rows, _name = export_filtered(as_actor(office), {})
        plan = build_plan(edit(exported, 4, "整改措施", "另行整改"), office)

    assert [str(p) for p in plan.errors] == [
        "第 4 行“整改措施”列（G）：隐患 YH2026-000001 已销号，不能通过导入修改（系统中为“钢瓶移出灶间，加装报警器”，表格中为“另行整改”）"]


def test_a_hazard_changed_after_the_preview_refuses_the_confirm_and_writes_nothing(county, sectors):
    from duban.safety import services

    office = county.people["safety"]
    client = county.client("safety")
    with at("2026-03-25"):
        apply_plan(build_plan(county_sheet(), office), as_actor(office))
        exported, _rows, _name = export_filtered(as_actor(office), {})
        staged = upload(client, edit(exported, 5, "整改责任人", "王刚"))
        hazard = Hazard.objects.get(code="YH2026-000002")
        services.edit_hazard(as_actor(office), hazard, measures="先行清理")  # someone else, meanwhile
        refused = client.post(staged["Location"] + "confirm/")

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "发现 1 处问题，未导入任何数据。" in html
    assert "该隐患刚被他人修改过（当前为第 3 版），您的操作没有保存。" in html
    hazard.refresh_from_db()
    assert (hazard.responsible_name, hazard.measures) == ("张强", "先行清理")


def test_a_file_that_is_not_a_workbook_is_refused_before_it_is_read(county, sectors):
    response = upload(county.client("safety"), io.BytesIO(b"PK\x03\x04 not really a zip"), name="台账.xlsx")
    assert response.status_code == 200
    assert "请上传 Excel 工作簿（.xlsx）。“台账.xlsx”不是 .xlsx 文件。" in response.content.decode()


def test_the_export_costs_the_same_queries_for_any_number_of_hazards(county, sectors, django_assert_num_queries):
    office = county.people["safety"]
    with at("2026-03-25"):
        apply_plan(build_plan(county_sheet(ROWS[:1]), office), as_actor(office))
        with django_assert_num_queries(4):  # the hazards in one query; the audit entry (its chain's head, the entry, the head)
            export_filtered(as_actor(office), {})
        apply_plan(build_plan(county_sheet(ROWS[1:] * 5), office), as_actor(office))
        with django_assert_num_queries(4):
            _file, rows, _name = export_filtered(as_actor(office), {})
    assert rows == 11


def test_a_sheet_without_the_place_column_is_refused_once_not_on_every_row(county, sectors):
    header = [h for h in HEADER if h != "隐患部位"]
    rows = [[v for i, v in enumerate(r) if i != 3] for r in ROWS]
    with at("2026-03-25"):
        plan = build_plan(county_sheet(rows, header), county.people["safety"])
    assert [str(p) for p in plan.errors] == ["第 2 行表头中没有“隐患部位”列（也可叫“隐患地点”“部位”），请加上这一列。"]


def test_the_hazard_import_stands_on_the_same_caps_as_the_ledgers(county, sectors, tmp_path, settings):
    """A small file whose one cell expands past what Excel allows is refused before openpyxl reads it."""
    from tests.ledger.test_excel_bomb import crafted_xlsx

    settings.DATA_DIR = tmp_path
    path = crafted_xlsx(tmp_path / "台账.xlsx", cell_bytes=40_000)
    with at("2026-03-25"), path.open("rb") as source:
        plan = build_plan(source, county.people["safety"])
    assert [str(p) for p in plan.errors] == ["该文件中有单元格超过 32767 个字符（Excel 单元格的上限），不像隐患排查整改台账，已拒绝读取。"]


def test_a_recurrence_is_on_the_list_and_its_export_unless_only_recurrences_are_asked_for(county, report, assign):
    """The 复发 checkbox unticked reads False: it must not hide the recurrences (it did, from the page and the export)."""
    from duban.safety import services

    office = county.people["safety"]
    with at("2026-03-02"):
        first = report()
        assign(first)
    with at("2026-03-05"):
        services.request_verification(as_actor(county.people["township_liaison"]), first, result="已更换", photos=[photo()])
        services.verify_hazard(as_actor(office), first)
    with at("2026-03-20"):
        again = report()
        assert again.recurrence_of == first
        client = county.client("safety")
        listed = client.get("/safety/hazards/").content.decode()
        only = client.get("/safety/hazards/", {"recurrence": "true"}).content.decode()
        exported = client.get("/safety/hazards/export/")

    assert first.code in listed and again.code in listed
    assert again.code in only and first.code not in only
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert [row[13] for row in ws.iter_rows(min_row=4, values_only=True)] == [first.code, again.code]


def test_a_row_said_to_be_rectifying_without_its_deadline_is_refused_at_the_preview(county, sectors):
    header = [*HEADER, "整改责任单位", "状态"]
    rows = [[*ROWS[1][:8], "", *ROWS[1][9:], "城关镇", "整改中"]]
    with at("2026-03-25"):
        plan = build_plan(county_sheet(rows, header), county.people["safety"])
    assert [str(p) for p in plan.errors] == ["第 3 行“整改时限”列（I）：整改中的隐患须填写整改时限。"]


def test_an_imported_hazards_page_names_who_verified_it_as_the_sheet_does(county, sectors):
    office = county.people["safety"]
    with at("2026-03-25"):
        apply_plan(build_plan(county_sheet(), office), as_actor(office))
        html = county.client("safety").get("/safety/hazards/YH2026-000001/").content.decode()
    assert "孙安委 2026-03-21" in html
    assert "王建国 2026-03-05" in html
    assert "按台账导入：已销号" in html
