"""The supervision office's page for the 督办通知单 template: see which is in use, download it or a sample,
upload a replacement, go back to the default."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duban.core import doctemplates
from duban.core.choices import Role
from duban.core.permissions import role_required
from duban.supervision import notice_doc


@role_required(Role.SUPERVISION)
@require_http_methods(["GET", "POST"])
def notice_template(request):
    """Which template is in use, the placeholders it may hold, and the upload form."""
    return doctemplates.upload_page(
        request, notice_doc.TEMPLATE, lambda upload, actor: notice_doc.install_template(upload, actor=actor).warnings,
        label=_("新的通知单模板（.docx）"),
        done=_("新模板已启用，此后生成的督办通知单都使用它。建议先下载一份样例核对版式。"),
        back="supervision:notice_template", page="supervision/notice_template.html")


@role_required(Role.SUPERVISION)
@require_GET
def notice_template_download(request):
    """The template in use, to edit in Word or WPS and upload back."""
    return doctemplates.download(notice_doc.TEMPLATE, uploaded_name="督办通知单模板（当前）.docx", default_name="督办通知单模板（默认）.docx")


@role_required(Role.SUPERVISION)
@require_GET
def notice_template_sample(request):
    """A notice filled with made-up data from the template in use, to check its layout."""
    try:
        data = notice_doc.render_notice(notice_doc.sample_notice())
    except Exception:  # a template file damaged on disk since it was checked
        messages.error(request, _("当前模板无法生成通知单，文件可能已损坏。请重新上传模板，或恢复默认模板。"))
        return redirect("supervision:notice_template")
    return doctemplates.docx_response(data, "督办通知单样例.docx")


@role_required(Role.SUPERVISION)
@require_POST
def notice_template_restore(request):
    """Go back to the built-in template."""
    return doctemplates.restore_page(request, notice_doc.restore_default_template,
                                     done=_("已恢复默认模板，此后生成的督办通知单使用默认版式。"),
                                     already=_("当前已在使用默认模板，无需恢复。"), back="supervision:notice_template")
