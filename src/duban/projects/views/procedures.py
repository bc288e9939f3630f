"""The procedures' pages: the list (a unit's liaison lands on the procedures their unit handles, the late ones
first), a procedure's page (its project, unit, clock, light, timeline and action bar) and one page per
transition of the procedure machine (启动办理, 办结, 确认无需办理, 调整时限)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core import calendar
from duban.core.choices import Role
from duban.core.paging import BadCursor, Keyset
from duban.matters.choices import Light
from duban.matters.counts import light_counts
from duban.matters.models import MatterEvent
from duban.projects import forms, policies, selectors, services
from duban.projects.kind import PROCEDURE_KIND
from duban.projects.views.actions import ActionPage, action_view, offered, project_page
from duban.supervision.selectors import actions_for_matter

PAGE_SIZE = 50
# Late first: the nearest limit (the passed ones) first, the ones not started (no limit yet) last.
KEYSET = Keyset(["due_sort", "id"])
LIST_RELATED = ("project", "lead_unit")
LIST_COLUMNS = ("id", "code", "name", "state", "light", "light_reason", "due_date", "due_sort", "start_date", "workdays",
                "completed_on", "approval_no", "under_notice", "project__code", "project__name", "lead_unit__name", "lead_unit__short_name")

PROCEDURE_PAGES = {page.slug: page for page in [
    ActionPage("start", "start", gettext_lazy("启动办理"), forms.StartForm,
               lambda actor, p, v: services.start_procedure(actor, p, **v), gettext_lazy("已启动办理，时限开始计算。")),
    ActionPage("finish", "finish", gettext_lazy("办结"), forms.FinishForm,
               lambda actor, p, v: services.finish_procedure(actor, p, **v), gettext_lazy("已登记办结。"), style="success"),
    ActionPage("extend", "extend", gettext_lazy("调整时限"), forms.ExtendForm,
               lambda actor, p, v: services.extend_procedure(actor, p, **v), gettext_lazy("已调整办理时限。"), style="outline-primary"),
    ActionPage("waive", "waive", gettext_lazy("确认无需办理"), forms.WaiveForm,
               lambda actor, p, v: services.waive_procedure(actor, p, **v), gettext_lazy("已确认该手续无需办理。"), style="outline-danger"),
]}


def procedure_url(procedure) -> str:
    return reverse("projects:procedure_detail", args=[procedure.code])


def _defaults(request) -> tuple[QueryDict, bool]:
    """The list's parameters: as asked, or, on first opening, the open procedures — for a unit's liaison or head
    (not of the project office) those their unit handles ("本单位办理的手续")."""
    if any(key != "cursor" for key in request.GET):
        return request.GET, False
    params = QueryDict(mutable=True)
    params["state"] = "open"
    user = request.user
    mine = bool(user.roles & {Role.LIAISON, Role.UNIT_HEAD}) and user.unit_id is not None and not policies.is_project_office(user)
    if mine:
        params["lead_unit"] = str(user.unit_id)
    if "cursor" in request.GET:
        params["cursor"] = request.GET["cursor"]
    return params, mine


def _page(rows, cursor):
    try:
        return KEYSET.page(rows.select_related(*LIST_RELATED).only(*LIST_COLUMNS), cursor=cursor or None, size=PAGE_SIZE), ""
    except (BadCursor, ValidationError):
        return KEYSET.page(rows.select_related(*LIST_RELATED).only(*LIST_COLUMNS), cursor=None, size=PAGE_SIZE), _("翻页参数无效，请从第一页重新浏览。")


@project_page
def procedure_list(request):
    """项目手续: the procedures the user sees, filtered (one FilterSet for page and API), the late ones first."""
    params, mine = _defaults(request)
    filterset = selectors.procedure_filter(request, params)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page, cursor_error = _page(rows, params.get("cursor"))
    counts = light_counts(rows)
    context = {
        "form": filterset.form, "page": page, "cursor_error": cursor_error, "mine": mine, "total": sum(counts.values()),
        "lights": [{"value": v, "label": label, "count": counts.get(v, 0)} for v, label in Light.choices],
        "query": urlencode([(k, v) for k, values in params.lists() if k != "cursor" for v in values]),
        "today": timezone.localdate(),
    }
    return render(request, "projects/procedure_list.html", context)


def _visible(user, code):
    procedure = selectors.visible_procedure(user, code)
    if procedure is None:
        raise Http404(_("没有这项手续，或您无权查看。"))
    return procedure


def clock_of(procedure, today) -> dict:
    """The procedure's clock as its page shows it: the limit, and the working days left (or past it)."""
    if procedure.state != "in_progress" or procedure.due_date is None:
        return {}
    if procedure.due_date >= today:
        return {"left": calendar.workdays_between(today, procedure.due_date), "late": 0}
    return {"left": 0, "late": calendar.workdays_between(procedure.due_date, today)}


@project_page
def procedure_detail(request, code):
    procedure = _visible(request.user, code)
    today = timezone.localdate()
    events = list(MatterEvent.objects.filter(kind=PROCEDURE_KIND.key, matter_id=procedure.pk).order_by("-at", "-id"))
    context = {
        "procedure": procedure, "project": procedure.project, "events": events, "clock": clock_of(procedure, today),
        "actions": offered(PROCEDURE_PAGES, PROCEDURE_KIND, procedure, request.user),
        "supervision_actions": actions_for_matter(procedure, request.user),
    }
    return render(request, "projects/procedure_detail.html", context)


@project_page
def procedure_action(request, code, action):
    procedure = _visible(request.user, code)
    return action_view(request, pages=PROCEDURE_PAGES, kind=PROCEDURE_KIND, matter=procedure, action=action, back=procedure_url(procedure),
                       url_name="projects:procedure_action",
                       context={"heading": f"{procedure.code} {procedure.title}", "project": procedure.project})
