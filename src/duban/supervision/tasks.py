"""The supervision engine's background job: the sweep every five minutes (once across all nodes)."""

from __future__ import annotations

from duban.core.jobs import crontab, periodic
from duban.supervision.sweep import sweep


@periodic(crontab(minute="*/5"), name="supervision.sweep")
def sweep_job(now):
    """督办巡检：重算亮灯，按督办梯度发出到期的督办"""
    return sweep(now).describe()
