"""Reading an uploaded .xlsx safely, whatever it is laid out like: the archive checked before openpyxl reads a
byte (zip bombs, disguised files, cells longer than Excel allows), merged ranges streamed from the sheet's XML,
and rows with each merged range's value copied into all its cells. The ledger's decomposition sheet and the
hazard ledger read their layouts on top of this.

openpyxl's read-only mode streams the cells but does not report merged ranges, so those are read from the
sheet's XML in a second streaming pass; the top-left value of a range then stands in every cell of it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree.ElementTree import iterparse
from xml.parsers import expat

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from duban.core.excel.cells import clean

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


class SheetError(ValueError):
    """The file is not a sheet this reader can use; the message says what to do (in Chinese)."""


def check_archive(source, *, what: str = "台账表格") -> None:
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
            _check_directory(infos, what)
            for info in infos:
                _check_member(archive, info, what)
    except zipfile.BadZipFile:
        raise SheetError("该文件不是 .xlsx 格式（可能是旧版 .xls 或被改了扩展名）。请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。") from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _too_big(what: str) -> SheetError:
    return SheetError(f"该文件解压后超过 {MAX_EXPANDED_BYTES // 1048576} MB，不像{what}，已拒绝读取。")


def _too_dense(name: str, what: str) -> SheetError:
    return SheetError(f"该文件中的“{name}”压缩比超过 {MAX_RATIO} 倍，不像{what}，已拒绝读取。")


def _check_directory(infos, what: str) -> None:
    expanded = sum(i.file_size for i in infos)
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if expanded > MAX_EXPANDED_BYTES or strings > MAX_SHARED_STRINGS_BYTES:
        raise _too_big(what)
    for info in infos:
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_dense(info.filename, what)


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str) -> None:
    """Stream one member, counting bytes out (against its declared size and ratio) and, for XML, each cell's text."""
    scan = _XmlScan(what) if info.filename.lower().endswith((".xml", ".rels", ".vml")) else None
    limit = min(info.file_size, MAX_EXPANDED_BYTES)
    ratio_limit = MAX_RATIO * max(info.compress_size, 1)
    done = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            done += len(chunk)
            if done > limit:
                raise _too_big(what)  # more than the directory said: it lied
            if done > RATIO_FROM_BYTES and done > ratio_limit:
                raise _too_dense(info.filename, what)
            if scan is not None:
                scan.feed(chunk)
    if scan is not None:
        scan.close()


class _XmlScan:
    """Counts, as the XML streams past, the longest run of bytes without a "<" (which bounds any one tag or text
    node that expat, and so openpyxl, would hold whole) and the characters of each cell or shared string (which
    bounds the value openpyxl builds from rich-text runs); refuses past the caps."""

    def __init__(self, what: str):
        self.what = what
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
            raise _cell_too_long(self.what)

    def feed(self, chunk: bytes) -> None:
        first, *inner = chunk.split(b"<")
        if not inner:
            self.run += len(first)
        else:
            longest = max(self.run + len(first), *map(len, inner[:-1]))
            if longest > MAX_RUN_BYTES:
                raise _cell_too_long(self.what)
            self.run = len(inner[-1])
        if self.run > MAX_RUN_BYTES:
            raise _cell_too_long(self.what)
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


def _cell_too_long(what: str) -> SheetError:
    return SheetError(f"该文件中有单元格超过 {MAX_CELL_CHARS} 个字符（Excel 单元格的上限），不像{what}，已拒绝读取。")


def merged_ranges(workbook, worksheet) -> list[tuple[int, int, int, int]]:
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


def rows(worksheet, merged) -> Iterator[tuple[int, dict[int, object]]]:
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




@contextmanager
def opened(source, *, what: str = "台账表格"):
    """The workbook of an uploaded .xlsx, read-only and values only, once `check_archive` let it through."""
    check_archive(source, what=what)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SheetError(f"无法读取该 Excel 文件（{type(exc).__name__}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。") from None
    try:
        yield workbook
    finally:
        workbook.close()


def sheet_rows(workbook, worksheet) -> tuple[list[tuple[int, int, int, int]], Iterator[tuple[int, dict[int, object]]]]:
    """A worksheet's merged ranges and its rows (merged values filled in), read as really written."""
    merged = merged_ranges(workbook, worksheet)
    worksheet.reset_dimensions()  # some writers declare A1:XFD1048576; read what is really there
    return merged, rows(worksheet, merged)


def headed_sheets(workbook, *, column_for, required: str, minimum: int):
    """Each worksheet whose first HEADER_SEARCH_ROWS rows hold a header (`find_header`), in the workbook's order:
    (the header's row number, columns, labels, the rows read so far, the rest of the rows)."""
    for worksheet in workbook.worksheets:
        _merged, rows = sheet_rows(workbook, worksheet)
        top = []
        for number, cells in rows:
            top.append((number, cells))
            if number >= HEADER_SEARCH_ROWS:
                break
        found = find_header(top, column_for=column_for, required=required, minimum=minimum)
        if found is not None:
            yield (*found, top, rows)


def find_header(top, *, column_for, required: str, minimum: int) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """The first of `top`'s rows naming the most known columns (`column_for(cell)` → a key or None), `required`
    among them and at least `minimum`: (its number, key → 1-based column, key → the header text it shows)."""
    best = None
    for number, cells in top:
        columns: dict[str, int] = {}
        labels: dict[str, str] = {}
        for index, value in sorted(cells.items()):
            key = column_for(value)
            if key and key not in columns:
                columns[key], labels[key] = index, clean(value).replace("\n", "")
        if required in columns and len(columns) >= minimum and (best is None or len(columns) > len(best[1])):
            best = (number, columns, labels)
    return best
