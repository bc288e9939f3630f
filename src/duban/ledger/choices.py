"""States, sources and grades of key-work tasks (SPEC §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("task state", "建账")
    ASSIGNED = "assigned", _("已交办待签收")
    IN_PROGRESS = "in_progress", _("承办中")
    COMPLETION_REQUESTED = "completion_requested", pgettext_lazy("task state", "申请销账")
    CLOSED = "closed", _("已销账")
    SUSPENDED = "suspended", _("已暂停")
    CANCELLED = "cancelled", pgettext_lazy("task state", "已撤销")


OPEN_STATES = frozenset({TaskState.ASSIGNED, TaskState.IN_PROGRESS, TaskState.COMPLETION_REQUESTED})
FINISHED_STATES = frozenset({TaskState.CLOSED, TaskState.CANCELLED})


class TaskSource(models.TextChoices):
    MEETING = "meeting", _("会议部署")
    DOCUMENT = "document", _("文件要求")
    INSTRUCTION = "instruction", _("领导批示")
    APPEAL = "appeal", _("企业诉求转办")
    HAZARD = "hazard", _("安全隐患转办")
    PROJECT = "project", _("重点项目问题")
    OTHER = "other", _("其他")


class QualityGrade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("未同意")


class EventKind(models.TextChoices):
    CREATED = "created", _("建账")
    EDITED = "edited", pgettext_lazy("task event", "修改")
    REGISTERED = "registered", _("立账交办")
    SIGNED = "signed", _("签收")
    PROGRESS = "progress", _("报送进展")
    COMPLETION_REQUESTED = "completion_requested", _("申请销账")
    RETURNED = "returned", _("退回")
    CLOSED = "closed", _("销账")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REJECTED = "extension_rejected", _("不同意延期")
    REASSIGN_REQUESTED = "reassign_requested", _("申请调整承办单位")
    REASSIGN_APPROVED = "reassign_approved", _("调整承办单位")
    REASSIGN_REJECTED = "reassign_rejected", _("不同意调整")
    PAUSED = "paused", _("挂起")
    RESUMED = "resumed", _("恢复计时")
    SUSPENDED = "suspended", _("暂停")
    REOPENED = "reopened", _("恢复办理")
    CANCELLED = "cancelled", pgettext_lazy("task event", "撤销")
    DECOMPOSED = "decomposed", _("分解")
    IMPORTED = "imported", _("导入更新")
