"""中梗阻 analytics pages: the county table (leaders and the supervision office) and a unit's own page.

Who sees what is the one scope rule (`unit_scope` / each kind's `visible_to`): the county table lists the
top units of the user's scope and counts only the matters the user may see; a unit's page opens for any unit
in the user's scope (a unit head: own unit and its sub-units; a liaison: own unit) and is "not found"
otherwise. Both pages run a fixed number of queries whatever the number of units and tasks.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.choices import Role, UnitKind
from duban.core.permissions import role_required
from duban.core.scope import subtree_ids
from duban.matters.obstruction import IDLE_MAX_DAYS
from duban.supervision import analytics

# Whoever has matters in a unit's hands may open its page (the scope decides which units).
UNIT_ROLES = (Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION, Role.UNIT_HEAD, Role.LIAISON)

# Who sees the whole table: principal leaders and the office (everything), leaders in charge (their charge).
COUNTY_ROLES = (Role.PRINCIPAL, Role.LEADER, Role.SUPERVISION)

HEADERS = {
    "unit": gettext_lazy("单位"),
    "in_hand": gettext_lazy("在办事项"),
    "dwell": gettext_lazy("办理时长中位数（工作日）"),
    "returns": gettext_lazy("退回整改（次）"),
    "reassigns": gettext_lazy("申请调整（次）"),
    "idle": gettext_lazy("久拖未报"),
    "passed_on": gettext_lazy("多次推转"),
}
KINDS = [("", gettext_lazy("全部")), (UnitKind.DEPARTMENT, UnitKind.DEPARTMENT.label),
         (UnitKind.TOWNSHIP, UnitKind.TOWNSHIP.label), (UnitKind.OFFICE, UnitKind.OFFICE.label)]


def _idle_days(query) -> tuple[int, str]:
    """N of "idle for N working days" from ?idle= (default 10), and a message if the value was refused."""
    raw = (query.get("idle") or "").strip()
    if not raw:
        return analytics.DEFAULT_IDLE_DAYS, ""
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= IDLE_MAX_DAYS:
        message = _("“未报送进展的工作日”应为 1 到 %(max)s 之间的整数，已按默认的 %(default)s 个工作日统计。") % {
            "max": IDLE_MAX_DAYS, "default": analytics.DEFAULT_IDLE_DAYS}
        return analytics.DEFAULT_IDLE_DAYS, message
    return days, ""


def _kind(query):
    """The kind of matter the page is about (?matter=ledger.task; default the first registered), and the tabs."""
    kinds = analytics.analysed_kinds()
    if not kinds:
        raise Http404(_("还没有可分析的事项类型。"))
    chosen = next((k for k in kinds if k.key == query.get("matter")), kinds[0])
    tabs = []
    for kind in kinds:
        params = query.copy()
        params["matter"] = kind.key
        tabs.append({"key": kind.key, "label": _(kind.label), "href": "?" + params.urlencode(), "active": kind is chosen})
    return chosen, tabs if len(kinds) > 1 else []


def _rows(kind, figures, idle_days: int) -> list[dict]:
    names = analytics.columns(kind)[1:]
    rows = []
    for f in figures:
        links = analytics.links(kind, f.unit, idle_days)  # once a row: five reversed URLs each
        rows.append({"figures": f, "links": links, "cells": _cells(kind, f, idle_days, names, links)})
    return rows


def _cells(kind, figure, idle_days: int, names, links: dict[str, str] | None = None) -> list[dict]:
    links = analytics.links(kind, figure.unit, idle_days) if links is None else links
    cells = []
    for name in names:
        if name == "dwell":
            cells.append({"name": name, "value": figure.median_display, "extra": len(figure.dwell) if figure.dwell else 0})
            continue
        extra = {"returns": figure.returned_matters, "reassigns": figure.reassigned_matters}.get(name, 0)
        cells.append({"name": name, "value": getattr(figure, name), "href": links.get(name, ""), "extra": extra})
    return cells


def _headers(kind, query, sort: str) -> list[dict]:
    """The column headers, each a link sorting by it (numbers largest first; again: the other way)."""
    headers = []
    for name in analytics.columns(kind):
        first = name if name == "unit" else f"-{name}"
        flipped = name if sort == f"-{name}" else f"-{name}"
        chosen = first if sort.lstrip("-") != name else flipped
        params = query.copy()
        params["sort"] = chosen
        arrow = ("↓" if sort.startswith("-") else "↑") if sort.lstrip("-") == name else ""
        headers.append({"name": name, "label": HEADERS[name], "href": "?" + params.urlencode(), "arrow": arrow,
                        "numeric": name != "unit"})
    return headers


@role_required(*COUNTY_ROLES)
def county(request):
    """全县中梗阻分析: one row per unit of the user's scope, each number a link to its matters."""
    query = request.GET
    today = timezone.localdate()
    matter_kind, tabs = _kind(query)
    idle_days, idle_error = _idle_days(query)
    names = analytics.columns(matter_kind)
    sort = query.get("sort") if (query.get("sort") or "").lstrip("-") in names else analytics.DEFAULT_SORT
    if sort.lstrip("-") not in names:
        sort = "unit"
    kind = query.get("kind") if query.get("kind") in {k for k, _label in KINDS} else ""
    rows = analytics.county_rows(request.user)
    if kind:
        rows = [unit for unit in rows if unit.kind == kind]
    figures = analytics.unit_figures(request.user, rows, kind=matter_kind, idle_days=idle_days, today=today)
    # A unit no longer in use still shows while it has anything to show.
    figures = [f for f in figures if f.unit.is_active or not f.is_empty]
    figures = analytics.sort_figures(figures, sort)
    context = {
        "rows": _rows(matter_kind, figures, idle_days), "headers": _headers(matter_kind, query, sort), "sort": sort, "today": today,
        "matter_kind": matter_kind, "tabs": tabs,
        "idle_days": idle_days, "idle_error": idle_error, "idle_max": IDLE_MAX_DAYS, "kinds": KINDS, "kind": kind,
        "passed_on_flag": analytics.PASSED_ON_FLAG,
    }
    return render(request, "supervision/analytics_county.html", context)


@role_required(*UNIT_ROLES)
def unit(request, pk: int):
    """一个单位的中梗阻情况: its numbers, its sub-units', its idle, passed-on and returned matters, a trend."""
    user = request.user
    unit, children = analytics.unit_and_children(user, pk)
    if unit is None:
        raise Http404(_("没有找到该单位，或它不在您的职责范围内。"))
    today = timezone.localdate()
    matter_kind, tabs = _kind(request.GET)
    idle_days, idle_error = _idle_days(request.GET)
    own, *below = analytics.unit_figures(user, [unit, *children], kind=matter_kind, idle_days=idle_days, today=today)
    unit_ids = subtree_ids(unit)
    below = [f for f in below if f.unit.is_active or not f.is_empty]
    names = analytics.columns(matter_kind)
    context = {
        "unit": unit, "own": own, "links": analytics.links(matter_kind, unit, idle_days), "rows": _rows(matter_kind, below, idle_days),
        "headers": [{"name": name, "label": HEADERS[name], "numeric": name != "unit"} for name in names],
        "cards": _cells(matter_kind, own, idle_days, names[1:]), "matter_kind": matter_kind, "tabs": tabs,
        "lists": analytics.unit_lists(user, unit_ids, kind=matter_kind, idle_days=idle_days, today=today),
        "trend": analytics.trend(user, unit_ids, today, kind=matter_kind), "today": today, "idle_days": idle_days,
        "idle_error": idle_error, "idle_max": IDLE_MAX_DAYS, "passed_on_flag": analytics.PASSED_ON_FLAG,
        "list_limit": analytics.LIST_LIMIT, "may_see_county": user.has_role(*COUNTY_ROLES),
        "county_url": reverse("supervision:obstruction"),
    }
    return render(request, "supervision/analytics_unit.html", context)
