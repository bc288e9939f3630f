"""The appeal list's Excel export: the list page's query string, the same rows, in the county's columns."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from duban.appeals.excel import export_appeals
from duban.core.actor import Actor
from duban.core.choices import BUSINESS_ROLES
from duban.core.excel.filters import FilterError
from duban.core.permissions import role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*sorted(BUSINESS_ROLES))
@require_GET
def appeal_export(request):
    """导出Excel: the list's filters (GET) over the reader's appeals; refused filters go back to the list, said why."""
    try:
        output, _rows, filename = export_appeals(Actor.from_request(request), request.user, request.GET)
    except FilterError as exc:
        messages.error(request, str(exc))
        query = request.GET.copy()
        query.pop("cursor", None)
        return redirect(reverse("appeals:appeal_list") + ("?" + query.urlencode() if query else ""))
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)
