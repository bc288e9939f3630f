"""Reading a decomposition sheet as counties lay it out: title rows, a header of one or two rows (merged cells
such as "责任分工" over 牵头县领导/牵头单位/配合单位), headers in any order and wording, group rows
("一、项目建设战线"), cells merged down over several tasks, blank rows.

The file is checked, opened and its rows read (merged ranges filled in) by `duban.core.excel.archive`; this
module finds the ledger's layout in them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from duban.core.excel import archive
from duban.core.excel.archive import HEADER_SEARCH_ROWS, SheetError
from duban.ledger.excel.columns import MIN_HEADER_COLUMNS, REPEATABLE, clean, column_for

_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十0-9]+(?:条)?战线)")
_ATTACHMENT = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*[:：]?$")
_NOTE = re.compile(r"^(?:注|备注|说明|填表人|制表|审核人|联系人|填报单位)[:：]?")


@dataclass
class Header:
    """Where the header is and which column holds what."""

    first_row: int
    last_row: int
    columns: dict[str, list[int]]  # key → 1-based column indexes (several only for REPEATABLE keys)
    labels: dict[int, str]  # column index → the header text the sheet shows there
    ignored: list[str] = field(default_factory=list)  # header texts of columns nobody reads

    def label(self, column: int) -> str:
        return self.labels.get(column, "")

    def where(self, key: str) -> tuple[str, str]:
        """(header text, column letter) of a key's first column, for messages."""
        column = self.columns[key][0]
        return self.labels[column], get_column_letter(column)


@dataclass
class Row:
    """One row below the header: its Excel row number and the cleaned text of each column, merged cells filled."""

    number: int
    cells: dict[int, object]  # column index → raw value (dates stay dates)
    texts: dict[int, str]  # column index → cleaned text, non-empty cells only
    group: str = ""  # the text of a group row ("一、项目建设战线"); empty for a task row

    def text(self, column: int) -> str:
        return self.texts.get(column, "")


@dataclass
class Sheet:
    name: str
    header: Header
    title: str  # the sheet's title: the first text above the header that is not "附件1"
    above: list[str]  # every text above the header
    rows: list[Row]


def open_sheet(source, *, progress=None) -> Sheet:
    """Find the first worksheet with a recognisable header and read its rows; raise SheetError if none has."""
    with archive.opened(source, what="任务分解表") as workbook:
        for worksheet in workbook.worksheets:
            merged, rows = archive.sheet_rows(workbook, worksheet)
            top = []
            for number, cells in rows:
                top.append((number, cells))
                if number >= HEADER_SEARCH_ROWS + 1:
                    break
            header = find_header(top)
            if header is None:
                continue
            above = [clean(v) for n, cells in top if n < header.first_row for v in cells.values()]
            above = [t for t in dict.fromkeys(above) if t]
            title = next((t for t in above if not _ATTACHMENT.match(t)), "")
            body = [(n, c) for n, c in top if n > header.last_row]
            return Sheet(worksheet.title, header, title, above, list(_body(body, rows, header, merged, progress)))
    raise SheetError(
        f"在工作表前 {HEADER_SEARCH_ROWS} 行中没有找到表头。表头应包含“工作任务”列，以及“牵头单位”“完成时限”"
        "“牵头县领导”等列中的至少两列（列名可用常见说法，如“重点任务”“责任单位”“时间节点”）。"
    )


def find_header(top: list[tuple[int, dict[int, object]]]) -> Header | None:
    """The header among the first rows: a row, or two rows read together, naming the most known columns."""
    by_number = dict(top)
    best = None
    for number, _cells in top:
        if number > HEADER_SEARCH_ROWS:
            break
        for last in (number, number + 1):
            found = _read_header(by_number, number, last)
            if found is None:
                continue
            # More known columns first; then the header that ends (and lets the data start) earliest; then the
            # two-row reading, so that the title rows above it stay the title.
            score = (len(found.columns), -last, last - number)
            if best is None or score > best[0]:
                best = (score, found)
    return best[1] if best else None


def _read_header(rows: dict[int, dict[int, object]], first: int, last: int) -> Header | None:
    upper, lower = rows.get(first, {}), rows.get(last, {}) if last != first else {}
    columns: dict[str, list[int]] = {}
    labels: dict[int, str] = {}
    ignored = []
    for column in sorted(set(upper) | set(lower)):
        # The lower row names the column under a merged group ("责任分工" over 牵头单位…); else the upper one does.
        for value in (lower.get(column), upper.get(column)):
            key = column_for(value)
            if key:
                columns.setdefault(key, []).append(column)
                labels[column] = clean(value).replace("\n", "")
                break
        else:
            text = clean(lower.get(column) or upper.get(column))
            if text and text not in ignored:
                ignored.append(text.replace("\n", ""))
    if "title" not in columns or len(columns) < MIN_HEADER_COLUMNS:
        return None
    if last != first and not (any(column_for(v) for v in lower.values()) and any(column_for(v) for v in upper.values())):
        return None  # each row of a two-row header names at least one column itself
    return Header(first, last, columns, labels, ignored)


def duplicate_columns(header: Header) -> list[str]:
    """Messages for keys that appear in two columns where only one is allowed."""
    messages = []
    for key, cols in header.columns.items():
        if len(cols) > 1 and key not in REPEATABLE:
            where = "、".join(f"{header.labels[c]}（{get_column_letter(c)}）" for c in cols)
            messages.append(f"第 {header.first_row} 行表头有 {len(cols)} 列表示同一内容：{where}。请只保留一列。")
    return messages


def _body(first_rows, more_rows, header: Header, merged, progress) -> Iterator[Row]:
    """The rows below the header, blank ones dropped, group rows marked."""
    wide = [r for r in merged if r[2] > r[0]]  # ranges wider than one column
    done = 0

    def rows():
        yield from first_rows
        yield from more_rows

    for number, cells in rows():
        done += 1
        if progress and done % 500 == 0:
            progress("读取表格", done, None)
        texts = {c: t for c, v in cells.items() if (t := clean(v))}
        if not texts:
            continue
        group = _group_text(number, texts, header, wide)
        yield Row(number, cells, texts, group=group)
    if progress:
        progress("读取表格", done, done)


def _group_text(number: int, texts: dict[int, str], header: Header, wide) -> str:
    """A row that only carries one text — merged across, or an enumerated heading — heads a group of tasks."""
    values = set(texts.values())
    if len(values) != 1:
        return ""
    text = values.pop()
    columns = sorted(texts)
    merged_across = len(columns) > 1 and any(
        r[1] <= number <= r[3] and r[0] <= columns[0] and columns[-1] <= r[2] for r in wide
    )
    if merged_across or _ENUMERATOR.match(text) or _NOTE.match(text):
        return text
    seq_columns = header.columns.get("seq", [])
    if columns == seq_columns[:1] and not text.replace(".", "").isdigit():
        return text
    return ""


def is_note(text: str) -> bool:
    return bool(_NOTE.match(text))


def strip_enumerator(text: str) -> str:
    return _ENUMERATOR.sub("", text).strip(" ：:")
