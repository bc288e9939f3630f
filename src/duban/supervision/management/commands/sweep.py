"""`duban sweep [--now ISO]`: run the supervision sweep once, by hand (the worker runs it every few minutes)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from duban.supervision.sweep import sweep


class Command(BaseCommand):
    help = "督办巡检：重算亮灯，按督办梯度发出到期的提醒、催办、督办通知单和建议（同一时刻重复运行不会重复发出）。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按这一时刻巡检（ISO 格式，如 2026-12-03T09:00；不带时区按北京时间），默认当前时间")

    def handle(self, *args, **opts):
        now = None
        if opts["now"]:
            try:
                now = dt.datetime.fromisoformat(opts["now"])
            except ValueError:
                raise CommandError(f"--now “{opts['now']}”不是 ISO 时间，请写成 2026-12-03 或 2026-12-03T09:00。") from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = sweep(now)
        self.stdout.write(result.describe())
