"""The supervision notice (督办通知单) as a Word document, filled into a template the office can replace.

`render_notice(doc)` fills the office's uploaded template (MEDIA_ROOT/templates/notice.docx) if there is one,
else the default one (notice_template.py). Placeholders such as {{文号}} are replaced in the body, tables,
text boxes, headers and footers, also when Word has split one over several runs; the replacement takes the
formatting of the run the placeholder starts in. A value of several lines becomes several paragraphs when
its placeholder is alone in a paragraph ({{事实}}), else lines broken inside the paragraph. A paragraph
holding an optional placeholder with no value ({{抄送}}, {{联系人}}, {{分管县领导}}) is left out. The filling
itself is core.docfill's, the keeping of the uploaded template (path, install, restore, audit) core.doctemplates'
(the bulletin fills and keeps its template the same way).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document

from duban.core import docfill
from duban.core.actor import Actor
from duban.core.docfill import MAX_UNPACKED, chinese_date
from duban.core.doctemplates import ReplaceableTemplate, placeholder_names
from duban.core.errors import ServiceError
from duban.supervision.notice_template import default_template_bytes

# name → what it stands for, in the order the template page lists them
PLACEHOLDERS = {
    "文号": gettext_lazy("发文字号，如“县督字〔2026〕12号”"),
    "主送单位": gettext_lazy("主送单位（被督办单位），如“县交通运输局”"),
    "事项编号": gettext_lazy("督办事项的编号，如“2026-0042”"),
    "事项名称": gettext_lazy("督办事项的名称"),
    "事实": gettext_lazy("督办事由：什么事项逾期、逾期多久（可多行，每行一段）"),
    "督办要求": gettext_lazy("督办要求（可多行，每行一段）"),
    "回复期限": gettext_lazy("书面回复的最后日期，如“2026年12月3日”"),
    "发文单位": gettext_lazy("发文单位，如“县委县政府督查室”"),
    "发文日期": gettext_lazy("成文日期，如“2026年11月24日”"),
    "分管县领导": gettext_lazy("分管该事项的县领导（可空；为空时所在段落不出现）"),
    "联系人": gettext_lazy("联系人及电话（可空；为空时所在段落不出现）"),
    "抄送": gettext_lazy("抄送单位（可空；为空时所在行不出现）"),
}
REQUIRED = ("文号", "事项名称")
OPTIONAL = frozenset({"分管县领导", "联系人", "抄送"})
DOCX_TYPE = docfill.DOCX_TYPE
TEMPLATE = ReplaceableTemplate(
    stem="notice", default_bytes=default_template_bytes, placeholders=PLACEHOLDERS, required=REQUIRED,
    audit_prefix="notice_template", object_type="supervision.NoticeTemplate", noun="督办通知单模板",
)
TEMPLATE_NAME = TEMPLATE.file_name


@dataclass(frozen=True)
class NoticeDocument:
    """What one 督办通知单 says; render_notice() lays it out."""

    number: str            # 县督字〔2026〕12号
    target_unit: str       # 主送：县交通运输局
    matter_code: str       # 2026-0042
    matter_title: str
    facts: str             # 事实：what is late and by how much (several lines allowed)
    demand: str            # 督办要求
    reply_due: datetime.date
    issuer: str            # 县委县政府督查室
    issued_on: datetime.date
    leader_in_charge: str = ""   # 分管县领导, optional line
    contact: str = ""            # 联系人及电话
    copy_to: str = ""            # 抄送


def render_notice(doc: NoticeDocument) -> bytes:
    """The notice as .docx bytes, from the office's uploaded template if one is set, else the default."""
    return render_with(current_template_bytes(), doc)


def render_with(template: bytes, doc: NoticeDocument) -> bytes:
    """The notice filled into the given template (.docx bytes)."""
    document = Document(io.BytesIO(template))
    fill(document, placeholder_values(doc))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()



def placeholder_values(doc: NoticeDocument) -> dict[str, str]:
    """Each placeholder's text for this notice."""
    return {
        "文号": doc.number,
        "主送单位": doc.target_unit,
        "事项编号": doc.matter_code,
        "事项名称": doc.matter_title,
        "事实": doc.facts,
        "督办要求": doc.demand,
        "回复期限": chinese_date(doc.reply_due),
        "发文单位": doc.issuer,
        "发文日期": chinese_date(doc.issued_on),
        "分管县领导": doc.leader_in_charge,
        "联系人": doc.contact,
        # the template writes the closing 。 itself
        "抄送": doc.copy_to.strip().rstrip("。.；;，,、 "),
    }


def sample_notice() -> NoticeDocument:
    """Made-up data for the sample the template page offers."""
    return NoticeDocument(
        number="县督字〔2026〕12号",
        target_unit="县交通运输局",
        matter_code="2026-0042",
        matter_title="国道改线工程征地拆迁",
        facts="该事项要求于2026年11月18日前完成征地拆迁并报送进展，截至2026年11月24日仍未办结，已逾期4个工作日。\n"
              "期间两次催办，你单位均未报送进展。",
        demand="请你单位主要负责同志亲自过问，倒排工期，明确责任人和完成时限，尽快办结。\n"
               "办理中遇到需县级层面协调的问题，请一并书面报告。",
        reply_due=datetime.date(2026, 12, 3),
        issuer="县委县政府督查室",
        issued_on=datetime.date(2026, 11, 24),
        leader_in_charge="李副县长",
        contact="赵督查，电话 0000-1234567",
        copy_to="县委办公室，县政府办公室",
    )


# --- the template in use --------------------------------------------------------------------------------



def fill(document, values: dict[str, str]) -> None:
    """Replace every known {{placeholder}} in the document with its value, in place (core.docfill.fill)."""
    docfill.fill(document, values, optional=OPTIONAL)


def template_path() -> Path:
    return TEMPLATE.path()


def current_template_bytes() -> bytes:
    """The uploaded template if there is one, else the default."""
    return TEMPLATE.current_bytes()


def uploaded_template_info() -> dict | None:
    """Name, size, who uploaded it and when, and the placeholders it lacks; None while the default is in use."""
    return TEMPLATE.uploaded_info()


@dataclass(frozen=True)
class TemplateCheck:
    """What an uploaded template holds: known placeholders found, known ones missing, unknown ones."""

    found: frozenset[str]
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def inspect_template(document) -> TemplateCheck:
    """Which placeholders a template (python-docx Document) uses, read the way fill() reads them."""
    names = placeholder_names(document)
    found = frozenset(names & PLACEHOLDERS.keys())
    missing = tuple(name for name in PLACEHOLDERS if name not in found)
    unknown = tuple(sorted(names - PLACEHOLDERS.keys()))
    warnings = []
    optional_missing = [n for n in missing if n not in REQUIRED]
    if optional_missing:
        warnings.append(_("模板中没有以下占位符，生成的通知单将不含这些内容：%(names)s。如需要，请在模板中补上后重新上传。")
                        % {"names": _("、").join("{{%s}}" % n for n in optional_missing)})
    if unknown:
        warnings.append(_("模板中有系统不认识的占位符，生成时将原样保留：%(names)s。可用的占位符见本页列表。")
                        % {"names": _("、").join("{{%s}}" % n for n in unknown)})
    return TemplateCheck(found=found, missing=missing, unknown=unknown, warnings=tuple(warnings))


def check_template(name: str, data: bytes) -> TemplateCheck:
    """Accept a real .docx within the size cap holding {{文号}} and {{事项名称}}; raise ServiceError saying what to do."""
    name = TEMPLATE.upload_name(name)
    limit_mb = settings.DUBAN_UPLOAD_MAX_MB
    if len(data) > limit_mb * 1024 * 1024:
        raise ServiceError(_("“%(name)s”有 %(size).1f MB，超过 %(limit)s MB 的上限。"
                             "请删去模板中的大图片或压缩图片后再上传。") % {"name": name, "size": len(data) / 1048576, "limit": limit_mb}, field="file")
    not_word = (_("“%(name)s”不是有效的 Word 文档（.docx），可能已损坏，或只是改了扩展名。"
                  "请在 Word 或 WPS 中打开模板，“另存为”Word 文档（*.docx）后再上传。") % {"name": name})
    if not name.lower().endswith(".docx"):
        raise ServiceError(_("“%(name)s”不是 .docx 文件。请在 Word 或 WPS 中打开模板，“另存为”Word 文档（*.docx）后再上传"
                             "（.doc、.wps 和 .dotx 格式不能直接使用）。") % {"name": name}, field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
                raise ServiceError(_("“%(name)s”解压后过大，不像是一份通知单模板。请检查文件后重新上传。") % {"name": name}, field="file")
    except zipfile.BadZipFile:
        raise ServiceError(not_word, field="file") from None
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise ServiceError(not_word, field="file")
    try:
        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises several kinds on a broken or non-document package
        raise ServiceError(not_word, field="file") from None
    check = inspect_template(document)
    lacking = [n for n in REQUIRED if n not in check.found]
    if lacking:
        raise ServiceError(_("“%(name)s”缺少必需的占位符 %(names)s，无法用作督办通知单模板。请在模板中相应位置写上这些占位符（连同两边的双花括号）后重新上传；"
                             "可先下载当前模板对照。") % {"name": name, "names": _("、").join("{{%s}}" % n for n in lacking)}, field="file")
    try:
        render_with(data, sample_notice())
    except Exception:
        raise ServiceError(_("“%(name)s”无法用来生成通知单（文件结构异常）。请在 Word 或 WPS 中另存为新的 .docx 文件后重新上传。") % {"name": name},
                           field="file") from None
    return check


# --- changing the template (services) -------------------------------------------------------------------


def install_template(upload, *, actor: Actor) -> TemplateCheck:
    """Check an uploaded template and make it the one in use; audited. Raises ServiceError if refused."""
    name = TEMPLATE.upload_name(upload.name)
    limit = settings.DUBAN_UPLOAD_MAX_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise ServiceError(_("“%(name)s”有 %(size).1f MB，超过 %(limit)s MB 的上限。"
                             "请删去模板中的大图片或压缩图片后再上传。") % {"name": name, "size": upload.size / 1048576, "limit": settings.DUBAN_UPLOAD_MAX_MB}, field="file")
    upload.seek(0)
    data = b"".join(upload.chunks())
    check = check_template(name, data)
    TEMPLATE.install(name, data, missing=check.missing, actor=actor)
    return check


def restore_default_template(*, actor: Actor) -> bool:
    """Go back to the default template; False (and nothing written) if it is already in use."""
    return TEMPLATE.restore_default(actor=actor)
