"""The key-work ledger: campaigns with fronts, tasks with the five clarities, their reports and requests."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duban.core.choices import Role
from duban.core.models import Unit, User
from duban.core.scope import ScopedQuerySet, unit_scope
from duban.ledger import search
from duban.ledger.choices import QualityGrade, RequestState, TaskSource, TaskState
from duban.matters.models import Matter, MatterQuerySet


class Campaign(models.Model):
    """A campaign such as 2026年执行力亮剑行动, holding the year's fronts and tasks."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("进行中"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-year", "id"]

    def __str__(self):
        return self.name


class Front(models.Model):
    """A battle line (战线) of a campaign with its lead leaders, lead unit and member units."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("专项行动"), on_delete=models.CASCADE, related_name="fronts")
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=100)
    lead_leaders = models.ManyToManyField(User, verbose_name=_("牵头县领导"), blank=True, related_name="led_fronts")
    lead_unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="led_fronts")
    member_units = models.ManyToManyField(Unit, verbose_name=_("成员单位"), blank=True, related_name="member_fronts")
    description = models.TextField(_("工作目标"), blank=True)

    class Meta:
        verbose_name = _("战线")
        verbose_name_plural = _("战线")
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="front_number_unique")]

    def __str__(self):
        return self.name


class TaskQuerySet(MatterQuerySet, ScopedQuerySet):
    def visible_to(self, user):
        """Tasks in the user's scope: lead or cooperating unit in scope, or a leader's own charge or front.

        Drafts (建账) are the supervision office's work in progress: only roles that see everything see them.
        """
        scope = unit_scope(user)
        if scope.everything:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(pk__in=[])
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            condition |= Q(lead_unit_id__in=ids)
            condition |= Q(pk__in=Task.cooperating_units.through.objects.filter(unit_id__in=ids).values("task_id"))
        if Role.LEADER in user.roles:
            condition |= Q(leader_in_charge_id=user.pk) | Q(assigning_leader_id=user.pk)
            condition |= Q(front_id__in=Front.lead_leaders.through.objects.filter(user_id=user.pk).values("front_id"))
        return self.filter(condition).exclude(state=TaskState.DRAFT)

    def open(self):
        from duban.ledger.choices import OPEN_STATES

        return self.filter(state__in=OPEN_STATES)


class Task(Matter):
    """A key-work task with the five clarities (五明确): task, standard, responsibility, time limit, reward."""

    state = models.CharField(_("状态"), max_length=24, choices=TaskState.choices, default=TaskState.DRAFT, db_index=True)
    code = models.CharField(_("任务编号"), max_length=24, unique=True)
    campaign = models.ForeignKey(Campaign, verbose_name=_("专项行动"), on_delete=models.PROTECT, related_name="tasks")
    front = models.ForeignKey(Front, verbose_name=_("战线"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    # Indexed by (parent, code) below, which serves the foreign key's lookups too.
    parent = models.ForeignKey("self", verbose_name=_("上级任务"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children", db_index=False)
    seq = models.CharField(_("序号"), max_length=20, blank=True)

    # 任务 — what to do
    title = models.CharField(_("工作任务"), max_length=300)
    # 标准 — measures and acceptance criteria; each line becomes a checklist item at verification
    standard = models.TextField(_("具体措施及标准"), blank=True)
    # 责任 — who: lead_unit, leader_in_charge, responsible_person/_name live on Matter
    assigning_leader = models.ForeignKey(User, verbose_name=_("交办领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_tasks")
    cooperating_units = models.ManyToManyField(Unit, verbose_name=_("配合单位"), blank=True, related_name="cooperating_tasks")
    # 时限 — when (due_date and report_cycle live on Matter)
    deadline_text = models.CharField(_("完成时限"), max_length=100, blank=True)
    standing = models.BooleanField(_("长期坚持"), default=False)
    # 奖惩 — reward and penalty
    reward_penalty = models.TextField(_("奖惩措施"), blank=True)

    source = models.CharField(_("任务来源"), max_length=20, choices=TaskSource.choices, default=TaskSource.MEETING)
    source_ref = models.CharField(_("来源依据"), max_length=200, blank=True)
    grade = models.CharField(_("销账评定"), max_length=12, choices=QualityGrade.choices, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    reassign_count = models.PositiveSmallIntegerField(_("申请调整次数"), default=0)
    # Derived from code, title and responsible_name (ledger.search.document: normalised, CJK as bigrams) for
    # the text index: FTS5 table ledger_task_fts on SQLite, a stored tsvector with a GIN index on PostgreSQL
    # (migration 0003; docs/adr/006-chinese-search.md).
    search_text = models.TextField(_("检索文本"), blank=True, default="", editable=False)

    DERIVED = {**Matter.DERIVED, "search_text": (search.SOURCES, search.document)}

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["due_sort", "id"]
        indexes = [
            models.Index(fields=["state", "due_sort", "id"], name="task_state_due_idx"),
            models.Index(fields=["lead_unit", "state", "due_sort", "id"], name="task_unit_state_due_idx"),
            # The list's counts by light (GROUP BY light over the filtered tasks) read this index alone, in
            # GROUP BY order: 100k tasks, all open ones counted, ~120 ms → ~10 ms on SQLite (docs/benchmarks.md).
            models.Index(fields=["light", "state"], name="task_light_state_idx"),
            # "Open tasks by due date" (state IN (…) ORDER BY due_sort, id LIMIT 51): walk the due order and
            # stop after 51, instead of sorting every open task; deep keyset pages seek into it.
            models.Index(fields=["due_sort", "id", "state"], name="task_due_state_idx"),
            # The dashboard's counts (reports.figures: GROUP BY campaign, front, unit, state, light, schedule over
            # the tasks in scope, and those past their due date) read this index alone instead of every task row; it serves a campaign's or a
            # front's filter as the (campaign, front) index it replaces did.
            models.Index(fields=["campaign", "front", "lead_unit", "state", "light", "schedule", "due_date"], name="task_figures_idx"),
            # The task page's sub-tasks (parent_id = ? ORDER BY code, and whether any is still open): found and
            # ordered by this index. Partial, on sub-tasks only: in a ledger where most tasks are top-level, an
            # index over every row tells the planner that parent_id = ? matches them all (the NULLs count as one
            # value), and SQLite walked the whole table instead (85–130 ms at 100k tasks; issue 14,
            # docs/benchmarks.md). Any parent_id = ? implies parent_id IS NOT NULL, on both databases.
            models.Index(fields=["parent", "code"], name="task_parent_code_idx", condition=models.Q(parent__isnull=False)),
            # A unit's home page (ledger.work.unit_work): reports due by a day, counted and paged from the index
            # alone, and the returned tasks found without reading every task the unit has in progress (the
            # busiest unit's 4,824: ~50 ms a query on SQLite at 100k tasks; issue 14, docs/benchmarks.md).
            models.Index(fields=["lead_unit", "state", "next_report_due"], name="task_unit_report_due_idx",
                         condition=models.Q(paused_since__isnull=True)),
            models.Index(fields=["lead_unit", "state", "return_count"], name="task_unit_returned_idx"),
            # The 中梗阻 county table (supervision.analytics.unit_figures): its counts by lead unit (in hand, passed
            # on, idle) and the dwell dates of every task in hand or closed this year, read from this index alone
            # instead of ~90k wide task rows (~1.2 s of row reads at 100k tasks on SQLite; issue 14,
            # docs/benchmarks.md). `id` last, for PostgreSQL's index-only scan (SQLite has the rowid).
            models.Index(fields=["lead_unit", "state", "closed_on", "signed_at", "completed_on", "created_at", "reassign_count",
                                 "paused_since", "last_report_on", "last_restart_at", "id"], name="task_unit_analytics_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def standard_items(self) -> list[str]:
        """The standard as a checklist: one item per non-empty line."""
        return [line.strip(" \t-·•、") for line in self.standard.splitlines() if line.strip(" \t-·•、")]

    def missing_clarities(self) -> list[str]:
        """Which of the five clarities are still empty (a task cannot be registered until none are)."""
        missing = []
        if not self.title.strip():
            missing.append(gettext("任务（干什么）"))
        if not self.standard_items:
            missing.append(gettext("标准（怎么干）"))
        if not self.lead_unit_id or not (self.leader_in_charge_id or self.assigning_leader_id) or not (self.responsible_person_id or self.responsible_name.strip()):
            parts = []
            if not self.lead_unit_id:
                parts.append(gettext("牵头单位"))
            if not (self.leader_in_charge_id or self.assigning_leader_id):
                parts.append(gettext("牵头县领导"))
            if not (self.responsible_person_id or self.responsible_name.strip()):
                parts.append(gettext("责任人"))
            missing.append(gettext("责任（谁来干：%(parts)s）") % {"parts": gettext("、").join(parts)})
        if not self.due_date and not self.standing:
            missing.append(gettext("时限（什么时间干成）"))
        if not self.reward_penalty.strip():
            missing.append(gettext("奖惩"))
        return missing


class TaskPartQuerySet(ScopedQuerySet):
    """Rows that belong to one task (its reports and requests): visible exactly when their task is."""

    def visible_to(self, user):
        return self.filter(task__in=Task.objects.visible_to(user).values("pk"))


class ProgressReportQuerySet(TaskPartQuerySet):
    pass


# One pending request of each kind per task, kept by the database (services turn a second into a refusal).
def _one_pending(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["task"], condition=Q(state=RequestState.PENDING), name=name)


class ProgressReport(models.Model):
    """A progress report (进展): text, percent, problems and next steps, with attachments."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(User, verbose_name=_("报送人"), null=True, on_delete=models.SET_NULL, related_name="+")
    reported_on = models.DateField(_("报送日期"), default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    percent = models.PositiveSmallIntegerField(_("完成进度%"))
    text = models.TextField(_("工作进展"))
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["task", "-created_at"], name="report_task_created_idx")]

    def __str__(self):
        return f"{self.task.code} {self.reported_on} {self.percent}%"


class CompletionRequest(models.Model):
    """A unit's request to close a task (申请销账) with its evidence, and the office's decision."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="completion_requests")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(_("完成情况"))
    # SPEC §3: evidence where it decides closing — files, or the unit's own word why there are none.
    no_evidence_reason = models.TextField(_("无佐证材料的原因"), blank=True)
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    checklist = models.JSONField(_("验收清单"), default=list, blank=True)  # [{"item": ..., "met": bool}]
    grade = models.CharField(max_length=12, choices=QualityGrade.choices, blank=True)
    note = models.TextField(_("审核意见"), blank=True)

    objects = TaskPartQuerySet.as_manager()  # its evidence downloads through this scope

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [_one_pending("completion_one_pending_per_task")]


class ExtensionRequest(models.Model):
    """A request to move a task's due date (申请延期), decided by the leader in charge."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    old_due = models.DateField(_("原完成时限"), null=True)
    new_due = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.PENDING, db_index=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("审批意见"), blank=True)

    objects = TaskPartQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [_one_pending("extension_one_pending_per_task")]


class ReassignRequest(models.Model):
    """A unit saying a task is not theirs (申请调整); counted, since passing work around is 中梗阻."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reassign_requests")
    unit = models.ForeignKey(Unit, verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="reassign_requests")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("调整理由"))
    suggested_unit = models.ForeignKey(Unit, verbose_name=_("建议承办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.PENDING, db_index=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    new_unit = models.ForeignKey(Unit, verbose_name=_("调整后承办单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("处理意见"), blank=True)

    objects = TaskPartQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [_one_pending("reassign_one_pending_per_task")]
