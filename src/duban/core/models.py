"""The shared kernel's tables: org units, people and their roles, leaders' charges, holidays, audit trail."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from duban.core.choices import AuditOutcome, CalendarDayKind, Role, UnitCategory, UnitKind
from duban.core.scope import ScopedQuerySet, unit_scope


class UnitQuerySet(ScopedQuerySet):
    # The offices that dispatch work to any unit, and the admins who keep the tree, need the whole directory.
    directory_roles = frozenset({Role.BUSINESS, Role.SAFETY, Role.SYSADMIN, Role.SECADMIN})

    def visible_to(self, user):
        """Units this user may see: the unit scope of SPEC §1, widened for directory-keeping roles."""
        return unit_scope(user, everything_for=self.directory_roles).filter(self, "id")

    def subtree(self, unit):
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A node of the county's org tree: leadership, department, township, office, section or village."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    category = models.CharField(_("考核分类"), max_length=20, choices=UnitCategory.choices, default=UnitCategory.UNRANKED)
    parent = models.ForeignKey("self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialized path "/1/5/12/": a sub-tree is one indexed prefix match (一级抓一级).
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # The tree in reading order (siblings by sort_order): lists sort by this one indexed column.
    sort_key = models.CharField(max_length=400, db_index=True, editable=False, default="")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_key"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name


class PersonQuerySet(ScopedQuerySet):
    directory_roles = UnitQuerySet.directory_roles

    def visible_to(self, user):
        """People in the units this user may see, and the user himself."""
        scoped = unit_scope(user, everything_for=self.directory_roles).filter(self, "unit_id")
        if user.is_authenticated:
            scoped = scoped | self.filter(pk=user.pk)
        return scoped


class PersonManager(UserManager.from_queryset(PersonQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: name, unit, title, phone and the roles granted to them."""

    full_name = models.CharField(_("姓名"), max_length=40)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须改密码"), default=False)

    objects = PersonManager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["id"]

    def __str__(self):
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """The roles granted to this person (one query, cached on the instance)."""
        if not self.pk:
            return frozenset()
        if hasattr(self, "_prefetched_objects_cache") and "role_grants" in self._prefetched_objects_cache:
            return frozenset(g.role for g in self.role_grants.all())
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in Role if r in self.roles]


class RoleGrant(models.Model):
    """One role held by one person; granted and revoked only through `core.services`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("角色授予")
        verbose_name_plural = _("角色授予")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class LeaderCharge(models.Model):
    """A county leader's charge over a unit (分管): the leader sees and supervises its sub-tree."""

    leader = models.ForeignKey(User, verbose_name=_("分管领导"), on_delete=models.CASCADE, related_name="charges")
    unit = models.ForeignKey(Unit, verbose_name=_("分管单位"), on_delete=models.CASCADE, related_name="leader_charges")

    class Meta:
        verbose_name = _("分管关系")
        verbose_name_plural = _("分管关系")
        constraints = [models.UniqueConstraint(fields=["leader", "unit"], name="leadercharge_unique")]

    def __str__(self):
        return f"{self.leader} 分管 {self.unit}"


class CalendarDay(models.Model):
    """An admin-entered holiday or adjusted working day that overrides the public calendar package."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("说明"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class AuditTrailImmutable(Exception):
    """An attempt to change or delete an audit entry through the ORM: the trail is append-only."""


AUDIT_IMMUTABLE = "审计记录只能追加，不能修改或删除。"


class AuditEntryQuerySet(models.QuerySet):
    """The trail's rows: appended (create, bulk_create), never updated or deleted through the ORM."""

    def update(self, **kwargs):
        raise AuditTrailImmutable(AUDIT_IMMUTABLE)

    def delete(self):
        raise AuditTrailImmutable(AUDIT_IMMUTABLE)

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditTrailImmutable(AUDIT_IMMUTABLE)

    def update_or_create(self, *args, **kwargs):
        raise AuditTrailImmutable(AUDIT_IMMUTABLE)


class AuditEntry(models.Model):
    """One hash-chained line of the audit trail; written in the same transaction as the change it records.

    Append-only: saving an existing entry, deleting one, and queryset updates and deletes raise
    AuditTrailImmutable; on PostgreSQL a trigger refuses UPDATE and DELETE as well (migration 0004).
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    # DO_NOTHING: the actor's id is part of the entry's hash, so removing a person must not rewrite the
    # entries that name him (SET_NULL would; accounts are deactivated, not deleted, anyway).
    actor = models.ForeignKey(User, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    actor_name = models.CharField(_("操作人"), max_length=80)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    ip = models.CharField(_("IP地址"), max_length=45, blank=True)
    request_id = models.CharField(_("请求号"), max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailImmutable(AUDIT_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutable(AUDIT_IMMUTABLE)


class AuditHead(models.Model):
    """The single row holding the chain's latest seq and hash; locking it serializes appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class Attachment(models.Model):
    """An uploaded file (evidence, a report's photo), owned by one record whose scope decides who may download it."""

    owner_type = models.CharField(max_length=60)  # model label, e.g. "ledger.ProgressReport"
    owner_id = models.CharField(max_length=40)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"))
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner_idx")]

    def __str__(self):
        return self.name


# --- background jobs (duban.core.jobs) ----------------------------------------------------------------

from duban.core.choices import JobState, JobTrigger  # noqa: E402  (kept with the model it serves)


class JobRun(models.Model):
    """One run of a periodic job for one schedule slot; (name, slot) is unique, so of several nodes only one runs it."""

    name = models.CharField(_("任务"), max_length=100)
    slot = models.DateTimeField(_("计划时间"))  # the scheduled minute, or the moment of a manual request
    trigger = models.CharField(_("触发方式"), max_length=10, choices=JobTrigger.choices, default=JobTrigger.SCHEDULE)
    requested_by = models.CharField(_("手动运行人"), max_length=80, blank=True)
    state = models.CharField(_("结果"), max_length=10, choices=JobState.choices, default=JobState.RUNNING)
    task_id = models.CharField(max_length=64, blank=True)  # the queue's id: only a retry of the same run may take a failed slot again
    node = models.CharField(_("运行节点"), max_length=120)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=1)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("后台任务运行记录")
        verbose_name_plural = _("后台任务运行记录")
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="jobrun_once_per_slot")]
        indexes = [models.Index(fields=["started_at"], name="jobrun_started_idx")]

    def __str__(self):
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        """How long the run took (None while it runs)."""
        return self.finished_at - self.started_at if self.finished_at else None


class Throttle(models.Model):
    """How many attempts one hashed identity made in one fixed window of one scope (duban.core.throttle)."""

    scope = models.CharField(_("范围"), max_length=50)  # what is limited: "appeal.submit", "appeal.track"
    key = models.CharField(_("标识摘要"), max_length=64)  # HMAC of scope and identity: never the phone or the address itself
    window_start = models.DateTimeField(_("时段开始"))
    expires_at = models.DateTimeField(_("时段结束"))  # windows of different lengths are pruned by the one column
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"], name="throttle_one_row_per_window")]
        indexes = [models.Index(fields=["expires_at"], name="throttle_expires_idx")]

    def __str__(self):
        return f"{self.scope} {self.key[:8]}… @ {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"


class DataVersion(models.Model):
    """One row: a number raised in the same transaction as every write to the business tables (core.versions),
    so that a figure computed at version N is known to be current exactly while the number is still N."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")


class FigureSnapshot(models.Model):
    """Figures computed once at a data version and read back while the version holds (core.versions.figures):
    the dashboard's and the big screen's, per scope, choice and language."""

    key = models.CharField(max_length=200, unique=True)
    version = models.BigIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)
    body = models.TextField()  # JSON

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
