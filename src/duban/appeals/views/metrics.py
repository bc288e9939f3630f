"""The appeals' rates (办理指标) for the business office and the leaders: the figures of `appeals.metrics`, by
category and unit, each linking to its list; and the same figures as .xlsx."""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from duban.appeals import metrics as figures
from duban.appeals.choices import Category
from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.permissions import role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The business office keeps the desk; the leaders and the supervision office read the rates of what they see.
metrics_page = role_required(Role.BUSINESS, Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION)


@metrics_page
@require_GET
def metrics(request):
    """办理指标: the rates of the appeals the user sees, accepted within the period (this year by default)."""
    result = figures.compute(request.user, request.GET)
    context = {"m": result, "form": result.filterset.form, "columns": figures.COLUMNS, "definitions": figures.DEFINITIONS,
               "categories": Category.choices,
               "export_url": reverse("appeals:metrics_export") + "?" + figures.urlencode(result.params)}
    return render(request, "appeals/metrics.html", context)


@metrics_page
@require_GET
def metrics_export(request):
    """The page's figures as .xlsx (the same period, category and scope)."""
    result = figures.compute(request.user, request.GET)
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (FileResponse closes it)
    figures.workbook(result).save(output)
    output.seek(0)
    audit.record(Actor.from_request(request), "appeals.metrics_export", None, object_type="appeals.Appeal",
                 after={"params": result.params, "counted": result.total.counted},
                 message=f"导出企业诉求办理指标（受理 {result.total.counted} 件）")
    name = f"企业诉求办理指标-{timezone.localtime():%Y%m%d}.xlsx"
    response = FileResponse(output, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
