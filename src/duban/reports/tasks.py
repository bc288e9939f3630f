"""The dashboard's precomputation: a minute after each sweep slot, the figures the sweep's writes made stale."""

from duban.core.jobs import crontab, periodic
from duban.reports.kept import precompute


@periodic(crontab(minute="1-59/5"), name="reports.precompute")
def precompute_job(now) -> str:
    """驾驶舱预计算：数据有变化时，重算全县和各分管县领导的驾驶舱与大屏数字"""
    return f"重算 {precompute()} 份驾驶舱数字"
