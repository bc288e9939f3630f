"""The project ledger's background job: each month's investment report falls due (every morning, once across all
nodes; a month already open is left as it is)."""

from __future__ import annotations

from django.utils import timezone

from duban.core.jobs import crontab, periodic
from duban.projects import services


@periodic(crontab(minute="10", hour="0"), name="projects.open_reports")
def open_reports_job(now):
    """项目月报：在建项目的本月投资月报进入报送期"""
    opened = services.open_reports(timezone.localdate(now))
    return f"本月投资月报进入报送期 {opened} 个项目。"
