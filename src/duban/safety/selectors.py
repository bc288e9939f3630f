"""Reads of the hazard ledger, always through `Hazard.objects.visible_to(user)` (SPEC §1)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404

from duban.core.paging import BadCursor, KeysetPage
from duban.matters.models import MatterEvent
from duban.safety.filters import KEYSET, HazardFilter
from duban.safety.kind import HAZARD_KIND
from duban.safety.models import Hazard, HazardPhoto, PhotoStage

LIST_COLUMNS = ("id", "code", "title", "place", "place_unit", "level", "state", "light", "light_reason", "due_date", "due_sort",
                "found_on", "return_count", "recurrence_of_id", "sector__name", "township__name", "lead_unit__name")
LIST_RELATED = ("sector", "township", "lead_unit")


@dataclass
class Listing:
    filterset: HazardFilter
    rows: object  # the filtered queryset
    light_counts: dict[str, int]
    total: int


def listing(user, params) -> Listing:
    """The hazards `user` may see filtered by `params` (one FilterSet for page and API), with light counts."""
    filterset = HazardFilter(params, queryset=Hazard.objects.visible_to(user))
    rows = filterset.qs if filterset.is_valid() else Hazard.objects.none()
    counts = {row["light"]: row["n"] for row in rows.order_by().values("light").annotate(n=Count("id"))}
    return Listing(filterset, rows, counts, sum(counts.values()))


def page_of(rows, cursor: str | None, size: int) -> KeysetPage:
    try:
        return KEYSET.page(rows.select_related(*LIST_RELATED).only(*LIST_COLUMNS), cursor=cursor or None, size=size)
    except ValidationError:
        raise BadCursor("翻页参数无效，请从第一页重新浏览。") from None


def hazard_for(user, code: str) -> Hazard:
    """The hazard if `user` may see it; 404 otherwise (a hazard out of scope does not exist for them)."""
    hazard = (Hazard.objects.visible_to(user).select_related("sector", "township", "lead_unit", "found_by", "verified_by",
                                                             "recurrence_of", "closed_by_unit", "responsible_person")
              .filter(code=code).first())
    if hazard is None:
        raise Http404("没有这个隐患，或您无权查看。")
    return hazard


def photos_of(hazard: Hazard) -> dict[str, list[HazardPhoto]]:
    photos = {PhotoStage.BEFORE: [], PhotoStage.AFTER: []}
    for photo in HazardPhoto.objects.filter(hazard=hazard).select_related("attachment"):
        photos[photo.stage].append(photo)
    return photos


def timeline(hazard: Hazard) -> list[MatterEvent]:
    return list(MatterEvent.objects.filter(kind=HAZARD_KIND.key, matter_id=hazard.pk).order_by("-at", "-id"))
