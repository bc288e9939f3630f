"""The words of the appeals desk (SPEC §5): states, categories, channels, outcomes, ratings, timeline events."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppealState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("待派单")  # accepted, or sent back by a unit: the business office dispatches it
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("待回访")
    CLOSED = "closed", _("已办结")
    DECLINED = "declined", _("不予受理")
    MERGED = "merged", _("已合并")


# The steps whose limit the clock runs on (each its own deadline cycle: the ladder starts again at each step).
CHASED_STATES = (AppealState.SUBMITTED, AppealState.ACCEPTED, AppealState.DISPATCHED, AppealState.HANDLING, AppealState.REPLIED)
OPEN_STATES = frozenset(CHASED_STATES)
FINISHED_STATES = frozenset({AppealState.CLOSED, AppealState.DECLINED, AppealState.MERGED})
# In the business office's court (accept, dispatch, call back) or in the handling unit's (sign for, reply).
OFFICE_STATES = frozenset({AppealState.SUBMITTED, AppealState.ACCEPTED, AppealState.REPLIED})
UNIT_STATES = frozenset({AppealState.DISPATCHED, AppealState.HANDLING})


class Category(models.TextChoices):
    LAND = "land", _("用地")
    APPROVAL = "approval", _("审批")
    FINANCING = "financing", _("融资")
    UTILITIES = "utilities", _("水电气")
    POLICY = "policy", _("政策兑现")
    ENFORCEMENT = "enforcement", _("执法")
    ARREARS = "arrears", _("欠款")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    WEB = "web", _("网上提交")
    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    HOTLINE = "hotline", _("12345热线")
    LEADER_VISIT = "leader_visit", _("领导走访")
    PROJECT = "project", _("项目问题清单")  # raised on a key project (projects.services.raise_problem)


STAFF_CHANNELS = (Channel.PHONE, Channel.VISIT, Channel.HOTLINE, Channel.LEADER_VISIT)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("已解决")
    PARTLY = "partly", _("部分解决")
    UNRESOLVABLE = "unresolvable", _("无法解决")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


SATISFIED_RATINGS = frozenset({Rating.SATISFIED, Rating.BASIC})


class RatedVia(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业自评")
    CALLBACK = "callback", _("电话回访")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("appeal event", "提交诉求")
    ACCEPTED = "accepted", _("受理")
    DECLINED = "declined", _("不予受理")
    MERGED = "merged", _("合并")
    DISPATCHED = "dispatched", _("派单")
    SIGNED = "signed", _("签收")
    SENT_BACK = "sent_back", _("退单")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_DECIDED = "extension_decided", _("审批延期")
    REPLIED = "replied", _("答复")
    RATED = "rated", _("回访评价")
    REOPENED = "reopened", _("重办")
    ESCALATED = "escalated", _("提交分管县领导")
    CLOSED = "closed", _("办结")
    EXCLUDED = "excluded", _("不纳入考核")
    INCLUDED = "included", _("恢复纳入考核")
    PROMOTED = "promoted", _("转为重点工作任务")
    EDITED = "edited", _("修改")


REPEAT_DAYS = 90  # a new appeal within 90 days of a closed one (same enterprise, same category) is a repeat
SECOND_FAILURE = 2  # the second unsatisfied rating sends the appeal to the leader in charge

# SPEC §5's default limits in working days: (accept, dispatch, sign, reply, complex reply, call back).
DEFAULT_LIMITS = {
    Urgency.NORMAL: {"accept_days": 1, "dispatch_days": 1, "sign_days": 1, "reply_days": 5, "complex_days": 15, "callback_days": 3},
    Urgency.URGENT: {"accept_days": 1, "dispatch_days": 1, "sign_days": 1, "reply_days": 2, "complex_days": 15, "callback_days": 3},
}
