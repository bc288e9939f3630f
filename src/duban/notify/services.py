"""Sending notifications, the inbox's own changes, and the units' group robots (SPEC §4).

`send(messages)` is what every other app calls. The inbox copy of each message is written in the
caller's transaction, so a message exists exactly when the change that caused it does, and whatever
happens to its e-mail, SMS or robot copies. The pushes are `Delivery` rows attempted by background
jobs (`notify.tasks`) enqueued after commit, a few jobs per batch, never one per message.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import audit, jobs
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.services import require_role
from duban.notify import bulk, hours
from duban.notify.channels import ROBOT_ENDPOINTS, absolute, webhook_allowed
from duban.notify.choices import Channel, DeliveryState, RobotKind
from duban.notify.models import Delivery, Notification, UnitChannel, mask_webhook

if TYPE_CHECKING:
    from duban.core.models import Unit, User

LISTED = 30  # messages listed in one combined robot post or digest; the rest are counted
NOTE_COLUMNS = ("recipient", "title", "body", "url", "urgent", "kind", "created_at", "read_at")
DELIVERY_COLUMNS = ("channel", "notification", "recipient", "unit_channel", "target", "title", "body", "url", "urgent",
                    "digest_on", "state", "attempts", "next_attempt_at", "last_error", "log", "created_at", "sent_at")
STATE = DELIVERY_COLUMNS.index("state")
TITLE_MAX, URL_MAX, KIND_MAX = 200, 500, 60
# A unit's robots carry the full text of its notices: the supervision office sets them for any unit, a unit
# head for the units he sees (his own and those under it). Not the system admin: 三员 hold no business data,
# and whoever sets the address receives the texts. The delivery log (states and errors, the text only for
# the office) stays with the office and the system admin.
ROBOT_ROLES = (Role.SUPERVISION, Role.UNIT_HEAD)
LOG_ROLES = (Role.SUPERVISION, Role.SYSADMIN)


@dataclass(frozen=True)
class Message:
    """One message to one person, optionally also posted to a unit's group robots."""

    recipient: User  # gets the in-app inbox copy; e-mail / SMS go to their address/phone if set
    title: str
    body: str
    url: str = ""  # link to the matter page
    urgent: bool = False
    kind: str = ""  # e.g. "supervision.urge", "supervision.notice", "ledger.assigned"
    unit: Unit | None = None  # the unit whose group robots (WeCom/DingTalk) also get it


def send(messages: Iterable[Message]) -> int:
    """Write each message to its recipient's inbox and queue its pushes; returns the number of inbox rows.

    Inbox rows and delivery rows are bulk-inserted in the caller's transaction (the sweep may send
    thousands at once). Pushes: an e-mail if e-mail is configured and the recipient has an address; an
    SMS if the gateway is configured and the recipient has a phone (urgent messages only unless
    DUBAN_SMS_URGENT_ONLY is off); a post to each enabled robot of `unit` (identical posts to the same robot
    within one call are sent once, and several going out together are one post listing them). Inactive
    recipients get the inbox copy only. In working hours, and at any hour for urgent messages, the pushes
    are queued at once: the background jobs are enqueued after commit, ENQUEUE_BATCH deliveries to a job;
    otherwise they are held for the next working morning's digest.
    """
    batch = list(messages)
    if not batch:
        return 0
    now = timezone.now()
    in_hours = hours.in_working_hours(now)
    email_on = bool(settings.DUBAN_EMAIL_HOST)
    sms_on = bool(settings.DUBAN_SMS_URL)
    sms_urgent_only = settings.DUBAN_SMS_URGENT_ONLY
    robots: dict[int, list[UnitChannel]] = defaultdict(list)
    unit_ids = {m.unit.pk for m in batch if m.unit is not None}
    if unit_ids:
        for channel in UnitChannel.objects.filter(unit_id__in=unit_ids, enabled=True).select_related("unit").order_by("pk"):
            robots[channel.unit_id].append(channel)

    at, empty_log = now, []
    pending, held = DeliveryState.PENDING.value, DeliveryState.HELD.value

    def row(channel, note_id, recipient_id, robot_id, target, title, body, url, urgent, push_now):
        # In the order of DELIVERY_COLUMNS.
        return (channel, note_id, recipient_id, robot_id, target[:254], title, body, url, urgent, None,
                pending if push_now else held, 0, at if push_now else None, "", empty_log, at, None)

    with transaction.atomic(savepoint=False):
        note_ids = bulk.insert(Notification, NOTE_COLUMNS, [
            (m.recipient.pk, m.title[:TITLE_MAX], m.body, m.url[:URL_MAX], bool(m.urgent), m.kind[:KIND_MAX], at, None)
            for m in batch
        ])
        rows: list[tuple] = []
        posts: dict[tuple[UnitChannel, bool], dict[tuple, None]] = defaultdict(dict)  # ordered sets of posts
        for m, note_id in zip(batch, note_ids, strict=True):
            push_now = in_hours or m.urgent
            title, url = m.title[:TITLE_MAX], m.url[:URL_MAX]
            person = m.recipient
            if person.is_active:
                if email_on and person.email:
                    rows.append(row(Channel.EMAIL.value, note_id, person.pk, None, person.email, title, m.body, url, bool(m.urgent), push_now))
                if sms_on and person.phone and (m.urgent or not sms_urgent_only):
                    rows.append(row(Channel.SMS.value, note_id, person.pk, None, person.phone, title, m.body, url, bool(m.urgent), push_now))
            if m.unit is not None:
                for robot in robots.get(m.unit.pk, ()):
                    posts[robot, push_now][title, m.body, url, bool(m.urgent)] = None
        for (robot, push_now), items in posts.items():
            if push_now and len(items) > 1:
                # Robots take ~20 posts a minute: what goes out together is one post listing the messages.
                title, body, urgent = combined_post(list(items))
                rows.append(row(robot.kind, None, None, robot.pk, str(robot), title, body, "", urgent, True))
            else:  # one post each; held ones are listed one by one in the morning's digest
                rows.extend(row(robot.kind, None, None, robot.pk, str(robot), t, b, u, urgent, push_now) for t, b, u, urgent in items)
        ids = bulk.insert(Delivery, DELIVERY_COLUMNS, rows)
        due = [pk for pk, r in zip(ids, rows, strict=True) if r[STATE] == pending]
        if due:
            queue_deliveries(due)
    return len(note_ids)


def combined_post(items: list[tuple[str, str, str, bool]]) -> tuple[str, str, bool]:
    """(title, body, urgent) of one robot post listing several messages, each title linked to its page."""
    urgent = sum(1 for *_, u in items if u)
    lines = [f"共 {len(items)} 条{f'，其中紧急 {urgent} 条' if urgent else ''}："]
    lines += numbered(items)
    return f"{len(items)} 条督办消息", "\n".join(lines), bool(urgent)


def numbered(items, limit: int = LISTED) -> list[str]:
    """"1. [【紧急】标题](link)" lines for robot posts, at most `limit` of them and a count of the rest."""
    lines = []
    for n, (title, _body, url, urgent) in enumerate(items[:limit], 1):
        text = f"{'【紧急】' if urgent else ''}{title}"
        link = absolute(url)
        lines.append(f"{n}. [{text}]({link})" if link else f"{n}. {text}")
    if len(items) > limit:
        lines.append(f"……另有 {len(items) - limit} 条未列出，请登录系统查看。")
    return lines


def queue_deliveries(ids: list[int]) -> None:
    """Queue the attempts of these deliveries once the current transaction commits."""
    from duban.notify import tasks  # the jobs import the delivery code, which imports this module's models

    # A queue that is down does not fail the caller's committed work (enqueue_on_commit logs it), and the
    # periodic notify.deliver_due job picks up the pending rows whose job was never queued.
    jobs.enqueue_on_commit(tasks.enqueue, ids)


# --- the inbox ---------------------------------------------------------------------------------------


def unread_count(user) -> int:
    """The header's number: one COUNT on the partial index of unread rows."""
    return Notification.objects.visible_to(user).unread().count()


def mark_read(user, notification: Notification) -> bool:
    """Mark one of the user's own messages read (opening it); True if it was unread."""
    if notification.recipient_id != user.pk:
        raise ServiceError(_("这条消息不是发给您的。"))
    if notification.read_at is not None:
        return False
    now = timezone.now()
    changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    if changed:
        notification.read_at = now
    return bool(changed)


def mark_all_read(user) -> int:
    """Mark every unread message of the user read; returns how many."""
    return Notification.objects.visible_to(user).unread().update(read_at=timezone.now())


# --- group robots of the units --------------------------------------------------------------------


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12] if value else ""


def channel_snapshot(channel: UnitChannel) -> dict:
    """What the audit trail keeps of a robot: the webhook's key cut short and fingerprints, never the secrets."""
    return {
        "unit_id": channel.unit_id,
        "unit": channel.unit.name,
        "kind": channel.kind,
        "webhook_url": mask_webhook(channel.webhook_url),
        "webhook_sha256": _fingerprint(channel.webhook_url),
        "secret": "已设置" if channel.secret else "未设置",
        "secret_sha256": _fingerprint(channel.secret),
        "enabled": channel.enabled,
    }


def robot_units(user):
    """The units whose robots `user` may set: every active unit for the office, his own sub-tree for a unit head."""
    from duban.core.models import Unit

    units = Unit.objects.filter(is_active=True)
    if user is None or not user.is_active or not user.has_role(*ROBOT_ROLES):
        return units.none()
    if user.has_role(Role.SUPERVISION):
        return units
    return units.filter(pk__in=Unit.objects.visible_to(user).values("pk"))


def may_set_robot(actor: Actor, unit) -> bool:
    """System jobs may; a person only for the units of `robot_units`."""
    return actor.user is None or robot_units(actor.user).filter(pk=unit.pk).exists()


def _check_webhook(url: str, kind: str) -> str:
    url = (url or "").strip()
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in url):
        raise ServiceError(_("Webhook 地址应以 https:// 或 http:// 开头，请从群机器人的设置页面完整复制。"), field="webhook_url")
    if not webhook_allowed(kind, url):
        host, path = ROBOT_ENDPOINTS[kind]
        gateways = "、".join(settings.DUBAN_ROBOT_GATEWAYS)
        where = (_("，或本县内网网关 %(gateways)s 下的地址") % {"gateways": gateways} if gateways
                 else _("；经内网网关转发的，请系统管理员在 DUBAN_ROBOT_GATEWAYS 中登记网关"))
        raise ServiceError(
            _("%(kind)s的 Webhook 地址应为 https://%(host)s%(path)s?…（从群机器人设置中完整复制）") % {"kind": RobotKind(kind).label, "host": host, "path": path}
            + where + _("。其他地址不能使用：消息全文会发到该地址。"),
            field="webhook_url",
        )
    return url


def _tell_the_office(actor: Actor, channel: UnitChannel, action: str) -> None:
    """A robot set by someone outside the office: every office member hears of it (where the unit's notices now go)."""
    from duban.core.models import User

    if actor.user is None or actor.user.has_role(Role.SUPERVISION):
        return
    office = User.objects.filter(is_active=True, role_grants__role=Role.SUPERVISION).distinct().order_by("pk")
    verb = {"notify.channel.create": "新增了", "notify.channel.update": "修改了"}[action]
    send(Message(
        recipient=person, title=f"{actor.name}{verb}{channel}", url=f"/inbox/channels/{channel.pk}/", kind="notify.channel",
        body=f"地址：{mask_webhook(channel.webhook_url)}；{'启用' if channel.enabled else '停用'}。本单位的督办消息将推送到该群。"
             "如非本单位所设，请在“群机器人”页面停用并核实。",
    ) for person in office)


@transaction.atomic
def save_channel(actor: Actor, channel: UnitChannel | None, *, unit, kind: str, webhook_url: str,
                 secret: str | None = None, enabled: bool = True) -> UnitChannel:
    """Add (channel None) or change a unit's group robot; `secret` None keeps the current one.

    Audited; a change by a unit head is also sent to the supervision office.
    """
    require_role(actor, *ROBOT_ROLES, action=_("配置单位的群机器人"))
    if kind not in RobotKind.values:
        raise ServiceError(_("请选择企业微信群机器人或钉钉群机器人。"), field="kind")
    webhook_url = _check_webhook(webhook_url, kind)
    if not may_set_robot(actor, unit):
        raise ServiceError(_("您只能配置本单位及下级单位的群机器人，不能配置%(unit)s的。") % {"unit": unit.name}, field="unit")
    before = None
    if channel is not None:
        channel = UnitChannel.objects.select_for_update().select_related("unit").get(pk=channel.pk)
        if not may_set_robot(actor, channel.unit):
            raise NotAllowed(f"您只能配置本单位及下级单位的群机器人，不能修改{channel.unit.name}的。")
        before = channel_snapshot(channel)
    else:
        channel = UnitChannel()
    new_secret = channel.secret if secret is None else secret.strip()
    if kind == RobotKind.WECOM and new_secret:
        raise ServiceError(_("企业微信群机器人没有加签密钥，请把“加签密钥”留空（或勾选“清除加签密钥”）。"), field="secret")
    clash = UnitChannel.objects.filter(unit=unit, kind=kind).exclude(pk=channel.pk).first()
    if clash is not None:
        raise ServiceError(_("%(unit)s已配置%(kind)s，请直接修改那一条。") % {"unit": unit.name, "kind": RobotKind(kind).label}, field="kind")
    channel.unit, channel.kind, channel.webhook_url, channel.secret, channel.enabled = unit, kind, webhook_url, new_secret, bool(enabled)
    after = channel_snapshot(channel)
    if before == after:
        return channel
    channel.updated_at, channel.updated_by = timezone.now(), actor.user
    channel.save()
    action = "notify.channel.create" if before is None else "notify.channel.update"
    audit.record(actor, action, channel, before=before, after=after)
    _tell_the_office(actor, channel, action)
    return channel


@transaction.atomic
def send_test(actor: Actor, channel: UnitChannel) -> Delivery:
    """Queue a test post to a unit's robot at once (any hour), so the office sees at once whether it works."""
    require_role(actor, *ROBOT_ROLES, action=_("发送测试消息"))
    channel = UnitChannel.objects.select_related("unit").get(pk=channel.pk)
    if not may_set_robot(actor, channel.unit):
        raise NotAllowed(_("您只能测试本单位及下级单位的群机器人，不能测试%(unit)s的。") % {"unit": channel.unit.name})
    if not webhook_allowed(channel.kind, channel.webhook_url):
        raise ServiceError(_("该群机器人的 Webhook 地址不在允许的范围内（企业微信/钉钉机器人地址或登记的内网网关），请先改正地址再测试。"))
    if not channel.enabled:
        raise ServiceError(_("该群机器人已停用，请先勾选“启用”并保存，再发送测试消息。"))
    now = timezone.now()
    delivery = Delivery.objects.create(
        channel=channel.kind, unit_channel=channel, target=str(channel)[:200],
        title="测试消息", body=f"这是{actor.name}从县重点工作督办系统发出的测试消息。本群能收到，说明{channel.unit.name}的群机器人配置正确。",
        url="", urgent=False, state=DeliveryState.PENDING, next_attempt_at=now, created_at=now,
    )
    audit.record(actor, "notify.channel.test", channel, message=f"发送测试消息（发送记录 {delivery.pk}）")
    queue_deliveries([delivery.pk])
    return delivery
