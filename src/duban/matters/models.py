"""The abstract matter (事项): owner, clock, light and version shared by every kind that duban chases."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.matters.choices import Light, Schedule


class Matter(models.Model):
    """Fields every kind of matter carries; a kind adds its own `state` choices and owner columns."""

    state = models.CharField(_("状态"), max_length=24, db_index=True)
    # Optimistic lock: every write is `UPDATE … WHERE version = read_version` (see matters.machine).
    version = models.PositiveIntegerField(_("版本"), default=1)

    # --- clock -------------------------------------------------------------------------------
    start_date = models.DateField(_("开始日期"), default=timezone.localdate)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    # due_date with "no deadline" as the last day there is: lists sort and page on (due_sort, id) with
    # one index on both databases (NULLs sort first in SQLite and last in PostgreSQL).
    due_sort = models.DateField(default=dt.date.max, editable=False)
    report_cycle = models.CharField(_("报送周期"), max_length=20, blank=True)
    last_report_on = models.DateField(_("最近报送"), null=True, blank=True)
    next_report_due = models.DateField(_("下次报送期限"), null=True, blank=True)
    paused_since = models.DateField(_("挂起日期"), null=True, blank=True)
    pause_reason = models.CharField(_("挂起原因"), max_length=300, blank=True)
    # Each approved extension starts a new deadline cycle; escalation steps fire once per cycle.
    deadline_cycle = models.PositiveIntegerField(_("时限周期"), default=1)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    # --- light (stored for fast lists; recomputed on every state or clock change and by the sweep) --
    progress = models.PositiveSmallIntegerField(_("进度%"), default=0)
    light = models.CharField(_("亮灯"), max_length=8, choices=Light.choices, default=Light.GREEN, db_index=True)
    light_reason = models.CharField(_("亮灯原因"), max_length=120, blank=True)
    schedule = models.CharField(_("序时进度"), max_length=12, choices=Schedule.choices, blank=True)
    under_notice = models.BooleanField(_("督办中"), default=False)
    light_checked_on = models.DateField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.due_sort = self.due_date or dt.date.max
        super().save(*args, **kwargs)

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None
