"""/reports/screen/: the big screen (大屏) — the dashboard's headline figures and charts, dark, for 1920×1080, and
its data as JSON for the screen's own refresh every three minutes (no page reload)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from duban.reports.kept import screen_parts
from duban.reports.views.dashboard import dashboard_page

REFRESH_SECONDS = 180


def _data(request) -> dict:
    return {**screen_parts(request.user), "at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "refresh": REFRESH_SECONDS}


@dashboard_page
@require_GET
def screen(request):
    data = _data(request)
    return render(request, "reports/screen.html", {"data": data, "f": data["figures"]})


@dashboard_page
@require_GET
def screen_data(request):
    response = JsonResponse(_data(request))
    response["Cache-Control"] = "no-store"
    return response
