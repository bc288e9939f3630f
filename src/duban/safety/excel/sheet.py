"""Reading a hazard ledger sheet as counties lay it out: title rows above the header ("某某县安全隐患排查整改台账"),
headers in any order and their usual wordings, blank rows and notes at the foot ("填表人：…"). The file is
checked, opened and its merged cells filled in by `duban.core.excel.archive`.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from duban.core.excel import archive
from duban.core.excel.archive import HEADER_SEARCH_ROWS, SheetError
from duban.core.excel.cells import clean
from duban.safety.excel.columns import BY_KEY, MIN_HEADER_COLUMNS, column_for

WHAT = "隐患排查整改台账"


@dataclass
class Sheet:
    """What was read: the title, where each known column is, the rows below the header (blank ones dropped)."""

    title: str
    header_row: int
    columns: dict[str, int]  # key → 1-based column index
    labels: dict[str, str]  # key → the header text the sheet shows
    rows: list[tuple[int, dict[int, object]]]  # (Excel row number, {column: raw value})

    def where(self, key: str) -> tuple[str, str]:
        """(header text, column letter) of a column, for messages; the export's label when the sheet lacks it."""
        if key in self.columns:
            return self.labels[key], get_column_letter(self.columns[key])
        return BY_KEY[key].label, ""


def read(source) -> Sheet:
    """The first worksheet with a hazard ledger header; SheetError (in Chinese) if none has one."""
    with archive.opened(source, what=WHAT) as workbook:
        for number, columns, labels, top, rows in archive.headed_sheets(workbook, column_for=column_for, required="title",
                                                                        minimum=MIN_HEADER_COLUMNS):
            above = [t for n, cells in top if n < number for v in cells.values() if (t := clean(v))]
            body = [(n, c) for n, c in top if n > number] + list(rows)
            return Sheet(above[0] if above else "", number, columns, labels, [(n, c) for n, c in body if _filled(c)])
    raise SheetError(f"在工作表前 {HEADER_SEARCH_ROWS} 行中没有找到表头。表头应包含“隐患内容”列，以及“排查时间”“隐患部位”"
                     "“隐患等级”“整改措施”“整改责任人”“整改时限”等列中的至少三列。")


def _filled(cells: dict[int, object]) -> bool:
    return any(clean(v) for v in cells.values())
