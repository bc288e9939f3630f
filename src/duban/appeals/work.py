""""My work" from the appeals desk, one source (a count and a page: two queries) per kind of work:

the handling unit's liaison or head: appeals to sign for (待签收) and to reply to (待答复), by their limits · the
business office: appeals to accept, to dispatch, to call back, and extensions to decide.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from duban.appeals.choices import AppealState
from duban.appeals.models import Appeal
from duban.appeals.policies import is_desk
from duban.core.choices import Role
from duban.core.scope import acting_units
from duban.core.work import LATER, OVERDUE, TODAY, Source, WorkItem, from_queryset

COLUMNS = ("id", "code", "title", "state", "due_date", "urgency", "extension_requested")


def _url(appeal) -> str:
    return reverse("appeals:appeal_detail", args=[appeal.code])


def _item(kind: str, note: str, today: dt.date, *, soon_is_today: bool = True):
    """A work item on the step's limit: late is overdue; a one-day step (accept, dispatch, sign) is today's work."""

    def make(appeal) -> WorkItem:
        due = appeal.due_date
        urgency = OVERDUE if due and due < today else TODAY if soon_is_today or (due and due <= today) else LATER
        title = f"{appeal.code} {appeal.title}" + ("（紧急）" if appeal.urgency == "urgent" else "")
        return WorkItem(kind, title, _url(appeal), due, urgency, note)

    return make


def _source(key: str, label: str, rows, note: str, today: dt.date, **kw) -> Source:
    item = _item(label, note, today, **kw)
    return from_queryset(key, label, rows.only(*COLUMNS).order_by("due_sort", "id"), item)


def appeals_work(user, today: dt.date) -> list[Source]:
    """The appeals a person must move today (the appeal titles only: no enterprise's name on the home page)."""
    sources: list[Source] = []
    if is_desk(user):
        sources += [
            _source("appeals.accept", "待受理诉求", Appeal.objects.filter(state=AppealState.SUBMITTED), "受理、不予受理或合并重复诉求", today),
            _source("appeals.dispatch", "待派单诉求", Appeal.objects.filter(state=AppealState.ACCEPTED), "派给承办单位", today),
            _source("appeals.extension", "诉求延期待审批", Appeal.objects.filter(state=AppealState.HANDLING, extension_requested=True),
                    "同意则按复杂诉求时限办理", today),
            _source("appeals.callback", "待回访诉求", Appeal.objects.filter(state=AppealState.REPLIED), "电话回访企业，记录满意度", today,
                    soon_is_today=False),
        ]
    if user.roles & {Role.LIAISON, Role.UNIT_HEAD} and user.unit_id:
        units = acting_units(user)
        mine = Appeal.objects.filter(holder_unit_id__in=units)
        sources += [
            _source("appeals.sign", "企业诉求待签收", mine.filter(state=AppealState.DISPATCHED), "属本单位职责的签收，不属于的退单并说明理由", today),
            _source("appeals.reply", "企业诉求待答复", mine.filter(state=AppealState.HANDLING), "在答复时限内答复企业", today, soon_is_today=False),
        ]
    return sources
