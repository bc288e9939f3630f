"""The home page's "my work" for supervision: notices to answer (the addressed unit or leader), replies the
office has to read, proposals waiting on a leader. One source (a count and a page) per kind of item."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from duban.core.choices import Role
from duban.core.scope import acting_units
from duban.core.work import OVERDUE, TODAY, Source, WorkItem, from_queryset
from duban.supervision.choices import ActionKind, ActionState
from duban.supervision.models import SupervisionAction


def supervision_work(user, today: dt.date) -> list[Source]:
    roles = user.roles
    mine = Q(target_person=user)
    if roles & {Role.LIAISON, Role.UNIT_HEAD} and user.unit_id:
        mine |= Q(target_unit_id__in=acting_units(user))
    answering = SupervisionAction.objects.filter(mine, state=ActionState.OPEN).order_by("reply_due", "id")

    def answer(action):
        late = action.reply_due is not None and action.reply_due < today
        label = _("回复督办通知单") if action.kind == ActionKind.NOTICE else _("回复%(kind)s") % {"kind": action.get_kind_display()}
        return WorkItem(label, f"{action.matter_code} {action.matter_title}", reverse("supervision:action_detail", args=[action.pk]),
                        action.reply_due, OVERDUE if late else TODAY, action.number)

    sources = [from_queryset("supervision.answer", _("回复督办"), answering, answer)]
    if Role.SUPERVISION in roles:
        proposals = SupervisionAction.objects.filter(
            kind__in=[ActionKind.INTERVIEW, ActionKind.ACCOUNTABILITY], issued_on__gte=today - dt.timedelta(days=7)
        ).order_by("-issued_on", "id")

        def propose(action):
            return WorkItem(action.get_kind_display(), f"{action.matter_code} {action.matter_title}",
                            reverse("supervision:action_detail", args=[action.pk]), action.issued_on, TODAY,
                            _("系统按督办梯度提出，请研究处理"))

        sources.append(from_queryset("supervision.proposals", _("约谈问责建议"), proposals, propose))
    return sources
