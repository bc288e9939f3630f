"""The 工作通报 as a Word document, filled into a template the office can replace (as it can the notice's).

Text placeholders are filled by `core.docfill.fill`, the notice's filling moved there for both (body, tables,
headers and footers; also when Word split a placeholder over several runs). Three block placeholders, each alone in its paragraph, are replaced by
a table ({{逾期任务表}}, {{红黑榜}}) or the chart image ({{图表}}) first. The office's template lives beside the
notice's under MEDIA_ROOT/templates (bulletin.docx).
"""

from __future__ import annotations

import datetime
import io
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from duban.core.actor import Actor
from duban.core.docfill import DOCX_TYPE, MAX_UNPACKED, PATTERN, chinese_date, fill, paragraph_text
from duban.core.doctemplates import ReplaceableTemplate, placeholder_names
from duban.core.errors import ServiceError
from duban.reports.bulletin import BulletinData, ListEntry, OverdueRow
from duban.reports.bulletin_template import default_template_bytes

__all__ = ["DOCX_TYPE", "PLACEHOLDERS", "render", "render_with"]

PLACEHOLDERS = {
    "文号": gettext_lazy("发文字号，如“县督字〔2026〕12号”"),
    "发文单位": gettext_lazy("发文单位，如“县委县政府督查室”"),
    "发文日期": gettext_lazy("成文日期，如“2026年11月30日”"),
    "主送单位": gettext_lazy("主送单位，如“各乡镇，县直各部门”"),
    "通报期别": gettext_lazy("通报的期间，如“2026年第48周（11月23日至11月29日）”或“2026年11月”"),
    "截至日期": gettext_lazy("数据截至的日期，如“2026年11月29日”"),
    "总体情况": gettext_lazy("本期主要数字：重点工作亮灯、逾期、办结和序时进度，企业诉求，安全隐患，项目投资（多行，每行一段）"),
    "逾期情况": gettext_lazy("逾期任务的总数一句话"),
    "逾期任务表": gettext_lazy("逾期任务表（编号、任务、牵头单位、完成时限、逾期天数）；须单独成段"),
    "红黑榜说明": gettext_lazy("红黑榜所依据的考核月份，周通报注明取其结束日所在月份"),
    "红黑榜": gettext_lazy("红黑榜表（榜单、类别、名次、单位、得分）；须单独成段"),
    "图表": gettext_lazy("各专项行动在办任务亮灯情况图；须单独成段"),
    "抄送": gettext_lazy("抄送单位（可空；为空时所在行不出现）"),
}
REQUIRED = ("文号", "通报期别")
BLOCKS = ("逾期任务表", "红黑榜", "图表")
TEMPLATE = ReplaceableTemplate(
    stem="bulletin", default_bytes=default_template_bytes, placeholders=PLACEHOLDERS, required=REQUIRED,
    audit_prefix="bulletin_template", object_type="reports.BulletinTemplate", noun="工作通报模板",
)
TEMPLATE_NAME = TEMPLATE.file_name
COPY_TO = "县委办公室，县政府办公室"
TABLE_SIZE = Pt(12)  # 小四: a five-column table in 3号 would wrap every cell


def render(data: BulletinData, *, number: str, issued_on: datetime.date, chart_png: bytes) -> bytes:
    """The bulletin as .docx bytes, from the office's uploaded template if one is set, else the default."""
    return render_with(current_template_bytes(), data, number=number, issued_on=issued_on, chart_png=chart_png)


def render_with(template: bytes, data: BulletinData, *, number: str, issued_on: datetime.date, chart_png: bytes) -> bytes:
    document = Document(io.BytesIO(template))
    _fill_blocks(document, data, chart_png)
    fill(document, placeholder_values(data, number=number, issued_on=issued_on))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def placeholder_values(data: BulletinData, *, number: str, issued_on: datetime.date) -> dict[str, str]:
    lights = data.lights
    s = data.schedule
    inv = data.investment
    summary = [
        _("重点工作：在办任务 %(total)s 项，其中绿灯 %(green)s 项、黄灯 %(yellow)s 项、红灯 %(red)s 项、灰灯 %(grey)s 项；"
          "逾期未完成 %(overdue)s 项；本期销账办结 %(finished)s 项。按序时进度，超进度 %(ahead)s 项、达进度 %(on)s 项、欠进度 %(behind)s 项。")
        % {"total": data.in_hand, "green": lights["green"], "yellow": lights["yellow"], "red": lights["red"], "grey": lights["grey"],
           "overdue": len(data.overdue), "finished": data.finished, "ahead": s["ahead"], "on": s["on"], "behind": s["behind"]},
        _("企业诉求：本期受理 %(new)s 件，办结 %(closed)s 件；已评价 %(rated)s 件，满意和基本满意 %(satisfied)s 件，满意率 %(rate)s。")
        % {"new": data.appeals_new, "closed": data.appeals_closed, "rated": data.appeals_rated, "satisfied": data.appeals_satisfied,
           "rate": data.satisfaction},
        _("安全隐患：本期排查发现 %(found)s 处，已整改销号 %(closed)s 处，整改率 %(rate)s。")
        % {"found": data.hazards_found, "closed": data.hazards_closed, "rate": data.hazard_rate},
        _("项目投资：%(month)s月计划完成投资 %(month_plan)s 万元，实际完成 %(month_done)s 万元；%(year)s年度计划投资 %(annual_plan)s 万元，"
          "累计完成 %(to_date)s 万元，完成年度计划的 %(rate)s。")
        % {"month": inv["month"], "month_plan": inv["month_plan"], "month_done": inv["month_done"], "year": inv["year"],
           "annual_plan": inv["annual_plan"], "to_date": inv["to_date"], "rate": inv["annual_rate"]},
    ]
    if data.overdue:
        overdue = _("截至%(day)s，逾期未完成的任务共 %(n)s 项，列表如下。") % {"day": chinese_date(data.as_of), "n": len(data.overdue)}
    else:
        overdue = _("截至%(day)s，没有逾期未完成的任务。") % {"day": chinese_date(data.as_of)}
    basis = _("按%(month)s考核得分排名（县直部门、乡镇分别排名）%(state)s。") % {
        "month": data.scoring_label, "state": _("，已公布") if data.scoring_published else _("，尚未公布，以公布结果为准")}
    if data.period.weekly:
        basis = _("考核按月进行，本周通报取本周结束日所在月份：") + basis
    return {
        "文号": number,
        "发文单位": notice_doc_issuer(),
        "发文日期": chinese_date(issued_on),
        "主送单位": _("各乡镇，县直各部门"),
        "通报期别": data.period.label,
        "截至日期": chinese_date(data.as_of),
        "总体情况": "\n".join(summary),
        "逾期情况": overdue,
        "红黑榜说明": basis,
        "抄送": COPY_TO,
    }


def notice_doc_issuer() -> str:
    from duban.supervision.selectors import document_issuer

    return document_issuer()


# --- blocks ----------------------------------------------------------------------------------------------


def _fill_blocks(document, data: BulletinData, chart_png: bytes) -> None:
    for paragraph in list(document.element.body.iter(qn("w:p"))):
        match = PATTERN.fullmatch(paragraph_text(paragraph).strip())
        if not match or match.group(1) not in BLOCKS:
            continue
        name = match.group(1)
        if name == "图表":
            _picture(document, paragraph, chart_png)
            continue
        if name == "逾期任务表":
            headers = [_("序号"), _("任务编号"), _("工作任务"), _("牵头单位"), _("完成时限"), _("逾期天数")]
            widths = [12, 26, 56, 32, 22, 18]
            rows = [[str(i), r.code, r.title, r.lead_unit, chinese_date(r.due_date), str(r.days)] for i, r in enumerate(data.overdue, 1)]
            empty = _("无逾期任务")
        else:
            headers = [_("榜单"), _("类别"), _("名次"), _("单位"), _("得分")]
            widths = [22, 28, 18, 60, 28]
            rows = [[label, e.category, str(e.rank), e.unit, e.score] for label, entries in ((_("红榜"), data.red), (_("黑榜"), data.black))
                    for e in entries]
            empty = _("本期红黑榜暂无单位")
        table = _table(document, headers, widths, rows or [[empty, *[""] * (len(headers) - 1)]])
        paragraph.addprevious(table._tbl)
        paragraph.getparent().remove(paragraph)


def _picture(document, paragraph_element, png: bytes) -> None:
    from docx.text.paragraph import Paragraph

    paragraph = Paragraph(paragraph_element, document._body)
    for run in list(paragraph_element.iter(qn("w:r"))):
        run.getparent().remove(run)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = 0
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line height would crop the picture
    paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(150))


def _table(document, headers: list[str], widths_mm: list[int], rows: list[list[str]]):
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    style = tbl_pr.find(qn("w:tblStyle"))
    if style is not None:
        tbl_pr.remove(style)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            element.set(qn(key), value)
        borders.append(element)
    later = next((c for c in tbl_pr if c.tag in {qn("w:shd"), qn("w:tblLayout"), qn("w:tblCellMar"), qn("w:tblLook")}), None)
    if later is not None:
        later.addprevious(borders)
    else:
        tbl_pr.append(borders)
    for i, row in enumerate([headers, *rows]):
        for j, text in enumerate(row):
            cell = table.rows[i].cells[j]
            cell.width = Mm(widths_mm[j])
            p = cell.paragraphs[0]
            fmt = p.paragraph_format
            fmt.first_line_indent = 0
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if j in (2, 3) and len(headers) == 6 else WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.font.size = TABLE_SIZE
            if i == 0:
                run.font.bold = True
                _east_asian(run, "黑体")
    return table


def _east_asian(run, name: str) -> None:
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)


# --- the template in use (stored beside the notice's) ----------------------------------------------------


def template_path():
    return TEMPLATE.path()


def current_template_bytes() -> bytes:
    return TEMPLATE.current_bytes()


def uploaded_template_info() -> dict | None:
    return TEMPLATE.uploaded_info()


def template_names(document) -> set[str]:
    return placeholder_names(document)


def check_template(name: str, data: bytes) -> tuple[list[str], list[str]]:
    """(missing optional placeholders, warnings) of an acceptable template; ServiceError saying what to do otherwise."""
    name = TEMPLATE.upload_name(name)
    limit_mb = settings.DUBAN_UPLOAD_MAX_MB
    not_word = _("“%(name)s”不是有效的 Word 文档（.docx），可能已损坏，或只是改了扩展名。请在 Word 或 WPS 中“另存为”Word 文档（*.docx）后再上传。") % {"name": name}
    if len(data) > limit_mb * 1024 * 1024:
        raise ServiceError(_("“%(name)s”超过 %(limit)s MB 的上限。请删去模板中的大图片后再上传。") % {"name": name, "limit": limit_mb}, field="file")
    if not name.lower().endswith(".docx"):
        raise ServiceError(_("“%(name)s”不是 .docx 文件。请在 Word 或 WPS 中“另存为”Word 文档（*.docx）后再上传。") % {"name": name}, field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if sum(e.file_size for e in entries) > MAX_UNPACKED or "word/document.xml" not in {e.filename for e in entries}:
                raise ServiceError(not_word, field="file")
        document = Document(io.BytesIO(data))
    except ServiceError:
        raise
    except Exception:  # BadZipFile, or python-docx refusing a broken package
        raise ServiceError(not_word, field="file") from None
    names = template_names(document)
    lacking = [n for n in REQUIRED if n not in names]
    if lacking:
        raise ServiceError(_("“%(name)s”缺少必需的占位符 %(names)s，无法用作工作通报模板。请在模板中写上这些占位符（连同两边的双花括号）后重新上传；"
                             "可先下载当前模板对照。") % {"name": name, "names": _("、").join("{{%s}}" % n for n in lacking)}, field="file")
    missing = [n for n in PLACEHOLDERS if n not in names]
    warnings = []
    if missing:
        warnings.append(_("模板中没有以下占位符，生成的通报将不含这些内容：%(names)s。") % {"names": _("、").join("{{%s}}" % n for n in missing)})
    try:
        render_with(data, sample_data(), number="县督字〔2026〕1号", issued_on=datetime.date(2026, 11, 30), chart_png=_sample_png())
    except Exception:
        raise ServiceError(_("“%(name)s”无法用来生成通报（文件结构异常）。请在 Word 或 WPS 中另存为新的 .docx 文件后重新上传。") % {"name": name},
                           field="file") from None
    return missing, warnings


def install_template(upload, *, actor: Actor) -> list[str]:
    """Check an uploaded template and make it the one in use; audited. Returns its warnings."""
    name = TEMPLATE.upload_name(upload.name)
    upload.seek(0)
    data = b"".join(upload.chunks())
    missing, warnings = check_template(name, data)
    TEMPLATE.install(name, data, missing=missing, actor=actor)
    return warnings


def restore_default_template(*, actor: Actor) -> bool:
    return TEMPLATE.restore_default(actor=actor)


# --- a sample, for the template page and the upload check ------------------------------------------------


def sample_data() -> BulletinData:
    from duban.reports.bulletin import parse_week

    return BulletinData(
        period=parse_week("2026-W48"), as_of=datetime.date(2026, 11, 29),
        lights={"green": 42, "yellow": 6, "red": 3, "grey": 1}, in_hand=52,
        overdue=[OverdueRow("2026-0042", "国道改线工程征地拆迁", "县交通运输局", datetime.date(2026, 11, 18), 11)],
        finished=4, schedule={"ahead": 9, "on": 35, "behind": 8},
        by_campaign=[("2026年执行力亮剑行动", {"green": 42, "yellow": 6, "red": 3, "grey": 1})],
        appeals_new=15, appeals_closed=12, appeals_rated=10, appeals_satisfied=9, satisfaction="90.0%",
        hazards_found=20, hazards_closed=17, hazard_rate="85.0%",
        investment={"year": 2026, "month": 11, "month_plan": "8,000", "month_done": "7,200", "annual_plan": "96,000",
                    "to_date": "81,500", "annual_rate": "84.9%"},
        scoring_label="2026年11月", scoring_published=False,
        red=[ListEntry("县直部门", 1, "县发展和改革局", "106.00")], black=[ListEntry("乡镇", 2, "城关镇", "95.00")])


def _sample_png() -> bytes:
    from duban.reports import chart

    data = sample_data()
    return chart.lights_chart(data.by_campaign, **chart_texts())


def chart_texts() -> dict:
    from duban.matters.choices import Light

    return {"title": _("各专项行动在办任务亮灯情况"), "labels": {value: str(label) for value, label in Light.choices}, "axis": _("任务数（项）")}


# --- the whole way: figures, chart, number, document -----------------------------------------------------


def produce(actor: Actor, period, *, anew: bool = False, today: datetime.date | None = None):
    """(the Bulletin in force, its .docx bytes) for `period` as `actor` sees it. Once issued, the period's
    document is the one kept at its issue (same number, same text). A new one is computed first, figures and
    chart, so that a failure (the chart's font) takes no number."""
    from duban.reports import bulletin as issuing
    from duban.reports import chart
    from duban.reports.models import Bulletin

    existing = None if anew else issuing.current(period)
    if existing is not None and existing.document:  # issued: the document as it was issued
        return existing, bytes(existing.document)
    issuing.refresh_scores(actor, period)
    data = issuing.gather(actor.user, period, today=today)
    png = chart.lights_chart(data.by_campaign, **chart_texts())
    issued = issuing.issue(actor, period, anew=anew)
    body = render(data, number=issued.number, issued_on=issued.issued_on, chart_png=png)
    if not issued.document:
        Bulletin.objects.filter(pk=issued.pk).update(document=body)
        issued.document = body
    return issued, body


def filename(period) -> str:
    return f"{period.kind_label}_{period.code}.docx"
