"""The periodic collection of outcomes: this month's and, in its first days, last month's (late replies and
rulings on the last days land after the month ends)."""

import datetime as dt

from django.utils import timezone

from duban.core.jobs import crontab, periodic
from duban.scoring.collect import collect
from duban.scoring.models import Publication
from duban.scoring.periods import month_of


@periodic(crontab(minute="17"), name="scoring.collect")
def collect_job(now: dt.datetime) -> str:
    today = timezone.localdate(now)
    periods = [month_of(today), month_of(today.replace(day=1) - dt.timedelta(days=1))]
    published = set(Publication.objects.filter(period__in=[p.code for p in periods]).values_list("period", flat=True))
    added = sum(collect(p, today=today) for p in periods if p.code not in published)
    return f"新增考核事件 {added} 条"
