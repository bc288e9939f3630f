"""The daily digest (SPEC §4): on each working day, at the start of working hours, once across all nodes.

- every active person with unread messages and an e-mail address gets one e-mail listing them;
- a person whose SMS was held overnight gets one short SMS saying how many messages wait;
- each robot whose posts were held overnight gets one post listing them.
Held deliveries are then marked merged (已并入每日汇总). The day's `DigestRun` row (unique day) is written
in the same transaction, so a second run — on this node or another — finds it and does nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from duban.core.models import User
from duban.notify import hours
from duban.notify.channels import SYSTEM_NAME, absolute
from duban.notify.choices import ROBOT_CHANNELS, Channel, DeliveryState
from duban.notify.models import Delivery, DigestRun, Notification
from duban.notify.services import LISTED, numbered, queue_deliveries


def send_digests(now: dt.datetime | None = None) -> DigestRun | None:
    """Send today's digests if today is a working day, working hours have begun and nobody sent them yet."""
    now = now or timezone.now()
    if not hours.in_working_hours(now):
        return None
    today = timezone.localdate(now)
    if DigestRun.objects.filter(day=today).exists():
        return None
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(day=today, started_at=now)
            deliveries = _person_digests(today, now) + _robot_digests(today, now)
            Delivery.objects.bulk_create(deliveries, batch_size=1000)
            Delivery.objects.filter(state=DeliveryState.HELD).update(state=DeliveryState.MERGED, next_attempt_at=None)
            run.people = len({d.recipient_id for d in deliveries if d.recipient_id})
            run.robots = sum(1 for d in deliveries if d.unit_channel_id)
            run.save(update_fields=["people", "robots"])
            if deliveries:
                queue_deliveries([d.pk for d in deliveries])
    except IntegrityError:  # another node wrote today's run first
        return None
    return run


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _person_digests(today: dt.date, now: dt.datetime) -> list[Delivery]:
    email_on = bool(settings.DUBAN_EMAIL_HOST)
    sms_on = bool(settings.DUBAN_SMS_URL)
    sms_people = set()
    if sms_on:
        sms_people = set(Delivery.objects.filter(state=DeliveryState.HELD, channel=Channel.SMS).values_list("recipient_id", flat=True))
    who = Q(recipient__email__gt="") if email_on else Q(pk__in=[])
    if sms_people:
        who |= Q(recipient_id__in=sorted(sms_people))
    unread = Notification.objects.unread().filter(who, recipient__is_active=True)
    counts = {row["recipient_id"]: (row["n"], row["urgent"]) for row in unread.values("recipient_id").annotate(n=Count("id"), urgent=Count("id", filter=Q(urgent=True))).order_by()}
    if not counts:
        return []
    listed: dict[int, list] = defaultdict(list)
    rows = (Notification.objects.unread().filter(recipient_id__in=sorted(counts))
            .order_by("recipient_id", "-urgent", "-created_at", "-id").values_list("recipient_id", "pk", "title", "urgent", "created_at"))
    for recipient_id, pk, title, urgent, created_at in rows.iterator(chunk_size=2000):
        if len(listed[recipient_id]) < LISTED:
            listed[recipient_id].append((pk, title, urgent, created_at))
    people = User.objects.filter(pk__in=sorted(counts)).only("pk", "email", "phone", "full_name", "username")
    inbox = reverse("notify:inbox")
    result = []
    for person in people:
        total, urgent = counts[person.pk]
        common = {"recipient": person, "digest_on": today, "state": DeliveryState.PENDING, "next_attempt_at": now,
                  "created_at": now, "url": f"{inbox}?unread=1", "urgent": False}
        if email_on and person.email:
            result.append(Delivery(channel=Channel.EMAIL, target=person.email, title=f"每日消息汇总：您有 {total} 条未读消息",
                                   body=_email_body(person, total, urgent, listed[person.pk]), **common))
        if person.pk in sms_people and person.phone:
            result.append(Delivery(channel=Channel.SMS, target=person.phone,
                                   title=f"【督办】您有 {total} 条未读消息{f'（紧急 {urgent} 条）' if urgent else ''}，请登录{SYSTEM_NAME}查看。",
                                   body="", **common))
    return result


def _email_body(person, total: int, urgent: int, items: list) -> str:
    lines = [f"{person.full_name or person.username}，您好！",
             f"您在{SYSTEM_NAME}中有 {total} 条未读消息{f'，其中紧急 {urgent} 条' if urgent else ''}："]
    for n, (pk, title, is_urgent, created_at) in enumerate(items, 1):
        link = absolute(reverse("notify:detail", args=[pk]))
        lines.append(f"{n}. {'【紧急】' if is_urgent else ''}{title}（{_when(created_at)}）" + (f"\n   {link}" if link else ""))
    if total > len(items):
        lines.append(f"……另有 {total - len(items)} 条未列出。")
    return "\n".join(lines)


def _robot_digests(today: dt.date, now: dt.datetime) -> list[Delivery]:
    held = (Delivery.objects.filter(state=DeliveryState.HELD, channel__in=sorted(ROBOT_CHANNELS), unit_channel__enabled=True)
            .select_related("unit_channel__unit").order_by("unit_channel_id", "-urgent", "pk"))
    by_robot: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in held:
        by_robot[delivery.unit_channel_id].append(delivery)
    result = []
    for posts in by_robot.values():
        robot = posts[0].unit_channel
        lines = [f"以下 {len(posts)} 条消息在非工作时间产生，现汇总推送："]
        lines += numbered([(p.title, p.body, p.url, p.urgent) for p in posts], LISTED)
        result.append(Delivery(channel=robot.kind, unit_channel=robot, target=str(robot)[:200], digest_on=today,
                               title=f"督办消息汇总（{today.month}月{today.day}日）", body="\n".join(lines), url="",
                               state=DeliveryState.PENDING, next_attempt_at=now, created_at=now))
    return result

