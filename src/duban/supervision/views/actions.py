"""The 督办记录 pages: the list (filtered, keyset-paged) and its Excel export, an action's page (reply; the
notice as .docx), and issuing by hand from a matter's page. Every read goes through
SupervisionAction.objects.visible_to(user); the list and the export filter through the one ActionFilter."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.excel.filters import FilterError
from duban.core.excel.upload import XLSX
from duban.core.paging import BadCursor
from duban.core.permissions import role_required
from duban.matters import registry
from duban.supervision import services, tables
from duban.supervision.choices import ActionKind
from duban.supervision.excel import export_actions
from duban.supervision.forms import IssueForm, ReplyForm
from duban.supervision.models import SupervisionAction
from duban.supervision.notices import issuer_name
from duban.supervision.selectors import action_filter, page_of
from duban.supervision.views.common import supervision_page

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@supervision_page
@require_GET
def action_list(request):
    """督办记录: newest first, filtered by the ActionFilter (a refused value is explained on the form, the
    other filters still apply), a page of PAGE_SIZE by keyset cursor; a fixed number of queries."""
    filterset = action_filter(request, request.GET)
    rows = filterset.qs.select_related("target_unit", "target_person", "issued_by").only(*tables.ROW_FIELDS)
    cursor_error = ""
    try:
        page = page_of(rows, request.GET.get("cursor"), PAGE_SIZE)
    except BadCursor as exc:
        cursor_error = str(exc)
        page = page_of(rows, None, PAGE_SIZE)
    filterset.mark_errors()
    form = filterset.form
    return render(request, "supervision/action_list.html", {
        "page": page, "rows_html": tables.action_rows(page.rows, timezone.localdate()), "form": form, "cursor_error": cursor_error,
        "filtered": any(request.GET.get(name) for name in form.fields),
    })


@supervision_page
@require_GET
def action_export(request):
    """The list as .xlsx: the same filters (GET) and scope, newest first; refused filters go back to the list."""
    filterset = action_filter(request, request.GET)
    try:
        output, _rows, filename = export_actions(Actor.from_request(request), filterset)
    except FilterError as exc:
        messages.error(request, str(exc))
        query = request.GET.copy()
        query.pop("cursor", None)
        return redirect(reverse("supervision:action_list") + ("?" + query.urlencode() if query else ""))
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)


def _visible_action(request, pk) -> SupervisionAction:
    return get_object_or_404(SupervisionAction.objects.visible_to(request.user).select_related(
        "target_unit", "target_person", "issued_by", "replied_by", "matter_type"), pk=pk)


@supervision_page
@require_http_methods(["GET", "POST"])
def action_detail(request, pk):
    action = _visible_action(request, pk)
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not services.may_reply(action, request.user):
            raise PermissionDenied(_("只有被督办单位的负责人、联络员（或被督办的领导）可以回复。"))
        if form.is_valid():
            try:
                services.reply_to_action(Actor.from_request(request), action, text=form.cleaned_data["text"])
            except ServiceError as exc:
                form.add_error("text" if exc.field else None, exc.message)
            else:
                messages.success(request, _("已回复。督办通知单的追督随之停止。"))
                return redirect("supervision:action_detail", pk=action.pk)
        status = 422
    kind = registry.for_model(action.matter_type.model_class())
    return render(request, "supervision/action_detail.html", {
        "action": action, "form": form, "may_reply": services.may_reply(action, request.user),
        "matter_url": kind.url(action.matter_code), "kind_label": _(kind.label),
    }, status=status)


@supervision_page
@require_GET
def action_notice(request, pk):
    """The notice as a Word document (督办通知单), laid out per GB/T 9704 from the office's template."""
    from duban.supervision.notice_doc import NoticeDocument, render_notice

    action = _visible_action(request, pk)
    if action.kind != ActionKind.NOTICE:
        raise Http404(_("只有督办通知单可以下载 Word 文件。"))
    kind = registry.for_model(action.matter_type.model_class())
    matter = kind.model.objects.filter(pk=action.matter_id).select_related(kind.leader_field).first()
    leader = getattr(matter, kind.leader_field, None) if matter else None
    facts, _sep, demand = action.text.partition("请于")
    document = NoticeDocument(
        number=action.number, target_unit=action.target_unit.name if action.target_unit else "",
        matter_code=action.matter_code, matter_title=action.matter_title, facts=facts.strip() or action.text,
        demand=("请于" + demand) if demand else _("请按要求抓紧办理，并书面回复办理情况。"),
        reply_due=action.reply_due or action.issued_on, issuer=issuer_name(), issued_on=action.issued_on,
        leader_in_charge=f"{leader.full_name}（{leader.title}）" if leader and leader.title else (leader.full_name if leader else ""),
    )
    response = HttpResponse(render_notice(document), content_type=DOCX)
    name = f"督办通知单-{action.number or action.pk}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(Role.SUPERVISION)
@require_POST
def issue(request, kind_key, code):
    """督办 by hand, from a matter's page."""
    try:
        kind = registry.get(kind_key)
    except KeyError:
        raise Http404 from None
    matter = get_object_or_404(kind.model.objects.all(), **{kind.code_field: code})
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            action = services.issue_action(Actor.from_request(request), matter, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已发出%(kind)s%(number)s。") % {"kind": action.get_kind_display(),
                                                                  "number": f"（{action.number}）" if action.number else ""})
            return redirect("supervision:action_detail", pk=action.pk)
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{'；'.join(e)}" if f in form.fields else "；".join(e)
                                         for f, e in form.errors.items()))
    return redirect(kind.url(code))
