"""The words of evaluation (SPEC §8): the outcomes a rule may score, contests, the red and black lists.

`Outcome` is the closed list of what a rule can be about. It holds results only (late, answered, satisfied,
recurred) — never activity (logins, clicks, time online, number of reports), which the central rules against
指尖上的形式主义 forbid scoring; a rule's outcome column refuses any other code (choices, a check constraint,
the form), and a test asserts it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    OVERDUE_TASK = "overdue_task", _("任务逾期")
    LATE_SIGN = "late_sign", _("超时签收")
    NOTICE_RECEIVED = "notice_received", _("收到督办通知单")
    UNANSWERED_NOTICE = "unanswered_notice", _("督办通知单逾期未回复")
    INTERVIEW = "interview", _("约谈建议")
    ACCOUNTABILITY = "accountability", _("问责建议")
    RETURNED_VERIFICATION = "returned_verification", _("验收退回")
    EARLY_COMPLETION = "early_completion", _("提前完成")
    QUALITY_EXCELLENT = "quality_excellent", _("销账评定优秀")
    QUALITY_GOOD = "quality_good", _("销账评定良好")
    UNSATISFIED_APPEAL = "unsatisfied_appeal", _("诉求回访不满意")
    SEND_BACK = "send_back", _("诉求退单")
    REPEAT_APPEAL = "repeat_appeal", _("重复诉求")
    LATE_PROCEDURE = "late_procedure", _("项目手续逾期")
    HAZARD_RECURRENCE = "hazard_recurrence", _("隐患复发")
    PRAISE = "praise", _("领导表扬")


class ContestState(models.TextChoices):
    PENDING = "pending", _("待裁定")
    UPHELD = "upheld", _("维持")
    REMOVED = "removed", _("撤销该分")


class ListColour(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")


class ListBasis(models.TextChoices):
    TOP = "top", _("排名前N名")
    BOTTOM = "bottom", _("排名后N名")
    OUTCOME = "outcome", _("本期有该项结果的单位")
