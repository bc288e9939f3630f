"""The county's project sheet in and out (issue 9, Excel; acceptance 4): a realistic sheet — merged title rows, a
two-row header with the month pairs, amounts in 万元 and 亿元 — with an unknown 包抓领导 reports the row and
imports nothing; fixed, it imports all; its export comes back unchanged; a few edited cells change exactly those."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict

from duban.core.actor import Actor
from duban.core.excel.cells import CellError
from duban.core.models import AuditEntry
from duban.matters.models import MatterEvent
from duban.projects.choices import ProcedureState, ReportState, Stage
from duban.projects.excel.columns import WAN, YI, parse_money
from duban.projects.excel.export import export_filtered
from duban.projects.excel.plan import apply_plan, build_plan
from duban.projects.models import InvestmentReport, Procedure, Project
from tests.projects.conftest import at

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")
FIXED = ["序号", "项目名称", "建设内容和规模", "总投资（亿元）", "年度计划投资", "累计完成投资", "包抓领导", "责任单位"]
TAIL = ["项目进展情况", "存在问题"]
MONTHS = (1, 2, 3, 4)
# (项目名称, 建设内容, 总投资 in the 亿元 column, 年度计划, 累计, 包抓领导, 责任单位, [(plan, done) by month], 进展, 问题)
PROJECTS = [
    ["年产10万吨新型建材项目", "新建生产线2条及配套仓储", 5.2, 12000, "2.3亿", "李副县长", "县交通运输局",
     [(1000, 800), (1000, "1200.5万元"), (2000, 1500), (2500, None)], "主体厂房封顶", "用电增容待批复"],
    ["城关镇污水处理厂提标改造", "日处理2万吨，出水一级A", 0.35, "1800万元", None, "王书记", "交通运输局",
     [(None, None), (None, None), (300, None), (500, None)], "完成初设", ""],
    ["县城东环路改建工程", "全长6.8公里，双向四车道", "3.5亿元", "0.8亿元", 9000, "张副县长", "县交通运输局",
     [(500, 500), (500, 500), (1000, 1000), (1500, None)], "路基施工", "部分路段征迁未完成"],
]
UNKNOWN_ROW = 8  # the third project: title, unit, two header rows, a section row, then the projects from row 6


def county_sheet(projects=PROJECTS) -> io.BytesIO:
    """The county's sheet: two merged title rows, a two-row header (a merged "N月" over 计划投资 | 完成投资, the
    other headers merged down), a section row, the projects, a total row and who filled it in."""
    book = openpyxl.Workbook()
    ws = book.active
    width = len(FIXED) + 2 * len(MONTHS) + len(TAIL)
    ws.append(["某某县2026年重点项目推进表"])
    ws.append(["单位：万元"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(FIXED + [x for m in MONTHS for x in (f"{m}月", None)] + TAIL)
    ws.append([None] * len(FIXED) + ["计划投资", "完成投资"] * len(MONTHS) + [None] * len(TAIL))
    for column in [*range(1, len(FIXED) + 1), *range(width - len(TAIL) + 1, width + 1)]:
        ws.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    for n in range(len(MONTHS)):
        start = len(FIXED) + 1 + 2 * n
        ws.merge_cells(start_row=3, start_column=start, end_row=3, end_column=start + 1)
    ws.append(["一、续建项目"])
    ws.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    for seq, (name, content, total, annual, cumulative, leader, unit, months, progress, issues) in enumerate(projects, start=1):
        ws.append([seq, name, content, total, annual, cumulative, leader, unit, *[x for pair in months for x in pair], progress, issues])
    ws.append(["合计", None, None, 9.05])
    ws.append([])
    ws.append(["填表人：郑联络"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def fixed_projects():
    rows = [list(p) for p in PROJECTS]
    rows[2][5] = "李副县长"
    return rows


def edit(xlsx, cells: dict[tuple[str, str], object]) -> io.BytesIO:
    """Cells of an exported sheet changed, as the office would in Excel: {(project name, header): value}."""
    book = openpyxl.load_workbook(xlsx)
    ws = book.active
    columns = {c.value: c.column for c in ws[3]}
    rows = {ws.cell(row=r, column=columns["项目名称"]).value: r for r in range(4, ws.max_row + 1)}
    for (name, header), value in cells.items():
        ws.cell(row=rows[name], column=columns[header], value=value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def snapshot():
    projects = sorted(Project.objects.values_list(
        "code", "name", "version", "state", "content", "total_investment", "annual_plan", "cumulative_before", "year_completed",
        "cumulative", "leader_in_charge__full_name", "lead_unit__name", "progress_note", "issues_note", "level", "industry", "location"))
    reports = sorted(InvestmentReport.objects.values_list("code", "state", "version", "planned", "completed", "year_to_date", "cumulative"))
    return projects, reports


def export_all(params="") -> io.BytesIO:
    output, _rows, _name = export_filtered(SYSTEM, QueryDict(params))
    with output:
        return io.BytesIO(output.read())


def imported(county, handlers):
    with at("2026-04-10"):
        plan = build_plan(county_sheet(fixed_projects()), file_name="重点项目.xlsx")
        assert plan.ok, [str(e) for e in plan.errors]
        apply_plan(plan, SYSTEM)
    return {p.name: p for p in Project.objects.all()}


def test_amounts_are_read_in_the_unit_written_with_decimal_arithmetic():
    assert parse_money("1.2亿元") == parse_money("1.2亿") == Decimal("12000.00")
    assert parse_money("3500万元") == parse_money(3500) == parse_money("3500") == parse_money("3,500万") == Decimal("3500.00")
    assert parse_money(0.35, YI) == Decimal("3500.00") and parse_money("0.35", YI) == Decimal("3500.00")
    assert parse_money("350万元", YI) == Decimal("350.00")  # written with its unit: the column's does not apply
    assert parse_money(1.23456, YI) == Decimal("12345.60") and parse_money(0.1, WAN) + parse_money(0.2, WAN) == Decimal("0.30")
    assert parse_money("50000元") == Decimal("5.00") and parse_money(None) is None and parse_money("—") is None
    for bad in ("三千万", "-5", "1.2美元"):
        with pytest.raises(CellError):
            parse_money(bad)


def test_an_unknown_leader_reports_the_row_and_imports_nothing_then_fixed_it_imports_all(county, handlers):
    with at("2026-04-10"):
        plan = build_plan(county_sheet(), file_name="重点项目.xlsx")
        assert [str(e) for e in plan.errors] == [
            f"第 {UNKNOWN_ROW} 行“包抓领导”列（G）：系统中没有名为“张副县长”的县级领导账号（包抓领导须是在用的县级领导，写全名）"]
        assert Project.objects.count() == 0
        plan = build_plan(county_sheet(fixed_projects()), file_name="重点项目.xlsx")
        assert plan.ok and plan.year == 2026 and plan.title == "某某县2026年重点项目推进表"
        assert [(r.row, r.name, r.stage) for r in plan.created] == [
            (6, "年产10万吨新型建材项目", Stage.STARTED), (7, "城关镇污水处理厂提标改造", Stage.PREPARING), (8, "县城东环路改建工程", Stage.STARTED)]
        result = apply_plan(plan, SYSTEM)
    assert len(result.created) == 3 and not result.updated
    projects = {p.name: p for p in Project.objects.select_related("leader_in_charge", "lead_unit")}
    plant = projects["年产10万吨新型建材项目"]
    # 5.2 in the 总投资（亿元） column, "2.3亿" written with its unit, 12000 in 万元 (the title rows say 万元).
    assert (plant.total_investment, plant.annual_plan, plant.cumulative) == (Decimal("52000"), Decimal("12000"), Decimal("23000"))
    # 累计 = before + the sheet's completed months (800 + 1200.5 + 1500).
    assert (plant.cumulative_before, plant.year_completed) == (Decimal("19499.50"), Decimal("3500.50"))
    assert plant.leader_in_charge == county.people["leader"] and plant.lead_unit == county.units["transport"] and plant.plan_year == 2026
    assert (plant.content, plant.progress_note, plant.issues_note) == ("新建生产线2条及配套仓储", "主体厂房封顶", "用电增容待批复")
    months = {r.month: r for r in InvestmentReport.objects.filter(project=plant)}
    assert [(m, r.state, r.planned, r.completed, r.year_to_date, r.cumulative) for m, r in sorted(months.items())] == [
        (1, ReportState.SUBMITTED, Decimal("1000"), Decimal("800"), Decimal("800"), Decimal("20299.50")),
        (2, ReportState.SUBMITTED, Decimal("1000"), Decimal("1200.50"), Decimal("2000.50"), Decimal("21500.00")),
        (3, ReportState.SUBMITTED, Decimal("2000"), Decimal("1500"), Decimal("3500.50"), Decimal("23000.00")),
        (4, ReportState.DUE, Decimal("2500"), None, None, None),  # April: due on the 25th, on the ladder as usual
    ]
    assert MatterEvent.objects.filter(matter_id=months[1].pk, event="imported").exists()
    # Entered at 开工: the procedures 开工 needs are taken as done (按项目表导入).
    assert set(Procedure.objects.filter(project=plant).values_list("state", flat=True)) == {ProcedureState.DONE}
    plant_works = projects["城关镇污水处理厂提标改造"]
    assert (plant_works.state, plant_works.total_investment, plant_works.annual_plan, plant_works.cumulative) == (
        Stage.PREPARING, Decimal("3500"), Decimal("1800"), Decimal("0"))
    assert plant_works.leader_in_charge == county.people["principal"] and plant_works.lead_unit == county.units["transport"]
    assert ProcedureState.PENDING in set(Procedure.objects.filter(project=plant_works).values_list("state", flat=True))
    road = projects["县城东环路改建工程"]
    assert (road.total_investment, road.annual_plan, road.cumulative_before, road.cumulative) == (
        Decimal("35000"), Decimal("8000"), Decimal("7000"), Decimal("9000"))
    assert AuditEntry.objects.filter(action="project.import_sheet").count() == 1


def test_export_then_reimport_changes_nothing_and_edited_cells_change_exactly_those(county, handlers):
    imported(county, handlers)
    with at("2026-04-12"):
        exported = export_all()
        book = openpyxl.load_workbook(io.BytesIO(exported.getvalue()))
        ws = book.active
        header = [c.value for c in ws[3]]
        assert header[:11] == ["序号", "项目编号", "项目名称", "建设内容和规模", "总投资（万元）", "年度计划投资（万元）", "累计完成投资（万元）",
                               "包抓领导", "责任单位", "项目进展情况", "存在问题"]
        assert header[15:19] == ["1月计划投资", "1月完成投资", "2月计划投资", "2月完成投资"]
        assert ws.cell(row=1, column=1).value.startswith("2026年重点项目推进表")
        before = snapshot()
        # The county's own sheet brought back (no 项目编号: matched by name) changes nothing either.
        assert build_plan(county_sheet(fixed_projects())).nothing_to_do
        again = build_plan(io.BytesIO(exported.getvalue()), file_name="导出.xlsx")
        assert again.ok and again.nothing_to_do and again.unchanged == 3, [str(e) for e in again.errors]
        apply_plan(again, SYSTEM)
        assert snapshot() == before
        edited = edit(io.BytesIO(exported.getvalue()), {
            ("年产10万吨新型建材项目", "存在问题"): "用电增容已批复",
            ("城关镇污水处理厂提标改造", "4月计划投资"): 600,
            ("县城东环路改建工程", "包抓领导"): "王书记",
            ("县城东环路改建工程", "累计完成投资（万元）"): "0.95亿元",
        })
        plan = build_plan(edited, file_name="改过的.xlsx")
        assert plan.ok and not plan.created and plan.unchanged == 0
        assert sorted((c.shown for c in plan.updated), key=str) == sorted([
            [("存在问题", "用电增容待批复", "用电增容已批复")],
            [("4月计划投资", "500", "600")],
            [("包抓领导", "李副县长", "王书记"), ("累计完成投资（万元）", "9000", "9500")],
        ], key=str)
        apply_plan(plan, SYSTEM)
    projects = {p.name: p for p in Project.objects.select_related("leader_in_charge")}
    assert projects["年产10万吨新型建材项目"].issues_note == "用电增容已批复"
    assert InvestmentReport.objects.get(project=projects["城关镇污水处理厂提标改造"], month=4).planned == Decimal("600")
    road = projects["县城东环路改建工程"]
    assert road.leader_in_charge == county.people["principal"]
    assert (road.cumulative_before, road.cumulative, road.year_completed) == (Decimal("7500"), Decimal("9500"), Decimal("2000"))
    after_projects, after_reports = snapshot()
    # Nothing else moved: the other rows and reports are as they were (but the three edited projects' versions).
    changed = {p.code for p in projects.values()}
    assert [p for p in after_projects if p[0] not in changed] == [p for p in before[0] if p[0] not in changed]
    untouched = [r for r in before[1] if not r[0].startswith(projects["城关镇污水处理厂提标改造"].code)]
    assert [r for r in after_reports if r in untouched] == untouched
    with at("2026-04-12"):
        assert build_plan(export_all(), file_name="再导出.xlsx").nothing_to_do


def test_a_month_edited_on_the_sheet_is_reimported_as_reported(county, handlers):
    projects = imported(county, handlers)
    with at("2026-04-12"):
        edited = edit(export_all(), {("年产10万吨新型建材项目", "3月完成投资"): 1800})
        plan = build_plan(edited)
        assert [c.shown for c in plan.updated] == [[("3月完成投资", "1500", "1800")]]
        apply_plan(plan, SYSTEM)
    plant = Project.objects.get(pk=projects["年产10万吨新型建材项目"].pk)
    # 累计 left as exported: the earlier years stay, the month's change follows into the totals.
    assert (plant.cumulative_before, plant.year_completed, plant.cumulative) == (Decimal("19499.50"), Decimal("3800.50"), Decimal("23300.00"))
    march = InvestmentReport.objects.get(project=plant, month=3)
    assert (march.completed, march.cumulative) == (Decimal("1800"), Decimal("23300.00"))


def test_bad_cells_are_each_reported_by_row_and_column(county, handlers):
    rows = fixed_projects()
    rows[0][6] = "县招商局"  # no such unit
    rows[1][2] = "三千万"
    rows[2][7] = [(500, 500), (500, 500), (1000, 1000), (1500, 900)]  # April's completion, written in March
    with at("2026-03-20"):
        plan = build_plan(county_sheet(rows))
    assert [str(e) for e in plan.errors] == [
        "第 6 行“责任单位”列（H）：系统中没有名为“县招商局”的单位（写单位全称或简称）",
        "第 7 行“总投资（亿元）”列（D）：“三千万”不是金额，请写成数字，如 3500、3500万元或1.2亿元",
        "第 8 行“4月完成投资”列（P）：2026年4月还没到，不能填写完成投资",
    ]


def test_a_one_row_header_with_the_unit_in_the_title_rows(county, handlers):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2026年县级重点项目（单位：亿元）"])
    ws.append(["序号", "项目名称", "总投资", "年度计划投资", "累计完成投资", "包抓领导", "责任单位", "1月计划投资", "1月完成投资", "项目阶段", "项目级别"])
    ws.append([1, "文旅小镇一期", 2, 0.5, 0.3, "李副县长", "县发展和改革局", 0.1, 0.05, "开工", "市重点"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    with at("2026-02-10"):
        plan = build_plan(out)
        assert plan.ok, [str(e) for e in plan.errors]
        apply_plan(plan, SYSTEM)
    project = Project.objects.get()
    assert (project.total_investment, project.annual_plan, project.cumulative, project.cumulative_before) == (
        Decimal("20000"), Decimal("5000"), Decimal("3000"), Decimal("2500"))
    assert (project.state, project.level) == (Stage.STARTED, "city")
    assert InvestmentReport.objects.get(project=project, month=1).planned == Decimal("1000")


def _saved(tmp_path, sheet, name="重点项目.xlsx"):
    path = tmp_path / name
    path.write_bytes(sheet.getvalue())
    return str(path)


def test_duban_import_projects_dry_run_and_exit_codes_then_export(county, handlers, tmp_path):
    out = io.StringIO()
    with at("2026-04-10"):
        with pytest.raises(CommandError) as refused:
            call_command("import", "projects", _saved(tmp_path, county_sheet()), stdout=out, stderr=io.StringIO())
        assert refused.value.returncode == 1 and f"第 {UNKNOWN_ROW} 行“包抓领导”列（G）" in out.getvalue()
        good = _saved(tmp_path, county_sheet(fixed_projects()), "改好的.xlsx")
        out = io.StringIO()
        call_command("import", "projects", good, "--dry-run", stdout=out, stderr=io.StringIO())
        assert "试运行（--dry-run）" in out.getvalue() and "第 6 行 新建：年产10万吨新型建材项目（开工，县交通运输局）" in out.getvalue()
        assert Project.objects.count() == 0 and InvestmentReport.objects.count() == 0
        out = io.StringIO()
        call_command("import", "projects", good, stdout=out, stderr=io.StringIO())
        assert "导入完成：新建 3 个项目，修改 0 个" in out.getvalue() and Project.objects.count() == 3
        target = tmp_path / "导出.xlsx"
        out = io.StringIO()
        call_command("export", "projects", "-o", str(target), "--stage", "preparing", stdout=out, stderr=io.StringIO())
        assert "已导出 1 个项目" in out.getvalue()
        ws = openpyxl.load_workbook(target).active
        assert ws.cell(row=4, column=3).value == "城关镇污水处理厂提标改造"
        out = io.StringIO()
        call_command("import", "projects", str(target), stdout=out, stderr=io.StringIO())
        assert "表格与系统中的项目一致" in out.getvalue()
        with pytest.raises(CommandError) as bad_filter:
            call_command("export", "projects", "--stage", "nowhere", stdout=io.StringIO(), stderr=io.StringIO())
        assert bad_filter.value.returncode == 2


def _upload(client, sheet, name="重点项目.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/projects/import/", {"file": SimpleUploadedFile(name, sheet.getvalue())})


def test_the_office_uploads_previews_and_confirms_on_the_page(county, handlers):
    client = county.client("liaison")  # 县发改局 联络员: the project office
    with at("2026-04-10"):
        assert client.get("/projects/import/").status_code == 200
        refused = _upload(client, county_sheet())
        page = client.get(refused["Location"]).content.decode()
        assert "张副县长" in page and 'data-row="8"' in page
        assert client.post(refused["Location"] + "confirm/").status_code == 422 and Project.objects.count() == 0
        staged = _upload(client, county_sheet(fixed_projects()))
        page = client.get(staged["Location"]).content.decode()
        assert 'data-testid="create-count">3<' in page and "县城东环路改建工程" in page
        done = client.post(staged["Location"] + "confirm/")
        assert done.status_code == 302 and done["Location"] == "/projects/"
        assert Project.objects.count() == 3
        assert client.get(staged["Location"]).status_code == 404  # confirmed: the staged plan is gone
        changed = _upload(client, edit(export_all(), {("县城东环路改建工程", "存在问题"): "征迁已完成"}))
        page = client.get(changed["Location"]).content.decode()
        assert 'data-testid="update-count">1<' in page and "部分路段征迁未完成" in page and "征迁已完成" in page
        assert client.post(changed["Location"] + "confirm/").status_code == 302
        assert Project.objects.get(name="县城东环路改建工程").issues_note == "征迁已完成"
        cancelled = _upload(client, county_sheet(fixed_projects()))
        assert client.post(cancelled["Location"] + "cancel/").status_code == 302
        assert client.get(cancelled["Location"]).status_code == 404


@pytest.mark.parametrize("role", ["unit_head", "leader", "township_liaison"])
def test_only_the_project_office_may_import(county, handlers, role):
    client = county.client(role)
    assert client.get("/projects/import/").status_code == 403
    assert _upload(client, county_sheet(fixed_projects())).status_code == 403
    assert Project.objects.count() == 0


def test_the_export_page_takes_the_lists_filters_and_the_users_scope(county, handlers):
    imported(county, handlers)
    with at("2026-04-12"):
        response = county.client("liaison").get("/projects/export/", {"stage": "started"})
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
        ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert {ws.cell(row=r, column=3).value for r in range(4, ws.max_row + 1)} == {"年产10万吨新型建材项目", "县城东环路改建工程"}
        # The township sees none of the county's projects: an export of nothing but the header.
        township = county.client("township_liaison").get("/projects/export/")
        ws = openpyxl.load_workbook(io.BytesIO(b"".join(township.streaming_content))).active
        assert ws.cell(row=4, column=3).value is None
        bad = county.client("liaison").get("/projects/export/", {"stage": "nowhere"})
        assert bad.status_code == 302


def test_a_two_row_header_with_the_year_over_its_plan(county, handlers):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["某某县重点项目推进表"])
    ws.append(["项目名称", "总投资", "2026年", None, "包抓领导", "责任单位", "1月份", None])
    ws.append([None, None, "计划投资", "完成投资", None, None, "计划", "完成"])
    for column in (1, 2, 5, 6):
        ws.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    ws.merge_cells("C2:D2")
    ws.merge_cells("G2:H2")
    ws.append(["物流园一期", "8000万元", 3000, 600, "李副县长", "县交通运输局", 600, 600])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    with at("2026-02-10"):
        plan = build_plan(out)
        assert plan.ok and plan.year == 2026, [str(e) for e in plan.errors]
        apply_plan(plan, SYSTEM)
    project = Project.objects.get()
    assert (project.total_investment, project.annual_plan, project.year_completed) == (Decimal("8000"), Decimal("3000"), Decimal("600"))
    assert InvestmentReport.objects.get(project=project, month=1).planned == Decimal("600")



def test_a_project_changed_since_the_preview_refuses_the_whole_import(county, handlers, office):
    from duban.projects import services
    from duban.projects.excel.plan import ImportFailed

    projects = imported(county, handlers)
    with at("2026-04-12"):
        edited = edit(export_all(), {("年产10万吨新型建材项目", "存在问题"): "已解决", ("县城东环路改建工程", "项目进展情况"): "路面施工"})
        plan = build_plan(edited)
        assert len(plan.updated) == 2
        services.edit_project(office, projects["县城东环路改建工程"], content="全长7公里")  # someone else, meanwhile
        before = snapshot()
        with pytest.raises(ImportFailed) as refused:
            apply_plan(plan, SYSTEM)
        assert [p.row for p in refused.value.problems] == [next(c.row for c in plan.updated if c.code == projects["县城东环路改建工程"].code)]
        assert snapshot() == before  # all or nothing: the other row is not written either


def test_the_export_costs_the_same_queries_for_more_projects(county, handlers, new_project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    imported(county, handlers)
    with at("2026-04-12"):
        with CaptureQueriesContext(connection) as three:
            export_all()
        for n in range(3):
            new_project(name=f"补充项目{n}")
        with CaptureQueriesContext(connection) as six:
            rows = openpyxl.load_workbook(export_all()).active.max_row
    assert rows == 3 + 6 and len(six.captured_queries) == len(three.captured_queries)
