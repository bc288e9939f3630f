"""Channels, robot kinds and delivery states of notifications (SPEC §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class RobotKind(models.TextChoices):
    """The group robots a unit may configure; the values are also `Channel` values."""

    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    HELD = "held", _("非工作时间暂缓")
    MERGED = "merged", _("已并入每日汇总")


# Channels that go to one person; the robots go to a unit's group chat.
PERSON_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS})
ROBOT_CHANNELS = frozenset({Channel.WECOM, Channel.DINGTALK})
