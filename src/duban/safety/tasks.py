"""The safety ledgers' background job: unconfirmed shifts on critical posts become matters (every five minutes,
once across all nodes)."""

from __future__ import annotations

from duban.core.jobs import crontab, periodic
from duban.safety.services import duty


@periodic(crontab(minute="*/5"), name="safety.duty_lapses")
def duty_lapses_job(now):
    """值守巡检：重点值守点的班次到点未确认到岗的，转为值守事项并通知乡镇"""
    return duty.raise_lapses(now).describe()
