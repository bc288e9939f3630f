"""A small streaming .xlsx writer for large exports: one worksheet, rows written straight into the zip.

openpyxl's write-only mode costs ~30 µs a cell in Python (with or without lxml), i.e. ~45 s for 100k tasks ×
14 columns; this writer formats each row as one string (~1 µs a cell) and deflates it into the archive as it
goes, so memory stays flat and 100k rows take a few seconds. It writes only what the ledger needs: inline
strings and numbers, a handful of fixed cell styles, column widths, a frozen pane, merged title rows, an
auto-filter and print titles. openpyxl still reads every file (and the tests read this one back with it).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from duban.core.text import formula_like

# Cell styles (index into styles.xml's cellXfs).
PLAIN, TITLE, NOTE, HEADER, WRAP, RED, YELLOW, GREEN, GREY = range(9)
LIGHT_STYLES = {"red": RED, "yellow": YELLOW, "green": GREEN, "grey": GREY}

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = _HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = _HEAD + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = _HEAD + (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
_APP = _HEAD + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>duban</Application></Properties>"
)


_XFS = (
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',  # PLAIN
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>',  # TITLE
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>',  # NOTE
    '<xf numFmtId="0" fontId="3" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>',  # HEADER
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>',  # WRAP
    '<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/>',  # RED
    '<xf numFmtId="0" fontId="0" fillId="4" borderId="0" xfId="0" applyFill="1"/>',  # YELLOW
    '<xf numFmtId="0" fontId="0" fillId="5" borderId="0" xfId="0" applyFill="1"/>',  # GREEN
    '<xf numFmtId="0" fontId="0" fillId="6" borderId="0" xfId="0" applyFill="1"/>',  # GREY
)
# The same styles with quotePrefix: a text Excel would take for a formula (=, +, -, @) once its cell is
# edited stays text, and shows as written (no apostrophe in the value, so it reads back the same).
_QUOTED_XFS = tuple(xf.replace("<xf ", '<xf quotePrefix="1" ', 1) for xf in _XFS)
QUOTED = len(_XFS)  # style + QUOTED: that style, quote-prefixed


def _fill(rgb: str) -> str:
    return f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill></fill>'


_STYLES = _HEAD + (
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="4">'
    '<font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
    '<font><b/><sz val="14"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
    '<font><sz val="9"/><color rgb="FF666666"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
    "</fonts>"
    '<fills count="7"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    + _fill("D9E1F2") + _fill("F8D7DA") + _fill("FFF3CD") + _fill("D1E7DD") + _fill("E2E3E5") + "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="FF999999"/></left><right style="thin"><color rgb="FF999999"/></right>'
    '<top style="thin"><color rgb="FF999999"/></top><bottom style="thin"><color rgb="FF999999"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{2 * len(_XFS)}">' + "".join(_XFS) + "".join(_QUOTED_XFS) + "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


class SheetWriter:
    """Rows into one worksheet of a new .xlsx written to `output` (a binary file object)."""

    def __init__(self, output, *, sheet_name: str, widths: list[float], freeze: str = "", print_title_row: int | None = None):
        self.output = output
        self.sheet_name = sheet_name[:31]
        self.widths = widths
        self.letters = [get_column_letter(i) for i in range(1, len(widths) + 1)]
        self.freeze = freeze
        self.print_title_row = print_title_row
        self.merged: list[str] = []
        self.auto_filter = ""
        self.row = 0
        self._zip = zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=3)
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._buffer: list[str] = []
        self._write(_HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">' + self._views() + self._cols() + "<sheetData>")

    def _views(self) -> str:
        if not self.freeze:
            return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        column, row = re.match(r"([A-Z]+)(\d+)", self.freeze).groups()
        x = self.letters.index(column) if column in self.letters else 0
        y = int(row) - 1
        return (
            f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="{x}" ySplit="{y}" topLeftCell="{self.freeze}" '
            f'activePane="bottomRight" state="frozen"/><selection pane="bottomRight" activeCell="{self.freeze}" '
            f'sqref="{self.freeze}"/></sheetView></sheetViews>'
        )

    def _cols(self) -> str:
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, start=1))
        return f"<cols>{cols}</cols>"

    def _write(self, text: str) -> None:
        self._buffer.append(text)
        if len(self._buffer) >= 500:
            self.flush()

    def flush(self) -> None:
        self._sheet.write("".join(self._buffer).encode())
        self._buffer.clear()

    def append(self, values: Iterable, styles: dict[int, int] | None = None, *, style: int = PLAIN) -> None:
        """One row: strings become inline strings, numbers numbers, dates ISO text; None an empty cell.

        `styles` maps a 0-based column to a style for that cell; `style` applies to the others.
        """
        self.row += 1
        row = self.row
        cells = []
        for index, value in enumerate(values):
            if value is None or value == "":
                if style != PLAIN:
                    cells.append(f'<c r="{self.letters[index]}{row}" s="{style}"/>')
                continue
            s = styles.get(index, style) if styles else style
            ref = f"{self.letters[index]}{row}"
            attr = f' s="{s}"' if s else ""
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}"{attr} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"{attr}><v>{value}</v></c>')
            else:
                if isinstance(value, (dt.date, dt.datetime)):
                    value = value.isoformat()
                text = str(value)
                if formula_like(text):
                    attr = f' s="{s + QUOTED}"'
                cells.append(f'<c r="{ref}"{attr} t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>')
        self._write(f'<row r="{row}">{"".join(cells)}</row>')

    def close(self) -> None:
        tail = "</sheetData>"
        if self.auto_filter:
            tail += f'<autoFilter ref="{self.auto_filter}"/>'
        if self.merged:
            tail += f'<mergeCells count="{len(self.merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in self.merged) + "</mergeCells>"
        tail += '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        tail += '<pageSetup paperSize="9" orientation="landscape"/></worksheet>'
        self._write(tail)
        self.flush()
        self._sheet.close()
        z = self._zip
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("docProps/app.xml", _APP)
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        z.writestr("docProps/core.xml", _HEAD + (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:creator>duban</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
        ))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        name = self.sheet_name.replace("'", "''")
        names = ""
        if self.auto_filter:
            start, end = self.auto_filter.split(":")
            absolute = lambda ref: "$" + re.sub(r"(\d+)", r"$\1", ref)  # noqa: E731
            names += f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\'{_text(name)}\'!{absolute(start)}:{absolute(end)}</definedName>'
        if self.print_title_row:
            names += f'<definedName name="_xlnm.Print_Titles" localSheetId="0">\'{_text(name)}\'!${self.print_title_row}:${self.print_title_row}</definedName>'
        z.writestr("xl/workbook.xml", _HEAD + (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{_text(self.sheet_name)}" sheetId="1" r:id="rId1"/></sheets>'
            + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>"
        ))
        z.close()
