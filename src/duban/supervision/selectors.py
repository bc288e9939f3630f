"""Reads of the supervision app: the ladders in force, actions within a user's scope."""

from __future__ import annotations

from duban.supervision import ladder as rungs
from duban.supervision.models import Ladder


def ladders_by_kind(kind: str) -> dict[bool, list[rungs.Step]]:
    """{major: steps} for a kind of matter: the office's edited ladders, else the defaults of SPEC §4."""
    found = {False: list(rungs.DEFAULT), True: list(rungs.MAJOR)}
    for ladder in Ladder.objects.filter(kind=kind).prefetch_related("steps"):
        found[ladder.major] = [
            rungs.Step(s.kind, s.offset, s.reply_days, s.target) for s in ladder.steps.all() if s.enabled
        ]
    return found
