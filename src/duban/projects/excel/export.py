"""The project ledger as .xlsx in the county's columns: what the list page shows the user for the same filters
(`selectors.project_filter` over `Project.objects.visible_to(user)`), the month pairs of one year, streamed through
the shared writer (`duban.core.excel.xlsx`) from one `values_list` query and one report query per 2,000 projects.
"""

from __future__ import annotations

import tempfile
from itertools import islice
from types import SimpleNamespace

from django.utils import timezone

from duban.core import audit
from duban.core.excel.filters import checked
from duban.core.excel.xlsx import HEADER, NOTE, TITLE, WRAP, SheetWriter
from duban.projects import selectors
from duban.projects.choices import ReportState
from duban.projects.excel.columns import ALL_KEYS, COLUMNS, MONTHS, VALUES, WIDTHS, cell_of, label_of, month_key, values_of
from duban.projects.filters import ProjectFilter
from duban.projects.models import InvestmentReport, Project

TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
CHUNK = 2000
WRAPPED = ("name", "content", "progress_note", "issues_note")
NOTE_TEXT = ("单位：万元。“项目编号”列是系统的编号：改好的表格可在“导入Excel”处导回，只修改改动的单元格；新项目留空此列。"
             "累计完成投资 = 以前年度累计 + 已报送各月完成投资；项目阶段只能向后推进。")


def export_projects(queryset, year: int, *, title: str = "重点项目推进表"):
    """Write the projects of `queryset` (scoped, filtered, ordered) with the month pairs of `year` to a temporary
    .xlsx opened at 0; (file, rows)."""
    output = tempfile.TemporaryFile(suffix=".xlsx")
    sheet = SheetWriter(output, sheet_name="重点项目", widths=WIDTHS, freeze=f"D{HEADER_ROW + 1}", print_title_row=HEADER_ROW)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append([f"{year}年{title}（导出时间：{stamp}）"], style=TITLE)
    sheet.append([NOTE_TEXT], style=NOTE)
    sheet.append([label_of(k) for k in ALL_KEYS], style=HEADER)
    sheet.merged += [f"A{TITLE_ROW}:{sheet.letters[-1]}{TITLE_ROW}", f"A{NOTE_ROW}:{sheet.letters[-1]}{NOTE_ROW}"]
    wrapped = {i: WRAP for i, c in enumerate(COLUMNS) if c.key in WRAPPED}
    count = 0
    rows = queryset.values_list(*VALUES).iterator(chunk_size=CHUNK)
    while chunk := [values_of(r) for r in islice(rows, CHUNK)]:
        months = _months([v["id"] for v in chunk], year)
        for values in chunk:
            count += 1
            values["seq"] = count
            for (month, half), amount in months.get(values["id"], {}).items():
                values[month_key(month, half)] = amount
            sheet.append([cell_of(k, values.get(k)) for k in ALL_KEYS], wrapped)
    sheet.auto_filter = f"A{HEADER_ROW}:{sheet.letters[-1]}{HEADER_ROW + max(count, 1)}"
    sheet.close()
    output.seek(0)
    return output, count


def _months(ids: list[int], year: int) -> dict[int, dict[tuple[int, str], object]]:
    """{project: {(month, "plan"|"done"): amount}}: each month's plan, and its completed investment once reported."""
    found: dict[int, dict] = {}
    rows = InvestmentReport.objects.filter(project_id__in=ids, year=year, month__in=list(MONTHS)).values_list(
        "project_id", "month", "planned", "completed", "state")
    for project_id, month, planned, completed, state in rows:
        months = found.setdefault(project_id, {})
        months[(month, "plan")] = planned
        if state == ReportState.SUBMITTED:
            months[(month, "done")] = completed
    return found


def export_filtered(actor, params):
    """The projects the list page shows `actor` for `params` (same scope and FilterSet), biggest first, as .xlsx,
    audited; the month pairs of `plan_year` if given, else this year. Returns (file, rows, filename); the CLI's
    system actor sees every project."""
    if actor.user is None:
        filterset = checked(ProjectFilter(params, queryset=Project.objects.all()))
    else:
        filterset = checked(selectors.project_filter(SimpleNamespace(user=actor.user), params))
    year = int(getattr(filterset.form, "cleaned_data", {}).get("plan_year") or timezone.localdate().year)
    queryset = filterset.qs.order_by("-total_investment", "id")
    output, rows = export_projects(queryset, year)
    audit.record(actor, "project.export", None, object_type="projects.Project",
                 after={"rows": rows, "year": year, "filters": params.urlencode() if hasattr(params, "urlencode") else ""},
                 message=f"导出重点项目表 {rows} 个")
    filename = f"重点项目推进表-{timezone.localdate():%Y%m%d}.xlsx"
    return output, rows, filename
