"""The project ledger's Excel pages: the list's export (the same FilterSet and scope as the page, `selectors.
project_filter`), and the project office's import of the county's sheet — upload → preview of what will be created
and changed, or every problem by row and column → confirm, all or nothing. The file is read once, at upload,
under the uploader's reading lock, and not kept; the checked plan waits signed under DATA_DIR/tmp/project-import/
(`duban.core.excel.staging`) until confirm."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duban.core.actor import Actor
from duban.core.choices import BUSINESS_ROLES
from duban.core.excel.filters import FilterError
from duban.core.excel.staging import Busy, Store
from duban.core.excel.upload import XLSX, checked_xlsx
from duban.core.permissions import role_required
from duban.projects.choices import Stage
from duban.projects.excel.plan import ImportFailed, apply_plan, build_plan
from duban.projects.policies import is_project_office

STORE = Store("project-import")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")
PREVIEW_ROWS = 300  # rows of each list the preview shows; the rest are counted
project_page = role_required(*sorted(BUSINESS_ROLES))


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("重点项目推进表（.xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})

    def clean_file(self):
        return checked_xlsx(self.cleaned_data["file"])


def _office_only(request) -> None:
    if not is_project_office(request.user):
        raise PermissionDenied(_("只有县重点项目办可以导入项目表。"))


@project_page
@require_GET
def project_export(request):
    """The list as .xlsx: the same filters (GET) through the same FilterSet, the user's scope."""
    from duban.projects.excel.export import export_filtered

    try:
        output, _rows, filename = export_filtered(Actor.from_request(request), request.GET)
    except FilterError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("projects:project_list") + ("?" + request.GET.urlencode() if request.GET else ""))
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)


@project_page
@require_http_methods(["GET", "POST"])
def project_import(request):
    """Step 1: choose the sheet; it is read and checked at once."""
    _office_only(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        STORE.sweep_old()
        upload = form.cleaned_data["file"]
        token = secrets.token_urlsafe(18)
        try:
            with STORE.reading(request.user):
                plan = build_plan(upload, request.user, file_name=Path(upload.name).name[:200])
        except Busy:
            form.add_error(None, _("您上一份表格还在读取中，请稍候再试。"))
            status = 429
        else:
            STORE.write(token, "plan", request.user.pk, plan)
            return redirect("projects:project_import_preview", token=token)
    return render(request, "projects/import.html", {"form": form, "max_mb": settings.DUBAN_UPLOAD_MAX_MB}, status=status)


def _plan(request, token):
    found, plan = STORE.read(token, "plan", request.user) if TOKEN.match(token) else (False, None)
    if not found:
        raise Http404(_("这份上传已过期或不存在，请重新上传。"))
    return plan


def _preview(request, token, plan, *, status=200):
    created = [{"row": r.row, "name": r.name, "stage": Stage(r.stage).label, "unit": plan.names.get(r.values.get("lead_unit_id"), ""),
                "total": r.values.get("total_investment"), "months": len(r.done)} for r in plan.created[:PREVIEW_ROWS]]
    context = {"token": token, "plan": plan, "limit": PREVIEW_ROWS, "errors": plan.errors[:PREVIEW_ROWS],
               "created": created, "updated": plan.updated[:PREVIEW_ROWS]}
    return render(request, "projects/import_preview.html", context, status=status)


@project_page
@require_GET
def project_import_preview(request, token):
    """Step 2: what the sheet would create and change, or every problem in it; nothing is written."""
    _office_only(request)
    return _preview(request, token, _plan(request, token))


@project_page
@require_POST
def project_import_confirm(request, token):
    """Step 3: write the previewed plan through the services, all or nothing; a project changed since the preview
    refuses it (its version), and the preview lists why."""
    _office_only(request)
    plan = _plan(request, token)
    if not plan.ok:
        return _preview(request, token, plan, status=422)
    try:
        result = apply_plan(plan, Actor.from_request(request))
    except ImportFailed as exc:
        plan.errors = exc.problems
        STORE.write(token, "plan", request.user.pk, plan)
        return _preview(request, token, plan, status=409)
    STORE.forget(token)
    messages.success(request, _("导入完成：新建 %(created)s 个项目，修改 %(updated)s 个。") % {
        "created": len(result.created), "updated": len(result.updated)})
    return redirect("projects:project_list")


@project_page
@require_POST
def project_import_cancel(request, token):
    _office_only(request)
    if TOKEN.match(token):
        STORE.forget(token)
    messages.info(request, _("已取消导入。"))
    return redirect("projects:project_import")
