"""Reads of the evaluation pages, through the one scope rule (core.scope.unit_scope)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from duban.core.scope import unit_scope
from duban.scoring.choices import ContestState
from duban.scoring.models import Contest, ListRule, Publication, RuleSet
from duban.scoring.periods import Period, month_of, parse
from duban.scoring.scores import RANKED, Board, UnitScore


def default_period() -> Period:
    """Last month: the one being contested, ruled on and published."""
    first = timezone.localdate().replace(day=1)
    return month_of(first - dt.timedelta(days=1))


def period_from(value: str | None) -> Period:
    return parse(value) if value else default_period()


def visible_rows(board: Board, user) -> list[UnitScore]:
    """The rows of the units in the user's scope: the office and principal leaders all, a unit its own."""
    scope = unit_scope(user)
    return [r for r in board.rows if scope.allows(r.unit_id)]


def sees_everything(user) -> bool:
    return unit_scope(user).everything


def rulesets():
    return RuleSet.objects.prefetch_related("rules").order_by("-valid_from")


def list_rules():
    return ListRule.objects.all()


def pending_contests():
    return (Contest.objects.filter(state=ContestState.PENDING).select_related("score_event__unit", "raised_by")
            .order_by("raised_at", "id"))


def ruled_contests(limit: int = 50):
    return (Contest.objects.exclude(state=ContestState.PENDING).select_related("score_event__unit", "raised_by", "ruled_by")
            .order_by("-ruled_at", "-id")[:limit])


def publications():
    return Publication.objects.select_related("published_by").order_by("-period")


def board_of(period: Period | str) -> Board:
    """A period's scores: its snapshot once published, else computed now (scores.board)."""
    from duban.scoring.scores import board

    return board(period)


def lists_of(board: Board) -> dict[str, dict[str, list[int]]]:
    """The red and black lists (红黑榜) of a board under the office's list rules (lists.draw)."""
    from duban.scoring.lists import draw

    return draw(board)


RANKED_CATEGORIES = RANKED
