"""Reads of the hazard ledger, always through `Hazard.objects.visible_to(user)` (SPEC §1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from duban.core.models import Unit
from duban.core.paging import BadCursor, KeysetPage
from duban.matters.counts import light_counts
from duban.matters.models import MatterEvent
from duban.safety.choices import HazardState, ShiftState
from duban.safety.filters import INSPECTION_KEYSET, KEYSET, HazardFilter, InspectionFilter, ShiftFilter, timeliness
from duban.safety.kind import HAZARD_KIND, LAPSE_KIND
from duban.safety.models import ChecklistItem, DutyLapse, DutyPost, Hazard, HazardPhoto, Inspection, PhotoStage, Sector, Shift

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
    counts = light_counts(rows)
    return Listing(filterset, rows, counts, sum(counts.values()))


def page_of(rows, cursor: str | None, size: int) -> KeysetPage:
    try:
        return KEYSET.page(rows.select_related(*LIST_RELATED).only(*LIST_COLUMNS), cursor=cursor or None, size=size)
    except ValidationError:
        raise BadCursor("翻页参数无效，请从第一页重新浏览。") from None


def hazard_for(user, code: str) -> Hazard:
    """The hazard if `user` may see it; 404 otherwise (a hazard out of scope does not exist for them)."""
    hazard = (Hazard.objects.visible_to(user).select_related("sector", "township", "lead_unit", "found_by", "verified_by",
                                                             "recurrence_of", "closed_by_unit", "responsible_person",
                                                             "promoted_task")
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


# --- 整改率 and 按期整改率 by sector and by township (SPEC §7) ----------------------------------------------


@dataclass
class RateRow:
    """One sector's or township's figures; `key` is its filter parameter (sector=…, township=…) for the links."""

    label: str
    key: dict
    found: int = 0
    closed: int = 0
    due: int = 0
    on_time: int = 0

    @property
    def late(self) -> int:
        return self.due - self.on_time

    @property
    def closed_rate(self) -> float | None:  # 整改率: struck off of all found
        return 100 * self.closed / self.found if self.found else None

    @property
    def on_time_rate(self) -> float | None:  # 按期整改率: done by the deadline of all that were due
        return 100 * self.on_time / self.due if self.due else None


@dataclass
class Rates:
    filterset: HazardFilter
    by_sector: list[RateRow]
    by_township: list[RateRow]
    total: RateRow


def rates(user, params, on=None) -> Rates:
    """The rates of the hazards `user` may see filtered by `params` (the ledger's FilterSet: period, level …),
    counted on the day `on`, from whole counts (the page rounds to one decimal)."""
    on = on or timezone.localdate()
    filterset = HazardFilter(params, queryset=Hazard.objects.visible_to(user))
    rows = filterset.qs if filterset.is_valid() else Hazard.objects.none()
    when = timeliness(on)
    figures = {"found": Count("id"), "closed": Count("id", filter=Q(state=HazardState.CLOSED)),
               "due": Count("id", filter=when["due"]), "on_time": Count("id", filter=when["on_time"])}

    # One GROUP BY (sector, township), read from hazard_rates_idx alone, added up both ways here; the names come
    # from the two small tables.
    cells = list(rows.order_by().values_list("sector_id", "township_id").annotate(**figures))
    sectors = dict(Sector.objects.filter(pk__in={c[0] for c in cells}).values_list("pk", "name"))
    towns = dict(Unit.objects.filter(pk__in={c[1] for c in cells if c[1] is not None}).values_list("pk", "name"))

    def grouped(index: int, names: dict, param: str) -> list[RateRow]:
        out: dict = {}
        for cell in cells:
            pk = cell[index]
            row = out.get(pk)
            if row is None:
                row = out[pk] = RateRow(names.get(pk) or "（未定乡镇）", {param: pk} if pk is not None else {})
            row.found += cell[2]
            row.closed += cell[3]
            row.due += cell[4]
            row.on_time += cell[5]
        return sorted(out.values(), key=lambda r: r.label)

    by_sector = grouped(0, sectors, "sector")
    total = RateRow("合计", {}, *(sum(getattr(r, f) for r in by_sector) for f in ("found", "closed", "due", "on_time")))
    return Rates(filterset, by_sector, grouped(1, towns, "township"), total)


# --- 排查 -----------------------------------------------------------------------------------------------


def checklist(sector) -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(sector=sector, active=True).order_by("sort", "id"))


def inspections(user, params):
    """(filterset, rows) of the inspections `user` may see, filtered by `params`."""
    filterset = InspectionFilter(params, queryset=Inspection.objects.visible_to(user))
    rows = filterset.qs if filterset.is_valid() else Inspection.objects.none()
    failed = Count("results", filter=Q(results__outcome="fail"))
    return filterset, rows.select_related("sector", "township").annotate(failed=failed)


def inspection_page(rows, cursor: str | None, size: int) -> KeysetPage:
    try:
        return INSPECTION_KEYSET.page(rows, cursor=cursor or None, size=size)
    except ValidationError:
        raise BadCursor("翻页参数无效，请从第一页重新浏览。") from None


def inspection_for(user, pk: int) -> Inspection:
    inspection = Inspection.objects.visible_to(user).select_related("sector", "township", "inspector").filter(pk=pk).first()
    if inspection is None:
        raise Http404("没有这条排查记录，或您无权查看。")
    return inspection


def results_of(inspection: Inspection) -> list:
    return list(inspection.results.select_related("hazard").order_by("id"))


def history_of(user, inspection: Inspection) -> list[Inspection]:
    """The other inspections of the same place (as recurrence compares places) that `user` may see."""
    return list(Inspection.objects.visible_to(user).filter(place_key=inspection.place_key).exclude(pk=inspection.pk)
                .select_related("sector").annotate(failed=Count("results", filter=Q(results__outcome="fail")))
                .order_by("-inspected_on", "-id")[:50])


# --- duty rosters 值班值守 -------------------------------------------------------------------------------


@dataclass
class BoardShift:
    shift: Shift
    lapse: DutyLapse | None
    red: bool  # a critical post's shift past its start + grace and not confirmed
    may_confirm: bool


@dataclass
class BoardPost:
    post: DutyPost
    shifts: list[BoardShift]

    @property
    def unstaffed(self) -> bool:  # a critical post with nobody on the roster today
        return self.post.critical and not self.shifts


@dataclass
class BoardTown:
    township: object
    posts: list[BoardPost]


def duty_board(user, day, now=None) -> list[BoardTown]:
    """值班表 of `day`: the posts `user` may see by township, each with that day's shifts (cancelled left out) — two
    queries whatever the number of posts."""
    now = now or timezone.now()
    grace = dt.timedelta(minutes=settings.DUBAN_DUTY_GRACE_MINUTES)
    posts = list(DutyPost.objects.visible_to(user).filter(active=True).select_related("township"))
    shifts = (Shift.objects.visible_to(user).filter(date=day, post__active=True).exclude(state=ShiftState.CANCELLED)
              .select_related("person", "second_person", "lapse").order_by("start_time", "id"))
    by_post: dict[int, list[BoardShift]] = {}
    for shift in shifts:
        lapse = getattr(shift, "lapse", None)
        by_post.setdefault(shift.post_id, []).append(BoardShift(
            shift, lapse, red=False, may_confirm=False))
    towns: dict[int, BoardTown] = {}
    for post in posts:
        rows = by_post.get(post.pk, [])
        for row in rows:
            row.shift.post = post
            row.red = post.critical and row.shift.state == ShiftState.SCHEDULED and (row.lapse is not None or row.shift.starts + grace <= now)
            row.may_confirm = not duty_refusal(row.shift, user, now)
        towns.setdefault(post.township_id, BoardTown(post.township, [])).posts.append(BoardPost(post, rows))
    return list(towns.values())


def duty_refusal(shift: Shift, user, now) -> str:
    from duban.safety.services.duty import refusal_to_confirm

    return refusal_to_confirm(shift, user, now)


def posts_for(user):
    """The posts `user` may see, with their township and the number of shifts from today on."""
    today = timezone.localdate()
    return (DutyPost.objects.visible_to(user).select_related("township")
            .annotate(upcoming=Count("shifts", filter=Q(shifts__date__gte=today) & ~Q(shifts__state=ShiftState.CANCELLED))))


def post_for(user, pk: int) -> DutyPost:
    post = DutyPost.objects.visible_to(user).select_related("township").filter(pk=pk).first()
    if post is None:
        raise Http404("没有这个值守点，或您无权查看。")
    return post


def roster(user, post: DutyPost, first, last) -> list[Shift]:
    """The post's shifts from `first` to `last` that `user` may see, by date (one query)."""
    return list(Shift.objects.visible_to(user).filter(post=post, date__gte=first, date__lte=last)
                .select_related("person", "second_person", "confirmed_by", "lapse").order_by("date", "start_time", "id"))


def shift_for(user, pk: int) -> Shift:
    shift = Shift.objects.visible_to(user).select_related("post__township", "person", "second_person").filter(pk=pk).first()
    if shift is None:
        raise Http404("没有这个班次，或您无权查看。")
    return shift


def lapse_for(user, code: str) -> DutyLapse:
    lapse = (DutyLapse.objects.visible_to(user).select_related("post__township", "shift__person", "shift__second_person", "closed_by")
             .filter(code=code).first())
    if lapse is None:
        raise Http404("没有这个值守事项，或您无权查看。")
    return lapse


def lapse_timeline(lapse: DutyLapse) -> list[MatterEvent]:
    return list(MatterEvent.objects.filter(kind=LAPSE_KIND.key, matter_id=lapse.pk).order_by("-at", "-id"))


def shift_listing(user, params):
    """The shifts `user` may see filtered by `params` (ShiftFilter: the API's list)."""
    filterset = ShiftFilter(params, queryset=Shift.objects.visible_to(user).select_related("post__township", "person", "second_person"))
    return filterset
