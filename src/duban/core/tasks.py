"""The kernel's periodic housekeeping: expired sign-in sessions, old job-run records and expired throttle counts."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session

from duban.core import throttle
from duban.core.jobs import crontab, periodic
from duban.core.models import JobRun

JOB_RUNS_KEPT_DAYS = 90


@periodic(crontab(minute=10, hour=3), name="core.clear_sessions")
def clear_sessions(now):
    """清理过期的登录会话"""
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return f"删除 {deleted} 个过期会话"


@periodic(crontab(minute=20, hour=3), name="core.prune_job_runs")
def prune_job_runs(now):
    """删除 90 天前的后台任务运行记录"""
    deleted, _ = JobRun.objects.filter(started_at__lt=now - dt.timedelta(days=JOB_RUNS_KEPT_DAYS)).delete()
    return f"删除 {deleted} 条运行记录"


@periodic(crontab(minute=35), name="core.prune_throttles")
def prune_throttles(now):
    """删除已过期的限流计数"""
    return f"删除 {throttle.prune(now)} 条限流计数"
