"""Reading a decomposition sheet as counties lay it out: title rows, a header of one or two rows (merged cells
such as "责任分工" over 牵头县领导/牵头单位/配合单位), headers in any order and wording, group rows
("一、项目建设战线"), cells merged down over several tasks, blank rows.

openpyxl's read-only mode streams the cells but does not report merged ranges, so those are read from the
sheet's XML in a second streaming pass; the top-left value of a range then stands in every cell of it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import iterparse
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from duban.ledger.excel.columns import MIN_HEADER_COLUMNS, REPEATABLE, clean, column_for

HEADER_SEARCH_ROWS = 15
MAX_ROWS = 100_000
# What an archive may expand to. A 10k-row sheet exported by the ledger with every column filled and long texts
# (60-character tasks, 200-character standards and progress, measured 2026-12: export layout, 15 columns) is
# 27 MB of sheet XML (7 MB zipped); a sheet of that size is what SPEC §9 asks the import to take. 64 MB leaves
# room for a wordier county and stops a zip bomb long before it costs a worker anything.
# The shared-string table is read whole into memory, so it gets its own, lower cap.
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
# Deflate shrinks sheet XML 3-16× (a sheet of bordered empty cells: 15.6×); only a crafted member goes past
# 100× (deflate's ceiling is ~1030×). Members below 1 MB may compress as they like: they cannot hurt.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# Excel keeps at most 32,767 characters in a cell; a cell (or shared string) longer than that was not made by
# Excel or WPS. Between two tags the XML may hold that text escaped (&#20013; is 8 bytes a character) plus
# the tag itself: no run of bytes without a "<" is longer than MAX_RUN_BYTES in a sheet anyone made.
MAX_CELL_CHARS = 32_767
MAX_RUN_BYTES = 512 * 1024
_CHUNK = 1024 * 1024
_CELL_TAGS = frozenset({"c", "si"})  # a cell (its inline string included), a shared string

_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十0-9]+(?:条)?战线)")
_ATTACHMENT = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*[:：]?$")
_NOTE = re.compile(r"^(?:注|备注|说明|填表人|制表|审核人|联系人|填报单位)[:：]?")


class SheetError(ValueError):
    """The file is not a sheet this reader can use; the message says what to do (in Chinese)."""


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
    _check_archive(source)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError(f"无法读取该 Excel 文件（{type(exc).__name__}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。") from None
    try:
        for worksheet in workbook.worksheets:
            merged = _merged_ranges(workbook, worksheet)
            worksheet.reset_dimensions()  # some writers declare A1:XFD1048576; read what is really there
            rows = _rows(worksheet, merged)
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
    finally:
        workbook.close()
    raise SheetError(
        f"在工作表前 {HEADER_SEARCH_ROWS} 行中没有找到表头。表头应包含“工作任务”列，以及“牵头单位”“完成时限”"
        "“牵头县领导”等列中的至少两列（列名可用常见说法，如“重点任务”“责任单位”“时间节点”）。"
    )


def _check_archive(source) -> None:
    """Refuse what is not an .xlsx (old .xls, a renamed file) and archives that would expand beyond reason.

    The zip directory is checked first (sizes and compression ratios as declared), then every member is
    streamed through zlib and its XML through expat a megabyte at a time, counting what really comes out,
    so that nothing is ever expanded whole: a directory that lies, a member that still expands past the caps,
    one cell or shared string longer than Excel allows, is refused before openpyxl reads a byte.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            if not any(n.startswith("xl/worksheets/") for n in names):
                raise SheetError("该文件不是 Excel 工作簿（.xlsx），请检查后重新选择。")
            _check_directory(infos)
            for info in infos:
                _check_member(archive, info)
    except zipfile.BadZipFile:
        raise SheetError("该文件不是 .xlsx 格式（可能是旧版 .xls 或被改了扩展名）。请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。") from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _too_big() -> SheetError:
    return SheetError(f"该文件解压后超过 {MAX_EXPANDED_BYTES // 1048576} MB，不像任务分解表，已拒绝读取。")


def _too_dense(name: str) -> SheetError:
    return SheetError(f"该文件中的“{name}”压缩比超过 {MAX_RATIO} 倍，不像任务分解表，已拒绝读取。")


def _check_directory(infos) -> None:
    expanded = sum(i.file_size for i in infos)
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if expanded > MAX_EXPANDED_BYTES or strings > MAX_SHARED_STRINGS_BYTES:
        raise _too_big()
    for info in infos:
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_dense(info.filename)


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream one member, counting bytes out (against its declared size and ratio) and, for XML, each cell's text."""
    scan = _XmlScan() if info.filename.lower().endswith((".xml", ".rels", ".vml")) else None
    limit = min(info.file_size, MAX_EXPANDED_BYTES)
    ratio_limit = MAX_RATIO * max(info.compress_size, 1)
    done = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            done += len(chunk)
            if done > limit:
                raise _too_big()  # more than the directory said: it lied
            if done > RATIO_FROM_BYTES and done > ratio_limit:
                raise _too_dense(info.filename)
            if scan is not None:
                scan.feed(chunk)
    if scan is not None:
        scan.close()


class _XmlScan:
    """Counts, as the XML streams past, the longest run of bytes without a "<" (which bounds any one tag or text
    node that expat, and so openpyxl, would hold whole) and the characters of each cell or shared string (which
    bounds the value openpyxl builds from rich-text runs); refuses past the caps."""

    def __init__(self):
        self.run = 0  # bytes since the last "<"
        self.cell = 0  # characters since the current cell or shared string began
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = False  # text in pieces as it comes, never one huge string
        self.parser.StartElementHandler = self._start
        self.parser.CharacterDataHandler = self._text

    def _start(self, name, _attrs):
        if name.rpartition(":")[2] in _CELL_TAGS:
            self.cell = 0

    def _text(self, text):
        self.cell += len(text)
        if self.cell > MAX_CELL_CHARS:
            raise _cell_too_long()

    def feed(self, chunk: bytes) -> None:
        first, *inner = chunk.split(b"<")
        if not inner:
            self.run += len(first)
        else:
            longest = max(self.run + len(first), *map(len, inner[:-1]))
            if longest > MAX_RUN_BYTES:
                raise _cell_too_long()
            self.run = len(inner[-1])
        if self.run > MAX_RUN_BYTES:
            raise _cell_too_long()
        self._parse(chunk, False)

    def close(self) -> None:
        self._parse(b"", True)

    def _parse(self, data: bytes, final: bool) -> None:
        if self.parser is None:
            return
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError:
            # Not well-formed: openpyxl (expat too) stops at the same place, if it reads this part at all; the
            # run of bytes is still counted up to the end.
            self.parser = None


def _cell_too_long() -> SheetError:
    return SheetError(f"该文件中有单元格超过 {MAX_CELL_CHARS} 个字符（Excel 单元格的上限），不像任务分解表，已拒绝读取。")


def _merged_ranges(workbook, worksheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range, streamed from the sheet's XML."""
    path = getattr(worksheet, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if path is None or archive is None:
        return []
    ranges = []
    with archive.open(path) as stream:
        for _event, element in iterparse(stream):
            tag = element.tag.rpartition("}")[2]
            if tag == "mergeCell":
                ref = element.get("ref", "")
                if ":" in ref:
                    ranges.append(range_boundaries(ref))
            elif tag in {"c", "row"}:
                element.clear()  # keep memory flat over a long sheetData
    return ranges


def _rows(worksheet, merged) -> Iterator[tuple[int, dict[int, object]]]:
    """(row number, {column: value}) for every row, with each merged range's value copied into all its cells."""
    spans: dict[int, list[tuple[int, int, int, int]]] = {}
    for rng in merged:
        for row in range(rng[1], rng[3] + 1):
            spans.setdefault(row, []).append(rng)
    origins: dict[tuple[int, int], object] = {}
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise SheetError(f"表格超过 {MAX_ROWS} 行，请分成几个文件导入。")
        cells = {i: v for i, v in enumerate(values, start=1) if v is not None and v != ""}
        for min_col, min_row, max_col, _max_row in spans.get(number, ()):
            if number == min_row:
                origins[(min_row, min_col)] = cells.get(min_col)
            value = origins.get((min_row, min_col))
            for column in range(min_col, max_col + 1):
                if value is None:
                    cells.pop(column, None)
                else:
                    cells[column] = value
        yield number, cells


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
