"""The default 工作通报 template, built in code on the supervision notice's GB/T 9704-2012 building blocks.

The page, the styles (红色版头, 发文字号 with its red line, 方正小标宋 title, 仿宋_GB2312 body with fallbacks), the
font table, the 版记 and the page numbers are the supervision notice's, moved for both into `core.gbt9704`; only
the text differs. Three placeholders stand alone in a paragraph and are replaced by a block: {{逾期任务表}} and
{{红黑榜}} by a table, {{图表}} by the chart image (bulletin_doc.BLOCKS).
"""

from __future__ import annotations

import io
from functools import lru_cache

from docx import Document
from docx.oxml.ns import qn

from duban.core import gbt9704 as gbt


def default_template_bytes() -> bytes:
    """The default template as .docx bytes (built once per process)."""
    return _built()


@lru_cache(maxsize=1)
def _built() -> bytes:
    output = io.BytesIO()
    build_default_template().save(output)
    return output.getvalue()


def build_default_template():
    document = Document()
    gbt.page_setup(document)
    gbt.styles(document)
    gbt.font_table(document)
    body = document.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)

    document.add_paragraph("{{发文单位}}工作通报", style="版头")
    document.add_paragraph("{{文号}}", style="发文字号")
    document.add_paragraph("关于{{通报期别}}全县重点工作推进情况的通报", style="公文标题")
    document.add_paragraph("{{主送单位}}：", style="主送机关")
    document.add_paragraph("现将{{通报期别}}全县重点工作、企业诉求、安全隐患和项目投资推进情况通报如下（数据截至{{截至日期}}）。", style="公文正文")
    document.add_paragraph("一、总体情况", style="Heading 1")
    document.add_paragraph("{{总体情况}}", style="公文正文")
    document.add_paragraph("二、逾期未完成任务", style="Heading 1")
    document.add_paragraph("{{逾期情况}}", style="公文正文")
    document.add_paragraph("{{逾期任务表}}", style="公文正文")
    document.add_paragraph("三、红黑榜", style="Heading 1")
    document.add_paragraph("{{红黑榜说明}}", style="公文正文")
    document.add_paragraph("{{红黑榜}}", style="公文正文")
    document.add_paragraph("四、各专项行动亮灯情况", style="Heading 1")
    document.add_paragraph("{{图表}}", style="公文正文")
    document.add_paragraph("请各单位对照通报情况，红灯、逾期任务的承办单位主要负责同志要亲自过问，倒排工期，尽快办结。", style="公文正文")
    document.add_paragraph("{{发文单位}}", style="发文机关署名")
    document.add_paragraph("{{发文日期}}", style="成文日期")
    gbt.record_block(document)
    gbt.page_numbers(document)
    return document
