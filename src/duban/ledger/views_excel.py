"""Excel pages: upload a decomposition sheet → preview (what it creates and changes, or every problem) →
confirm → done; and the list's export, streamed as .xlsx with the list's filters and the user's scope.

The file is read once, at upload, under the uploader's reading lock (one sheet at a time per user), and
deleted; the sheet as read and its checked plan wait under DATA_DIR/tmp/ledger-import/ (`excel.staging`)
named by a random token that only the uploader's session knows. Preview shows the stored plan; confirm
checks the stored sheet again against the database (all or nothing) and refuses to write anything other
than what was previewed.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.excel.upload import XLSX, XlsxUploadForm, export_response
from duban.core.permissions import role_required
from duban.ledger import importing
from duban.ledger.excel import staging
from duban.ledger.excel.export import export_filtered, export_ledger
from duban.ledger.excel.plan import unreadable_plan
from duban.ledger.excel.reader import SheetError, open_sheet
from duban.ledger.models import Campaign, Task
from duban.ledger.policies import is_office, is_principal

SESSION_KEY = "ledger_imports"
DONE_KEY = "ledger_import_done"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")
PREVIEW_ROWS = 300  # rows of each list the preview page shows; the rest are counted
# The office and principal leaders import decomposition sheets; a unit brings its exported sheet back with
# progress filled in (importing.build_plan's unit mode: progress reports only).
IMPORTERS = (Role.SUPERVISION, Role.PRINCIPAL, Role.UNIT_HEAD, Role.LIAISON)
# Who may export: the roles that see the ledger (each sees only its scope).
EXPORTERS = (Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION, Role.UNIT_HEAD, Role.LIAISON)


class UploadForm(XlsxUploadForm):
    label = _("任务分解表（.xlsx）")
    campaign = forms.ModelChoiceField(
        label=_("导入到专项行动"), queryset=Campaign.objects.all(), required=False,
        empty_label=_("自动判断（按表格标题或任务编号）"),
    )
    register = forms.BooleanField(label=_("五明确齐全的任务同时立账交办"), required=False)

    def __init__(self, *args, unit_mode: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if unit_mode:  # a unit's sheet names its tasks: no campaign to choose, nothing to register
            del self.fields["campaign"], self.fields["register"]
            self.fields["file"].label = _("填好进展的台账（.xlsx）")
            return
        self.fields["campaign"].widget.attrs["class"] = "form-select"
        self.fields["register"].widget.attrs["class"] = "form-check-input"


def _entry(request, token: str, *, sheet: bool = False) -> tuple[dict, staging.Staged]:
    """The upload `token` names if this session made it (and its plan is still there), else 404."""
    entry = request.session.get(SESSION_KEY, {}).get(token) if TOKEN.match(token) else None
    staged = staging.load(token, request.user, sheet=sheet) if entry is not None else None
    if staged is None:
        raise Http404(_("这份上传已过期或不存在，请重新上传。"))
    return entry, staged


def _forget(request, token: str) -> None:
    staging.forget(token)
    uploads = request.session.get(SESSION_KEY, {})
    if uploads.pop(token, None) is not None:
        request.session[SESSION_KEY] = uploads


def _read(request, token: str, upload, *, campaign, register: bool) -> staging.Staged:
    """Read the uploaded sheet (once: the file is deleted after) and check it; raises staging.Busy."""
    name = Path(upload.name).name[:200]
    path = staging.folder() / f"{token}.xlsx"
    with staging.reading(request.user):
        try:
            with path.open("wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
            sheet = open_sheet(path)
        except SheetError as exc:
            return staging.Staged(request.user.pk, None, unreadable_plan(str(exc), register=register, user=request.user, file_name=name))
        finally:
            path.unlink(missing_ok=True)
        plan = importing.build_plan(sheet, campaign=campaign, register=register, user=request.user, file_name=name)
    return staging.Staged(request.user.pk, sheet, plan)


def _recheck(request, entry: dict, staged: staging.Staged) -> importing.ImportPlan:
    """The stored sheet checked again against the database as it is now (the file is not read again)."""
    if staged.sheet is None:
        return staged.plan
    campaign = Campaign.objects.filter(pk=entry["campaign"]).first() if entry.get("campaign") else None
    return importing.build_plan(staged.sheet, campaign=campaign, register=entry["register"], user=request.user,
                                file_name=entry["name"])


# --- import -------------------------------------------------------------------------------------------


@role_required(*IMPORTERS)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Step 1: choose the sheet (and the campaign, and whether to register)."""
    unit_mode = not (is_office(request.user) or is_principal(request.user))
    form = UploadForm(request.POST or None, request.FILES or None, unit_mode=unit_mode)
    status = 200
    if request.method == "POST" and form.is_valid():
        staging.sweep_old()
        token = secrets.token_urlsafe(18)
        upload = form.cleaned_data["file"]
        campaign = form.cleaned_data.get("campaign")
        register = bool(form.cleaned_data.get("register"))
        try:
            staged = _read(request, token, upload, campaign=campaign, register=register)
        except staging.Busy:
            form.add_error(None, _("您上一份表格还在读取中，请稍候再试。"))
            status = 429
        else:
            staging.save(token, staged)
            uploads = request.session.get(SESSION_KEY, {})
            for old in list(uploads)[:-4]:  # a session keeps its last five uploads
                _forget(request, old)
                uploads.pop(old, None)
            uploads[token] = {"name": Path(upload.name).name[:200], "campaign": campaign.pk if campaign else None,
                              "register": register, "fingerprint": "", "at": timezone.now().isoformat()}
            request.session[SESSION_KEY] = uploads
            return redirect("ledger:import_preview", token=token)
    return render(request, "ledger/import_upload.html", {"form": form, "max_mb": settings.DUBAN_UPLOAD_MAX_MB, "unit_mode": unit_mode},
                  status=status)


@role_required(*IMPORTERS)
@require_GET
def import_preview(request, token):
    """Step 2: what the sheet would create and change, or every problem in it (as checked at upload); nothing
    is written and the file is not read again."""
    entry, staged = _entry(request, token)
    return _preview(request, token, entry, staged.plan)


def _preview(request, token, entry, plan, *, status=200, warning=""):
    entry["fingerprint"] = plan.fingerprint() if plan.ok else ""
    uploads = request.session.get(SESSION_KEY, {})
    uploads[token] = entry
    request.session[SESSION_KEY] = uploads
    changes = [(p, c) for p in plan.updates for c in p.changes]
    context = {
        "token": token, "entry": entry, "plan": plan, "warning": warning, "limit": PREVIEW_ROWS,
        "errors": plan.errors[:PREVIEW_ROWS], "creates": plan.creates[:PREVIEW_ROWS], "changes": changes[:PREVIEW_ROWS],
        "changed_tasks": sum(1 for p in plan.updates if p.changes), "change_count": len(changes),
        "drafts": plan.staying_drafts[:PREVIEW_ROWS], "unmatched": sorted(plan.unmatched.items()),
        "reports": plan.reports[:PREVIEW_ROWS],
    }
    return render(request, "ledger/import_preview.html", context, status=status)


def _restage(request, token, entry, staged, plan, **kwargs):
    """Keep the plan just checked as the one the preview shows (and a next confirm compares with)."""
    staging.save(token, staging.Staged(staged.user_id, staged.sheet, plan), sheet=False)
    return _preview(request, token, entry, plan, **kwargs)


@role_required(*IMPORTERS)
@require_POST
def import_confirm(request, token):
    """Step 3: check the stored sheet again and, if it still does exactly what was previewed, write it all."""
    entry, staged = _entry(request, token, sheet=True)
    plan = _recheck(request, entry, staged)
    if not plan.ok:
        return _restage(request, token, entry, staged, plan, status=422)
    if plan.fingerprint() != entry.get("fingerprint") or request.POST.get("fingerprint") != entry.get("fingerprint"):
        return _restage(request, token, entry, staged, plan, status=409,
                        warning=_("预览之后系统中的任务有了变化（或预览已过期），以下是按现在的数据重新核对的结果。请再看一遍后确认。"))
    try:
        result = importing.apply_plan(plan, Actor.from_request(request))
    except importing.ImportFailed as exc:
        plan.errors.append(exc.problem)
        return _restage(request, token, entry, staged, plan, status=409)
    _forget(request, token)
    request.session[DONE_KEY] = {
        "name": entry["name"], "campaign": str(plan.campaign), "created": result.created, "updated": result.updated,
        "registered": result.registered, "reported": result.reported, "unit_mode": plan.unit_mode, "drafts": [[code, missing] for code, missing in result.drafts[:PREVIEW_ROWS]],
        "draft_count": len(result.drafts),
    }
    return redirect("ledger:import_done")


@role_required(*IMPORTERS)
@require_POST
def import_cancel(request, token):
    if TOKEN.match(token):
        _forget(request, token)
    messages.info(request, _("已取消导入，上传的文件已删除。"))
    return redirect("ledger:import")


@role_required(*IMPORTERS)
@require_GET
def import_done(request):
    """Step 4: what was written, with links to the tasks."""
    done = request.session.pop(DONE_KEY, None)
    if done is None:
        return redirect("ledger:import")
    return render(request, "ledger/import_done.html", {"done": done, "limit": PREVIEW_ROWS})


@role_required(Role.SUPERVISION, Role.PRINCIPAL)
@require_GET
def import_template(request):
    """An empty sheet in the import layout, for a county that starts from scratch."""
    note = "每行一项任务；“任务编号”留空表示新任务。单位写全称或简称，多个单位用顿号分隔；县领导写姓名或职务；" \
           "完成时限如“6月底前”“第三季度”“长期坚持”“每月25日前报送进展”。"
    output = export_ledger(Task.objects.none(), title="重点工作任务分解表（导入模板）", note=note)
    return FileResponse(output, as_attachment=True, filename="重点工作任务分解表-导入模板.xlsx", content_type=XLSX)


# --- export -------------------------------------------------------------------------------------------


@role_required(*EXPORTERS)
@require_GET
def export(request):
    """The ledger list as .xlsx: same filters and sort (GET), same scope (the user's), streamed from a temp file."""
    return export_response(request, export_filtered, "ledger:task_list")
