"""A unit works in Excel and brings its sheet back: the ledger it exported, with 进度 and 最新进展 filled in,
imports as its progress reports — all or nothing, never touching the five clarities, never creating tasks."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duban.core.models import AuditEntry
from duban.ledger import importing, services
from duban.ledger.excel import export_ledger
from duban.ledger.excel.export import export_filtered
from duban.ledger.models import ProgressReport, Task
from tests.ledger.conftest import as_actor
from tests.ledger.test_excel import OFFICE, county_sheet, edit, load, snapshot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def ledger(county, campaign):
    """The six tasks of the county's sheet, registered; the NDRC's own task (seq 2) signed for."""
    importing.import_ledger(county_sheet(), OFFICE, register=True)
    task = Task.objects.get(seq="2")
    services.sign_task(as_actor(county.people["liaison"]), task)
    return Task.objects.get(seq="2")


def unit_export(county, role="liaison") -> io.BytesIO:
    """The sheet the unit downloads from the list page: its own scope."""
    output, _rows, _name = export_filtered(as_actor(county.people[role]), {})
    return load(output)


def with_column(xlsx: io.BytesIO, header: str, values: dict[str, str]) -> io.BytesIO:
    """The sheet with one more column (as a unit adds 存在问题), filled for the rows of the codes given."""
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    column = ws.max_column + 1
    ws.cell(3, column).value = header
    codes = {c.value: c.column for c in ws[3]}
    for r in range(4, ws.max_row + 1):
        code = ws.cell(r, codes["任务编号"]).value
        if code in values:
            ws.cell(r, column).value = values[code]
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_the_unit_sheet_holds_only_its_tasks_and_the_latest_progress(county, ledger):
    services.report_progress(as_actor(county.people["liaison"]), ledger, percent=30, text="完成方案编制")
    ws = openpyxl.load_workbook(unit_export(county)).active
    headers = [c.value for c in ws[3]]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    visible = set(Task.objects.visible_to(county.people["liaison"]).values_list("code", flat=True))

    assert {r[headers.index("任务编号")] for r in rows} == visible
    mine = next(r for r in rows if r[headers.index("任务编号")] == ledger.code)
    assert mine[headers.index("进度（%）")] == 30 and mine[headers.index("最新进展")] == "完成方案编制"


def test_a_unit_brings_back_progress_and_it_is_reported_in_its_name(county, ledger):
    liaison = county.people["liaison"]
    before = snapshot([ledger.pk])
    sheet = edit(unit_export(county), {(ledger.code, "进度（%）"): 60, (ledger.code, "最新进展"): "已完成并联审批改革方案，报县政府审定"})
    sheet = with_column(sheet, "存在问题", {ledger.code: "部分部门系统未打通"})

    plan = importing.build_plan(sheet, user=liaison, file_name="发改局回填.xlsx")

    assert plan.ok, [str(e) for e in plan.errors]
    assert plan.unit_mode and plan.creates == []
    assert [(p.task.code, p.report) for p in plan.reports] == [(ledger.code, {
        "percent": 60, "text": "已完成并联审批改革方案，报县政府审定", "problems": "部分部门系统未打通", "next_steps": ""})]
    assert "报送进展 1 项" in "\n".join(importing.describe(plan))
    assert ProgressReport.objects.count() == 0  # the plan writes nothing

    result = importing.apply_plan(plan, as_actor(liaison))

    assert result.reported == [ledger.code] and result.updated == [] and result.created == []
    report = ProgressReport.objects.get()
    assert (report.unit, report.author, report.percent, report.problems) == (county.units["ndrc"], liaison, 60, "部分部门系统未打通")
    task = Task.objects.get(pk=ledger.pk)
    assert task.progress == 60 and task.version == before[ledger.pk]["version"] + 1
    assert (task.title, task.standard, task.lead_unit_id, task.due_date) == (ledger.title, ledger.standard, ledger.lead_unit_id, ledger.due_date)
    assert AuditEntry.objects.filter(action="ledger.import", message__contains="报送进展 1 项").exists()

    # The same sheet again says what the system already holds: nothing to report twice.
    again = importing.build_plan(unit_export(county), user=liaison)
    assert again.ok and again.nothing_to_do


def test_a_fraction_typed_as_a_percentage_reads_as_that_share(county, ledger):
    sheet = edit(unit_export(county), {(ledger.code, "进度（%）"): 0.45, (ledger.code, "最新进展"): "完成过半"})

    plan = importing.build_plan(sheet, user=county.people["liaison"])

    assert plan.ok and plan.reports[0].report["percent"] == 45


@pytest.mark.parametrize(("edits", "message"), [
    ({"工作任务": "改个标题"}, "“工作任务”列（C）：五明确各列由县委督查室维护，单位回填时不能修改"),
    ({"完成时限": "12月底前"}, "“完成时限”列（H）：五明确各列由县委督查室维护"),
    ({"进度（%）": 80}, "“最新进展”列（M）：进度改为 80%，请在“最新进展”列写明本期工作进展"),
    ({"进度（%）": "八成", "最新进展": "推进中"}, "“进度（%）”列（L）：“八成”不是完成进度"),
    ({"进度（%）": 120, "最新进展": "超额"}, "完成进度 120 超出 0–100 的范围"),
])
def test_what_a_unit_may_not_bring_back_is_refused_with_row_and_column_and_nothing_is_written(county, ledger, edits, message):
    sheet = edit(unit_export(county), {(ledger.code, header): value for header, value in edits.items()})
    before = snapshot([ledger.pk])

    plan, result = importing.import_ledger(sheet, as_actor(county.people["liaison"]))

    assert result is None
    assert any(message in str(e) for e in plan.errors), [str(e) for e in plan.errors]
    assert snapshot([ledger.pk]) == before and ProgressReport.objects.count() == 0


def test_a_unit_cannot_add_tasks_and_cannot_report_on_a_task_it_has_not_signed_for(county, ledger):
    # 县交通运输局's task (seq 1) is assigned, not signed for; the unit head tries to report on it, and adds a row.
    head = county.people["unit_head"]
    task = Task.objects.get(seq="1")
    sheet = edit(unit_export(county, "unit_head"), {(task.code, "进度（%）"): 20, (task.code, "最新进展"): "已开工"})
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    ws.cell(ws.max_row + 1, 3).value = "自己加的一项任务"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)

    plan = importing.build_plan(out, user=head)

    messages = [str(e) for e in plan.errors]
    assert any(f"任务 {task.code} 当前为“已交办待签收”，不能报送进展。请先在系统中签收该任务" in m for m in messages), messages
    assert any("没有任务编号。单位回填只能报送已有任务的进展，不能新建任务" in m for m in messages), messages


def test_a_sheet_without_task_numbers_is_refused_for_a_unit(county, ledger):
    plan = importing.build_plan(county_sheet(), user=county.people["liaison"])

    assert [str(e) for e in plan.errors] == [
        "表中没有“任务编号”列。单位回填进展，请先在系统台账中“导出Excel”，在导出的表上填写后再导入。"]


def test_the_office_import_leaves_progress_columns_to_the_units(county, ledger):
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {(ledger.code, "进度（%）"): 90, (ledger.code, "最新进展"): "督查室代填"})

    plan = importing.build_plan(sheet, user=county.people["supervision"])

    assert plan.ok and not plan.unit_mode and plan.nothing_to_do
    assert any("进展由责任单位报送" in n for n in plan.notes)


def test_the_unit_brings_its_sheet_back_through_the_pages(county, ledger):
    client = county.client("liaison")
    page = client.get(reverse("ledger:import")).content.decode()
    assert "导入进展（单位回填）" in page and "导入到专项行动" not in page
    assert 'data-testid="import"' in client.get(reverse("ledger:task_list")).content.decode()
    sheet = edit(unit_export(county), {(ledger.code, "进度（%）"): 50, (ledger.code, "最新进展"): "方案已印发"})

    response = client.post(reverse("ledger:import"), {"file": SimpleUploadedFile("回填.xlsx", sheet.getvalue(), content_type=XLSX)})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert 'data-testid="report-count">1<' in html and "方案已印发" in html
    assert 'data-testid="create-count"' not in html  # a unit creates and edits nothing: those counts are not shown
    fingerprint = preview.context["entry"]["fingerprint"]
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]

    done = client.post(reverse("ledger:import_confirm", args=[token]), {"fingerprint": fingerprint}, follow=True)

    assert "报送进展 1 项" in done.content.decode()
    assert Task.objects.get(pk=ledger.pk).progress == 50
    assert ProgressReport.objects.get().text == "方案已印发"
