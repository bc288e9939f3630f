"""Background jobs of notifications: attempting pushes (with retries) and the daily digest.

`enqueue(ids)` queues the attempt of many deliveries as a few jobs (ENQUEUE_BATCH ids each). A job
attempts its deliveries once each and queues the failed ones again after DUBAN_NOTIFY_RETRY_DELAYS
(60 s, 5 min, 30 min by default); after the last retry a delivery is failed and shows so on the
delivery log. The periodic `notify.deliver_due` catches what no job holds any more (a queue flushed,
a worker killed mid-attempt), `notify.digest` sends the working morning's digest, and `notify.audit_head`
keeps the audit chain's head each night and sends it to the audit admins.
"""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from duban.core.jobs import crontab, periodic
from duban.notify import audit_head, delivery, digest

ENQUEUE_BATCH = 500


def enqueue(ids, delay: int = 0) -> int:
    """Queue attempts of the deliveries `ids`, ENQUEUE_BATCH to a job, after `delay` seconds; returns the job count."""
    ids = list(ids)
    jobs = 0
    for start in range(0, len(ids), ENQUEUE_BATCH):
        chunk = ids[start:start + ENQUEUE_BATCH]
        if delay > 0:
            deliver_job.schedule((chunk,), delay=delay)
        else:
            deliver_job(chunk)
        jobs += 1
    return jobs


def _requeue(retries: dict[int, list[int]]) -> int:
    for delay, ids in sorted(retries.items()):
        enqueue(ids, delay)
    return sum(len(ids) for ids in retries.values())


@db_task()
def deliver_job(ids):
    """Attempt these deliveries once each; queue the failed ones again after their retry delay."""
    _requeue(delivery.deliver(ids))


@periodic(crontab(minute="*/5"), name="notify.deliver_due")
def deliver_due_job(now):
    """补发到期未发的消息（重试、意外中断的发送）"""
    retried = _requeue(delivery.deliver_due(now))
    return f"{retried} 条待重试" if retried else None


@periodic(crontab(minute="*/5"), name="notify.digest")
def digest_job(now):
    """每个工作日上班时发送每日消息汇总"""
    run = digest.send_digests(now)
    return f"汇总 {run.people} 人、{run.robots} 个群" if run else None


@periodic(crontab(minute=5, hour=0), name="notify.audit_head")
def audit_head_job(now):
    """每天零点校验审计链，保存链头并发给审计管理员"""
    return audit_head.send_audit_head(now)
