"""Evaluation (考核, SPEC §8): versioned rules, the outcomes they score, contests, published snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.scoring.choices import ContestState, ListBasis, ListColour, Outcome


class RuleSet(models.Model):
    """A version of the scoring rules (考核细则第N版), in force for events on or after `valid_from`."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    valid_from = models.DateField(_("起用日期"), unique=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # Set when a published period used it: its rules are then kept as they were (a new version replaces them).
    locked = models.BooleanField(_("已用于公布"), default=False)

    class Meta:
        verbose_name = _("考核细则版本")
        ordering = ["valid_from"]

    def __str__(self):
        return f"第{self.number}版（{self.valid_from:%Y-%m-%d}起）"


class Rule(models.Model):
    """Points for one outcome under one version: negative a deduction, positive an addition, capped per period."""

    ruleset = models.ForeignKey(RuleSet, verbose_name=_("版本"), on_delete=models.CASCADE, related_name="rules")
    outcome = models.CharField(_("考核结果"), max_length=32, choices=Outcome.choices)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    # The most this rule adds or takes away in one period (month or year), as a positive number; null: no cap.
    cap = models.DecimalField(_("每期上限"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("考核规则")
        ordering = ["ruleset", "outcome"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "outcome"], name="scoring_rule_once_per_version"),
            # Outcomes only, never activity: a row naming anything else is refused by the database too.
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="scoring_rule_outcome_only"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.points:+}"


class ScoreEvent(models.Model):
    """One occurrence of an outcome for a unit, collected from the matters' event stream, the supervision actions,
    the kinds' own rows or a leader's praise; `ref` names its source once (collecting again adds nothing)."""

    ref = models.CharField(max_length=120, unique=True)
    unit = models.ForeignKey("core.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("考核结果"), max_length=32, choices=Outcome.choices)
    occurred_on = models.DateField(_("发生日期"))
    source_kind = models.CharField(_("来源"), max_length=40)  # a matter kind ("ledger.task"), or "scoring.praise"
    source_id = models.PositiveBigIntegerField(_("来源编号"))  # the matter's id (the praise's)
    source_code = models.CharField(_("事项编号"), max_length=40, blank=True)
    text = models.CharField(_("说明"), max_length=400)
    matter_event = models.ForeignKey("matters.MatterEvent", verbose_name=_("办理记录"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    action = models.ForeignKey("supervision.SupervisionAction", verbose_name=_("督办记录"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    collected_at = models.DateTimeField(_("汇总时间"), default=timezone.now)

    class Meta:
        verbose_name = _("考核事件")
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["occurred_on", "unit"], name="scoreevent_day_unit_idx")]

    def __str__(self):
        return f"{self.get_outcome_display()} {self.source_code}"


class Praise(models.Model):
    """领导表扬: a principal leader's praise of a unit, an outcome like any other."""

    unit = models.ForeignKey("core.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("表扬事由"), max_length=300)
    given_on = models.DateField(_("表扬日期"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("表扬领导"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("领导表扬")
        ordering = ["-given_on", "-id"]


class Contest(models.Model):
    """A unit's objection to one point (申诉), with the supervision office's ruling (裁定)."""

    score_event = models.OneToOneField(ScoreEvent, verbose_name=_("考核事件"), on_delete=models.PROTECT, related_name="contest")
    reason = models.TextField(_("申诉理由"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("申诉时间"), default=timezone.now)
    state = models.CharField(_("状态"), max_length=12, choices=ContestState.choices, default=ContestState.PENDING)
    ruling = models.TextField(_("裁定意见"), blank=True)
    ruled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("裁定人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    ruled_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核申诉")
        ordering = ["raised_at", "id"]


class Publication(models.Model):
    """A published period (月度 "2026-11" or 年度 "2026"): its scores are frozen in ScoreSnapshot rows."""

    period = models.CharField(_("考核期"), max_length=7, unique=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("公布人"), on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("公布时间"), default=timezone.now)
    base = models.DecimalField(_("基础分"), max_digits=7, decimal_places=2)
    lists = models.JSONField(_("红黑榜"), default=dict)  # {category: {"red": [unit ids], "black": [unit ids]}}

    class Meta:
        verbose_name = _("考核公布")
        ordering = ["-period"]


class ScoreSnapshot(models.Model):
    """One unit's frozen score in a published period, with every point and its trace as they were."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("core.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField(_("单位"), max_length=100)
    category = models.CharField(_("考核分类"), max_length=20)
    score = models.DecimalField(_("得分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("排名"))
    points = models.JSONField(_("得分明细"), default=list)

    class Meta:
        verbose_name = _("考核得分")
        ordering = ["publication", "category", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["publication", "unit"], name="scoring_snapshot_once")]


class ListRule(models.Model):
    """How the office draws the red and black lists (红黑榜) of a period from its ranking and outcomes."""

    colour = models.CharField(_("榜单"), max_length=8, choices=ListColour.choices)
    basis = models.CharField(_("依据"), max_length=12, choices=ListBasis.choices)
    count = models.PositiveSmallIntegerField(_("名次数"), default=3)
    outcome = models.CharField(_("考核结果"), max_length=32, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("红黑榜规则")
        ordering = ["colour", "id"]
