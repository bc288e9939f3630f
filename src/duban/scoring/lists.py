"""红黑榜: a period's red and black lists, from its ranking and the office's list rules."""

from __future__ import annotations

from duban.scoring.choices import ContestState, ListBasis, ListColour
from duban.scoring.models import ListRule
from duban.scoring.scores import RANKED, Board


def draw(board: Board, rules=None) -> dict[str, dict[str, list[int]]]:
    """{category: {"red": [unit ids], "black": [unit ids]}} in ranking order; a unit is on one list at most,
    the black list winning (a unit with an accountability proposal is not praised the same month)."""
    rules = list(ListRule.objects.all()) if rules is None else rules
    lists = {}
    for category in RANKED:
        rows = board.category(category)  # best first
        black, red = set(), set()
        for rule in rules:
            chosen = black if rule.colour == ListColour.BLACK else red
            if rule.basis == ListBasis.TOP:
                chosen |= {r.unit_id for r in rows if r.rank <= rule.count}
            elif rule.basis == ListBasis.BOTTOM:
                worst = sorted({r.rank for r in rows}, reverse=True)[: rule.count]
                chosen |= {r.unit_id for r in rows if r.rank in worst}
            else:
                chosen |= {r.unit_id for r in rows if any(p.outcome == rule.outcome and not removed(p) for p in r.points)}
        red -= black
        lists[category] = {ListColour.RED.value: [r.unit_id for r in rows if r.unit_id in red],
                           ListColour.BLACK.value: [r.unit_id for r in rows if r.unit_id in black]}
    return lists


def removed(point) -> bool:
    return bool(point.contest) and point.contest["state"] == ContestState.REMOVED
