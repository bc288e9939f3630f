"""Each table of the dashboard as an .xlsx workbook (openpyxl), in the house style of appeals.metrics.workbook: a
bold title with the scope's date, a header row, one row per line of the page's table, rates to one decimal."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.excel.cells import text_cell
from duban.matters.choices import Schedule
from duban.reports.figures import LIGHTS, Dashboard, TaskFigures

# table → its title (the sheet's and the file's)
TABLES = {
    "campaigns": gettext_lazy("重点工作按专项行动"),
    "fronts": gettext_lazy("重点工作按战线"),
    "units": gettext_lazy("重点工作按牵头单位"),
    "trend": gettext_lazy("重点工作月度趋势"),
    "appeals": gettext_lazy("企业诉求三率"),
    "investment": gettext_lazy("重点项目投资完成"),
    "batches": gettext_lazy("三个一批"),
    "hazards": gettext_lazy("安全隐患整改"),
    "actions": gettext_lazy("督办情况"),
}


def _task_rows(rows: list[TaskFigures], total: TaskFigures | None):
    header = [_("名称"), _("任务总数"), _("在办"), _("绿灯"), _("黄灯"), _("红灯"), _("灰灯"),
              _("超进度"), _("达进度"), _("欠进度"), _("已办结"), _("办结率")]
    body = []
    for r in [*rows, *([total] if total else [])]:
        rate = r.completion_rate
        body.append([r.label, r.total.value, r.open.value, *(r.light(li).value for li in LIGHTS),
                     *(r.schedule(s).value for s in (Schedule.AHEAD, Schedule.ON_SCHEDULE, Schedule.BEHIND)),
                     r.finished.value, None if rate is None else float(round(rate, 1))])
    return header, body


def table_rows(d: Dashboard, table: str) -> tuple[list, list[list]]:
    """(header, rows) of one table of the dashboard, the values as the page shows them."""
    t = d.tasks
    if table == "campaigns":
        return _task_rows(t.by_campaign, t.total)
    if table == "fronts":
        return _task_rows(t.by_front, None)
    if table == "units":
        return _task_rows(t.by_unit, None)
    if table == "trend":
        return [_("月份"), _("当月办结"), _("当月到期现为红灯")], [[p.label, p.finished.value, p.turned_red.value] for p in t.trend]
    if table == "appeals":
        return ([_("指标"), _("比率（%）"), _("分子"), _("分母")],
                [[r["label"], None if r["rate"] is None else float(round(r["rate"], 1)), r["part"].value, r["whole"].value]
                 for r in d.appeals.rates])
    if table == "investment":
        months = d.projects.investment.months
        return ([_("月份"), _("月计划投资（万元）"), _("月完成投资（万元）"), _("累计计划（万元）"), _("累计完成（万元）")],
                [[_("%(n)s月") % {"n": m.month}, float(m.planned.value), float(m.completed.value),
                  float(m.planned_to_date.value), float(m.completed_to_date.value)] for m in months])
    if table == "batches":
        b = d.projects.batches
        return ([_("期间"), *(f"{h}{_('（个）')}" for h in b.headers)],
                [[row.period.label, *(c.count for c in row.cells)] for row in [b.total, *b.rows]])
    if table == "hazards":
        h = d.hazards
        return ([_("排查隐患"), _("已销号"), _("整改率"), _("应按期完成"), _("按期完成"), _("按期整改率")],
                [[h.found.value, h.closed.value, h.closed_rate, h.due.value, h.on_time.value, h.on_time_rate]])
    if table == "actions":
        a = d.actions
        return ([_("督办方式"), _("次数")], [[label, f.value] for _kind, label, f in a.by_kind] + [[_("合计"), a.total.value]])
    raise KeyError(table)


def workbook(d: Dashboard, table: str):
    """(workbook, title) of one table."""
    import openpyxl
    from openpyxl.styles import Font

    title = str(TABLES[table])
    header, rows = table_rows(d, table)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([f"{title}（{d.on.isoformat()}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None if isinstance(v, str) or hasattr(v, "_proxy____cast") else v for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, str) or hasattr(value, "_proxy____cast"):
                text_cell(cell, str(value))  # names as text: a unit or campaign named "=…" is not a formula
    sheet.column_dimensions["A"].width = 28
    return book, title
