"""Kinds of supervision action (督办梯度的各级) and who a ladder step is addressed to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    REMIND = "remind", _("提醒")
    URGE = "urge", _("催办")
    NOTICE = "notice", _("督办通知单")
    INTERVIEW = "interview", _("约谈建议")
    ACCOUNTABILITY = "accountability", _("问责建议")


# Severity order of the ladder (a stricter step comes later).
KIND_ORDER = {k: i for i, k in enumerate(ActionKind.values)}


class StepTarget(models.TextChoices):
    UNIT = "unit", _("承办单位")
    LEADER = "leader", _("分管县领导")
    PRINCIPAL = "principal", _("主要领导")


class ActionState(models.TextChoices):
    OPEN = "open", _("待回复")
    REPLIED = "replied", _("已回复")
    DONE = "done", _("已记录")  # a step that needs no reply (提醒、催办、建议)
    CANCELLED = "cancelled", _("已撤回")
