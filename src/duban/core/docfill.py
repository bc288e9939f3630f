"""Filling {{placeholders}} into a .docx template the office can replace, and keeping that template.

Placeholders such as {{文号}} are replaced in the body, tables, text boxes, headers and footers, also when Word
has split one over several runs; the replacement takes the formatting of the run the placeholder starts in. A
value of several lines becomes several paragraphs when its placeholder is alone in a paragraph, else lines
broken inside the paragraph. Shared by the supervision notice (supervision.notice_doc) and the bulletin
(reports.bulletin_doc); each names its own placeholders and keeps its own template file under template_dir().
"""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from copy import deepcopy
from pathlib import Path

from django.conf import settings
from docx.oxml.ns import qn
from docx.parts.hdrftr import FooterPart, HeaderPart

PATTERN = re.compile(r"\{\{\s*([^{}\s]{1,20})\s*\}\}")
# characters XML 1.0 cannot hold (a value pasted from elsewhere may carry them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UNPACKED = 200 * 1024 * 1024  # a template that unpacks to more than this is a zip bomb, not a document


def chinese_date(day: datetime.date) -> str:
    """2026年12月3日: Arabic numerals, year in full, no leading zeros (GB/T 9704-2012 7.3.5.1)."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- filling placeholders -------------------------------------------------------------------------------


def fill(document, values: dict[str, str], *, optional: frozenset[str] = frozenset()) -> None:
    """Replace every known {{placeholder}} in the document with its value, in place; a paragraph holding an
    `optional` placeholder whose value is blank is left out."""
    values = {name: _clean(value) for name, value in values.items()}
    for root in roots(document):
        for paragraph in list(root.iter(qn("w:p"))):
            _fill_paragraph(paragraph, values, optional)


def _clean(value) -> str:
    return _NOT_XML.sub("", str(value or "").replace("\r\n", "\n").replace("\r", "\n"))


def roots(document):
    """The XML of the body and of every header and footer (first page, even pages, other sections)."""
    yield document.element
    for part in document.part.package.iter_parts():
        if isinstance(part, HeaderPart | FooterPart):
            yield part.element


def _texts(paragraph):
    """The paragraph's own w:t elements in order (not those of paragraphs nested in its text boxes)."""
    return [t for t in paragraph.iter(qn("w:t")) if _owner(t) is paragraph]


def _owner(element):
    parent = element.getparent()
    while parent is not None and parent.tag != qn("w:p"):
        parent = parent.getparent()
    return parent


def paragraph_text(paragraph) -> str:
    return "".join(t.text or "" for t in _texts(paragraph))


def _fill_paragraph(paragraph, values, optional):
    full = paragraph_text(paragraph)
    matches = [m for m in PATTERN.finditer(full) if m.group(1) in values]
    if not matches:
        return
    if any(m.group(1) in optional and not values[m.group(1)].strip() for m in matches) and _drop(paragraph):
        return
    if len(matches) == 1 and full.strip() == matches[0].group(0):
        name = matches[0].group(1)
        lines = [line.strip(" \t\u3000") for line in values[name].split("\n")]
        lines = [line for line in lines if line] or [""]
        if len(lines) > 1:  # one paragraph a line, each keeping the paragraph's indent and style
            for line in reversed(lines[1:]):
                clone = deepcopy(paragraph)
                paragraph.addnext(clone)
                _replace(clone, {name: line})
            _replace(paragraph, {name: lines[0]})
            return
    _replace(paragraph, values)


def _replace(paragraph, values):
    texts = _texts(paragraph)
    spans, position = [], 0
    for t in texts:
        length = len(t.text or "")
        spans.append((t, position, position + length))
        position += length
    full = "".join(t.text or "" for t in texts)
    touched = set()
    # from the last match back, so that the offsets of earlier matches stay valid
    for match in reversed([m for m in PATTERN.finditer(full) if m.group(1) in values]):
        start, end = match.span()
        value, first = values[match.group(1)], True
        for t, a, b in spans:
            if a == b or b <= start or a >= end:
                continue
            text = t.text or ""
            low, high = max(start, a) - a, min(end, b) - a
            t.text = text[:low] + (value if first else "") + text[high:]
            first = False
            touched.add(t)
    for t in touched:
        t.set(_XML_SPACE, "preserve")
        if "\n" in (t.text or "") or "\t" in (t.text or ""):
            _break_lines(t)


def _break_lines(t):
    """Turn the newlines and tabs in one w:t into w:br and w:tab siblings inside the same run."""
    pieces = re.split(r"([\n\t])", t.text)
    anchor = t
    t.text = pieces[0]
    for piece in pieces[1:]:
        if piece in ("\n", "\t"):
            element = t.makeelement(qn("w:br") if piece == "\n" else qn("w:tab"), {})
        elif piece:
            element = t.makeelement(qn("w:t"), {_XML_SPACE: "preserve"})
            element.text = piece
        else:
            continue
        anchor.addnext(element)
        anchor = element


def _drop(paragraph) -> bool:
    """Remove a paragraph left empty by a blank optional value; False where it must stay (then it is emptied)."""
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is not None and ppr.find(qn("w:sectPr")) is not None:
        return False  # it ends a section
    parent = paragraph.getparent()
    if parent is None:
        return False
    if parent.tag != qn("w:body") and len(parent.findall(qn("w:p"))) == 1:
        if parent.tag == qn("w:tc"):  # the only paragraph of a one-cell row (the 抄送 row of the 版记): drop the row
            row = parent.getparent()
            table = row.getparent() if row is not None else None
            if (row is not None and table is not None and len(row.findall(qn("w:tc"))) == 1
                    and len(table.findall(qn("w:tr"))) > 1):
                table.remove(row)
                return True
        return False  # a cell or text box needs one paragraph
    parent.remove(paragraph)
    return True

# --- the templates' folder ------------------------------------------------------------------------------


def template_dir() -> Path:
    """Under MEDIA_ROOT: `duban backup` carries it, and several nodes share it as they share attachments."""
    return Path(settings.MEDIA_ROOT) / "templates"


def write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename over it, so a render running meanwhile reads the old or the new file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as target:
            target.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

