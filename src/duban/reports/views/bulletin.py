"""The supervision office's 工作通报 page (pick a week or a month, download the .docx) and its template page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duban.core import doctemplates
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.permissions import role_required
from duban.reports import bulletin, bulletin_doc
from duban.reports.chart import ChartFontError
from duban.reports.models import Bulletin


class BulletinForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("通报类型"), choices=[("weekly", gettext_lazy("周通报")), ("monthly", gettext_lazy("月通报"))],
                             initial="weekly", widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    week = forms.CharField(label=gettext_lazy("周次"), required=False, max_length=10,
                           widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "2026-W48", "type": "week"}))
    month = forms.CharField(label=gettext_lazy("月份"), required=False, max_length=10,
                            widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "2026-11", "type": "month"}))
    anew = forms.BooleanField(label=gettext_lazy("重新签发（取新的发文字号）"), required=False,
                              widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def clean(self):
        data = super().clean()
        try:
            if data.get("kind") == "monthly":
                data["period"] = bulletin.parse_month(data.get("month", ""))
            else:
                data["period"] = bulletin.parse_week(data.get("week", ""))
        except ServiceError as exc:
            self.add_error(exc.field if exc.field in ("week", "month") else None, exc.message)
        return data


@role_required(Role.SUPERVISION)
@require_http_methods(["GET", "POST"])
def bulletins(request):
    """The form; a valid POST answers with the .docx (the period's issued number, or the next one)."""
    form = BulletinForm(request.POST) if request.method == "POST" else BulletinForm()
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            issued, data = bulletin_doc.produce(Actor.from_request(request), period, anew=form.cleaned_data["anew"])
        except (ServiceError, ChartFontError) as exc:
            form.add_error(None, getattr(exc, "message", str(exc)))
        else:
            return _docx(data, bulletin_doc.filename(period))
    context = {"form": form, "issued": Bulletin.objects.select_related("issued_by")[:20]}
    return render(request, "reports/bulletins.html", context, status=400 if form.errors else 200)


@role_required(Role.SUPERVISION)
@require_http_methods(["GET", "POST"])
def bulletin_template(request):
    return doctemplates.upload_page(
        request, bulletin_doc.TEMPLATE, bulletin_doc.install_template, label=_("新的通报模板（.docx）"),
        done=_("新模板已启用，此后生成的工作通报都使用它。建议先下载一份样例核对版式。"),
        back="reports:bulletin_template", page="reports/bulletin_template.html")


@role_required(Role.SUPERVISION)
@require_GET
def bulletin_template_download(request):
    return doctemplates.download(bulletin_doc.TEMPLATE, uploaded_name="工作通报模板（当前）.docx", default_name="工作通报模板（默认）.docx")


@role_required(Role.SUPERVISION)
@require_GET
def bulletin_template_sample(request):
    try:
        data = bulletin_doc.render(bulletin_doc.sample_data(), number="县督字〔2026〕1号", issued_on=bulletin_doc.sample_data().as_of,
                                   chart_png=bulletin_doc._sample_png())
    except ChartFontError as exc:
        messages.error(request, str(exc))
        return redirect("reports:bulletin_template")
    except Exception:  # a template damaged on disk since it was checked
        messages.error(request, _("当前模板无法生成通报，文件可能已损坏。请重新上传模板，或恢复默认模板。"))
        return redirect("reports:bulletin_template")
    return _docx(data, "工作通报样例.docx")


@role_required(Role.SUPERVISION)
@require_POST
def bulletin_template_restore(request):
    return doctemplates.restore_page(request, bulletin_doc.restore_default_template,
                                     done=_("已恢复默认模板，此后生成的工作通报使用默认版式。"),
                                     already=_("当前已在使用默认模板，无需恢复。"), back="reports:bulletin_template")


def _docx(data: bytes, filename: str):
    return doctemplates.docx_response(data, filename)
