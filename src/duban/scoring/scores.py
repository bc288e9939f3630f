"""Scores of a period (SPEC §8): base + Σ points of each unit's outcomes, each under the rule version in force
on the outcome's own date, capped per rule per period, ranked within unit categories (县直部门, 乡镇).

Pure reads: `compute(period)` writes nothing, so computing an unpublished period twice with nothing changed
gives the same board; a published period is read back from its snapshot (`board(period)`) and never changes.
Every point carries its trace: the ScoreEvent, its source matter (with its page), the rule and version that
priced it, what the cap left of it, and the contest and ruling on it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from duban.core.choices import UnitCategory
from duban.core.models import Unit
from duban.matters import registry
from duban.scoring.choices import ContestState, Outcome
from duban.scoring.models import Publication, Rule, RuleSet, ScoreEvent
from duban.scoring.periods import Period, parse

RANKED = (UnitCategory.DEPARTMENT, UnitCategory.TOWNSHIP)
ZERO = Decimal("0.00")


@dataclass
class Point:
    """One outcome of one unit in the period, priced, with its trace."""

    event_id: int
    outcome: str
    outcome_label: str
    occurred_on: str
    text: str
    source_kind: str
    source_code: str
    url: str
    ruleset: int | None  # the version number that priced it (None: no version in force that day)
    rule_points: str  # what the rule gives, "-2.00"
    counted: str  # what counts after the cap and the ruling, "-1.00"
    action_url: str = ""  # the 督办记录 it came from (a notice, an interview or accountability proposal)
    note: str = ""  # why it counts less than the rule gives (cap, removed on contest, no rule)
    contest: dict | None = None  # {"state", "state_label", "reason", "ruling"}


@dataclass
class UnitScore:
    unit_id: int
    unit_name: str
    category: str
    score: Decimal
    rank: int = 0
    points: list[Point] = field(default_factory=list)


@dataclass
class Board:
    period: Period
    base: Decimal
    published: Publication | None
    rows: list[UnitScore]

    def category(self, category: str) -> list[UnitScore]:
        return [r for r in self.rows if r.category == category]

    def row(self, unit_id: int) -> UnitScore | None:
        return next((r for r in self.rows if r.unit_id == unit_id), None)


def board(period: Period | str) -> Board:
    """The period's scores: its frozen snapshot once published, else computed now."""
    period = parse(period) if isinstance(period, str) else period
    publication = Publication.objects.filter(period=period.code).first()
    if publication is None:
        return compute(period)
    rows = [UnitScore(unit_id=s.unit_id, unit_name=s.unit_name, category=s.category, score=s.score, rank=s.rank,
                      points=[_thawed(p) for p in s.points]) for s in publication.scores.all()]
    return Board(period=period, base=publication.base, published=publication, rows=rows)


def _thawed(frozen: dict) -> Point:
    """A point of a snapshot as it was frozen (a key a later version of Point dropped is left out)."""
    known = {f.name for f in fields(Point)}
    return Point(**{k: v for k, v in frozen.items() if k in known})


def compute(period: Period | str) -> Board:
    """Score every ranked unit for `period` from the collected outcomes (see the module's docstring)."""
    period = parse(period) if isinstance(period, str) else period
    base = Decimal(settings.DUBAN_SCORING_BASE).quantize(ZERO)
    units = list(Unit.objects.filter(is_active=True).only("id", "name", "path", "category", "sort_key"))
    ranked = {u.pk: u for u in units if u.category in RANKED}
    owner = _owners(units, ranked)
    versions = list(RuleSet.objects.order_by("valid_from"))
    starts = [v.valid_from for v in versions]
    rules = {(r.ruleset_id, r.outcome): r for r in Rule.objects.all()}
    events = (ScoreEvent.objects.filter(occurred_on__gte=period.start, occurred_on__lte=period.end)
              .select_related("contest").order_by("occurred_on", "id"))
    rows = {pk: UnitScore(unit_id=pk, unit_name=u.name, category=u.category, score=base) for pk, u in ranked.items()}
    used: dict[tuple[int, int, str], Decimal] = {}  # (unit, ruleset, outcome) → what its cap has let through
    for event in events:
        unit_id = owner.get(event.unit_id)
        if unit_id is None:
            continue  # an office or leadership unit: not ranked
        at = bisect.bisect_right(starts, event.occurred_on) - 1
        version = versions[at] if at >= 0 else None
        rule = rules.get((version.pk, event.outcome)) if version else None
        point = _point(event, version, rule)
        contest = getattr(event, "contest", None)
        if rule is None:
            point.note = "本期适用的考核细则未设此项，不计分"
        elif contest is not None and contest.state == ContestState.REMOVED:
            point.note = "申诉成立，已撤销该分"
        else:
            counted = rule.points
            if rule.cap is not None:
                key = (unit_id, version.pk, event.outcome)
                room = max(rule.cap - used.get(key, ZERO), ZERO)
                if abs(counted) > room:
                    counted = room if counted > 0 else -room
                    point.note = f"已达本期上限{rule.cap}分"
                used[key] = used.get(key, ZERO) + abs(counted)
            point.counted = f"{counted.quantize(ZERO)}"
            rows[unit_id].score += counted
        rows[unit_id].points.append(point)
    result = sorted(rows.values(), key=lambda r: (r.category, -r.score, ranked[r.unit_id].sort_key))
    for category in RANKED:
        _rank([r for r in result if r.category == category])
    return Board(period=period, base=base, published=None, rows=result)


def _owners(units: list[Unit], ranked: dict[int, Unit]) -> dict[int, int]:
    """Each unit → the nearest ranked unit at or above it (a section's or village's outcome counts for its unit)."""
    owner = {}
    for u in units:
        chain = [int(p) for p in u.path.strip("/").split("/") if p] or [u.pk]
        owner[u.pk] = next((pk for pk in reversed(chain) if pk in ranked), None)
    return owner


def scored_unit_id(event: ScoreEvent) -> int | None:
    """The ranked unit an outcome counts for (its own unit, or the nearest ranked unit above it)."""
    chain = [int(p) for p in event.unit.path.strip("/").split("/") if p] or [event.unit_id]
    ranked = set(Unit.objects.filter(pk__in=chain, category__in=RANKED, is_active=True).values_list("pk", flat=True))
    return next((pk for pk in reversed(chain) if pk in ranked), None)


def _rank(rows: list[UnitScore]) -> None:
    """Competition ranking (1, 2, 2, 4): equal scores share a rank."""
    previous, rank = None, 0
    for i, row in enumerate(rows, start=1):
        if row.score != previous:
            rank, previous = i, row.score
        row.rank = rank


def _point(event: ScoreEvent, version: RuleSet | None, rule: Rule | None) -> Point:
    contest = getattr(event, "contest", None)
    return Point(event_id=event.pk, outcome=event.outcome, outcome_label=str(Outcome(event.outcome).label),
                 occurred_on=event.occurred_on.isoformat(), text=event.text, source_kind=event.source_kind,
                 source_code=event.source_code, url=matter_url(event), ruleset=version.number if version else None,
                 rule_points=f"{rule.points}" if rule else "0.00", counted="0.00",
                 action_url=reverse("supervision:action_detail", args=[event.action_id]) if event.action_id else "",
                 contest=None if contest is None else {"state": contest.state, "state_label": str(ContestState(contest.state).label),
                                                       "reason": contest.reason, "ruling": contest.ruling})


def matter_url(event: ScoreEvent) -> str:
    """The page of the matter behind a point, through its kind (no page for a praise or an unknown kind)."""
    try:
        kind = registry.get(event.source_kind)
    except KeyError:
        return ""
    return kind.url(event.source_code) if event.source_code else ""


def as_json(point: Point) -> dict:
    return asdict(point)


def when(day: str) -> dt.date:
    return dt.date.fromisoformat(day)
