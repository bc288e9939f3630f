"""Reads of the appeals desk, scoped: who the business office is, the appeal a tracking number and code open, and
who the leader in charge of a unit is (a second unsatisfied rating goes to them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404

from duban.appeals.filters import SORTS, AppealFilter
from duban.appeals.kind import APPEAL_KIND
from duban.appeals.models import Appeal, AppealReply
from duban.core.choices import Role
from duban.core.models import LeaderCharge, Unit, User
from duban.core.paging import BadCursor, KeysetPage
from duban.matters.counts import light_counts, light_counts_in_parts
from duban.matters.models import MatterEvent

LIST_RELATED = ("lead_unit", "holder_unit")


@dataclass
class Listing:
    filterset: AppealFilter
    rows: object  # the filtered queryset
    light_counts: dict[str, int]
    total: int


def listing(request, params) -> Listing:
    """The appeals the requesting user may see, filtered by `params` (the one FilterSet of page, API and export),
    with the counts by light."""
    filterset = AppealFilter(params, queryset=Appeal.objects.visible_to(request.user), request=request)
    rows = filterset.qs if filterset.is_valid() else Appeal.objects.none()
    parts = Appeal.objects.visible_parts(request.user) if filterset.is_valid() else None
    if parts and len(parts) > 1:  # a unit's or a leader's: counted part by part, each part an index range
        counts = light_counts_in_parts([filterset.filter_queryset(Appeal.objects.filter(part)) for part in parts])
    else:
        counts = light_counts(rows)
    return Listing(filterset, rows, counts, sum(counts.values()))


def page_of(rows, cursor: str | None, size: int, *, sort: str = "due") -> KeysetPage:
    try:
        return SORTS.get(sort, SORTS["due"]).page(rows.select_related(*LIST_RELATED), cursor=cursor or None, size=size)
    except ValidationError:
        raise BadCursor("翻页参数无效，请从第一页重新浏览。") from None


def appeal_for(user, code: str) -> Appeal:
    """The appeal if `user` may see it; 404 otherwise (an appeal out of scope does not exist for them)."""
    appeal = (Appeal.objects.visible_to(user)
              .select_related("lead_unit", "holder_unit", "leader_in_charge", "repeat_of", "repeat_unit", "merged_into",
                              "promoted_task", "closed_by_unit", "entered_by")
              .filter(code=code).first())
    if appeal is None:
        raise Http404("没有这件诉求，或您无权查看。")
    return appeal


def timeline(appeal: Appeal) -> list[MatterEvent]:
    return list(MatterEvent.objects.filter(kind=APPEAL_KIND.key, matter_id=appeal.pk).select_related("unit").order_by("-at", "-id"))


def replies_of(appeal: Appeal) -> list[AppealReply]:
    return list(AppealReply.objects.filter(appeal=appeal).select_related("unit").order_by("round"))


def office_unit() -> Unit | None:
    """The business office's unit: DUBAN_APPEALS_OFFICE_UNIT (a unit's name or short name) if set, else the unit
    of its staff (the first active account holding the business role)."""
    named = getattr(settings, "DUBAN_APPEALS_OFFICE_UNIT", "")
    if named:
        unit = Unit.objects.filter(name=named).first() or Unit.objects.filter(short_name=named).first()
        if unit is not None:
            return unit
    staff = (User.objects.filter(is_active=True, role_grants__role=Role.BUSINESS, unit__isnull=False)
             .order_by("id").values_list("unit_id", flat=True).first())
    return Unit.objects.filter(pk=staff).first() if staff else None


def office_people() -> list[User]:
    return list(User.objects.filter(is_active=True, role_grants__role=Role.BUSINESS).order_by("id"))


def leader_for(unit: Unit | None) -> User | None:
    """The county leader in charge of the unit (分管县领导): the nearest charge on its path up the tree."""
    while unit is not None:
        charge = LeaderCharge.objects.filter(unit=unit, leader__is_active=True).select_related("leader").order_by("id").first()
        if charge is not None:
            return charge.leader
        unit = unit.parent
    return None


def by_tracking(number: str) -> Appeal | None:
    """The appeal a tracking number names (the caller then checks its query code: never shown without it)."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return Appeal.objects.filter(code=number).first()


def visible(user):
    return Appeal.objects.visible_to(user)


def rates(user, params, on=None):
    """The appeals' rates over what `user` may see (metrics.compute): the total, by category and by unit."""
    from duban.appeals.metrics import compute

    return compute(user, params, on)
