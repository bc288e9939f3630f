"""`duban import ledger` and `duban export ledger`: what the office runs at the terminal, and what it prints."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.cli import own_commands
from duban.core.models import AuditEntry
from duban.ledger.models import Task
from tests.ledger.test_excel import ROWS, county_sheet, with_cell


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def save(tmp_path, sheet: io.BytesIO, name="分解表.xlsx"):
    path = tmp_path / name
    path.write_bytes(sheet.getvalue())
    return path


def test_django_finds_commands_named_import_and_export():
    commands = own_commands()
    assert commands["import"] == "duban.ledger" and commands["export"] == "duban.ledger"


def test_import_with_an_unknown_unit_prints_the_row_and_exits_1_writing_nothing(county, campaign, tmp_path):
    path = save(tmp_path, county_sheet(with_cell(ROWS, 1, 4, "县交通局")))
    out = io.StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import", "ledger", str(path), stdout=out, stderr=io.StringIO())

    assert failure.value.returncode == 1
    assert str(failure.value) == "未导入：发现 1 处问题（见上）。修改表格后重新导入。"
    text = out.getvalue()
    assert "发现 1 处问题，未导入任何数据。" in text
    assert "第 7 行“牵头单位”列（E）：找不到单位“县交通局”。请核对单位名称，或请系统管理员先添加该单位。" in text
    assert "未能匹配的名称：单位“县交通局”（第 7 行）" in text
    assert Task.objects.count() == 0


def test_dry_run_prints_what_would_be_created_and_writes_nothing(county, campaign, tmp_path):
    path = save(tmp_path, county_sheet())

    out, _err = run("import", "ledger", str(path), "--dry-run")

    assert "共 6 行任务：新建 6 项，修改 0 项（0 处），无变化 0 项。" in out
    assert "新建 第 5 行：推进国道改线工程征地拆迁（县交通运输局；2026年12月底前）" in out
    assert "试运行（--dry-run）：以上内容均未写入。" in out
    assert Task.objects.count() == 0
    assert not AuditEntry.objects.filter(action__in=["task.create", "ledger.import"]).exists()


def test_import_with_register_and_campaign_by_name(county, campaign, tmp_path):
    path = save(tmp_path, county_sheet(title="重点工作任务分解表"))

    out, _err = run("import", "ledger", str(path), "--campaign", "2026年执行力亮剑行动", "--register")

    assert "导入完成：新建 6 项，修改 0 项，立账交办 4 项。" in out
    assert "新任务编号：2026-0001 至 2026-0006" in out
    assert Task.objects.filter(state="assigned").count() == 4
    entry = AuditEntry.objects.get(action="ledger.import")
    assert entry.actor_name == "duban import" and entry.after["created"] == 6


def test_an_unknown_campaign_or_file_exits_2(county, campaign, tmp_path):
    path = save(tmp_path, county_sheet())
    with pytest.raises(CommandError) as failure:
        run("import", "ledger", str(path), "--campaign", "不存在的行动")
    assert failure.value.returncode == 2 and "找不到专项行动“不存在的行动”" in str(failure.value)
    with pytest.raises(CommandError) as failure:
        run("import", "ledger", str(tmp_path / "none.xlsx"))
    assert failure.value.returncode == 2


def test_export_then_import_cli_round_trip_changes_nothing(county, campaign, tmp_path):
    run("import", "ledger", str(save(tmp_path, county_sheet())), "--register")
    versions = dict(Task.objects.values_list("code", "version"))
    target = tmp_path / "台账.xlsx"

    out, _err = run("export", "ledger", "-o", str(target))
    assert "已导出 6 项任务到" in out

    out, _err = run("import", "ledger", str(target))
    assert "共 6 行任务：新建 0 项，修改 0 项（0 处），无变化 6 项。" in out
    assert "表格与系统中的任务一致，没有需要写入的内容。" in out
    assert dict(Task.objects.values_list("code", "version")) == versions


def test_export_options_map_onto_the_list_filters(county, campaign, make_task, tmp_path):
    units = county.units
    make_task(title="交通局的红灯任务", due_date=dt.date(2026, 3, 31), deadline_text="3月底前")
    make_task(title="交通局的绿灯任务")
    make_task(title="发改局的任务", lead_unit=units["ndrc"])
    make_task(title="配合单位是交通局", lead_unit=units["chengguan"], cooperating_units=[units["transport"]])
    target = tmp_path / "out.xlsx"

    run("export", "ledger", "-o", str(target), "--unit", "交通运输局", "--state", "在办")
    titles = [r[2] for r in openpyxl.load_workbook(target).active.iter_rows(min_row=4, values_only=True)]
    assert sorted(titles) == ["交通局的红灯任务", "交通局的绿灯任务", "配合单位是交通局"]

    run("export", "ledger", "-o", str(target), "--unit", "县交通运输局", "--light", "红", "--campaign", str(campaign.pk))
    ws = openpyxl.load_workbook(target).active
    assert [r[2] for r in ws.iter_rows(min_row=4, values_only=True)] == ["交通局的红灯任务"]
    assert "牵头单位" not in ws["A2"].value and "责任单位：县交通运输局" in ws["A2"].value and "亮灯：红灯" in ws["A2"].value

    with pytest.raises(CommandError) as failure:
        run("export", "ledger", "-o", str(target), "--light", "紫")
    assert failure.value.returncode == 2 and "亮灯“紫”不对" in str(failure.value)
