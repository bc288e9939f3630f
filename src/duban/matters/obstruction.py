"""The conditions behind each 中梗阻 number (SPEC §4), for any kind of matter, from its columns and its events
(MatterEvent) as the kind names them (`MatterKind.obstruction`).

Written once, here, and used both by the analytics' counts (supervision.analytics) and by each kind's list
filters (the ledger's `lead_unit`, `idle`, `returned_by`, `reassign_by`): a number on the analytics pages and
the list it links to are the same matters by construction.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from duban.core import calendar
from duban.matters.models import MatterEvent
from duban.matters.registry import MatterKind

IDLE_MAX_DAYS = 250  # a year of working days


def led_by(kind: MatterKind, unit_ids: list[int]) -> Q:
    """Matters whose owner unit is one of `unit_ids`."""
    return Q(**{f"{kind.unit_field}_id__in": unit_ids})


def idle_cutoff(days: int, today: dt.date) -> dt.date:
    """The last day from which `days` working days have passed by `today` (calendar.workdays_between).

    The `days`-th working day counted back from today (today the first, if it is one) is the first day that
    is too recent; the day before it is the cutoff, whatever kind of day it is."""
    back = days - 1 if calendar.is_workday(today) else days
    return calendar.add_workdays(today, -back) - dt.timedelta(days=1)


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def events(kind: MatterKind, names) -> QuerySet:
    """The kind's events of the given names."""
    return MatterEvent.objects.filter(kind=kind.key, event__in=list(names))


def idle_condition(kind: MatterKind, days: int, today: dt.date) -> Q:
    """Open matters in their unit's court (the kind's idle states, not paused) whose unit has not reported
    progress for `days` working days or more: neither a report (last_report_on) nor a restart (the kind's
    restart events, whose latest the row keeps: last_restart_at) nor the matter itself is more recent than
    the cutoff."""
    spec = kind.obstruction
    cutoff = idle_cutoff(days, today)
    after = local_midnight(cutoff + dt.timedelta(days=1))
    return (
        Q(state__in=spec.idle_states, paused_since__isnull=True, created_at__lt=after)
        & (Q(last_report_on__isnull=True) | Q(last_report_on__lte=cutoff))
        & (Q(last_restart_at__isnull=True) | Q(last_restart_at__lt=after))
    )


def restarts(kind: MatterKind, event: str) -> bool:
    """Whether an event of that name starts the kind's idle count again (its `last_restart_at` moves)."""
    spec = kind.obstruction
    return spec is not None and event in spec.restart_events


def last_restart(kind: MatterKind) -> Subquery:
    """The moment of the matter's latest restart event, from its timeline (NULL if none): what `last_restart_at`
    holds."""
    return Subquery(
        events(kind, kind.obstruction.restart_events).filter(matter_id=OuterRef("pk")).order_by()
        .values("matter_id").annotate(last=Max("at")).values("last")
    )


def refresh_restarts(kind: MatterKind, matters: QuerySet | None = None) -> int:
    """Set `last_restart_at` of the kind's matters (all, or those of `matters`) from their timelines, for
    writers that insert events in bulk rather than through the runner (an import, load generation). Returns
    the rows updated."""
    if kind.obstruction is None or not kind.obstruction.restart_events:
        return 0
    rows = kind.model.objects.all() if matters is None else matters
    return rows.update(last_restart_at=last_restart(kind))


def returns(kind: MatterKind, unit_ids: list[int]) -> QuerySet:
    """The times the units' completions were sent back for rework (退回整改), as events."""
    return events(kind, [kind.obstruction.returned_event]).filter(unit_id__in=unit_ids)


def passings(kind: MatterKind, unit_ids: list[int]) -> QuerySet:
    """The times the units asked to pass a matter on ("not ours": 申请调整, 退单), as events, whatever became of them."""
    return events(kind, [kind.obstruction.passed_on_event]).filter(unit_id__in=unit_ids)
