"""Excel in and out: a county's decomposition sheet comes in whole or not at all, and the exported ledger
goes back in without changing anything but the cells someone edited.

The sheets are built here with openpyxl the way county offices lay them out: a title row, a two-row header
with "责任分工" merged over 牵头县领导/牵头单位/配合单位/责任人, a merged group row per front, blank rows,
several units in one cell, leaders by title, and deadlines in the county's own words.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl.styles import Font

from duban.core.actor import Actor
from duban.core.models import AuditEntry
from duban.ledger import importing
from duban.ledger.choices import TaskSource, TaskState
from duban.ledger.excel import export_ledger
from duban.ledger.models import Task
from duban.matters.models import MatterEvent

TITLE = "2026年执行力亮剑行动重点工作任务分解表"
HEADER_TOP = ["序号", "工作任务", "具体措施及目标", "责任分工", None, None, None, "完成时限", "奖惩"]
HEADER_SUB = [None, None, None, "牵头县领导", "牵头单位", "配合单位", "责任人", None, None]
OFFICE = Actor.system("tests")

# One task per list, in the column order above (序号 … 奖惩); None is a group row, [] a blank row.
ROWS = [
    ("一、项目建设战线",),
    ["1", "推进国道改线工程征地拆迁", "完成征地补偿协议签订\n交付施工用地", "副县长", "县交通运输局",
     "城关镇、县发展和改革局", "周局长", "2026年12月底前", "按期完成加2分，逾期扣3分"],
    [],
    ["2", "优化工程建设项目审批流程", "审批时限压减至30个工作日", "王书记、李副县长", "县发展和改革局",
     "县营商办，县交通运输局", "张科长", "6月底前", "按期完成加1分"],
    ["3", "县城交通秩序综合整治", "完成城区主干道标线施划\n规范停车秩序", "李副县长", "城关镇",
     "交通运输局；东关村", None, "第三季度", "逾期扣2分"],
    ("二、营商环境战线",),
    ["4", "企业诉求直通车常态化运行", "诉求受理率100%", "县委书记", "县营商办", "各乡镇", "钱营商", "长期坚持", "满意率低于90%扣2分"],
    ["5", "重点项目进展月报", "按时汇总报送", "李副县长", "县发展和改革局", None, None, "每月25日前报送进展", None],
    [],
    ["6", "完成年度招商引资目标", "签约项目不少于10个", "李副县长", "县发展和改革局", "县营商办", "郑联络", "年底前", "完成加3分"],
]


def county_sheet(rows=ROWS, *, title=TITLE, header_top=HEADER_TOP, header_sub=HEADER_SUB, merged_header=True) -> io.BytesIO:
    """A decomposition sheet as a county office makes it (see the module docstring)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务分解"
    width = len(header_top)
    last = openpyxl.utils.get_column_letter(width)
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=16)
    ws.append(header_top)
    if header_sub is not None:
        ws.append(header_sub)
        if merged_header:
            for index, (top, sub) in enumerate(zip(header_top, header_sub, strict=True), start=1):
                letter = openpyxl.utils.get_column_letter(index)
                if top and not sub:
                    ws.merge_cells(f"{letter}2:{letter}3")
            subs = [i for i, s in enumerate(header_sub, start=1) if s]
            if subs:
                ws.merge_cells(f"{openpyxl.utils.get_column_letter(subs[0])}2:{openpyxl.utils.get_column_letter(subs[-1])}2")
    for row in rows:
        if isinstance(row, tuple):
            ws.append([row[0]])
            n = ws.max_row
            ws.merge_cells(f"A{n}:{last}{n}")
        elif not row:
            ws.append([None])
            ws.cell(ws.max_row, 1).value = None
        else:
            ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def with_cell(rows, task_index, column, value):
    """ROWS with one cell of the `task_index`-th task (0-based, group and blank rows not counted) replaced."""
    rows = [list(r) if isinstance(r, list) else r for r in rows]
    tasks = [r for r in rows if isinstance(r, list) and r]
    tasks[task_index][column] = value
    return rows


def snapshot(task_ids):
    """Every stored value of the tasks, and their cooperating units, to compare before and after."""
    fields = [f.attname for f in Task._meta.concrete_fields]
    rows = {t["id"]: t for t in Task.objects.filter(pk__in=task_ids).values(*fields)}
    for task in Task.objects.filter(pk__in=task_ids).prefetch_related("cooperating_units"):
        rows[task.pk]["cooperating"] = sorted(u.pk for u in task.cooperating_units.all())
    return rows


def plan_for(source, **kw):
    return importing.build_plan(source, file_name="分解表.xlsx", **kw)


def load(file_obj) -> io.BytesIO:
    data = io.BytesIO(file_obj.read())
    file_obj.close()
    return data


def edit(xlsx: io.BytesIO, edits: dict[tuple[str, str], str]) -> io.BytesIO:
    """An exported sheet with cells changed, found by (task code, header) as a person would find them."""
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    headers = {c.value: c.column for c in ws[3]}
    rows = {ws.cell(r, headers["任务编号"]).value: r for r in range(4, ws.max_row + 1)}
    for (code, header), value in edits.items():
        ws.cell(rows[code], headers[header]).value = value
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def all_codes():
    return list(Task.objects.order_by("code").values_list("code", flat=True))


# --- acceptance: all or nothing ---------------------------------------------------------------------


def test_an_unknown_unit_is_reported_with_row_column_and_reason_and_nothing_is_imported(county, campaign):
    sheet = county_sheet(with_cell(ROWS, 1, 4, "县交通局"))
    audit_before = AuditEntry.objects.count()

    plan, result = importing.import_ledger(sheet, OFFICE, file_name="分解表.xlsx")

    assert result is None
    assert [str(p) for p in plan.errors] == [
        "第 7 行“牵头单位”列（E）：找不到单位“县交通局”。请核对单位名称，或请系统管理员先添加该单位。"
    ]
    assert plan.unmatched == {"单位“县交通局”": [7]}
    assert Task.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_the_fixed_sheet_imports_every_task_with_its_five_clarities(county, campaign):
    units, people = county.units, county.people

    plan, result = importing.import_ledger(county_sheet(), OFFICE, file_name="分解表.xlsx")

    assert plan.errors == []
    assert plan.campaign == campaign
    assert len(result.created) == 6 and result.updated == []
    tasks = {t.seq: t for t in Task.objects.prefetch_related("cooperating_units")}
    assert sorted(tasks) == ["1", "2", "3", "4", "5", "6"]
    assert all(t.state == TaskState.DRAFT for t in tasks.values())

    first = tasks["1"]
    assert first.title == "推进国道改线工程征地拆迁"
    assert first.standard_items == ["完成征地补偿协议签订", "交付施工用地"]
    assert first.leader_in_charge == people["leader"]  # "副县长" is the one person with that title
    assert first.assigning_leader is None
    assert first.lead_unit == units["transport"]
    assert {u.name for u in first.cooperating_units.all()} == {"城关镇", "县发展和改革局"}  # split at 、
    assert first.responsible_person == people["unit_head"]  # 周局长 has an account in the lead unit
    assert (first.due_date, first.standing, first.deadline_text) == (dt.date(2026, 12, 31), False, "2026年12月底前")
    assert first.reward_penalty == "按期完成加2分，逾期扣3分"
    assert first.front == campaign.fronts.get(name="项目建设战线")  # from the merged group row above it
    assert first.source == TaskSource.DOCUMENT and first.source_ref == TITLE

    second = tasks["2"]
    assert (second.assigning_leader, second.leader_in_charge) == (people["principal"], people["leader"])
    assert {u.name for u in second.cooperating_units.all()} == {"县营商办", "县交通运输局"}  # split at ，
    assert (second.responsible_person, second.responsible_name) == (None, "张科长")  # no account: kept as written
    assert second.due_date == dt.date(2026, 6, 30)

    third = tasks["3"]
    assert {u.name for u in third.cooperating_units.all()} == {"县交通运输局", "东关村"}  # "交通运输局" without 县, split at ；
    assert third.due_date == dt.date(2026, 9, 30)
    assert third.front == first.front

    fourth = tasks["4"]
    assert fourth.leader_in_charge == people["principal"]  # by title 县委书记
    assert [u.name for u in fourth.cooperating_units.all()] == ["城关镇"]  # 各乡镇: every township
    assert (fourth.standing, fourth.due_date) == (True, None)
    assert fourth.front is None  # "二、营商环境战线" is no front of this campaign: a heading only
    assert any("营商环境战线" in n for n in plan.notes)

    fifth = tasks["5"]
    assert (fifth.standing, fifth.report_cycle) == (True, "monthly:25")
    assert tasks["6"].due_date == dt.date(2026, 12, 31)
    assert tasks["6"].responsible_person == people["liaison"]  # 郑联络 keeps 县发展和改革局's ledger
    assert MatterEvent.objects.filter(event="created").count() == 6
    assert AuditEntry.objects.filter(action="ledger.import").count() == 1


def test_register_registers_complete_tasks_and_says_why_the_others_stay_drafts(county, campaign):
    plan, result = importing.import_ledger(county_sheet(), OFFICE, register=True)

    assert plan.errors == []
    states = dict(Task.objects.values_list("seq", "state"))
    assert states == {"1": "assigned", "2": "assigned", "3": "draft", "4": "assigned", "5": "draft", "6": "assigned"}
    reasons = {code: missing for code, missing in result.drafts}
    third = Task.objects.get(seq="3")
    assert reasons[third.code] == ["责任（谁来干：责任人）"]
    assert reasons[Task.objects.get(seq="5").code] == ["责任（谁来干：责任人）", "奖惩"]
    assert any("缺少责任（谁来干：责任人）" in line for line in importing.describe(plan))


def test_dry_run_writes_nothing(county, campaign):
    plan, result = importing.import_ledger(county_sheet(), OFFICE, dry_run=True)

    assert plan.ok and len(plan.creates) == 6 and result is None
    assert Task.objects.count() == 0 and AuditEntry.objects.filter(action__startswith="task.").count() == 0


def test_an_unparseable_deadline_is_reported_and_nothing_is_imported(county, campaign):
    plan, result = importing.import_ledger(county_sheet(with_cell(ROWS, 2, 7, "下半年适时")), OFFICE)

    assert result is None
    assert len(plan.errors) == 1
    error = plan.errors[0]
    assert (error.row, error.column, error.letter) == (8, "完成时限", "H")
    assert "下半年适时" in error.message
    assert Task.objects.count() == 0


def test_every_problem_of_a_sheet_is_reported_at_once(county, campaign):
    rows = with_cell(ROWS, 0, 3, "张副县长")
    rows = with_cell(rows, 3, 5, "县直各相关部门")
    rows = with_cell(rows, 4, 1, None)

    plan = plan_for(county_sheet(rows))

    assert [str(p) for p in plan.errors] == [
        "第 5 行“牵头县领导”列（D）：找不到县领导“张副县长”。请写县领导的姓名或职务，或请系统管理员先为其开通账号并授予领导角色。",
        "第 10 行“配合单位”列（F）：“县直各相关部门”不是具体单位。请逐一写明单位名称。",
        "第 11 行“工作任务”列（B）：工作任务为空。每行须写明工作任务；整行不要的请删除。",
    ]
    assert set(plan.unmatched) == {"县领导“张副县长”", "单位“县直各相关部门”"}


def test_a_title_shared_by_two_leaders_is_ambiguous(county, campaign):
    from duban.core.choices import Role
    from tests.conftest import make_person

    make_person("fxz2", county.units["leadership"], Role.LEADER, full_name="刘强", title="副县长")

    plan = plan_for(county_sheet())

    messages = [p.message for p in plan.errors]
    assert messages[0] == "“副县长”可能指多位县领导（李副县长（副县长）、刘强（副县长）），请写姓名。"


def test_header_variants_of_another_county_in_another_order(county, campaign):
    """One header row, no title, other words for every column, columns shuffled, a date cell for the deadline."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["附件1"])
    ws.append(["县2026年重点工作任务清单"])
    ws.append(["时间节点", "重点任务", "工作目标", "责任单位", "包抓领导", "协办单位", "具体责任人", "考核", "备注", "编号"])
    ws.append([dt.datetime(2026, 10, 31), "建成智慧停车平台", "接入车位不少于2000个", "县交通运输局", "李副县长",
               "县信息中心/城关镇", "周局长", "按期完成加1分", "新增", "1"])
    ws.append(["9月中旬", "完成老旧小区改造", "改造小区12个", "城关镇人民政府", "李副县长", None, None, None, None, "2"])
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)

    plan, result = importing.import_ledger(data, OFFICE)

    assert plan.errors == []
    assert "以下列不导入：“备注”。" in plan.notes
    first, second = Task.objects.order_by("seq")
    assert (first.title, first.standard, first.lead_unit.name) == ("建成智慧停车平台", "接入车位不少于2000个", "县交通运输局")
    assert first.due_date == dt.date(2026, 10, 31)
    assert {u.name for u in first.cooperating_units.all()} == {"县信息中心", "城关镇"}
    assert first.reward_penalty == "按期完成加1分"
    assert second.lead_unit.name == "城关镇" and second.due_date == dt.date(2026, 9, 20)


def test_a_cell_merged_down_over_several_tasks_belongs_to_each_of_them(county, campaign):
    """Counties merge the 牵头单位 (or leader, or deadline) of consecutive tasks into one tall cell."""
    rows = with_cell(with_cell(ROWS, 2, 4, None), 2, 7, None)
    wb = openpyxl.load_workbook(county_sheet(rows))
    ws = wb.active
    ws.merge_cells("E7:E8")  # 牵头单位 of tasks 2 and 3
    ws.merge_cells("H7:H8")  # 完成时限 of tasks 2 and 3
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)

    plan, _result = importing.import_ledger(data, OFFICE)

    assert plan.errors == []
    third = Task.objects.get(seq="3")
    assert (third.lead_unit.name, third.due_date) == ("县发展和改革局", dt.date(2026, 6, 30))


def test_a_two_row_header_without_merged_cells(county, campaign):
    plan = plan_for(county_sheet(merged_header=False))

    assert plan.errors == [] and len(plan.creates) == 6
    assert plan.creates[0].values["lead_unit"] == county.units["transport"]


def test_leaders_by_surname_and_title_or_by_one_of_several_titles(county, campaign):
    from duban.core.choices import Role
    from tests.conftest import make_person

    changwu = make_person("changwu", county.units["leadership"], Role.LEADER, full_name="闫建东", title="县委常委、常务副县长")
    xianzhang = make_person("xianzhang", county.units["leadership"], Role.PRINCIPAL, full_name="邓光勇", title="县委副书记、县长")
    rows = with_cell(ROWS, 0, 3, "常务副县长")  # one of 闫建东's two titles
    rows = with_cell(rows, 2, 3, "闫建东同志")
    rows = with_cell(rows, 3, 3, "邓县长")  # surname and the end of the title
    rows = with_cell(rows, 5, 3, "县长邓光勇")

    plan = plan_for(county_sheet(rows))

    assert plan.errors == []
    leaders = [p.values.get("leader_in_charge") for p in plan.creates]
    assert leaders == [changwu, county.people["leader"], changwu, xianzhang, county.people["leader"], xianzhang]


def test_a_sheet_without_a_header_says_what_it_looks_for(county, campaign):
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)

    plan = plan_for(data)

    assert len(plan.errors) == 1 and "没有找到表头" in plan.errors[0].message


def test_a_file_that_is_not_xlsx_is_refused_in_chinese(county, campaign):
    plan = plan_for(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls"))

    assert [p.message for p in plan.errors] == [
        "该文件不是 .xlsx 格式（可能是旧版 .xls 或被改了扩展名）。请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。"
    ]


def test_without_a_campaign_in_the_title_and_two_active_campaigns_the_user_must_choose(county, campaign):
    from duban.ledger.models import Campaign

    Campaign.objects.create(name="2027年执行力亮剑行动", year=2027)

    plan = plan_for(county_sheet(title="重点工作任务分解表"))

    assert len(plan.errors) == 1 and plan.errors[0].message.startswith("无法判断导入到哪个专项行动，请指定。")
    assert plan_for(county_sheet(title="重点工作任务分解表"), campaign=campaign).ok


# --- acceptance: export and re-import -----------------------------------------------------------------


@pytest.fixture
def imported(county, campaign):
    importing.import_ledger(county_sheet(), OFFICE, register=True)
    return list(Task.objects.order_by("code").values_list("pk", flat=True))


def test_export_then_reimport_changes_nothing(county, campaign, imported):
    before = snapshot(imported)
    audit_before = AuditEntry.objects.count()
    exported = load(export_ledger(Task.objects.order_by("code")))

    plan = plan_for(exported)

    assert plan.errors == []
    assert plan.creates == [] and plan.updates == [] and plan.unchanged == 6
    assert importing.apply_plan(plan, OFFICE).updated == []
    assert Task.objects.count() == 6
    assert snapshot(imported) == before  # no field, no version, no updated_at moved
    assert AuditEntry.objects.count() == audit_before + 1  # the import itself, nothing else


def test_two_edited_cells_preview_and_update_exactly_those_two_fields(county, campaign, imported):
    first, third = Task.objects.get(seq="1"), Task.objects.get(seq="3")
    before = snapshot(imported)
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {
        (first.code, "工作任务"): "推进国道改线工程征地拆迁及管线迁改",
        (third.code, "牵头单位"): "县交通运输局",
    })

    plan = plan_for(sheet)

    assert plan.errors == [] and plan.creates == []
    assert [(p.task.code, [(c.label, c.old, c.new) for c in p.changes]) for p in plan.updates] == [
        (first.code, [("工作任务", "推进国道改线工程征地拆迁", "推进国道改线工程征地拆迁及管线迁改")]),
        (third.code, [("牵头单位", "城关镇", "县交通运输局")]),
    ]
    importing.apply_plan(plan, OFFICE)

    after = snapshot(imported)
    moved = {pk: {k for k in after[pk] if after[pk][k] != before[pk][k]} for pk in imported}
    assert moved[first.pk] == {"title", "search_text", "version", "updated_at"}  # search_text: derived from the title
    assert moved[third.pk] == {"lead_unit_id", "version", "updated_at"}
    assert after[first.pk]["title"] == "推进国道改线工程征地拆迁及管线迁改"
    assert after[third.pk]["lead_unit_id"] == county.units["transport"].pk
    assert after[first.pk]["version"] == before[first.pk]["version"] + 1
    assert all(not moved[pk] for pk in imported if pk not in {first.pk, third.pk})
    assert Task.objects.count() == 6


def test_reimport_reads_units_by_other_names_and_in_other_order_as_no_change(county, campaign, imported):
    first = Task.objects.get(seq="1")
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {
        (first.code, "配合单位"): "县发展和改革局，城关镇人民政府",
        (first.code, "牵头单位"): "交通运输局",
    })

    plan = plan_for(sheet)

    assert plan.ok and plan.updates == [] and plan.unchanged == 6


def test_reimport_adds_new_rows_and_refuses_unknown_numbers(county, campaign, imported):
    wb = openpyxl.load_workbook(load(export_ledger(Task.objects.order_by("code"))))
    ws = wb.active
    ws.append(["7", None, "新增一项任务", "措施", "李副县长", "城关镇", None, "11月底前", "周局长", "加1分"])
    ws.append(["8", "2026-9999", "不存在的任务", "措施", "李副县长", "城关镇", None, "11月底前", None, None])
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)

    plan = plan_for(data)

    assert [str(p) for p in plan.errors] == [
        "第 11 行“任务编号”列（B）：找不到任务编号 2026-9999。新任务请把任务编号留空；已有任务请从系统导出的台账中复制编号。"
    ]
    ws.delete_rows(11)
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    plan = plan_for(data)
    assert plan.ok and [p.title for p in plan.creates] == ["新增一项任务"] and plan.updates == []
    importing.apply_plan(plan, OFFICE)
    assert Task.objects.count() == 7


def test_a_completed_sheet_brought_back_with_register_registers_the_drafts_now_complete(county, campaign):
    importing.import_ledger(county_sheet(), OFFICE)  # six drafts
    third, fifth = Task.objects.get(seq="3"), Task.objects.get(seq="5")
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {(third.code, "责任人"): "冯联络"})

    plan = plan_for(sheet, register=True)

    assert [(p.task.code, [c.label for c in p.changes], p.register) for p in plan.updates if p.changes] == [(third.code, ["责任人"], True)]
    assert [p.task.code for p in plan.staying_drafts] == [fifth.code]
    assert plan.unchanged == 5 and not plan.nothing_to_do
    result = importing.apply_plan(plan, OFFICE)

    assert result.updated == [third.code] and len(result.registered) == 5
    third.refresh_from_db()
    assert (third.state, third.responsible_person) == (TaskState.ASSIGNED, county.people["township_liaison"])
    assert Task.objects.get(pk=fifth.pk).state == TaskState.DRAFT


def test_a_closed_task_cannot_be_changed_by_reimport(county, campaign, imported):
    from duban.ledger import services

    task = Task.objects.get(seq="1")
    services.cancel_task(Actor(user=county.people["principal"]), task, reason="并入其他任务")
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {(task.code, "工作任务"): "改个名字"})

    plan = plan_for(sheet)

    assert len(plan.errors) == 1
    assert plan.errors[0].message.startswith(f"任务 {task.code} 当前为“已撤销”，不能修改任务。")


def test_a_task_changed_after_the_preview_aborts_the_whole_import(county, campaign, imported):
    from duban.ledger import services

    first, third = Task.objects.get(seq="1"), Task.objects.get(seq="3")
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {
        (first.code, "工作任务"): "新名称一", (third.code, "工作任务"): "新名称三",
    })
    plan = plan_for(sheet)
    services.update_task(Actor(user=county.people["supervision"]), Task.objects.get(pk=third.pk), standard="他人刚改的标准")
    before = snapshot(imported)

    with pytest.raises(importing.ImportFailed) as failure:
        importing.apply_plan(plan, OFFICE)

    assert "刚被他人修改过" in str(failure.value)
    assert snapshot(imported) == before  # the first task's change was rolled back too


def test_deadline_edits_round_trip_as_written(county, campaign, imported):
    task = Task.objects.get(seq="1")
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {(task.code, "完成时限"): "12月中旬"})

    plan = plan_for(sheet)
    importing.apply_plan(plan, OFFICE)

    task.refresh_from_db()
    assert [(c.label, c.old, c.new) for p in plan.updates for c in p.changes] == [("完成时限", "2026年12月底前", "12月中旬")]
    assert (task.deadline_text, task.due_date) == ("12月中旬", dt.date(2026, 12, 20))
    again = plan_for(load(export_ledger(Task.objects.order_by("code"))))
    assert again.updates == [] and again.unchanged == 6


def test_a_deadline_moved_before_the_start_is_refused_before_anything_is_written(county, campaign, imported):
    task = Task.objects.get(seq="1")  # due at the end of the year, so it started on the day it was imported
    sheet = edit(load(export_ledger(Task.objects.order_by("code"))), {(task.code, "完成时限"): "10月底前"})

    plan = plan_for(sheet)

    assert [(p.row, p.column) for p in plan.errors] == [(4, "完成时限")]
    assert "早于该任务的开始日期" in plan.errors[0].message


def test_a_wording_that_no_longer_reads_as_the_due_date_exports_the_date(county, campaign, make_task):
    task = make_task(deadline_text="6月底前", due_date=dt.date(2026, 11, 30))  # e.g. after an approved extension

    wb = openpyxl.load_workbook(load(export_ledger(Task.objects.filter(pk=task.pk))))
    ws = wb.active

    assert ws["H4"].value == "2026年11月30日前"
    assert plan_for(load(export_ledger(Task.objects.filter(pk=task.pk)))).updates == []


# --- export ------------------------------------------------------------------------------------------


def test_export_layout_title_header_and_read_only_columns(county, campaign, imported):
    wb = openpyxl.load_workbook(load(export_ledger(Task.objects.order_by("code"), title="2026年执行力亮剑行动重点工作任务台账")))
    ws = wb.active

    assert ws["A1"].value.startswith("2026年执行力亮剑行动重点工作任务台账（导出时间：")
    assert [c.value for c in ws[3]] == ["序号", "任务编号", "工作任务", "具体措施及标准", "牵头县领导", "牵头单位", "配合单位",
                                        "完成时限", "责任人", "奖惩", "战线", "进度（%）", "最新进展", "亮灯", "状态"]
    assert ws.freeze_panes == "C4"
    second = [c.value for c in ws[5]]
    assert second[:11] == ["2", Task.objects.get(seq="2").code, "优化工程建设项目审批流程", "审批时限压减至30个工作日",
                           "王书记、李副县长", "县发展和改革局", "县营商办、县交通运输局", "6月底前", "张科长", "按期完成加1分", "项目建设战线"]
    assert second[11:] == [0, None, "红灯", "已交办待签收"]
    assert ws.max_row == 3 + 6


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"])
def test_a_title_a_spreadsheet_would_take_for_a_formula_is_exported_as_text_that_stays_text(county, campaign, make_task, title):
    make_task(title=title, standard="完成方案制定")

    ws = openpyxl.load_workbook(load(export_ledger(Task.objects.order_by("code")))).active

    cell = ws["C4"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (title, "s", True)  # quote-prefixed: stays text when edited
    assert (ws["D4"].value, ws["D4"].quotePrefix) == ("完成方案制定", False)  # ordinary text keeps its style
    assert ws["C4"].alignment.wrap_text == ws["D4"].alignment.wrap_text  # and the column's own style


def test_export_runs_the_same_number_of_queries_for_5_and_50_tasks(county, campaign, make_task):
    coop = [county.units["chengguan"], county.units["ndrc"]]

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            export_ledger(Task.objects.order_by("code")).close()
        return len(ctx.captured_queries)

    for _ in range(5):
        make_task(cooperating_units=coop)
    five = count_queries()
    for _ in range(45):
        make_task(cooperating_units=coop, responsible_person=None, responsible_name="某人")
    assert count_queries() == five
    assert five <= 3


def test_a_sheet_is_input_too_invisible_characters_leave_its_cells(county, campaign):
    rows = [["1", "推进\u200b国道改线\u202e工程", "完成征地", "李副县长", "县交通\ufeff运输局", "", "", "2026年12月底前", ""]]

    plan = importing.build_plan(county_sheet(rows), file_name="分解表.xlsx")

    assert plan.ok, [str(p) for p in plan.errors]
    (created,) = plan.creates
    assert created.title == "推进国道改线工程" and created.values["lead_unit"] == county.units["transport"]
