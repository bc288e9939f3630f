"""Attempting pushes: claim a due delivery, make one attempt, log it, and decide sent / retry / failed.

Every function here is a pure function of the rows and `now`, re-runnable and safe on several workers:
a delivery is claimed with a conditional UPDATE (state pending, due, attempts as read) before the
attempt, so two workers never send it twice; the claim pushes `next_attempt_at` a lease ahead, so a
worker that dies mid-attempt leaves the row to be retried once the lease runs out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core import mail
from django.utils import timezone

from duban.notify import channels
from duban.notify.choices import Channel, DeliveryState
from duban.notify.models import Delivery

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)  # longer than any one attempt (timeouts are seconds)
LOG_KEEP = 20  # attempts kept in a delivery's log
DUE_BATCH = 1000


def max_attempts() -> int:
    return 1 + len(settings.DUBAN_NOTIFY_RETRY_DELAYS)


def deliver(ids, now: dt.datetime | None = None) -> dict[int, list[int]]:
    """Attempt each due delivery among `ids` once; returns {seconds to wait: ids} of those to retry."""
    now = now or timezone.now()
    rows = list(Delivery.objects.filter(pk__in=list(ids)).due(now).select_related("unit_channel__unit").order_by("pk"))
    retry: dict[int, list[int]] = defaultdict(list)
    connection = None
    try:
        for delivery in rows:
            if not _claim(delivery):
                continue
            if delivery.channel == Channel.EMAIL and connection is None:
                connection = _mail_connection()
            outcome = _attempt(delivery, connection)
            delay = _finish(delivery, outcome)
            if delay is not None:
                retry[delay].append(delivery.pk)
    finally:
        if connection is not None:
            connection.close()
    return dict(retry)


def deliver_due(now: dt.datetime | None = None, limit: int = DUE_BATCH) -> dict[int, list[int]]:
    """Attempt what is due and not in hand: retries whose time has come, rows whose job was lost."""
    now = now or timezone.now()
    ids = list(Delivery.objects.due(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return deliver(ids, now) if ids else {}


def _mail_connection():
    connection = mail.get_connection(fail_silently=False)
    try:
        connection.open()  # one SMTP session for the batch; if it fails, each message reports why
    except Exception as exc:  # the mail server down: logged on each message's attempt below
        log.warning("cannot open the mail connection: %s", exc)
    return connection


def _claim(delivery: Delivery) -> bool:
    """Take the delivery for one attempt; False if another worker took it or it is no longer due."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, attempts=delivery.attempts, next_attempt_at__lte=now,
    ).update(attempts=delivery.attempts + 1, next_attempt_at=now + LEASE)
    if claimed:
        delivery.attempts += 1
    return bool(claimed)


def _attempt(delivery: Delivery, connection) -> channels.Outcome:
    try:
        if delivery.channel == Channel.EMAIL:
            return channels.send_email(delivery, connection)
        if delivery.channel == Channel.SMS:
            return channels.send_sms(delivery)
        if delivery.channel == Channel.WECOM:
            return channels.send_wecom(delivery)
        if delivery.channel == Channel.DINGTALK:
            return channels.send_dingtalk(delivery)
        return channels.Outcome(False, error=f"未知的渠道 {delivery.channel}", retry=False)
    except Exception as exc:  # a bug or an odd answer must not stop the batch; it is logged on the row
        log.exception("delivery %s failed unexpectedly", delivery.pk)
        return channels.Outcome(False, error=f"系统内部错误：{exc}"[:200])


def _finish(delivery: Delivery, outcome: channels.Outcome) -> int | None:
    """Record the attempt; returns the seconds until the retry, or None when the delivery is done."""
    now = timezone.now()
    entry = outcome.as_log(timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"), delivery.attempts)
    values = {"log": (list(delivery.log) + [entry])[-LOG_KEEP:]}
    delays = settings.DUBAN_NOTIFY_RETRY_DELAYS
    delay = None
    if outcome.ok:
        values.update(state=DeliveryState.SENT, sent_at=now, next_attempt_at=None, last_error="")
    elif outcome.retry and delivery.attempts <= len(delays):
        delay = delays[delivery.attempts - 1]
        values.update(next_attempt_at=now + dt.timedelta(seconds=delay), last_error=outcome.error[:300])
    else:
        values.update(state=DeliveryState.FAILED, next_attempt_at=None, last_error=outcome.error[:300])
    Delivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(**values)
    for key, value in values.items():
        setattr(delivery, key, value)
    return delay
