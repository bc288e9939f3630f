"""The default 督办通知单 template, built in code and laid out after GB/T 9704-2012 (党政机关公文格式).

Built rather than shipped as a binary so that the layout can be read and reviewed here; the office may
download it, change it in Word or WPS and upload it back (notice_doc.install_template). The page, styles,
font table, 版记 and page numbers are the shared GB/T 9704 layout of core.gbt9704 (the bulletin uses it too).
"""

from __future__ import annotations

import io
from functools import lru_cache

from docx import Document
from docx.oxml.ns import qn

from duban.core import gbt9704


def default_template_bytes() -> bytes:
    """The default template as .docx bytes (built once per process)."""
    return _built()


@lru_cache(maxsize=1)
def _built() -> bytes:
    document = build_default_template()
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def build_default_template():
    """A python-docx Document holding the default template, placeholders and all."""
    document = Document()
    gbt9704.page_setup(document)
    gbt9704.styles(document)
    gbt9704.font_table(document)
    body = document.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # python-docx's template starts with one empty paragraph
        body.remove(p)

    document.add_paragraph("{{发文单位}}督办通知单", style="版头")
    document.add_paragraph("{{文号}}", style="发文字号")
    document.add_paragraph("关于“{{事项名称}}”的督办通知", style="公文标题")
    document.add_paragraph("{{主送单位}}：", style="主送机关")
    document.add_paragraph("根据县委、县政府重点工作督查督办安排，现对你单位承办的“{{事项名称}}”（事项编号：{{事项编号}}）"
                           "予以督办。有关事项通知如下。", style="公文正文")
    document.add_paragraph("一、督办事由", style="Heading 1")
    document.add_paragraph("{{事实}}", style="公文正文")
    document.add_paragraph("该事项分管县领导：{{分管县领导}}。", style="公文正文")
    document.add_paragraph("二、督办要求", style="Heading 1")
    document.add_paragraph("{{督办要求}}", style="公文正文")
    document.add_paragraph("三、回复要求", style="Heading 1")
    document.add_paragraph("请于{{回复期限}}前书面回复督办事项办理情况。逾期未回复的，将按规定进一步督办。", style="公文正文")
    document.add_paragraph("{{发文单位}}", style="发文机关署名")
    document.add_paragraph("{{发文日期}}", style="成文日期")
    document.add_paragraph("（联系人：{{联系人}}）", style="附注")
    gbt9704.record_block(document)
    gbt9704.page_numbers(document)
    return document


