"""单位画像: one unit's matters of every kind by light, its score trend, the supervision it received, and its
send-backs and returned completion requests — each number linking to the list of exactly its rows.

Nothing is counted here in a way of its own: the matters are each kind's list FilterSet (`lead_unit` = the unit)
over `Model.objects.visible_to(user)`, grouped by light; supervision is the action list's FilterSet (`unit`);
send-backs and returns are the 中梗阻 figures of `supervision.analytics.unit_figures` with their links; the score
of each month is `scoring.scores.board`. So a number and the list it links to are the same rows by construction.
The queries are a fixed number whatever the unit's matters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from duban.appeals.filters import AppealFilter
from duban.core.models import Unit
from duban.core.scope import unit_scope
from duban.ledger.filters import TaskFilter
from duban.matters import obstruction as matters_obstruction
from duban.matters import registry
from duban.matters.choices import Light
from duban.projects.filters import ProcedureFilter, ReportFilter
from duban.safety.filters import HazardFilter
from duban.scoring.selectors import board_of, period_from
from duban.supervision import selectors as analytics
from duban.supervision.choices import ActionKind
from duban.supervision.selectors import action_filter

TREND_MONTHS = 12
LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN, Light.GREY)

# The kinds of matter a unit answers for, each with its list's FilterSet; `lead_unit` names the unit in all of them.
MATTER_KINDS = (
    ("ledger.task", TaskFilter),
    ("appeals.appeal", AppealFilter),
    ("safety.hazard", HazardFilter),
    ("projects.procedure", ProcedureFilter),
    ("projects.report", ReportFilter),
)


@dataclass
class LightCount:
    light: str
    label: str
    count: int
    url: str


@dataclass
class KindRow:
    key: str
    label: str
    total: int
    total_url: str
    lights: list[LightCount]


@dataclass
class ActionCount:
    kind: str
    label: str
    count: int
    url: str


@dataclass
class Obstruction:
    """The 中梗阻 counts of one kind against the unit: completions sent back (退回) and requests to pass it on."""

    key: str
    label: str
    figures: list[dict] = field(default_factory=list)  # {"name", "label", "times", "matters", "url"}


@dataclass
class Profile:
    unit: Unit
    kinds: list[KindRow]
    actions: list[ActionCount]
    actions_total: int
    actions_url: str
    obstruction: list[Obstruction]
    trend: list[dict]  # {"month": "2026-11", "label": "2026年11月", "score": "95.00" | None, "rank": int | None}


def visible_unit(user, pk: int) -> Unit | None:
    """The unit `pk` if the user's scope (core.scope.unit_scope) includes it, else None."""
    if not unit_scope(user).allows(pk):
        return None
    return Unit.objects.filter(pk=pk).first()


def _kind(key: str):
    try:
        return registry.get(key)
    except KeyError:
        return None


def matters(request, unit: Unit) -> list[KindRow]:
    """Per kind, the unit's matters (those its list shows for `lead_unit`) by light: one GROUP BY per kind."""
    rows = []
    for key, filter_class in MATTER_KINDS:
        kind = _kind(key)
        if kind is None or kind.list_url is None:
            continue
        params = {"lead_unit": str(unit.pk)}
        filterset = filter_class(params, queryset=kind.visible(request.user))
        counts = dict(filterset.qs.order_by().values_list("light").annotate(n=Count("*")))
        lights = [LightCount(light.value, str(light.label), counts.get(light.value, 0), kind.list_url(lead_unit=unit.pk, light=light.value))
                  for light in LIGHTS]
        rows.append(KindRow(key=key, label=_(kind.label), total=sum(counts.values()), total_url=kind.list_url(lead_unit=unit.pk),
                            lights=lights))
    return rows


def actions(request, unit: Unit) -> tuple[list[ActionCount], int, str]:
    """督办 received by the unit (and its sub-units, as the action list's `unit` filter reads), by 督办方式."""
    filterset = action_filter(request, {"unit": str(unit.pk)})
    counts = dict(filterset.qs.order_by().values_list("kind").annotate(n=Count("*")))
    base = reverse("supervision:action_list")
    rows = [ActionCount(kind.value, str(kind.label), counts.get(kind.value, 0), f"{base}?{urlencode({'unit': unit.pk, 'kind': kind.value})}")
            for kind in ActionKind]
    return rows, sum(counts.values()), f"{base}?{urlencode({'unit': unit.pk})}"


OBSTRUCTION_FIGURES = (
    ("returns", "returned_matters", gettext_noop("退回整改")),
    ("reassigns", "reassigned_matters", gettext_noop("申请调整或退单")),
)


# Requests a kind's events record that its 中梗阻 table does not show, with the list filter that finds their matters:
# an appeal's 退单 (its `sent_back_by` filter reads the events of that unit itself, not of its sub-units).
UNSHOWN = {
    ("appeals.appeal", "reassigns"): lambda kind, unit: kind.list_url(sent_back_by=unit.pk),
}


def obstruction(request, unit: Unit, today: dt.date) -> list[Obstruction]:
    """The unit's send-backs and returns as the 中梗阻 analytics count them (supervision.analytics), per kind that
    declares them, with the analytics' links to the kind's list; and the requests a kind's table leaves out
    (UNSHOWN), counted from the same events (matters.obstruction) for the unit itself."""
    result = []
    for kind in analytics.analysed_kinds():
        shown = [f for f in OBSTRUCTION_FIGURES if f[0] in analytics.columns(kind)]
        unshown = [f for f in OBSTRUCTION_FIGURES if (kind.key, f[0]) in UNSHOWN and f not in shown]
        if not shown and not unshown:
            continue
        rows = []
        if shown:
            figures = analytics.unit_figures(request.user, [unit], kind=kind, idle_days=analytics.DEFAULT_IDLE_DAYS, today=today)[0]
            links = analytics.links(kind, unit, analytics.DEFAULT_IDLE_DAYS)
            rows += [{"name": name, "label": _(label), "times": getattr(figures, name), "matters": getattr(figures, matters_field),
                      "url": links.get(name, "")} for name, matters_field, label in shown]
        for name, _matters_field, label in unshown:
            events = (matters_obstruction.returns if name == "returns" else matters_obstruction.passings)(kind, [unit.pk])
            if not unit_scope(request.user).everything:
                events = events.filter(matter_id__in=kind.visible(request.user).values("pk"))
            matter_ids = list(events.order_by().values_list("matter_id", flat=True))
            rows.append({"name": name, "label": _(label), "times": len(matter_ids), "matters": len(set(matter_ids)),
                         "url": UNSHOWN[(kind.key, name)](kind, unit)})
        result.append(Obstruction(key=kind.key, label=_(kind.label), figures=rows))
    return result


def months_back(today: dt.date, count: int = TREND_MONTHS) -> list[str]:
    """The codes of the last `count` months to this one, oldest first: ["2025-12", …, "2026-11"]."""
    index = today.year * 12 + today.month - 1
    return [f"{(i // 12):04d}-{(i % 12) + 1:02d}" for i in range(index - count + 1, index + 1)]


def score_trend(unit: Unit, today: dt.date) -> list[dict]:
    """The unit's score and rank each month (`scoring.scores.board`: the snapshot once published); None for a
    unit that is not ranked (an office, a section: its outcomes count for the unit above it)."""
    trend = []
    for code in months_back(today):
        period = period_from(code)
        row = board_of(period).row(unit.pk)
        trend.append({"month": code, "label": period.label, "score": f"{row.score.quantize(Decimal('0.01'))}" if row else None,
                      "rank": row.rank if row else None})
    return trend


def build(request, unit: Unit, today: dt.date) -> Profile:
    action_rows, actions_total, actions_url = actions(request, unit)
    return Profile(unit=unit, kinds=matters(request, unit), actions=action_rows, actions_total=actions_total, actions_url=actions_url,
                   obstruction=obstruction(request, unit, today), trend=score_trend(unit, today))
