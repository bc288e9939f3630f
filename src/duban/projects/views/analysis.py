"""The project ledger's analysis pages: the pipeline by stage (项目库), investment against plan by month (投资完成)
and 三个一批 — the figures of `projects.metrics`, each number linking to the list that holds exactly its rows."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from duban.core.choices import BUSINESS_ROLES
from duban.core.permissions import role_required
from duban.projects import metrics

# Whoever sees projects reads the figures of those they see (a leader their scope's, a unit its own); the three
# admins have no business data.
analysis_page = role_required(*sorted(BUSINESS_ROLES))


@analysis_page
@require_GET
def pipeline(request):
    """项目库: the projects by stage as a funnel, with their total investment."""
    figures = metrics.pipeline(request, request.GET)
    return render(request, "projects/analysis_pipeline.html", {"m": figures, "form": figures.filterset.form,
                                                                "funnel": metrics.FUNNEL, "page": "pipeline"})


@analysis_page
@require_GET
def investment(request):
    """投资完成: the year's monthly plan and completion against the annual plan, by level and by leader in charge."""
    year = _year(request)
    figures = metrics.investment(request, year)
    return render(request, "projects/analysis_investment.html", {"m": figures, "page": "investment",
                                                                  "previous": year - 1, "next": year + 1})


@analysis_page
@require_GET
def batches(request):
    """三个一批: the projects signed, started and put into production within a year, quarter or month."""
    asked = request.GET.get("period", "")
    period = metrics.parse_period(asked) if asked else None
    if period is None:
        if asked:
            messages.warning(request, _("统计期间“%(period)s”无法识别，请写成 2026（全年）、2026-Q3（季度）或 2026-11（月份）；现显示今年。")
                             % {"period": asked[:20]})
        period = metrics.parse_period(str(timezone.localdate().year))
    figures = metrics.batches(request, request.GET, period)
    year = period.year
    choices = [metrics.parse_period(str(year))] + [metrics.quarter(year, q) for q in range(1, 5)] + [metrics.month(year, m) for m in range(1, 13)]
    return render(request, "projects/analysis_batches.html", {
        "m": figures, "form": figures.filterset.form, "page": "batches", "periods": choices,
        "previous": metrics.parse_period(str(year - 1)), "next": metrics.parse_period(str(year + 1))})


def _year(request) -> int:
    asked = request.GET.get("year", "")
    if asked:
        if asked.isdigit() and 2000 <= int(asked) <= 2100:
            return int(asked)
        messages.warning(request, _("年度“%(year)s”无法识别，请写四位年份，如 2026；现显示今年。") % {"year": asked[:20]})
    return timezone.localdate().year
