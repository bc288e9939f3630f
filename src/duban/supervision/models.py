"""The escalation ladder (督办梯度) per kind of matter, and the supervision actions (督办记录) it and the office issue."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.models import Unit
from duban.supervision.choices import ActionKind, ActionState, StepTarget


class Ladder(models.Model):
    """The steps for one kind of matter (`registry.MatterKind.key`); `major` is the stricter ladder of major matters."""

    kind = models.CharField(_("事项类型"), max_length=40)
    major = models.BooleanField(_("重大事项"), default=False)
    name = models.CharField(_("名称"), max_length=60)
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        verbose_name = _("督办梯度")
        constraints = [models.UniqueConstraint(fields=["kind", "major"], name="ladder_kind_major_uniq")]

    def __str__(self):
        return self.name


class LadderStep(models.Model):
    """One rung: fires `offset` working days from the due date (negative: before it), addressed to `target`."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("督办方式"), max_length=20, choices=ActionKind.choices)
    offset = models.SmallIntegerField(_("距完成时限（工作日）"))
    reply_days = models.PositiveSmallIntegerField(_("回复期限（工作日）"), default=0)
    target = models.CharField(_("对象"), max_length=12, choices=StepTarget.choices, default=StepTarget.UNIT)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("督办梯度步骤")
        ordering = ["offset", "id"]
        constraints = [models.UniqueConstraint(fields=["ladder", "kind"], name="ladder_step_kind_uniq")]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.offset:+d}）"


class SupervisionActionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one scope rule: the office and principal leaders see all; others the actions on their units'
        matters or addressed to them (a leader: the units in their charge)."""
        from duban.core.scope import unit_scope

        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        scope = unit_scope(user)
        if scope.everything:
            return self
        return self.filter(Q(target_unit_id__in=scope.unit_ids) | Q(target_person=user))


class SupervisionAction(models.Model):
    """督办记录: one reminder, urge, notice or proposal on one matter, by the sweep (`automatic`) or by hand."""

    kind = models.CharField(_("督办方式"), max_length=20, choices=ActionKind.choices)
    state = models.CharField(_("状态"), max_length=12, choices=ActionState.choices, default=ActionState.DONE)
    # The matter: any registered kind (registry.MatterKind), by content type and id, with its number and
    # title as they were (for lists that need no join into each kind's table).
    matter_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    matter_id = models.PositiveBigIntegerField()
    matter_code = models.CharField(_("事项编号"), max_length=40)
    matter_title = models.CharField(_("事项"), max_length=300)
    deadline_cycle = models.PositiveIntegerField(_("时限周期"), default=1)
    # The ladder's slot ("notice", "notice-2" for the second notice on an unanswered one); empty by hand.
    slot = models.CharField(max_length=24, blank=True)
    automatic = models.BooleanField(_("系统自动"), default=False)
    number = models.CharField(_("文号"), max_length=40, blank=True)
    target_unit = models.ForeignKey(Unit, verbose_name=_("督办对象单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督办对象"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("督办内容"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发出人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField(_("督办日期"))
    issued_at = models.DateTimeField(_("发出时间"), default=timezone.now)
    due_date = models.DateField(_("事项完成时限"), null=True, blank=True)
    reply_due = models.DateField(_("回复期限"), null=True, blank=True)
    reply = models.TextField(_("回复内容"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回复人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    chases = models.ForeignKey("self", verbose_name=_("追督的通知"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="chased_by")

    objects = SupervisionActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办记录")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["matter_type", "matter_id", "deadline_cycle"], name="action_matter_idx"),
            models.Index(fields=["target_unit", "-issued_at"], name="action_unit_idx"),
            models.Index(fields=["state", "reply_due"], name="action_open_idx"),
            # The office's home page: the 约谈/问责 the ladder proposed this week (kind IN … AND issued_on >= …),
            # which read the whole table without it (issue 14, docs/benchmarks.md).
            models.Index(fields=["kind", "issued_on"], name="action_kind_issued_idx"),
            # The 督办记录 list, newest first (-issued_on, -id), paged by keyset: read backwards from this index;
            # without it both databases sorted every action in scope for each page (52k: 44 ms, issue 14).
            models.Index(fields=["issued_on", "id"], name="action_issued_idx"),
            # The home page's 回复督办 (state = open, addressed to the user or to the units they act for): most
            # actions are addressed to a unit, so the statistics of target_person's own index say `= ?` matches
            # nearly every row (its NULLs count as one value) and SQLite walked every open action instead.
            models.Index(fields=["target_person", "state", "reply_due"], condition=Q(target_person__isnull=False),
                         name="action_person_open_idx"),
            models.Index(fields=["target_unit", "state", "reply_due"], name="action_unit_open_idx"),
        ]
        constraints = [
            # The sweep fires each slot of the ladder once per matter per deadline cycle, whoever runs it.
            models.UniqueConstraint(fields=["matter_type", "matter_id", "deadline_cycle", "slot"],
                                    condition=Q(automatic=True), name="action_once_per_cycle"),
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="action_number_uniq"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.matter_code}"

    @property
    def overdue_reply(self) -> bool:
        return self.state == ActionState.OPEN and self.reply_due is not None and self.reply_due < timezone.localdate()


class NoticeNumber(models.Model):
    """The last notice number of each year (县督字〔2026〕12号), taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class SweepMark(models.Model):
    """Per kind of matter: the last day on which the sweep relit every open matter (once a day is enough;
    in between, only the matters marked for it — `light_checked_on` NULL — are relit)."""

    kind = models.CharField(max_length=40, primary_key=True)
    lights_on = models.DateField()
