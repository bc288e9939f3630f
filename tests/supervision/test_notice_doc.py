"""The 督办通知单 as a Word document: what it says, how it is laid out, and the template the office may replace."""

from __future__ import annotations

import dataclasses
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from duban.core.models import AuditEntry
from duban.supervision.notice_doc import NoticeDocument, render_notice, render_with
from duban.supervision.notice_template import default_template_bytes

NOTICE = NoticeDocument(
    number="县督字〔2026〕12号",
    target_unit="县交通运输局",
    matter_code="2026-0042",
    matter_title="国道改线工程征地拆迁",
    facts="该事项应于2026年11月18日前办结，已逾期4个工作日。\n期间两次催办，均未报送进展。",
    demand="请主要负责同志亲自过问，尽快办结。",
    reply_due=datetime.date(2026, 12, 3),
    issuer="县委县政府督查室",
    issued_on=datetime.date(2026, 11, 24),
    leader_in_charge="李副县长",
    contact="赵督查，电话 0000-1234567",
    copy_to="县委办公室，县政府办公室",
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE_URLS = ["supervision:notice_template", "supervision:notice_template_download", "supervision:notice_template_sample"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"  # the uploaded template lives under MEDIA_ROOT/templates
    return tmp_path / "media"


def read(data: bytes):
    return Document(io.BytesIO(data))


def paragraphs(document):
    """Every paragraph's text in the body and its tables, in order."""
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return texts


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml"))


def docx_with(*build) -> bytes:
    """A small .docx made by the given functions (each gets the Document)."""
    document = Document()
    for step in build:
        step(document)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def split_runs(document, *pieces, bold_first=False):
    paragraph = document.add_paragraph()
    for i, piece in enumerate(pieces):
        run = paragraph.add_run(piece)
        if bold_first and i == 0:
            run.bold = True
    return paragraph


def upload(client, data: bytes, name="通知单模板.docx"):
    return client.post(reverse("supervision:notice_template"), {"file": SimpleUploadedFile(name, data, content_type=DOCX)})


# --- what the notice says -------------------------------------------------------------------------------


def test_the_notice_names_the_number_matter_unit_and_reply_deadline():
    document = read(render_notice(NOTICE))
    texts = paragraphs(document)
    body = "\n".join(texts)

    assert texts[0] == "县委县政府督查室督办通知单"
    assert texts[1] == "县督字〔2026〕12号"
    assert "关于“国道改线工程征地拆迁”的督办通知" in texts
    assert "县交通运输局：" in texts
    assert "（事项编号：2026-0042）" in body
    assert "请于2026年12月3日前书面回复督办事项办理情况。逾期未回复的，将按规定进一步督办。" in texts
    assert "该事项分管县领导：李副县长。" in texts
    assert texts.index("县委县政府督查室") < texts.index("2026年11月24日")
    assert "（联系人：赵督查，电话 0000-1234567）" in texts
    assert "抄送：县委办公室，县政府办公室。" in texts
    assert "县委县政府督查室\t2026年11月24日印发" in texts
    assert "{{" not in all_xml(render_notice(NOTICE))


def test_facts_of_several_lines_become_paragraphs_with_the_body_indent():
    document = read(render_notice(NOTICE))
    facts = [p for p in document.paragraphs if p.text.startswith(("该事项应于", "期间两次催办"))]

    assert [p.text for p in facts] == ["该事项应于2026年11月18日前办结，已逾期4个工作日。", "期间两次催办，均未报送进展。"]
    assert {p.style.name for p in facts} == {"公文正文"}
    assert document.styles["公文正文"].paragraph_format.first_line_indent == Pt(32)


def test_blank_optional_lines_are_left_out():
    bare = dataclasses.replace(NOTICE, leader_in_charge="", contact="", copy_to="")
    document = read(render_notice(bare))
    body = "\n".join(paragraphs(document))

    assert "分管县领导" not in body
    assert "联系人" not in body
    assert "抄送" not in body
    assert len(document.tables[0].rows) == 1  # the 版记 keeps its 印发 row
    assert "县委县政府督查室\t2026年11月24日印发" in body


def test_copy_to_ending_in_a_full_stop_gets_only_one():
    document = read(render_notice(dataclasses.replace(NOTICE, copy_to="县委办公室。")))

    assert "抄送：县委办公室。" in paragraphs(document)


def test_characters_xml_cannot_hold_are_dropped_instead_of_failing():
    document = read(render_notice(dataclasses.replace(NOTICE, demand="请\x0b尽快\x00办结。")))

    assert "请尽快办结。" in paragraphs(document)


# --- layout (GB/T 9704-2012) ----------------------------------------------------------------------------


def test_the_page_is_a4_with_the_standard_margins():
    section = read(render_notice(NOTICE)).sections[0]

    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)] == [37, 35, 28, 26]


def test_east_asian_font_names_are_set_in_the_styles():
    data = render_notice(NOTICE)
    document = read(data)

    def east_asian(style_name):
        rfonts = document.styles[style_name].element.rPr.find(qn("w:rFonts"))
        return rfonts.get(qn("w:eastAsia")), rfonts.get(qn("w:ascii"))

    assert east_asian("Normal") == ("仿宋_GB2312", "仿宋_GB2312")
    assert east_asian("公文正文") == ("仿宋_GB2312", "仿宋_GB2312")
    assert east_asian("版头") == ("方正小标宋简体", "方正小标宋简体")
    assert east_asian("公文标题") == ("方正小标宋简体", "方正小标宋简体")
    assert east_asian("Heading 1") == ("黑体", "黑体")
    assert east_asian("页码") == ("宋体", "宋体")
    assert document.styles["公文标题"].font.size == Pt(22)
    assert document.styles["公文正文"].font.size == Pt(16)
    assert str(document.styles["版头"].font.color.rgb) == "FF0000"
    # no theme font left to override the names, and fallbacks named in the font table
    styles_xml = all_xml(data)
    assert "eastAsiaTheme" not in styles_xml.split("</w:docDefaults>")[0]
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in styles_xml
    # the paragraphs use those styles
    by_text = {p.text: p.style.name for p in document.paragraphs}
    assert by_text["县委县政府督查室督办通知单"] == "版头"
    assert by_text["一、督办事由"] == "Heading 1"
    assert by_text["关于“国道改线工程征地拆迁”的督办通知"] == "公文标题"


def test_body_lines_are_exactly_29_points_apart_and_the_number_has_a_red_line_under_it():
    document = read(render_notice(NOTICE))
    body = document.styles["公文正文"].paragraph_format

    assert round(body.line_spacing.pt, 2) == 28.95
    border = document.styles["发文字号"].element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (border.get(qn("w:val")), border.get(qn("w:color"))) == ("single", "FF0000")


def test_the_footers_hold_a_page_field_between_dashes():
    document = read(render_notice(NOTICE))
    section = document.sections[0]

    assert document.settings.odd_and_even_pages_header_footer is True
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>" in xml
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert footer.paragraphs[0].text == "— 1 —"
        assert footer.paragraphs[0].style.name == "页码"


# --- placeholders -------------------------------------------------------------------------------------


def test_a_placeholder_word_split_across_runs_is_replaced_keeping_the_first_runs_format():
    def body(document):
        split_runs(document, "发文字号：{{", "文", "号}}。", bold_first=True)
        split_runs(document, "{{事项名称}}")

    def table_and_header(document):
        cell = document.add_table(rows=1, cols=1).rows[0].cells[0]
        cell.paragraphs[0].add_run("主送：{{主送")
        cell.paragraphs[0].add_run("单位}}")
        header = document.sections[0].header.paragraphs[0]
        header.add_run("{{发文")
        header.add_run("单位}} {{回复期限}}")
        document.sections[0].footer.paragraphs[0].add_run("编号 {{事项编号}}")

    document = read(render_with(docx_with(body, table_and_header), NOTICE))

    first = document.paragraphs[0]
    assert first.text == "发文字号：县督字〔2026〕12号。"
    assert first.runs[0].bold is True and first.runs[0].text == "发文字号：县督字〔2026〕12号"
    assert document.paragraphs[1].text == "国道改线工程征地拆迁"
    assert document.tables[0].rows[0].cells[0].text == "主送：县交通运输局"
    assert document.sections[0].header.paragraphs[0].text == "县委县政府督查室 2026年12月3日"
    assert document.sections[0].footer.paragraphs[0].text == "编号 2026-0042"


def test_a_multiline_value_inside_a_sentence_becomes_line_breaks():
    template = docx_with(lambda d: split_runs(d, "事由：", "{{事实}}", "（完）"))
    paragraph = read(render_with(template, NOTICE)).paragraphs[0]

    assert paragraph.text == "事由：该事项应于2026年11月18日前办结，已逾期4个工作日。\n期间两次催办，均未报送进展。（完）"
    assert len(paragraph._p.findall(".//" + qn("w:br"))) == 1


def test_unknown_placeholders_are_left_as_they_are():
    template = docx_with(lambda d: d.add_paragraph("{{文号}} {{签发人}}"))

    assert read(render_with(template, NOTICE)).paragraphs[0].text == "县督字〔2026〕12号 {{签发人}}"


# --- replacing the template -----------------------------------------------------------------------------


def custom_template() -> bytes:
    return docx_with(lambda d: d.add_paragraph("本县自定格式 {{文号}}"), lambda d: d.add_paragraph("事项：{{事项名称}}，{{回复期限}}前回复"))


def test_the_office_uploads_its_own_template_and_notices_use_it(county, data_dir):
    client = county.client("supervision")
    template = custom_template()

    response = upload(client, template)

    assert response.status_code == 302
    stored = data_dir / "templates" / "notice.docx"
    assert stored.read_bytes() == template
    assert paragraphs(read(render_notice(NOTICE))) == ["本县自定格式 县督字〔2026〕12号", "事项：国道改线工程征地拆迁，2026年12月3日前回复"]
    entry = AuditEntry.objects.get(action="notice_template.upload")
    assert (entry.actor, entry.object_type, entry.before) == (county.people["supervision"], "supervision.NoticeTemplate", None)
    assert entry.after["name"] == "通知单模板.docx"
    page = client.get(reverse("supervision:notice_template"))
    text = page.content.decode()
    assert "正在使用上传的模板“通知单模板.docx”" in text
    assert "此模板没有以下占位符，通知单中不会出现相应内容：{{主送单位}}、{{事项编号}}、{{事实}}" in text


def test_after_an_upload_the_office_is_told_which_placeholders_the_template_lacks(county):
    response = county.client("supervision").post(
        reverse("supervision:notice_template"),
        {"file": SimpleUploadedFile("t.docx", custom_template(), content_type=DOCX)}, follow=True)

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0].startswith("新模板已启用")
    assert shown[1].startswith("模板中没有以下占位符，生成的通知单将不含这些内容：{{主送单位}}、{{事项编号}}、{{事实}}")


def test_the_office_downloads_the_template_in_use_and_a_sample(county):
    client = county.client("supervision")

    template = client.get(reverse("supervision:notice_template_download"))
    sample = client.get(reverse("supervision:notice_template_sample"))

    assert template["Content-Type"] == DOCX and sample["Content-Type"] == DOCX
    assert b"".join(template.streaming_content) == default_template_bytes()
    sample_texts = paragraphs(read(b"".join(sample.streaming_content)))
    assert sample_texts[1] == "县督字〔2026〕12号"
    assert "attachment" in sample["Content-Disposition"]


def test_restoring_the_default_removes_the_upload_and_is_audited(county, data_dir):
    client = county.client("supervision")
    upload(client, custom_template())

    response = client.post(reverse("supervision:notice_template_restore"))

    assert response.status_code == 302
    assert not (data_dir / "templates" / "notice.docx").exists()
    assert paragraphs(read(render_notice(NOTICE)))[0] == "县委县政府督查室督办通知单"
    entry = AuditEntry.objects.get(action="notice_template.restore_default")
    assert entry.before["name"] == "通知单模板.docx"
    page = client.get(reverse("supervision:notice_template"))
    assert "正在使用系统默认模板。" in page.content.decode()


def test_restoring_when_the_default_is_in_use_changes_nothing(county):
    response = county.client("supervision").post(reverse("supervision:notice_template_restore"), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["当前已在使用默认模板，无需恢复。"]
    assert not AuditEntry.objects.filter(action__startswith="notice_template").exists()


def zip_without_document() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return output.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("模板.docx", b"just text renamed to .docx", "“模板.docx”不是有效的 Word 文档（.docx），可能已损坏，或只是改了扩展名。请在 Word 或 WPS 中打开模板，“另存为”Word 文档（*.docx）后再上传。"),
    ("模板.docx", zip_without_document(), "“模板.docx”不是有效的 Word 文档（.docx）"),
    ("模板.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "“模板.doc”不是 .docx 文件。请在 Word 或 WPS 中打开模板，“另存为”Word 文档（*.docx）后再上传"),
    ("模板.docx", docx_with(lambda d: d.add_paragraph("{{事项名称}} 但没有文号")), "“模板.docx”缺少必需的占位符 {{文号}}，无法用作督办通知单模板。"),
    ("模板.docx", docx_with(lambda d: d.add_paragraph("没有任何占位符")), "缺少必需的占位符 {{文号}}、{{事项名称}}"),
])
def test_an_invalid_upload_is_refused_in_chinese_and_nothing_changes(county, data_dir, name, data, message):
    response = upload(county.client("supervision"), data, name=name)

    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and message in errors[0]
    assert not (data_dir / "templates" / "notice.docx").exists()
    assert not AuditEntry.objects.filter(action__startswith="notice_template").exists()
    assert paragraphs(read(render_notice(NOTICE)))[0] == "县委县政府督查室督办通知单"


def test_a_template_over_the_size_cap_is_refused(county, data_dir, settings):
    settings.DUBAN_UPLOAD_MAX_MB = 1
    padded = custom_template() + b"\0" * (1024 * 1024)  # a valid template, made too large

    response = upload(county.client("supervision"), padded)

    assert response.status_code == 400
    assert "超过 1 MB 的上限。请删去模板中的大图片或压缩图片后再上传。" in response.context["form"].errors["file"][0]
    assert not (data_dir / "templates").exists()


def test_an_empty_form_asks_for_a_file(county):
    response = county.client("supervision").post(reverse("supervision:notice_template"), {})

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["请先选择要上传的 .docx 模板文件。"]


# --- who may reach the pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["principal", "leader", "business", "safety", "unit_head", "liaison", "sysadmin", "secadmin", "auditadmin"])
def test_only_the_supervision_office_reaches_the_pages(county, data_dir, role):
    client = county.client(role)

    for name in PAGE_URLS:
        assert client.get(reverse(name)).status_code == 403, name
    assert upload(client, custom_template()).status_code == 403
    assert client.post(reverse("supervision:notice_template_restore")).status_code == 403
    assert not (data_dir / "templates").exists()


def test_the_supervision_office_reaches_the_pages_and_strangers_are_sent_to_sign_in(county, client):
    office = county.client("supervision")
    for name in PAGE_URLS:
        assert office.get(reverse(name)).status_code == 200, name
        assert client.get(reverse(name)).status_code == 302
    assert office.get(reverse("supervision:notice_template_restore")).status_code == 405
