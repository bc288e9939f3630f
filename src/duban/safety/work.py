""""My work" from the hazard ledger, one source (a count and a page: two queries) per kind of work:

safety office: hazards to put on the clock (待交办整改) and to verify (待验收) · a township: the general hazards
of its territory to put on the clock and to verify (when the county lets townships verify) · the rectifying
unit: hazards in rectification, due within three working days or late · the person on duty: 我的值班, today's
shifts with the one-tap hand-over · a township (and the safety office): the duty lapses still open.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from duban.core import calendar
from duban.core.choices import Role, UnitKind
from duban.core.scope import acting_units
from duban.core.work import LATER, OVERDUE, TODAY, Source, WorkItem, from_queryset
from duban.safety.choices import HazardLevel, HazardState, LapseState, ShiftState
from duban.safety.models import DutyLapse, Hazard, Shift
from duban.safety.services.duty import refusal_to_confirm

HORIZON_WORKDAYS = 3
COLUMNS = ("id", "code", "title", "state", "level", "due_date", "found_on", "township_id", "lead_unit_id")


def safety_work(user, today: dt.date) -> list[Source]:
    roles = user.roles
    sources: list[Source] = []
    if Role.SAFETY in roles:
        sources += _decisions("safety", Hazard.objects.all(), today, verify=True)
    if roles & {Role.LIAISON, Role.UNIT_HEAD} and user.unit_id:
        units = sorted(acting_units(user))
        if user.unit.kind == UnitKind.TOWNSHIP:
            mine = Hazard.objects.filter(township_id__in=units, level=HazardLevel.GENERAL)
            sources += _decisions("safety.township", mine, today, verify=settings.DUBAN_SAFETY_TOWNSHIP_VERIFIES)
        sources.append(_rectifying(units, today))
    return sources


def _url(hazard) -> str:
    return reverse("safety:hazard_detail", args=[hazard.code])


def _title(hazard) -> str:
    return f"{hazard.code} {hazard.title}"


def _decisions(key: str, hazards, today: dt.date, *, verify: bool) -> list[Source]:
    """待交办整改 (within a working day of the report: the oldest first) and 待验收 (by due date)."""

    def assign(hazard):
        by = calendar.add_workdays(hazard.found_on, 1)
        return WorkItem("待交办整改", _title(hazard), _url(hazard), by, OVERDUE if by < today else TODAY,
                        "重大隐患，须制定整改方案并挂牌督办" if hazard.level == HazardLevel.MAJOR else "")

    def check(hazard):
        return WorkItem("待验收", _title(hazard), _url(hazard), hazard.due_date, TODAY, "核查整改情况后销号或退回")

    found = hazards.filter(state=HazardState.FOUND).only(*COLUMNS).order_by("found_on", "id")
    sources = [from_queryset(f"{key}.assign", "待交办整改", found, assign)]
    if verify:
        awaiting = hazards.filter(state=HazardState.AWAITING).only(*COLUMNS).order_by("due_sort", "id")
        sources.append(from_queryset(f"{key}.verify", "待验收", awaiting, check))
    return sources


def _rectifying(units: list[int], today: dt.date) -> Source:
    """整改 due within three working days or late."""
    horizon = calendar.add_workdays(today, HORIZON_WORKDAYS)
    rows = (Hazard.objects.filter(Q(lead_unit_id__in=units), state=HazardState.RECTIFYING, due_date__lte=horizon)
            .only(*COLUMNS).order_by("due_sort", "id"))

    def rectify(hazard):
        late = hazard.due_date < today
        return WorkItem("隐患整改逾期" if late else "隐患整改", _title(hazard), _url(hazard), hazard.due_date,
                        OVERDUE if late else LATER if hazard.due_date > today else TODAY, "整改完成后上传照片申请验收")

    return from_queryset("safety.rectify", "隐患整改", rows, rectify)


# --- duty rosters: the person on duty's shifts with the one-tap hand-over; the township's open lapses ------


def duty_work(user, today: dt.date) -> list[Source]:
    """我的值班 (today's shifts not yet confirmed, and a night shift still running from yesterday: a person has a
    few at most, read in one query and counted from it) and, for the township and the safety office, the lapses
    still open (a count and a page)."""
    sources: list[Source] = []
    now = timezone.now()
    cache: list[list[WorkItem]] = []

    def mine() -> list[WorkItem]:
        if not cache:
            shifts = (Shift.objects.filter(Q(person_id=user.pk) | Q(second_person_id=user.pk), state=ShiftState.SCHEDULED,
                                           date__in=[today - dt.timedelta(days=1), today])
                      .select_related("post__township", "person", "second_person").order_by("date", "start_time", "id"))
            items = []
            for shift in shifts:
                if shift.ends < now:
                    continue
                refusal = refusal_to_confirm(shift, user, now)
                items.append(WorkItem(
                    "我的值班", f"{shift.post} {shift.hours}", reverse("safety:duty_board"), shift.date, TODAY if not refusal else LATER,
                    refusal or "到岗后点一下确认；无需定位、无需拍照",
                    action="" if refusal else reverse("safety:shift_confirm", args=[shift.pk]),
                    action_label="" if refusal else "确认到岗/交接班"))
            cache.append(items)
        return cache[0]

    sources.append(Source("safety.duty", "我的值班", lambda: len(mine()),
                          lambda offset, limit: mine()[offset: None if limit is None else offset + limit]))
    if Role.SAFETY in user.roles or user.roles & {Role.LIAISON, Role.UNIT_HEAD}:
        lapses = DutyLapse.objects.filter(state=LapseState.OPEN)
        if Role.SAFETY not in user.roles:
            units = sorted(acting_units(user))
            lapses = lapses.filter(lead_unit_id__in=units) if units else lapses.none()

        def lapse_item(lapse):
            return WorkItem("值守未确认", f"{lapse.code} {lapse.title}", reverse("safety:lapse_detail", args=[lapse.code]),
                            lapse.due_date, OVERDUE, "核实人员是否到岗；到岗由值班人员确认，或说明情况关闭")

        sources.append(from_queryset("safety.lapses", "值守未确认", lapses.only("id", "code", "title", "due_date").order_by("due_sort", "id"),
                                     lapse_item))
    return sources
