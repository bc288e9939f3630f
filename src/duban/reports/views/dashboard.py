"""/reports/: the leaders' dashboard (领导驾驶舱) — every figure of `reports.figures` for the user's scope, each a link
to its list; charts drawn by static/duban/dashboard.js from the data in json_script; each table as .xlsx."""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.permissions import role_required
from duban.reports import excel, figures
from duban.reports.kept import dashboard_parts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Principal leaders and the office see the whole county, a leader in charge their charge (the scope rule).
dashboard_page = role_required(Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION)


@dashboard_page
@require_GET
def dashboard(request):
    """领导驾驶舱: tasks by light, state and schedule per campaign, front and unit, the monthly trend, the appeals'
    rates, investment against plan and 三个一批, hazards, supervision actions by step."""
    kept = dashboard_parts(request.user, request.GET.get("campaign") or "")
    return render(request, "reports/dashboard.html", {"body": mark_safe(kept["body"]), "charts": kept["charts"]})  # noqa: S308  (our own template's output)


@dashboard_page
@require_GET
def export(request):
    """One table of the dashboard as .xlsx (?table=campaigns|fronts|units|trend|appeals|investment|batches|hazards|actions)."""
    table = request.GET.get("table", "")
    if table not in excel.TABLES:
        raise Http404(_("没有这张表。请从驾驶舱页面上的“导出Excel”链接下载。"))
    d = figures.dashboard(request.user, request.GET.get("campaign"))
    book, title = excel.workbook(d, table)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (FileResponse closes it)
    book.save(output)
    output.seek(0)
    audit.record(Actor.from_request(request), "reports.dashboard_export", None, object_type="ledger.Task",
                 after={"table": table}, message=f"导出驾驶舱表格：{title}")
    name = f"{title}-{timezone.localtime():%Y%m%d}.xlsx"
    response = FileResponse(output, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
