"""The layout of a Chinese official document after GB/T 9704-2012 (党政机关公文格式), in python-docx: the A4 page
and its 版心, the paragraph styles (红色版头, 发文字号 with the red line under it, 方正小标宋 title, 仿宋_GB2312
body, 黑体 headings, signature and date, 附注, 版记), the font table with fallbacks, the 版记 table and the page
numbers. Shared by every document duban issues (the supervision notice, the bulletin); each builds its own
text on these (supervision.notice_template, reports.bulletin_template).

What python-docx cannot do is left out: the 版记 is not pinned to the foot of the last page, and 发文机关署名 is
right-aligned above the date (右空四字) instead of centred over it, since neither text's width is known in advance.

Fonts are set in paragraph styles (so the office can change them in one place), with w:eastAsia written
out, the theme fonts removed, and the fallbacks named in the font table (w:altName), so that a machine
without 方正小标宋简体 or 仿宋_GB2312 shows 宋体 or 仿宋 instead of a Latin font.
"""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor, Twips
from lxml import etree

# Font names as Chinese Word and WPS know them, with what to use where they are not installed.
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
SONGTI = "宋体"
FALLBACKS = {XIAOBIAOSONG: "宋体", FANGSONG: "仿宋", HEITI: "SimHei", SONGTI: "SimSun"}
FAMILIES = {XIAOBIAOSONG: "roman", FANGSONG: "modern", HEITI: "modern", SONGTI: "auto"}

RED = RGBColor(0xFF, 0x00, 0x00)
# 字号: 2号 22 pt, 3号 16 pt, 4号 14 pt; the 版头 is larger than the title (一号 26 pt).
SIZE_HEAD, SIZE_TITLE, SIZE_BODY, SIZE_SMALL = Pt(26), Pt(22), Pt(16), Pt(14)
# 22 lines in the 156 × 225 mm 版心: 28.95 pt apart. (GB/T 9704 also wants 28 characters a line, which Word
# gets from a character grid, w:charSpace="-849"; LibreOffice reads that grid differently and puts 15 on
# a line, so the grid is lines only and a line holds 27 characters of 3号.)
LINE = Twips(579)
TEXT_WIDTH = Mm(210 - 28 - 26)


# --- page -----------------------------------------------------------------------------------------------


def page_setup(document):
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(23)  # puts the page number's top about 7 mm under the 版心
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE.twips))


def page_numbers(document):
    """“— 1 —” in 4号 宋体: odd pages on the right and even pages on the left, one character in (GB/T 9704 7.5)."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["页码"]
        paragraph.alignment = alignment
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = SIZE_SMALL
        else:
            paragraph.paragraph_format.left_indent = SIZE_SMALL
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph):
    """A PAGE field (begin, instruction, separate, shown value, end) that Word and WPS update as they lay out."""
    def run_with(tag, **attrs):
        run = paragraph.add_run()
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        run._r.append(element)
        return element

    run_with("w:fldChar", **{"w:fldCharType": "begin"})
    instruction = run_with("w:instrText")
    instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instruction.text = " PAGE "
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    paragraph.add_run("1")
    run_with("w:fldChar", **{"w:fldCharType": "end"})


TBLPR_ORDER = [qn(f"w:{tag}") for tag in (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
    "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")]


def record_block(document):
    """版记: 抄送 and 印发 rows between a thick first line, a thin middle line and a thick last line (GB/T 9704 7.4)."""
    table = document.add_table(rows=2, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        if child.tag in {qn("w:tblStyle"), qn("w:tblW"), qn("w:tblLook")}:
            tbl_pr.remove(child)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(TEXT_WIDTH.twips))
    width.set(qn("w:type"), "dxa")
    tbl_pr.append(width)
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 6), ("insideV", 0)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single" if size else "nil")
        if size:  # 0.35 mm and 0.25 mm lines, in eighths of a point
            element.set(qn("w:sz"), str(size))
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    tbl_pr[:] = sorted(tbl_pr, key=lambda child: TBLPR_ORDER.index(child.tag))  # Word insists on the schema's order
    for column in table.columns:
        column.width = TEXT_WIDTH
    for row in table.rows:
        row.cells[0].width = TEXT_WIDTH

    copy_to = table.rows[0].cells[0].paragraphs[0]
    copy_to.style = document.styles["版记"]
    copy_to.paragraph_format.left_indent = SIZE_SMALL * 4  # 抄送 lines that wrap line up after the colon
    copy_to.paragraph_format.first_line_indent = -SIZE_SMALL * 3
    copy_to.add_run("抄送：{{抄送}}。")

    printed = table.rows[1].cells[0].paragraphs[0]
    printed.style = document.styles["版记"]
    printed.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - SIZE_SMALL, WD_TAB_ALIGNMENT.RIGHT)
    printed.add_run("{{发文单位}}\t{{发文日期}}印发")
    # One empty line before the 版记 (python-docx cannot pin it to the foot of the page), and a closing
    # paragraph after it: Word wants the body to end with a paragraph; it is 1 pt high so as not to add a page.
    table._tbl.addprevious(OxmlElement("w:p"))
    closing = document.add_paragraph()
    closing.paragraph_format.line_spacing = Pt(1)
    closing.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    closing.paragraph_format.first_line_indent = 0


# --- styles ---------------------------------------------------------------------------------------------


def styles(document):
    styles = document.styles
    _defaults(styles)
    normal = styles["Normal"]
    _font(normal, FANGSONG, SIZE_BODY)
    _paragraph(normal, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _no_autospace(normal)

    head = _add(styles, "版头", FANGSONG)
    _font(head, XIAOBIAOSONG, SIZE_HEAD, color=RED)
    _paragraph(head, alignment=WD_ALIGN_PARAGRAPH.CENTER, exact=False, after=LINE * 2)

    number = _add(styles, "发文字号", FANGSONG)
    _paragraph(number, alignment=WD_ALIGN_PARAGRAPH.CENTER, after=LINE * 2)
    _border(number, "bottom", color="FF0000", size=12, space=11)  # the red line 4 mm under the number

    title = _add(styles, "公文标题", FANGSONG)
    _font(title, XIAOBIAOSONG, SIZE_TITLE)
    _paragraph(title, alignment=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(35), after=LINE)

    _paragraph(_add(styles, "主送机关", FANGSONG), alignment=WD_ALIGN_PARAGRAPH.LEFT)
    _paragraph(_add(styles, "公文正文", FANGSONG), first_line=SIZE_BODY * 2)

    heading = styles["Heading 1"]
    for child in list(heading.element.rPr if heading.element.rPr is not None else []):
        heading.element.rPr.remove(child)
    _font(heading, HEITI, SIZE_BODY, bold=False, color=RGBColor(0, 0, 0))
    _paragraph(heading, first_line=SIZE_BODY * 2, before=0, keep_with_next=True)

    signature = _add(styles, "发文机关署名", FANGSONG)
    _paragraph(signature, alignment=WD_ALIGN_PARAGRAPH.RIGHT, right=SIZE_BODY * 4, before=LINE * 2)
    _paragraph(_add(styles, "成文日期", FANGSONG), alignment=WD_ALIGN_PARAGRAPH.RIGHT, right=SIZE_BODY * 4)
    _paragraph(_add(styles, "附注", FANGSONG), first_line=SIZE_BODY * 2)

    record = _add(styles, "版记", FANGSONG)
    _font(record, FANGSONG, SIZE_SMALL)
    _paragraph(record, alignment=WD_ALIGN_PARAGRAPH.LEFT, left=SIZE_SMALL, right=SIZE_SMALL)

    page = _add(styles, "页码", SONGTI)
    _font(page, SONGTI, SIZE_SMALL)
    _paragraph(page, exact=False, alignment=WD_ALIGN_PARAGRAPH.RIGHT)
    for name in ("Header", "Footer"):
        if name in [s.name for s in styles]:
            _font(styles[name], SONGTI, SIZE_SMALL)


def _defaults(styles):
    """Document defaults: 3号 仿宋 with explicit names (theme fonts would override them), Chinese language."""
    rpr = styles.element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    _rfonts(rpr, FANGSONG)
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(int(SIZE_BODY.pt * 2)))
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = styles.element.find(qn("w:docDefaults") + "/" + qn("w:pPrDefault") + "/" + qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    if spacing is not None:
        ppr.remove(spacing)


def _add(styles, name, font):
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.quick_style = True
    _font(style, font, SIZE_BODY)
    return style


def _font(style, name, size, *, bold=None, color=None):
    style.font.size = size
    if bold is not None:
        style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    _rfonts(style.element.get_or_add_rPr(), name)


def _rfonts(rpr, name):
    """Name the font for every script, East Asian included, and drop theme fonts (they win over names)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    rfonts.set(qn("w:hint"), "eastAsia")


def _paragraph(style, *, alignment=None, line=LINE, exact=True, before=0, after=0, first_line=None, left=None,
               right=None, keep_with_next=None):
    fmt = style.paragraph_format
    if alignment is not None:
        fmt.alignment = alignment
    if exact:
        fmt.line_spacing = line
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    else:
        fmt.line_spacing = 1.0
    fmt.space_before, fmt.space_after = Emu(before), Emu(after)
    if first_line is not None:
        fmt.first_line_indent = first_line
        ind = style.element.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), str(round(Emu(first_line).pt / SIZE_BODY.pt * 100)))
    if left is not None:
        fmt.left_indent = left
    if right is not None:
        fmt.right_indent = right
    if keep_with_next is not None:
        fmt.keep_with_next = keep_with_next


def _no_autospace(style):
    """No extra space between Chinese and Latin letters or digits: 公文 set “2026年” tight."""
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "0")
        ppr.insert_element_before(element, "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                                  "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                                  "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                                  "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _border(style, edge, *, color, size, space):
    ppr = style.element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    element = OxmlElement(f"w:{edge}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", color)):
        element.set(qn(key), value)
    borders.append(element)
    # pBdr must come before spacing and ind in pPr (CT_PPr order)
    later = {qn(f"w:{tag}") for tag in ("shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
                                         "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
                                         "snapToGrid", "spacing", "ind", "contextualSpacing", "jc", "outlineLvl", "rPr")}
    anchor = next((c for c in ppr if c.tag in later), None)
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def font_table(document):
    """List the 公文 fonts with their fallbacks (w:altName) and the GB2312 charset."""
    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    w = root.nsmap.get("w") or "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    known = {f.get(f"{{{w}}}name") for f in root.iterfind(f"{{{w}}}font")}
    for name, fallback in FALLBACKS.items():
        if name in known:
            continue
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": fallback})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": FAMILIES[name]})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "fixed" if name != XIAOBIAOSONG else "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
