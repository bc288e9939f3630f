"""An attacker uploads a small .xlsx that expands into something huge (a zip bomb): the import refuses it at
once, before openpyxl expands anything, and a worker's time and memory stay its own.

The memory figure is the process's own peak RSS: Linux lets a process reset its high-water mark
(/proc/self/clear_refs), so VmHWM after the refusal minus VmRSS before it is what the refusal cost. Where that
is not possible (not Linux), tracemalloc's peak stands in (it sees Python's allocations, which include
expat's, zlib's output and openpyxl's).
"""

import base64
import io
import random
import time
import tracemalloc
import zipfile
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duban.ledger.excel.reader import SheetError, open_sheet
from duban.ledger.models import Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MB = 1024 * 1024
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>工作任务</t></is></c><c r="B1" t="inlineStr"><is><t>牵头单位</t></is></c>' \
         '<c r="C1" t="inlineStr"><is><t>完成时限</t></is></c></row>'


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _members() -> dict[str, bytes]:
    """The parts of a real one-sheet workbook, to put a crafted sheet (or string table) among."""
    data = io.BytesIO()
    openpyxl.Workbook().save(data)
    with zipfile.ZipFile(data) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def crafted_xlsx(path: Path, *, cell_bytes: int, filler: bytes = b"A", shared: bool = False, level: int = 9) -> Path:
    """A workbook whose row 2 holds one text of `cell_bytes` bytes, streamed into the archive (never in memory):
    as an inline string in the sheet, or (`shared`) as the one entry of sharedStrings.xml."""
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in _members().items():
            if name == "xl/worksheets/sheet1.xml":
                continue
            if name == "[Content_Types].xml" and shared:
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                          b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if name == "xl/_rels/workbook.xml.rels" and shared:
                content = content.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                                          b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            archive.writestr(name, content)
        big = '<c r="A2" t="s"><v>0</v></c>' if shared else '<c r="A2" t="inlineStr"><is><t>{}</t></is></c>'
        before, _, after = big.partition("{}")
        sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {main}><sheetData>{HEADER}<row r="2">'
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(sheet.encode())
            if shared:
                stream.write(big.encode())
            else:
                stream.write(before.encode())
                _stream_filler(stream, cell_bytes, filler)
                stream.write(after.encode())
            stream.write(b"</row></sheetData></worksheet>")
        if shared:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                stream.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {main} count="1" uniqueCount="1"><si><t>'.encode())
                _stream_filler(stream, cell_bytes, filler)
                stream.write(b"</t></si></sst>")
    return path


def _stream_filler(stream, size: int, filler: bytes) -> None:
    chunk = (filler * (MB // len(filler) + 1))[:MB]
    for _ in range(size // MB):
        stream.write(chunk)
    stream.write(chunk[: size % MB])


@contextmanager
def measured():
    """Seconds taken and the process's memory growth in bytes, filled in on exit."""
    figures = {}
    clear_refs = Path("/proc/self/clear_refs")
    try:
        clear_refs.write_text("5")  # reset the peak RSS (VmHWM) to the current RSS
        by_rss = True
    except OSError:
        by_rss = False
        tracemalloc.start()
    before = _status("VmRSS") if by_rss else 0
    started = time.perf_counter()
    try:
        yield figures
    finally:
        figures["seconds"] = time.perf_counter() - started
        if by_rss:
            figures["growth"] = _status("VmHWM") - before
        else:
            figures["growth"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """The probe's file: ~290 KB whose one cell is a ~280 MB inline string."""
    path = crafted_xlsx(tmp_path_factory.mktemp("bomb") / "任务分解表.xlsx", cell_bytes=280 * MB)
    assert path.stat().st_size < 400 * 1024
    return path


def test_a_small_file_whose_one_cell_expands_to_280_mb_is_refused_at_once(county, campaign, bomb):
    office = county.client("supervision")

    with measured() as cost:
        upload = SimpleUploadedFile("任务分解表.xlsx", bomb.read_bytes(), content_type=XLSX)
        response = office.post(reverse("ledger:import"), {"file": upload, "campaign": ""}, follow=True)

    html = response.content.decode()
    assert "不像任务分解表，已拒绝读取" in html
    assert cost["seconds"] < 2, cost
    assert cost["growth"] < 100 * MB, cost
    assert Task.objects.count() == 0


@pytest.mark.parametrize("shared", [False, True], ids=["inline", "shared"])
def test_one_cell_longer_than_excel_allows_is_refused_even_when_it_compresses_poorly(tmp_path, shared):
    # Text that deflate cannot shrink much: the compression ratio looks like any sheet's, the cell does not.
    filler = base64.b64encode(random.Random(15).randbytes(MB))[:MB]
    path = crafted_xlsx(tmp_path / "big.xlsx", cell_bytes=3 * MB, filler=filler, shared=shared, level=1)

    with pytest.raises(SheetError, match="单元格"):
        open_sheet(path)


def test_a_member_that_compresses_beyond_any_sheet_is_refused_from_the_zip_directory(tmp_path):
    path = crafted_xlsx(tmp_path / "ratio.xlsx", cell_bytes=8 * MB)

    with measured() as cost, pytest.raises(SheetError, match="压缩比"):
        open_sheet(path)
    assert cost["seconds"] < 0.5


def test_a_real_sized_sheet_with_long_cells_still_reads(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["工作任务", "牵头单位", "完成时限", "具体措施及标准"])
    wb.active.append(["推进国道改线工程征地拆迁", "县交通运输局", "2026年12月底前", "完成方案制定。" * 4000])  # 28k characters
    data = io.BytesIO()
    wb.save(data)

    sheet = open_sheet(data)

    assert len(sheet.rows) == 1 and len(sheet.rows[0].cells[4]) == 28000
