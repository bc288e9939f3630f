"""The monthly investment reports' pages: the list (the ones due first), a report's page (its figures, image
progress and photos, served through the attachments' scoped download) and its 报送 and 更正 forms."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.paging import BadCursor, Keyset
from duban.matters.choices import Light
from duban.matters.counts import light_counts
from duban.matters.models import MatterEvent
from duban.projects import forms, selectors, services
from duban.projects.kind import REPORT_KIND
from duban.projects.metrics import rate
from duban.projects.models import ReportPhoto
from duban.projects.views.actions import ActionPage, action_view, offered, project_page
from duban.supervision.selectors import actions_for_matter

PAGE_SIZE = 50
# 待报送 (due) first, then 已报送, then 未到报送期 — by report day within each (the (state, due_sort, id) index).
KEYSET = Keyset(["state", "due_sort", "id"])
LIST_RELATED = ("project", "lead_unit")
LIST_COLUMNS = ("id", "code", "year", "month", "state", "light", "light_reason", "due_date", "due_sort", "planned", "completed",
                "year_to_date", "cumulative", "submitted_at", "project__code", "project__name", "lead_unit__name", "lead_unit__short_name")

REPORT_PAGES = {page.slug: page for page in [
    ActionPage("submit", "submit", gettext_lazy("报送月报"), forms.SubmitForm,
               lambda actor, r, v: services.submit_report(actor, r, **v), gettext_lazy("已报送投资月报。"), files=True),
    ActionPage("correct", "correct", gettext_lazy("更正月报"), forms.CorrectForm,
               lambda actor, r, v: services.correct_report(actor, r, **v), gettext_lazy("已更正投资月报，累计数随之更新。"),
               style="outline-primary"),
]}


def report_url(report) -> str:
    return reverse("projects:report_detail", args=[report.code])


def _page(rows, cursor):
    rows = rows.select_related(*LIST_RELATED).only(*LIST_COLUMNS)
    try:
        return KEYSET.page(rows, cursor=cursor or None, size=PAGE_SIZE), ""
    except (BadCursor, ValidationError):
        return KEYSET.page(rows, cursor=None, size=PAGE_SIZE), _("翻页参数无效，请从第一页重新浏览。")


@project_page
def report_list(request):
    """投资月报: the reports the user sees, filtered, the ones due first (by report day)."""
    filterset = selectors.report_filter(request, request.GET)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page, cursor_error = _page(rows, request.GET.get("cursor"))
    counts = light_counts(rows)
    context = {
        "form": filterset.form, "page": page, "cursor_error": cursor_error, "total": sum(counts.values()),
        "lights": [{"value": v, "label": label, "count": counts.get(v, 0)} for v, label in Light.choices],
        "query": urlencode([(k, v) for k, values in request.GET.lists() if k != "cursor" for v in values]),
    }
    return render(request, "projects/report_list.html", context)


def _visible(user, code):
    report = selectors.visible_report(user, code)
    if report is None:
        raise Http404(_("没有这份月报，或您无权查看。"))
    return report


@project_page
def report_detail(request, code):
    report = _visible(request.user, code)
    context = {
        "report": report, "project": report.project,
        "photos": list(ReportPhoto.objects.filter(report=report).select_related("attachment")),
        "events": list(MatterEvent.objects.filter(kind=REPORT_KIND.key, matter_id=report.pk).order_by("-at", "-id")),
        "actions": offered(REPORT_PAGES, REPORT_KIND, report, request.user),
        "rate": year_rate(report),
        "supervision_actions": actions_for_matter(report, request.user),
    }
    return render(request, "projects/report_detail.html", context)


def year_rate(report):
    """本年完成率 at this month (year to date against the annual plan), from the unrounded figures."""
    if report.year_to_date is None or report.year != report.project.plan_year:
        return None
    return rate(report.year_to_date, report.project.annual_plan)


@project_page
def report_action(request, code, action):
    report = _visible(request.user, code)
    return action_view(request, pages=REPORT_PAGES, kind=REPORT_KIND, matter=report, action=action, back=report_url(report),
                       url_name="projects:report_action", context={"heading": f"{report.code} {report.title}", "project": report.project})
