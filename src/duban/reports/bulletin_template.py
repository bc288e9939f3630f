"""The default 工作通报 template, built in code on the supervision notice's GB/T 9704-2012 building blocks.

The page, the styles (红色版头, 发文字号 with its red line, 方正小标宋 title, 仿宋_GB2312 body with fallbacks), the
font table, the 版记 and the page numbers are the supervision notice's, moved for both into `core.gbt9704`; only
the text differs. Three placeholders stand alone in a paragraph and are replaced by a block: {{逾期任务表}} and
{{红黑榜}} by a table, {{图表}} by the chart image (bulletin_doc.BLOCKS).
"""

from __future__ import annotations

from functools import lru_cache

from duban.core.doctemplates import docx_bytes, official_document


@lru_cache(maxsize=1)
def default_template_bytes() -> bytes:
    """The default template as .docx bytes (built once per process)."""
    return docx_bytes(build_default_template())


def build_default_template():
    """A python-docx Document holding the default template, placeholders and all."""
    return official_document([
        ("{{发文单位}}工作通报", "版头"),
        ("{{文号}}", "发文字号"),
        ("关于{{通报期别}}全县重点工作推进情况的通报", "公文标题"),
        ("{{主送单位}}：", "主送机关"),
        ("现将{{通报期别}}全县重点工作、企业诉求、安全隐患和项目投资推进情况通报如下（数据截至{{截至日期}}）。", "公文正文"),
        ("一、总体情况", "Heading 1"),
        ("{{总体情况}}", "公文正文"),
        ("二、逾期未完成任务", "Heading 1"),
        ("{{逾期情况}}", "公文正文"),
        ("{{逾期任务表}}", "公文正文"),
        ("三、红黑榜", "Heading 1"),
        ("{{红黑榜说明}}", "公文正文"),
        ("{{红黑榜}}", "公文正文"),
        ("四、各专项行动亮灯情况", "Heading 1"),
        ("{{图表}}", "公文正文"),
        ("请各单位对照通报情况，红灯、逾期任务的承办单位主要负责同志要亲自过问，倒排工期，尽快办结。", "公文正文"),
        ("{{发文单位}}", "发文机关署名"),
        ("{{发文日期}}", "成文日期"),
    ])
