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
    IMPORTED = "imported", _("按台账导入")


# The sectors a county starts with (SPEC §7); the safety office may add its own (Sector rows).
DEFAULT_SECTORS = (
    ("gas", "燃气"), ("construction", "建筑施工"), ("transport", "交通运输"), ("food_drug", "食品药品"),
    ("industry_trade", "工矿商贸"), ("three_in_one", "三合一场所"), ("forest_fire", "森林防火"),
    ("illegal_mining", "非法采矿"), ("other", "其他"),
)

# A new hazard at the same place in the same sector within this many days of one struck off is a recurrence.
RECURRENCE_DAYS = 180


# --- duty rosters 值班值守 (SPEC §7) -------------------------------------------------------------------

class PostKind(models.TextChoices):
    LOOKOUT = "lookout", _("瞭望哨")
    CHECKPOINT = "checkpoint", _("检查站")
    GRID = "grid", _("网格")
    OTHER = "other", _("其他")


class ShiftState(models.TextChoices):
    SCHEDULED = "scheduled", _("待交接班")
    CONFIRMED = "confirmed", _("已确认到岗")
    CANCELLED = "cancelled", _("已取消")


class LapseState(models.TextChoices):
    OPEN = "open", _("未确认到岗")
    CONFIRMED_LATE = "confirmed_late", _("已补确认")
    CLOSED = "closed", _("已说明关闭")


LAPSE_OPEN_STATES = frozenset({LapseState.OPEN})
LAPSE_FINISHED_STATES = frozenset({LapseState.CONFIRMED_LATE, LapseState.CLOSED})


class LapseEvent(models.TextChoices):
    RAISED = "raised", _("值守未确认到岗")
    CONFIRMED_LATE = "confirmed_late", _("补确认到岗")
    CLOSED = "closed", _("说明情况关闭")


# A shift may be confirmed from this long before it starts (交接班 happens before the hour, not after it).
CONFIRM_EARLY_MINUTES = 60
# The longest roster scheduled in one go: a fire season (防火期) is about half a year.
ROSTER_MAX_DAYS = 184
