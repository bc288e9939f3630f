"""A period's scores and red and black lists (红黑榜) as an .xlsx workbook, in the house style of the appeal
figures' export (appeals.metrics.workbook): a bold title row, one block per unit category, text kept as text."""

from __future__ import annotations

from duban.core.choices import UnitCategory
from duban.core.excel.cells import text_cell
from duban.scoring.scores import RANKED, Board, UnitScore

HEADERS = ("排名", "单位", "得分", "计分事项数")


def workbook(board: Board, rows: list[UnitScore], lists: list[dict] | None):
    """`rows`: the board's rows the user may see (scoring.selectors.visible_rows); `lists`: the red and black lists
    as the board page shows them ({"category", "red": [names], "black": [names]}), None for whoever does not see them."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "考核得分"
    state = "已公布" if board.published else "未公布，数据截至导出时"
    sheet.append([f"{board.period.label}考核得分（{state}；基础分 {board.base} 分）"])
    sheet["A1"].font = Font(bold=True, size=14)
    for category in RANKED:
        shown = [r for r in rows if r.category == category]
        if not shown:
            continue
        sheet.append([])
        sheet.append([str(UnitCategory(category).label)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append(list(HEADERS))
        for row in shown:
            sheet.append([row.rank, "", float(row.score), len(row.points)])
            text_cell(sheet.cell(sheet.max_row, 2), row.unit_name)
            sheet.cell(sheet.max_row, 3).number_format = "0.00"
    sheet.column_dimensions["B"].width = 28
    if lists is not None:
        named = book.create_sheet("红黑榜")
        named.append(["分类", "榜单", "单位"])
        for entry in lists:
            for colour, names in (("红榜", entry["red"]), ("黑榜", entry["black"])):
                for name in names:
                    named.append([str(entry["category"]), colour, ""])
                    text_cell(named.cell(named.max_row, 3), name)
        named.column_dimensions["C"].width = 28
    return book

