"""Reading a project sheet as counties lay it out: merged title rows above the header ("XX县2026年重点项目推进表",
"单位：万元"), headers in any order and their usual wordings, the month pairs in one row ("3月计划投资") or in two
(a merged "3月" over "计划投资" and "完成投资"), section rows ("一、续建项目") and totals (合计) between the
projects. The file is checked, opened and its merged cells filled in by `duban.core.excel.archive`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter

from duban.core.excel import archive
from duban.core.excel.archive import HEADER_SEARCH_ROWS, SheetError
from duban.core.excel.cells import clean
from duban.projects.excel.columns import (
    MIN_HEADER_COLUMNS,
    MONTH_ONLY,
    REQUIRED_HEADER,
    WAN,
    column_for,
    half_for,
    label_of,
    month_key,
    unit_of,
)

WHAT = "重点项目推进表"
TOTALS = frozenset({"合计", "总计", "小计", "总合计"})
_YEAR = re.compile(r"(20\d{2})\s*年")
YEAR_ONLY = re.compile(r"^20\d{2}年度?$")


@dataclass
class Sheet:
    """What was read: the title, its year, where each known column is, each amount column's unit, the rows."""

    title: str
    year: int | None
    header_row: int  # the last header row (the lower one of a two-row header)
    columns: dict[str, int]  # key → 1-based column index
    labels: dict[str, str]  # key → the header text the sheet shows
    units: dict[str, Decimal] = field(default_factory=dict)  # amount key → 万元 per bare number
    rows: list[tuple[int, dict[int, object]]] = field(default_factory=list)

    def where(self, key: str) -> tuple[str, str]:
        """(header text, column letter) of a column, for messages; the export's label when the sheet lacks it."""
        if key in self.columns:
            return self.labels[key], get_column_letter(self.columns[key])
        return label_of(key), ""

    def unit(self, key: str) -> Decimal:
        return self.units.get(key, WAN)


def read(source) -> Sheet:
    """The first worksheet with a project sheet's header; SheetError (in Chinese) if none has one."""
    with archive.opened(source, what=WHAT) as workbook:
        for number, columns, labels, top, rows in archive.headed_sheets(workbook, column_for=column_for, required=REQUIRED_HEADER,
                                                                        minimum=MIN_HEADER_COLUMNS):
            above = [t for n, cells in top if n < number for t in dict.fromkeys(clean(v) for v in cells.values()) if t]
            lower = next((cells for n, cells in top if n == number + 1), {})
            last = number + 1 if _months_below(number, columns, labels, top, lower) else number
            sheet = Sheet(above[0] if above else "", _year(above), last, columns, labels)
            default = next((u for text in above if (u := unit_of(text)) is not None), WAN)
            for key, text in labels.items():
                sheet.units[key] = unit_of(text) or default
            body = [(n, c) for n, c in top if n > last] + list(rows)
            sheet.rows = [(n, c) for n, c in body if _project_row(c)]
            return sheet
    raise SheetError(f"在工作表前 {HEADER_SEARCH_ROWS} 行中没有找到表头。表头应包含“项目名称”列，以及“建设内容和规模”“总投资”"
                     "“年度计划投资”“累计完成投资”“包抓领导”“责任单位”等列中的至少三列。")


def _months_below(number: int, columns: dict, labels: dict, top, lower: dict[int, object]) -> bool:
    """The two-row form: a "3月" cell of the header over "计划投资" and "完成投资" in the row below (and "2026年"
    over "计划投资": the annual plan); their columns are added. False if the row below is not such a row."""
    upper = next(cells for n, cells in top if n == number)
    found = False
    for index, value in sorted(upper.items()):
        month = MONTH_ONLY.match(clean(value).replace(" ", ""))
        half = half_for(lower.get(index))
        if half == "plan" and YEAR_ONLY.match(clean(value).replace(" ", "")) and "annual_plan" not in columns:
            columns["annual_plan"], labels["annual_plan"] = index, f"{clean(value)}{clean(lower.get(index))}"  # "2026年" over "计划投资"
            found = True
            continue
        if not month or half is None or not 1 <= int(month.group(1)) <= 12:
            continue
        key = month_key(int(month.group(1)), half)
        if key not in columns:
            columns[key] = index
            labels[key] = f"{clean(value)}{clean(lower.get(index))}"  # "3月计划投资（亿元）": its unit too
        found = True
    return found


def _year(above: list[str]) -> int | None:
    for text in above:
        match = _YEAR.search(text)
        if match:
            return int(match.group(1))
    return None


def _project_row(cells: dict[int, object]) -> bool:
    """Not blank, not a section heading merged across the row ("一、续建项目"), not a total (合计)."""
    texts = [t for v in cells.values() if (t := clean(v))]
    if not texts:
        return False
    if len(texts) > 1 and len(set(texts)) == 1:
        return False
    return not (set(texts[:2]) & TOTALS)
