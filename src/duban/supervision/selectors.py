"""Reads of the supervision app: the ladders in force, actions within a user's scope."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from duban.supervision import ladder as rungs
from duban.supervision.models import Ladder, SupervisionAction


def ladders_by_kind(kind: str) -> dict[bool, list[rungs.Step]]:
    """{major: steps} for a kind of matter: the office's edited ladders, else the defaults of SPEC §4."""
    found = {False: list(rungs.DEFAULT), True: list(rungs.MAJOR)}
    for ladder in Ladder.objects.filter(kind=kind).prefetch_related("steps"):
        found[ladder.major] = [
            rungs.Step(s.kind, s.offset, s.reply_days, s.target) for s in ladder.steps.all() if s.enabled
        ]
    return found


def actions_for_matter(matter, user) -> list[SupervisionAction]:
    """The 督办记录 of one matter the user may see (its page shows them), newest first."""
    return list(SupervisionAction.objects.visible_to(user).filter(
        matter_type=ContentType.objects.get_for_model(type(matter)), matter_id=matter.pk,
    ).select_related("target_unit", "target_person", "issued_by").order_by("-issued_on", "-id")[:50])
