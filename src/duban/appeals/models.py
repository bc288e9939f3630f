"""The appeals desk (企业诉求直通车, SPEC §5): each appeal a matter on the kernel from submission to closing, its
replies and ratings round by round, and the time limits the business office sets per category and urgency."""

from __future__ import annotations

import operator
import re
from functools import reduce

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.appeals.choices import DEFAULT_LIMITS, AppealState, Category, Channel, Outcome, RatedVia, Rating, Urgency
from duban.core.choices import Role
from duban.core.models import Unit, User
from duban.core.scope import ScopedQuerySet, unit_scope
from duban.matters.models import Matter, MatterQuerySet

# Who sees every appeal: the business office keeps the desk (principal leaders and the supervision office see
# everything anyway, core.scope.EVERYTHING_ROLES).
DESK_ROLES = frozenset({Role.BUSINESS})


def enterprise_key_of(credit_code: str, name: str) -> str:
    """Who the enterprise is, as repeats and duplicates compare it: its credit code, else its name without
    spaces and punctuation (a phone appeal may come without the code)."""
    if credit_code:
        return credit_code.upper()
    return "名:" + re.sub(r"[\s,，.。、()（）\-—]+", "", name or "")[:190]


class FirstAnswer(models.TextChoices):
    """What first followed an appeal's first dispatch (响应率)."""

    ON_TIME = "on_time", _("按时签收")
    LATE = "late", _("超时签收或退单")


# The rates index (appeals.metrics.compute): counted or not (excluded = 0, an equality), then the columns the rates
# group by (category, lead unit, first dispatch's unit, repeat's unit, then what the counts tell apart), so that the
# GROUP BY walks the index in its order without sorting, then the rest the counts read: from the index alone, not
# the wide rows.
RATE_GROUPS = ("category", "lead_unit", "first_unit", "repeat_unit", "state", "outcome", "rating", "replied", "late_reply",
               "first_answer", "sendback_count")
RATE_COLUMNS = ("excluded", *RATE_GROUPS, "accepted_on", "due_date", "first_sign_limit", "handling_days")


class AppealQuerySet(MatterQuerySet, ScopedQuerySet):
    def visible_to(self, user):
        """The business office, principal leaders and the supervision office see every appeal; a unit the
        appeals dispatched to it (lead or cooperating, its sub-tree with it); a leader those of the units in
        their charge and those sent up to them. Admins and anonymous users see none (the enterprise follows its
        own appeal by number and code, not through this)."""
        sides = self._scope_sides(user)
        if sides is None:
            return self.all()
        if not sides:
            return self.none()
        # The rows: an OR of the sides, which a page walks in its order (the due or the created index) and
        # stops after 50 — where a UNION of the sides' ids would be read whole and sorted.
        return self.filter(reduce(operator.or_, sides))

    def visible_parts(self, user) -> list[Q] | None:
        """visible_to's appeals as disjoint parts, each an index range (None: every appeal): led by a unit in
        scope; else cooperated by one; else sent up to the user. What a count of the list adds up part by part
        (matters.counts.light_counts_in_parts): the OR of visible_to, counted whole, reads every appeal (a
        busy unit's list at 200k appeals: 140 ms of its 168; docs/adr/021-appeal-scope-counts.md)."""
        sides = self._scope_sides(user)
        if not sides:
            return sides
        if len(sides) == 1:
            return sides
        leader, lead, cooperating = sides
        # The leader's appeals as an id set: its index has almost only NULLs, and as a plain condition SQLite
        # would rather scan the light index (for the GROUP BY) than trust it.
        leader = Q(pk__in=Appeal.objects.order_by().filter(leader_in_charge_id=user.pk).values("pk"))
        return [lead, cooperating & ~lead, leader & ~lead & ~cooperating]

    def _scope_sides(self, user) -> list[Q] | None:
        """The one rule: (sent up to the user, led by a unit in scope, cooperated by one), or None for everything."""
        scope = unit_scope(user, everything_for=DESK_ROLES)
        if scope.everything:
            return None
        if user is None or not user.is_authenticated:
            return []
        sides = [Q(leader_in_charge_id=user.pk)]
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            sides += [Q(lead_unit_id__in=ids), Q(pk__in=AppealUnit.objects.filter(unit_id__in=ids).values("appeal_id"))]
        return sides

    def counted(self):
        """The appeals the rates count: accepted (not declined, not merged into another) and not ruled out."""
        return self.exclude(state__in=(AppealState.SUBMITTED, AppealState.DECLINED, AppealState.MERGED)).filter(excluded=False)


class Appeal(Matter):
    """One enterprise appeal. The Matter's lead unit is the 承办单位 (kept after a send-back: the unit that sent it
    back answers for it), `holder_unit` the unit in whose court it is now — the business office to accept,
    dispatch and call back, the handling unit to sign for and reply — which the ladder chases; the due date is
    the limit of the step it is at, each step its own deadline cycle."""

    state = models.CharField(_("状态"), max_length=24, choices=AppealState.choices, default=AppealState.SUBMITTED)
    code = models.CharField(_("受理编号"), max_length=24, unique=True)
    secret_hash = models.CharField(max_length=100, editable=False)  # the query code's salted hash; the code is shown once
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    category = models.CharField(_("诉求类别"), max_length=16, choices=Category.choices)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    enterprise_name = models.CharField(_("企业名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    enterprise_key = models.CharField(max_length=200, editable=False, db_index=True)
    contact_name = models.CharField(_("联系人"), max_length=40)
    phone = models.CharField(_("联系电话"), max_length=20)
    # The enterprise asked that the handling unit not know who it is: only the business office sees it.
    identity_hidden = models.BooleanField(_("对承办单位隐藏企业身份"), default=False)
    title = models.CharField(_("诉求摘要"), max_length=120)
    description = models.TextField(_("诉求内容"))
    hotline_ref = models.CharField(_("热线工单号"), max_length=40, blank=True)
    entered_by = models.ForeignKey(User, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    holder_unit = models.ForeignKey(Unit, verbose_name=_("当前办理单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cooperating_units = models.ManyToManyField(Unit, verbose_name=_("配合单位"), through="AppealUnit", related_name="cooperating_appeals", blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    decline_reason = models.TextField(_("不予受理理由"), blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    sendback_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    is_complex = models.BooleanField(_("复杂诉求（已批准延期）"), default=False)
    extension_requested = models.BooleanField(_("已申请延期"), default=False)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=16, choices=Outcome.choices, blank=True)
    rating = models.CharField(_("满意度"), max_length=16, choices=Rating.choices, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    escalated = models.BooleanField(_("已提交分管县领导"), default=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by_unit = models.ForeignKey(Unit, verbose_name=_("办结单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # 不纳入考核: outside the county's powers, or plainly unreasonable — listed, not counted in the rates.
    excluded = models.BooleanField(_("不纳入考核"), default=False)
    excluded_reason = models.TextField(_("不纳入考核理由"), blank=True)
    # A repeat (重复诉求): the closed appeal of the same enterprise and category this one came within 90 days of;
    # it counts against the unit that closed it.
    repeat_of = models.ForeignKey("self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats")
    repeat_unit = models.ForeignKey(Unit, verbose_name=_("重复诉求计入单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    merged_into = models.ForeignKey("self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    promoted_task = models.ForeignKey("ledger.Task", verbose_name=_("转为重点工作任务"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    # The rates' facts (appeals.metrics), written by the services in the step that changes them (and filled from
    # the timeline by migration 0006), so that the rates are counts over the rows, not a walk of every timeline.
    # 首次派单: its unit and its sign limit (the TimeLimit in force then); what first followed it — signed within the
    # limit (on_time), signed late or sent back (late), or nothing yet ("").
    first_unit = models.ForeignKey(Unit, verbose_name=_("首次派单单位"), null=True, blank=True, editable=False,
                                   on_delete=models.PROTECT, related_name="+")
    first_sign_limit = models.DateField(_("首次派单签收时限"), null=True, blank=True, editable=False)
    first_answer = models.CharField(_("首次派单签收情况"), max_length=8, choices=FirstAnswer.choices, blank=True, editable=False)
    # 答复: answered at least once; any round answered after its limit; the last round's day; the working days from
    # 受理日期 to it (平均办理时长).
    replied = models.BooleanField(_("已答复"), default=False, editable=False)
    late_reply = models.BooleanField(_("有超时答复"), default=False, editable=False)
    last_reply_on = models.DateField(_("最后答复日期"), null=True, blank=True, editable=False)
    handling_days = models.IntegerField(_("办理时长（工作日）"), null=True, blank=True, editable=False)

    objects = AppealQuerySet.as_manager()

    DERIVED = {**Matter.DERIVED, "enterprise_key": (("credit_code", "enterprise_name"), enterprise_key_of)}

    class Meta:
        verbose_name = _("企业诉求")
        ordering = ["due_sort", "id"]
        indexes = [
            models.Index(fields=["state", "due_sort", "id"], name="appeal_state_due_idx"),
            # The list's default order over several states (在办: five of them): walked in order, it stops after a
            # page, where (state, due_sort, id) would be read for every open appeal and sorted. Finished appeals
            # have no limit (due_sort the last date there is), so the open ones come first.
            models.Index(fields=["due_sort", "id"], name="appeal_due_idx"),
            models.Index(fields=["lead_unit", "state", "due_sort", "id"], name="appeal_unit_state_due_idx"),
            models.Index(fields=["holder_unit", "state", "due_sort", "id"], name="appeal_holder_state_due_idx"),
            models.Index(fields=["light", "state"], name="appeal_light_state_idx"),
            # A unit's counts by light (AppealQuerySet.visible_parts: the part it leads), with or without a
            # state filter, from the index alone.
            models.Index(fields=["lead_unit", "light", "state"], name="appeal_unit_light_idx"),
            models.Index(fields=["enterprise_key", "category", "closed_on"], name="appeal_repeat_idx"),
            models.Index(fields=["created_at", "id"], name="appeal_created_idx"),
            models.Index(fields=list(RATE_COLUMNS), name="appeal_rates_idx"),  # the rates: RATE_COLUMNS
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state not in (AppealState.CLOSED, AppealState.DECLINED, AppealState.MERGED)


class AppealUnit(models.Model):
    """A cooperating unit (配合单位) of an appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "unit"], name="appeal_unit_unique")]
        indexes = [models.Index(fields=["unit", "appeal"], name="appealunit_unit_idx")]


class AppealReplyQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(appeal__in=Appeal.objects.visible_to(user))


class AppealReply(models.Model):
    """One round's answer (答复) and its rating: a re-opened appeal gets a second round."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    unit = models.ForeignKey(Unit, verbose_name=_("答复单位"), null=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(User, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    public_text = models.TextField(_("答复企业内容"))
    internal_note = models.TextField(_("内部说明"), blank=True)
    outcome = models.CharField(_("办理结果"), max_length=16, choices=Outcome.choices)
    legal_basis = models.TextField(_("无法解决的法律政策依据"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), default=timezone.now)
    replied_on = models.DateField(_("答复日期"), default=timezone.localdate)
    due_date = models.DateField(_("答复时限"), null=True)
    on_time = models.BooleanField(_("按时答复"), default=True)
    rating = models.CharField(_("满意度"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_via = models.CharField(_("评价方式"), max_length=12, choices=RatedVia.choices, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    objects = AppealReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求答复")
        ordering = ["appeal", "round"]
        constraints = [models.UniqueConstraint(fields=["appeal", "round"], name="appeal_reply_round_unique")]


class TimeLimit(models.Model):
    """The working days each step may take, per category (blank: every category) and urgency, edited by the
    business office; SPEC §5's defaults when no row says otherwise."""

    category = models.CharField(_("诉求类别"), max_length=16, choices=Category.choices, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices)
    accept_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"))
    dispatch_days = models.PositiveSmallIntegerField(_("派单时限（工作日）"))
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"))
    reply_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"))
    complex_days = models.PositiveSmallIntegerField(_("复杂诉求答复时限（工作日）"))
    callback_days = models.PositiveSmallIntegerField(_("回访时限（工作日）"))
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    FIELDS = ("accept_days", "dispatch_days", "sign_days", "reply_days", "complex_days", "callback_days")

    class Meta:
        verbose_name = _("办理时限")
        ordering = ["category", "urgency"]
        constraints = [models.UniqueConstraint(fields=["category", "urgency"], name="appeal_limit_unique")]

    @classmethod
    def for_appeal(cls, category: str, urgency: str) -> dict[str, int]:
        """The limits in force for a category and urgency: its own row, else the row for every category, else SPEC §5."""
        rows = {r.category: r for r in cls.objects.filter(category__in=(category, ""), urgency=urgency)}
        row = rows.get(category) or rows.get("")
        if row is None:
            return dict(DEFAULT_LIMITS.get(urgency, DEFAULT_LIMITS[Urgency.NORMAL]))
        return {f: getattr(row, f) for f in cls.FIELDS}
