"""The supervision office's page for the 督办通知单 template: see which is in use, download it or a sample,
upload a replacement, go back to the default."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.permissions import role_required
from duban.supervision import notice_doc


class NoticeTemplateForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("新的通知单模板（.docx）"),
        error_messages={"required": gettext_lazy("请先选择要上传的 .docx 模板文件。"),
                        "empty": gettext_lazy("上传的文件是空的，请重新选择模板文件。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".docx", "class": "form-control"}),
    )


@role_required(Role.SUPERVISION)
@require_http_methods(["GET", "POST"])
def notice_template(request):
    """Which template is in use, the placeholders it may hold, and the upload form."""
    form = NoticeTemplateForm(request.POST, request.FILES) if request.method == "POST" else NoticeTemplateForm()
    if form.is_bound and form.is_valid():
        try:
            check = notice_doc.install_template(form.cleaned_data["file"], actor=Actor.from_request(request))
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("新模板已启用，此后生成的督办通知单都使用它。建议先下载一份样例核对版式。"))
            for warning in check.warnings:
                messages.warning(request, warning)
            return redirect("supervision:notice_template")
    uploaded = notice_doc.uploaded_template_info()
    context = {
        "form": form, "uploaded": uploaded, "max_mb": settings.DUBAN_UPLOAD_MAX_MB,
        "placeholders": [("{{%s}}" % name, meaning, name in notice_doc.REQUIRED)
                         for name, meaning in notice_doc.PLACEHOLDERS.items()],
        "missing": ["{{%s}}" % name for name in (uploaded or {}).get("missing", [])],
        "required_codes": ["{{%s}}" % name for name in notice_doc.REQUIRED],
    }
    return render(request, "supervision/notice_template.html", context, status=400 if form.errors else 200)


@role_required(Role.SUPERVISION)
@require_GET
def notice_template_download(request):
    """The template in use, to edit in Word or WPS and upload back."""
    uploaded = notice_doc.uploaded_template_info() is not None
    filename = "督办通知单模板（当前）.docx" if uploaded else "督办通知单模板（默认）.docx"
    return _docx(notice_doc.current_template_bytes(), filename)


@role_required(Role.SUPERVISION)
@require_GET
def notice_template_sample(request):
    """A notice filled with made-up data from the template in use, to check its layout."""
    try:
        data = notice_doc.render_notice(notice_doc.sample_notice())
    except Exception:  # a template file damaged on disk since it was checked
        messages.error(request, _("当前模板无法生成通知单，文件可能已损坏。请重新上传模板，或恢复默认模板。"))
        return redirect("supervision:notice_template")
    return _docx(data, "督办通知单样例.docx")


@role_required(Role.SUPERVISION)
@require_POST
def notice_template_restore(request):
    """Go back to the built-in template."""
    if notice_doc.restore_default_template(actor=Actor.from_request(request)):
        messages.success(request, _("已恢复默认模板，此后生成的督办通知单使用默认版式。"))
    else:
        messages.info(request, _("当前已在使用默认模板，无需恢复。"))
    return redirect("supervision:notice_template")


def _docx(data: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=notice_doc.DOCX_TYPE)
