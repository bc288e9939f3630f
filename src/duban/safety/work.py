""""My work" from the hazard ledger, one source (a count and a page: two queries) per kind of work:

safety office: hazards to put on the clock (待交办整改) and to verify (待验收) · a township: the general hazards
of its territory to put on the clock and to verify (when the county lets townships verify) · the rectifying
unit: hazards in rectification, due within three working days or late.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from duban.core import calendar
from duban.core.choices import Role, UnitKind
from duban.core.scope import acting_units
from duban.core.work import LATER, OVERDUE, TODAY, Source, WorkItem, from_queryset
from duban.safety.choices import HazardLevel, HazardState
from duban.safety.models import Hazard

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
