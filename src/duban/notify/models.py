"""The in-app inbox, each unit's group robots, and the log of every push (e-mail, SMS, robot post)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.models import Unit, User
from duban.notify.choices import Channel, DeliveryState, RobotKind

UNREAD = Q(read_at__isnull=True)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's own inbox and nobody else's: no role widens it."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self):
        return self.filter(UNREAD)


class Notification(models.Model):
    """One message in one person's inbox; written whatever happens to its e-mail, SMS or robot copies."""

    # No index of its own: notify_inbox_idx starts with it (one index fewer to maintain on bulk sends).
    recipient = models.ForeignKey(User, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications", db_index=False)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    kind = models.CharField(_("类别"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notify_inbox_idx"),
            # The header's unread count and the unread list read only this (small) partial index.
            models.Index(fields=["recipient", "-created_at", "-id"], condition=UNREAD, name="notify_unread_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def safe_url(self) -> str:
        """The link if it points into this site or to an http(s) address; never a javascript: URL."""
        url = self.url.strip()
        if url.startswith("/") and not url.startswith("//"):
            return url
        if url.lower().startswith(("https://", "http://")):
            return url
        return ""


class UnitChannel(models.Model):
    """A unit's WeCom or DingTalk group robot: where the unit's messages are also posted."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="robot_channels")
    kind = models.CharField(_("类型"), max_length=10, choices=RobotKind.choices)
    webhook_url = models.CharField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Shown to the office beside the robot: who set the address its messages go to last.
    updated_by = models.ForeignKey(User, verbose_name=_("最近修改人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["unit__sort_key", "kind"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="unitchannel_unique")]

    def __str__(self):
        return f"{self.unit.name} · {self.get_kind_display()}"

    @property
    def masked_url(self) -> str:
        """The webhook with its key or token cut short: the full address lets anyone post to the group."""
        return mask_webhook(self.webhook_url)


def mask_webhook(url: str) -> str:
    base, sep, query = url.partition("?")
    if not sep:
        return base if len(base) <= 40 else base[:40] + "…"
    parts = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        parts.append(f"{name}{eq}{value[:4]}…" if eq and len(value) > 4 else pair)
    return f"{base}?{'&'.join(parts)}"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One push of a message (or of a daily digest) over one channel, with every attempt logged.

    Person channels (e-mail, SMS) carry `recipient` and usually `notification`; robot posts carry
    `unit_channel`. The text is copied here so that the log shows what was sent even for digests.
    """

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    recipient = models.ForeignKey(User, verbose_name=_("接收人"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit_channel = models.ForeignKey(UnitChannel, verbose_name=_("群机器人"), null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    target = models.CharField(_("发送对象"), max_length=254)  # an e-mail address may be 254 characters
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    digest_on = models.DateField(_("汇总日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    # One entry per attempt: {"at", "attempt", "ok", "status", "response", "error"}.
    log = models.JSONField(_("发送记录"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-id"]
        indexes = [
            # The worker's "what is due" scan reads only the pending rows.
            models.Index(fields=["next_attempt_at"], condition=Q(state=DeliveryState.PENDING), name="notify_delivery_due_idx"),
            # The morning digest's "what was held overnight" reads only the held rows.
            models.Index(fields=["channel"], condition=Q(state=DeliveryState.HELD), name="notify_delivery_held_idx"),
            models.Index(fields=["state", "-id"], name="notify_delivery_state_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.target}：{self.title}"


class DigestRun(models.Model):
    """The daily digest of one working day; its unique day makes the digest go out once across all nodes."""

    day = models.DateField(_("日期"), unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    people = models.PositiveIntegerField(_("汇总人数"), default=0)
    robots = models.PositiveIntegerField(_("汇总群数"), default=0)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)
