"""An uploaded .xlsx checked before anything reads it: its size against DUBAN_UPLOAD_MAX_MB and its type by its
content (an old .xls, or another file renamed, gets a message that says what to do); the form that takes it; and
the pages around it that every office's sheet shares (the project sheet's, the hazard ledger's): the list's
export, and upload → preview → confirm or cancel (`SheetImport`). The ledger's decomposition sheet has pages of
its own (it keeps the sheet to check again at confirm) on the same form, export and staging."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duban.core.actor import Actor
from duban.core.attachments import sniff
from duban.core.excel.filters import FilterError
from duban.core.excel.plan import ImportFailed
from duban.core.excel.staging import Busy, Store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def checked_xlsx(upload):
    """The upload if it is an .xlsx within the size cap; forms.ValidationError (in Chinese) otherwise."""
    name = Path(upload.name or "").name
    limit = settings.DUBAN_UPLOAD_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(_("文件有 %(size).1f MB，超过 %(limit)s MB 的上限。") % {"size": upload.size / 1048576, "limit": limit})
    upload.seek(0)
    kinds = sniff(upload.read(8), upload)
    upload.seek(0)
    if "xls" in kinds:
        raise forms.ValidationError(_("这是旧版 .xls 文件。请用 Excel 或 WPS 打开后“另存为” .xlsx 再上传。"))
    if "xlsx" not in kinds or not name.lower().endswith(".xlsx"):
        raise forms.ValidationError(_("请上传 Excel 工作簿（.xlsx）。“%(name)s”不是 .xlsx 文件。") % {"name": name})
    return upload


class XlsxUploadForm(forms.Form):
    """One .xlsx to upload, checked by `checked_xlsx`; a subclass names it (`label`) and may add fields."""

    label = ""
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.label
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx"})

    def clean_file(self):
        return checked_xlsx(self.cleaned_data["file"])


def export_response(request, export_filtered, list_url: str):
    """A list's export as .xlsx: the list's filters (GET) through its FilterSet, in the user's scope; a filter the
    list refuses goes back to the list (`list_url`'s name) with its message."""
    try:
        output, _rows, filename = export_filtered(Actor.from_request(request), request.GET)
    except FilterError as exc:
        messages.error(request, str(exc))
        return redirect(reverse(list_url) + ("?" + request.GET.urlencode() if request.GET else ""))
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)


TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")
PREVIEW_ROWS = 300  # rows of each list a preview shows; the rest are counted


@dataclass(frozen=True)
class SheetImport:
    """An office's import of its sheet, page by page: upload (read and checked at once, under the uploader's
    reading lock, the file not kept) → preview of what will be created and changed, or every problem by row
    and column (nothing written) → confirm, all or nothing, or cancel. The checked plan waits signed in `store`
    (`duban.core.excel.staging`) until then. The app's views, with their decorators, call these methods; what
    is the app's own is given here."""

    store: Store
    form: type  # an XlsxUploadForm
    office: Callable  # (user) → whether they may import
    refusal: str  # what the others are told (403)
    build_plan: Callable  # (upload, user, *, file_name) → a plan (duban.core.excel.plan.SheetPlan)
    apply_plan: Callable  # (plan, actor) → its result; raises ImportFailed
    upload_page: str  # the url names and the templates
    preview_page: str
    list_page: str
    upload_template: str
    preview_template: str
    done: Callable  # (result) → the message once written
    created: Callable = lambda plan, rows: rows  # what the preview shows of each row to create

    def views(self, page: Callable) -> tuple[Callable, Callable, Callable, Callable]:
        """The four views (upload, preview, confirm, cancel), each behind `page` (who may open the app's pages)
        and the methods it answers."""
        return (page(require_http_methods(["GET", "POST"])(self.upload)), page(require_GET(self.preview)),
                page(require_POST(self.confirm)), page(require_POST(self.cancel)))

    def _office_only(self, request) -> None:
        if not self.office(request.user):
            raise PermissionDenied(str(self.refusal))

    def upload(self, request):
        """Step 1: choose the sheet; it is read and checked at once."""
        self._office_only(request)
        form = self.form(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            self.store.sweep_old()
            upload = form.cleaned_data["file"]
            token = secrets.token_urlsafe(18)
            try:
                with self.store.reading(request.user):
                    plan = self.build_plan(upload, request.user, file_name=Path(upload.name).name[:200])
            except Busy:
                form.add_error(None, _("您上一份表格还在读取中，请稍候再试。"))
                status = 429
            else:
                self.store.write(token, "plan", request.user.pk, plan)
                return redirect(self.preview_page, token=token)
        return render(request, self.upload_template, {"form": form, "max_mb": settings.DUBAN_UPLOAD_MAX_MB}, status=status)

    def _plan(self, request, token):
        found, plan = self.store.read(token, "plan", request.user) if TOKEN.match(token) else (False, None)
        if not found:
            raise Http404(_("这份上传已过期或不存在，请重新上传。"))
        return plan

    def _preview(self, request, token, plan, *, status=200):
        context = {"token": token, "plan": plan, "limit": PREVIEW_ROWS, "errors": plan.errors[:PREVIEW_ROWS],
                   "created": self.created(plan, plan.created[:PREVIEW_ROWS]), "updated": plan.updated[:PREVIEW_ROWS]}
        return render(request, self.preview_template, context, status=status)

    def preview(self, request, token):
        """Step 2: what the sheet would create and change, or every problem in it; nothing is written."""
        self._office_only(request)
        return self._preview(request, token, self._plan(request, token))

    def confirm(self, request, token):
        """Step 3: write the previewed plan through the services, all or nothing; a row changed since the preview
        refuses it (its version), and the preview lists why."""
        self._office_only(request)
        plan = self._plan(request, token)
        if not plan.ok:
            return self._preview(request, token, plan, status=422)
        try:
            result = self.apply_plan(plan, Actor.from_request(request))
        except ImportFailed as exc:
            plan.errors = exc.problems
            self.store.write(token, "plan", request.user.pk, plan)
            return self._preview(request, token, plan, status=409)
        self.store.forget(token)
        messages.success(request, self.done(result))
        return redirect(self.list_page)

    def cancel(self, request, token):
        self._office_only(request)
        if TOKEN.match(token):
            self.store.forget(token)
        messages.info(request, _("已取消导入。"))
        return redirect(self.upload_page)
