"""The words of the safety ledger (SPEC §7): hazard states, levels, timeline events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HazardState(models.TextChoices):
    FOUND = "found", _("已发现待整改")
    RECTIFYING = "rectifying", _("整改中")
    AWAITING = "awaiting", _("待验收")
    CLOSED = "closed", _("已销号")


OPEN_STATES = frozenset({HazardState.FOUND, HazardState.RECTIFYING, HazardState.AWAITING})
FINISHED_STATES = frozenset({HazardState.CLOSED})


class HazardLevel(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class EventKind(models.TextChoices):
    REPORTED = "reported", _("发现上报")
    ASSIGNED = "assigned", _("交办整改")
    RECTIFIED_ON_SPOT = "on_the_spot", _("当场整改")
    VERIFICATION_REQUESTED = "verification_requested", _("申请验收")
    CLOSED = "closed", _("验收销号")
    RETURNED = "returned", _("验收退回")
    EDITED = "edited", _("修改")
    PROMOTED = "promoted", _("转为重点工作任务")


# The sectors a county starts with (SPEC §7); the safety office may add its own (Sector rows).
DEFAULT_SECTORS = (
    ("gas", "燃气"), ("construction", "建筑施工"), ("transport", "交通运输"), ("food_drug", "食品药品"),
    ("industry_trade", "工矿商贸"), ("three_in_one", "三合一场所"), ("forest_fire", "森林防火"),
    ("illegal_mining", "非法采矿"), ("other", "其他"),
)

# A new hazard at the same place in the same sector within this many days of one struck off is a recurrence.
RECURRENCE_DAYS = 180
