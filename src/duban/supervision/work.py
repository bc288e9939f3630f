"""The home page's "my work" for supervision: notices to answer (the addressed unit or leader), replies the
office has to read, proposals waiting on a leader. One query per kind of item."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from duban.core.choices import Role
from duban.core.scope import acting_units
from duban.core.work import OVERDUE, TODAY, WorkItem
from duban.supervision.choices import ActionKind, ActionState
from duban.supervision.models import SupervisionAction

LIMIT = 30


def supervision_work(user, today: dt.date) -> list[WorkItem]:
    roles = user.roles
    mine = Q(target_person=user)
    if roles & {Role.LIAISON, Role.UNIT_HEAD} and user.unit_id:
        mine |= Q(target_unit_id__in=acting_units(user))
    items = []
    answering = SupervisionAction.objects.filter(mine, state=ActionState.OPEN).order_by("reply_due", "id")[:LIMIT]
    for action in answering:
        late = action.reply_due is not None and action.reply_due < today
        label = _("回复督办通知单") if action.kind == ActionKind.NOTICE else _("回复%(kind)s") % {"kind": action.get_kind_display()}
        items.append(WorkItem(label, f"{action.matter_code} {action.matter_title}",
                              reverse("supervision:action_detail", args=[action.pk]), action.reply_due,
                              OVERDUE if late else TODAY, action.number))
    if Role.SUPERVISION in roles:
        proposals = SupervisionAction.objects.filter(
            kind__in=[ActionKind.INTERVIEW, ActionKind.ACCOUNTABILITY], issued_on__gte=today - dt.timedelta(days=7)
        ).order_by("-issued_on", "id")[:LIMIT]
        for action in proposals:
            items.append(WorkItem(action.get_kind_display(), f"{action.matter_code} {action.matter_title}",
                                  reverse("supervision:action_detail", args=[action.pk]), action.issued_on, TODAY,
                                  _("系统按督办梯度提出，请研究处理")))
    return items
