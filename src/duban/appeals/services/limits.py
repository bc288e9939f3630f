"""The time limits (办理时限) the business office sets per category and urgency (SPEC §5: editable). A new limit
holds for the steps that start after it; an appeal already at a step keeps the due date it was given."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.appeals import policies
from duban.appeals.choices import Category, Urgency
from duban.appeals.models import TimeLimit
from duban.core import audit
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError

MIN_DAYS, MAX_DAYS = 1, 60


def _office(actor: Actor) -> None:
    if actor.user is None or not policies.is_desk(actor.user):
        raise NotAllowed(_("只有县营商办可以设置办理时限。"))


def _row_words(category: str, urgency: str) -> str:
    return f"{Category(category).label if category else '全部类别'}·{Urgency(urgency).label}"


@transaction.atomic
def set_time_limit(actor: Actor, category: str, urgency: str, **days) -> TimeLimit:
    """设置办理时限: the six limits (working days, 1 to 60) of a category (blank: every category) and urgency."""
    _office(actor)
    if category and category not in Category.values:
        raise ServiceError(_("请选择诉求类别。"), field="category")
    if urgency not in Urgency.values:
        raise ServiceError(_("紧急程度无效。"), field="urgency")
    unknown = set(days) - set(TimeLimit.FIELDS)
    if unknown:
        raise ServiceError(_("没有这项时限：%(names)s。") % {"names": "、".join(sorted(unknown))})
    values = {}
    for name in TimeLimit.FIELDS:
        value = days.get(name)
        label = str(TimeLimit._meta.get_field(name).verbose_name)
        if value is None or isinstance(value, bool) or not isinstance(value, int) or not MIN_DAYS <= value <= MAX_DAYS:
            raise ServiceError(_("%(label)s须为 %(min)s 到 %(max)s 个工作日。") % {"label": label, "min": MIN_DAYS, "max": MAX_DAYS}, field=name)
        values[name] = value
    row = TimeLimit.objects.select_for_update().filter(category=category, urgency=urgency).first()
    before = audit.snapshot(row, TimeLimit.FIELDS) if row is not None else None
    if before == values:
        return row
    row = row or TimeLimit(category=category, urgency=urgency)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = timezone.now()
    row.save()
    audit.record(actor, "appeal.limit.set", row, before=before, after=audit.snapshot(row, TimeLimit.FIELDS),
                 message=f"设置办理时限（{_row_words(category, urgency)}）")
    return row


@transaction.atomic
def clear_time_limit(actor: Actor, category: str, urgency: str) -> None:
    """取消某类别的单独时限: the category goes back to the limits of every category."""
    _office(actor)
    if not category:
        raise ServiceError(_("全部类别的时限不能取消，只能修改。"), field="category")
    row = TimeLimit.objects.select_for_update().filter(category=category, urgency=urgency).first()
    if row is None:
        raise ServiceError(_("%(row)s没有单独设置的时限。") % {"row": _row_words(category, urgency)})
    before = audit.snapshot(row, TimeLimit.FIELDS)
    audit.record(actor, "appeal.limit.clear", row, before=before, after=None, message=f"取消单独时限（{_row_words(category, urgency)}）")
    row.delete()
