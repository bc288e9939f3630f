"""The hazard ledger as .xlsx in the county's columns: what the list page shows the user for the same filters
(HazardFilter over `Hazard.objects.visible_to(user)`), streamed from one `values_list` query through the shared
writer (`duban.core.excel.xlsx`), so any number of hazards costs a fixed number of queries and flat memory.
"""

from __future__ import annotations

import tempfile

from django.utils import timezone

from duban.core import audit
from duban.core.excel.filters import checked
from duban.core.excel.xlsx import HEADER, NOTE, TITLE, WRAP, SheetWriter
from duban.safety.excel.columns import COLUMNS, VALUES, cell_of, values_of
from duban.safety.filters import HazardFilter
from duban.safety.models import Hazard

TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
WRAPPED = ("place", "title", "measures", "result")
NOTE_TEXT = ("“隐患编号”列是系统的编号：改好的表格可在“导入Excel”处导回，只修改改动的单元格；新隐患留空此列。"
             "“验收人”“验收时间”“状态”三列由验收销号等办理写入，只供查看。")


def export_hazards(queryset, *, title: str = "隐患排查整改台账", note: str = NOTE_TEXT):
    """Write the hazards of `queryset` (scoped, filtered, ordered) to a temporary .xlsx opened at 0; (file, rows)."""
    output = tempfile.TemporaryFile(suffix=".xlsx")
    sheet = SheetWriter(output, sheet_name="隐患台账", widths=[c.width for c in COLUMNS], freeze=f"C{HEADER_ROW + 1}",
                        print_title_row=HEADER_ROW)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet.append([f"{title}（导出时间：{stamp}）"], style=TITLE)
    sheet.append([note], style=NOTE)
    sheet.append([c.label for c in COLUMNS], style=HEADER)
    sheet.merged += [f"A{TITLE_ROW}:{sheet.letters[-1]}{TITLE_ROW}", f"A{NOTE_ROW}:{sheet.letters[-1]}{NOTE_ROW}"]
    wrapped = {i: WRAP for i, c in enumerate(COLUMNS) if c.key in WRAPPED}
    count = 0
    for row in queryset.values_list(*VALUES).iterator(chunk_size=2000):
        count += 1
        values = {**values_of(row), "seq": count}
        sheet.append([cell_of(c.key, values[c.key]) for c in COLUMNS], wrapped)
    sheet.auto_filter = f"A{HEADER_ROW}:{sheet.letters[-1]}{HEADER_ROW + max(count, 1)}"
    sheet.close()
    output.seek(0)
    return output, count


def export_filtered(actor, params):
    """The hazards the list page shows `actor` for `params` (same scope and FilterSet), by 排查时间 and number,
    as .xlsx, audited. Returns (file, rows, filename); the CLI's system actor sees every hazard."""
    base = Hazard.objects.visible_to(actor.user) if actor.user is not None else Hazard.objects.all()
    queryset = checked(HazardFilter(params, queryset=base)).qs.order_by("found_on", "code")
    output, rows = export_hazards(queryset)
    audit.record(actor, "hazard.export", None, object_type="safety.Hazard", after={"rows": rows, "filters": params.urlencode() if hasattr(params, "urlencode") else ""},
                 message=f"导出隐患台账 {rows} 条")
    filename = f"隐患排查整改台账-{timezone.localtime():%Y%m%d}.xlsx"
    return output, rows, filename
