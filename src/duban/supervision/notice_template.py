"""The default 督办通知单 template, built in code and laid out after GB/T 9704-2012 (党政机关公文格式).

Built rather than shipped as a binary so that the layout can be read and reviewed here; the office may
download it, change it in Word or WPS and upload it back (notice_doc.install_template). The page, styles,
font table, 版记 and page numbers are the shared GB/T 9704 layout of core.gbt9704 (the bulletin uses it too).
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
        ("{{发文单位}}督办通知单", "版头"),
        ("{{文号}}", "发文字号"),
        ("关于“{{事项名称}}”的督办通知", "公文标题"),
        ("{{主送单位}}：", "主送机关"),
        ("根据县委、县政府重点工作督查督办安排，现对你单位承办的“{{事项名称}}”（事项编号：{{事项编号}}）"
         "予以督办。有关事项通知如下。", "公文正文"),
        ("一、督办事由", "Heading 1"),
        ("{{事实}}", "公文正文"),
        ("该事项分管县领导：{{分管县领导}}。", "公文正文"),
        ("二、督办要求", "Heading 1"),
        ("{{督办要求}}", "公文正文"),
        ("三、回复要求", "Heading 1"),
        ("请于{{回复期限}}前书面回复督办事项办理情况。逾期未回复的，将按规定进一步督办。", "公文正文"),
        ("{{发文单位}}", "发文机关署名"),
        ("{{发文日期}}", "成文日期"),
        ("（联系人：{{联系人}}）", "附注"),
    ])
