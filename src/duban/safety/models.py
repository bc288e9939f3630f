"""The safety ledgers (SPEC §7): the hazard ledger (隐患排查整改台账), each hazard a matter on the kernel from found
to struck off; inspections against checklists (排查); and the duty rosters (值班值守): posts, their shifts, and the
lapse an unconfirmed shift on a critical post becomes."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.choices import Role
from duban.core.models import Unit, User
from duban.core.scope import ScopedQuerySet, unit_scope
from duban.matters.models import Matter, MatterQuerySet
from duban.safety.choices import HazardLevel, HazardState, LapseState, PostKind, ShiftState


class Sector(models.Model):
    """行业领域: the county's list, kept by the safety office (the defaults of SPEC §7 are loaded by migration)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("行业领域"), max_length=30, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    # Its default rows are written by a migration: an empty, migrated database holds them, and a restore
    # replaces them with the archive's (duban.core.backup).
    seeded_by_migration = True

    class Meta:
        verbose_name = _("行业领域")
        ordering = ["sort", "id"]

    @classmethod
    def ensure_defaults(cls, model=None) -> None:
        """The default sectors (safety.choices.DEFAULT_SECTORS), added where missing: by the migration (with
        its historical model) and by the demo, which may run on a database whose tables were emptied."""
        from duban.safety.choices import DEFAULT_SECTORS

        model = model or cls
        for sort, (code, name) in enumerate(DEFAULT_SECTORS, start=1):
            model.objects.get_or_create(code=code, defaults={"name": name, "sort": sort * 10})

    def __str__(self):
        return self.name


def normalize_place(place: str) -> str:
    """The place as recurrence compares it: without spaces and punctuation, so "城关镇 南街12号" and
    "城关镇南街12号。" are one place."""
    return re.sub(r"[\s,，.。、;；:：()（）\-—]+", "", place or "")[:200]


class HazardQuerySet(MatterQuerySet, ScopedQuerySet):
    def visible_to(self, user):
        """The safety office and principal leaders see every hazard; a unit the hazards it must rectify and
        those in its township (属地); a leader those of the units in their charge; whoever reported a hazard
        sees it. The supervision office sees them as it sees all matters it may chase. Admins see none."""
        scope = unit_scope(user, everything_for=frozenset({Role.SAFETY}))
        if scope.everything:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(found_by_id=user.pk)
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            condition |= Q(lead_unit_id__in=ids) | Q(township_id__in=ids)
        return self.filter(condition)


class Hazard(Matter):
    """One hazard. The Matter's lead unit is the 整改责任单位, its responsible person the 整改责任人, its due
    date the 整改时限; `township` is the 属地 that sees it and, for a general hazard, may verify it."""

    state = models.CharField(_("状态"), max_length=24, choices=HazardState.choices, default=HazardState.FOUND)
    code = models.CharField(_("隐患编号"), max_length=24, unique=True)
    sector = models.ForeignKey(Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="hazards")
    level = models.CharField(_("隐患等级"), max_length=10, choices=HazardLevel.choices, default=HazardLevel.GENERAL)
    place = models.CharField(_("隐患部位"), max_length=200)
    place_key = models.CharField(max_length=200, editable=False, db_index=True)
    place_unit = models.CharField(_("所在单位"), max_length=100, blank=True)  # the enterprise or site where it is
    township = models.ForeignKey(Unit, verbose_name=_("属地乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    title = models.CharField(_("隐患内容"), max_length=300)
    detail = models.TextField(_("补充说明"), blank=True)
    found_by = models.ForeignKey(User, verbose_name=_("排查人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    found_by_name = models.CharField(_("排查人"), max_length=60, blank=True)
    found_on = models.DateField(_("排查时间"), default=timezone.localdate)
    measures = models.TextField(_("整改措施"), blank=True)
    funds = models.DecimalField(_("整改资金（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    # 重大隐患 "五落实": the rectification plan a major hazard needs before it is put on the clock.
    plan_goal = models.TextField(_("整改目标"), blank=True)
    plan_person = models.CharField(_("整改负责人"), max_length=60, blank=True)
    plan_contingency = models.TextField(_("应急预案"), blank=True)
    rectified_on_spot = models.BooleanField(_("当场整改"), default=False)
    result = models.TextField(_("整改完成情况"), blank=True)
    verified_by = models.ForeignKey(User, verbose_name=_("验收人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    verified_by_name = models.CharField(_("验收人"), max_length=60, blank=True)  # as a sheet names them (no account)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    # 转为重点工作任务: the key-work task made from it (a draft the supervision office registers).
    promoted_task = models.ForeignKey("ledger.Task", verbose_name=_("转为重点工作任务"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    # 回头看: the struck-off hazard at the same place and sector this one came back after (SPEC §7).
    recurrence_of = models.ForeignKey("self", verbose_name=_("复发于"), null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="recurrences")
    closed_by_unit = models.ForeignKey(Unit, verbose_name=_("销号时责任单位"), null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    objects = HazardQuerySet.as_manager()

    DERIVED = {**Matter.DERIVED, "place_key": (("place",), normalize_place)}

    class Meta:
        verbose_name = _("安全隐患")
        ordering = ["due_sort", "id"]
        indexes = [
            # The ledger's default order (the office sees every hazard, unfiltered): its first page without a sort.
            models.Index(fields=["due_sort", "id"], name="hazard_due_idx"),
            models.Index(fields=["state", "due_sort", "id"], name="hazard_state_due_idx"),
            models.Index(fields=["lead_unit", "state", "due_sort", "id"], name="hazard_unit_state_due_idx"),
            models.Index(fields=["township", "state", "due_sort", "id"], name="hazard_town_state_due_idx"),
            models.Index(fields=["light", "state"], name="hazard_light_state_idx"),
            # 整改率 and 按期整改率 by sector and township (safety.selectors.rates, the dashboard): every column the
            # counts test, so they read this index and not the hazards' rows.
            models.Index(fields=["sector", "township", "state", "completed_on", "due_date", "rectified_on_spot"], name="hazard_rates_idx"),
            models.Index(fields=["sector", "place_key", "closed_on"], name="hazard_recurrence_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    def missing_plan(self) -> list[str]:
        """The parts of a major hazard's plan still empty (目标、措施、资金、负责人、时限、预案)."""
        parts = {"plan_goal": _("整改目标"), "measures": _("整改措施"), "funds": _("整改资金"), "plan_person": _("整改负责人"),
                 "due_date": _("整改时限"), "plan_contingency": _("应急预案")}
        return [str(label) for field, label in parts.items() if getattr(self, field) in (None, "")]


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")


class HazardPhotoQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(hazard__in=Hazard.objects.visible_to(user))


class HazardPhoto(models.Model):
    """A photo of a hazard before or after rectification; the file is a core Attachment owned by the hazard,
    so a download goes through the hazard's own scope check."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("阶段"), max_length=8, choices=PhotoStage.choices)
    attachment = models.OneToOneField("core.Attachment", on_delete=models.CASCADE, related_name="+")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = HazardPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患照片")
        ordering = ["stage", "id"]


# --- 排查: inspections against the safety office's checklists ----------------------------------------------


class ChecklistItem(models.Model):
    """One line of a sector's checklist (排查检查表), kept by the safety office. Retired lines stay for the
    inspections that used them."""

    sector = models.ForeignKey(Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="checklist")
    text = models.CharField(_("检查内容"), max_length=200)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查项")
        ordering = ["sector", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["sector", "text"], name="checklist_item_unique_text")]

    def __str__(self):
        return self.text


class Outcome(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NA = "na", _("不涉及")


class InspectionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """As hazards: the safety office and principal leaders all; a township those in its territory; the
        inspector their own. Admins none."""
        scope = unit_scope(user, everything_for=frozenset({Role.SAFETY}))
        if scope.everything:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(inspector_id=user.pk)
        if scope.unit_ids:
            condition |= Q(township_id__in=sorted(scope.unit_ids))
        return self.filter(condition)


class Inspection(models.Model):
    """排查: a place inspected by a person on a date against its sector's checklist."""

    sector = models.ForeignKey(Sector, verbose_name=_("行业领域"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("检查部位"), max_length=200)
    place_key = models.CharField(max_length=200, db_index=True, editable=False)
    place_unit = models.CharField(_("被检查单位"), max_length=100, blank=True)
    township = models.ForeignKey(Unit, verbose_name=_("属地乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField(_("检查日期"))
    inspector = models.ForeignKey(User, verbose_name=_("检查人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inspector_name = models.CharField(_("检查人"), max_length=60, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患排查")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["township", "inspected_on"], name="inspection_town_day_idx")]

    def __str__(self):
        return f"{self.inspected_on} {self.place}"


class InspectionResult(models.Model):
    """One checklist line of an inspection; a failed one made into a hazard links to it."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    item_text = models.CharField(_("检查内容"), max_length=200)  # as it read on the day
    outcome = models.CharField(_("检查结果"), max_length=4, choices=Outcome.choices)
    note = models.CharField(_("问题描述"), max_length=500, blank=True)
    hazard = models.OneToOneField(Hazard, verbose_name=_("隐患"), null=True, blank=True, on_delete=models.SET_NULL, related_name="inspection_result")

    class Meta:
        verbose_name = _("检查结果")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspection_result_once")]


# --- duty rosters 值班值守 -------------------------------------------------------------------------------


def _duty_scope(user):
    return unit_scope(user, everything_for=frozenset({Role.SAFETY}))


class DutyPostQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The safety office and principal leaders see every post; a township its own (its head and liaisons, the
        leader in charge of it); a person the posts they are on duty at."""
        scope = _duty_scope(user)
        if scope.everything:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(pk__in=Shift.objects.filter(Q(person_id=user.pk) | Q(second_person_id=user.pk)).values("post_id"))
        if scope.unit_ids:
            condition |= Q(township_id__in=sorted(scope.unit_ids))
        return self.filter(condition)


class DutyPost(models.Model):
    """A post kept staffed in fire season or on a grid (瞭望哨、检查站、网格): the township keeps its roster; a critical
    post's unconfirmed shift becomes a matter (DutyLapse)."""

    name = models.CharField(_("值守点"), max_length=60)
    township = models.ForeignKey(Unit, verbose_name=_("乡镇"), on_delete=models.PROTECT, related_name="duty_posts")
    kind = models.CharField(_("类型"), max_length=12, choices=PostKind.choices, default=PostKind.LOOKOUT)
    critical = models.BooleanField(_("重点值守点"), default=False,
                                   help_text=_("重点值守点的班次到点未确认到岗，系统立即提醒乡镇。"))
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = DutyPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("值守点")
        ordering = ["township__sort_order", "township_id", "-critical", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="dutypost_township_name_uniq")]

    def __str__(self):
        return f"{self.township.name}{self.name}"


class ShiftQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The safety office and principal leaders see every shift; a township the shifts of its posts; a person
        their own."""
        scope = _duty_scope(user)
        if scope.everything:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(person_id=user.pk) | Q(second_person_id=user.pk)
        if scope.unit_ids:
            condition |= Q(post__township_id__in=sorted(scope.unit_ids))
        return self.filter(condition)


class Shift(models.Model):
    """One shift at a post: who is on duty on which day from when to when; 交接班 is the one tap of the person on
    duty (no location, no photo). An end at or before the start ends on the next day (a night shift; 00:00–00:00
    is the whole day)."""

    post = models.ForeignKey(DutyPost, verbose_name=_("值守点"), on_delete=models.PROTECT, related_name="shifts")
    person = models.ForeignKey(User, verbose_name=_("值班人员"), on_delete=models.PROTECT, related_name="duty_shifts")
    second_person = models.ForeignKey(User, verbose_name=_("第二值班人员"), null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="second_duty_shifts")
    date = models.DateField(_("值班日期"))
    start_time = models.TimeField(_("开始时间"), default=dt.time(8, 0))
    end_time = models.TimeField(_("结束时间"), default=dt.time(18, 0))
    state = models.CharField(_("状态"), max_length=12, choices=ShiftState.choices, default=ShiftState.SCHEDULED)
    confirmed_by = models.ForeignKey(User, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.CharField(_("交接班记录"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("排班人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班班次")
        ordering = ["date", "start_time", "post_id", "id"]
        indexes = [models.Index(fields=["date", "state"], name="shift_date_state_idx"),
                   models.Index(fields=["post", "date"], name="shift_post_date_idx")]
        constraints = [models.UniqueConstraint(fields=["post", "date", "start_time"], condition=~Q(state="cancelled"),
                                               name="shift_post_date_start_uniq")]

    def __str__(self):
        return f"{self.post} {self.date:%m-%d} {self.start_time:%H:%M}"

    @property
    def starts(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.start_time))

    @property
    def ends(self) -> dt.datetime:
        end = timezone.make_aware(dt.datetime.combine(self.date, self.end_time))
        return end if self.end_time > self.start_time else end + dt.timedelta(days=1)

    @property
    def hours(self) -> str:
        """08:00–18:00, 20:00–次日08:00, 全天."""
        if self.start_time == self.end_time == dt.time(0, 0):
            return str(_("全天"))
        nextday = str(_("次日")) if self.end_time <= self.start_time else ""
        return f"{self.start_time:%H:%M}–{nextday}{self.end_time:%H:%M}"

    def is_on_duty(self, user) -> bool:
        return user is not None and user.pk is not None and user.pk in (self.person_id, self.second_person_id)

    @property
    def people(self) -> str:
        names = [self.person.full_name or self.person.username]
        if self.second_person_id:
            names.append(self.second_person.full_name or self.second_person.username)
        return "、".join(names)


class DutyLapseQuerySet(MatterQuerySet, ScopedQuerySet):
    def visible_to(self, user):
        """As the shifts: the safety office and principal leaders all; the township its own (it answers for
        them); the people of the shift theirs (they confirm late)."""
        scope = _duty_scope(user)
        if scope.everything:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(shift__person_id=user.pk) | Q(shift__second_person_id=user.pk)
        if scope.unit_ids:
            condition |= Q(lead_unit_id__in=sorted(scope.unit_ids))
        return self.filter(condition)


class DutyLapse(Matter):
    """值守未确认到岗: a shift on a critical post not confirmed by its start and the grace after it, chased as a
    matter of the township (lead unit) due that day. Closed by the late confirmation (补确认) or by the township
    with what happened."""

    state = models.CharField(_("状态"), max_length=24, choices=LapseState.choices, default=LapseState.OPEN)
    code = models.CharField(_("事项编号"), max_length=24, unique=True)
    shift = models.OneToOneField(Shift, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="lapse")
    post = models.ForeignKey(DutyPost, verbose_name=_("值守点"), on_delete=models.PROTECT, related_name="lapses")
    title = models.CharField(_("事项"), max_length=200)
    reason = models.CharField(_("关闭说明"), max_length=300, blank=True)
    closed_by = models.ForeignKey(User, verbose_name=_("关闭人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    objects = DutyLapseQuerySet.as_manager()

    class Meta:
        verbose_name = _("值守未确认事项")
        ordering = ["-due_sort", "-id"]
        indexes = [models.Index(fields=["lead_unit", "state"], name="dutylapse_unit_state_idx"),
                   models.Index(fields=["state", "due_sort", "id"], name="dutylapse_state_due_idx")]

    def __str__(self):
        return f"{self.code} {self.title}"
