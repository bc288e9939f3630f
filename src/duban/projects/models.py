"""The project ledger (SPEC §6): key projects from lead to production (项目建设 / 招商引资). A project is a matter
whose stage is its state; its procedures (立项、用地、规划、环评、施工许可 …) and its monthly investment reports
are matters of their own kinds, each with its own owner unit and clock, chased on the shared ladder; the
project's light is its own and the worst of theirs (`projects.kind`)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.core.models import Unit, User
from duban.core.scope import ScopedQuerySet, unit_scope
from duban.matters.models import Matter, MatterQuerySet
from duban.projects.choices import Industry, Level, ProcedureState, ProjectType, ReportState, Stage

AMOUNT = {"max_digits": 14, "decimal_places": 2}  # 万元, to the hundred yuan (1.2345亿元 = 12345.00 万元)


class ProcedureType(models.Model):
    """A kind of procedure (立项/备案, 土地征收 …): the stage a project may not enter while it is open, and its
    default limit in working days. The county's list, kept by the project office (defaults by migration)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("手续名称"), max_length=40, unique=True)
    required_before = models.CharField(_("须在此阶段前办结"), max_length=16, choices=Stage.choices, blank=True,
                                       help_text=_("项目进入该阶段前，这项手续须已办结或确认无需办理；留空则不卡阶段。"))
    workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=20)
    # The unit that usually handles it (用地: 自然资源局): a new project's procedure starts with it.
    default_unit = models.ForeignKey(Unit, verbose_name=_("办理单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    seeded_by_migration = True

    class Meta:
        verbose_name = _("手续类型")
        ordering = ["sort", "id"]

    def __str__(self):
        return self.name

    @classmethod
    def ensure_defaults(cls, model=None, template_model=None) -> None:
        """The default procedures and their templates per project type, added where missing."""
        from duban.projects.choices import DEFAULT_PROCEDURES

        model, template_model = model or cls, template_model or ProcedureTemplate
        for sort, (code, name, before, days, types) in enumerate(DEFAULT_PROCEDURES, start=1):
            kind, _created = model.objects.get_or_create(
                code=code, defaults={"name": name, "required_before": before, "workdays": days, "sort": sort * 10})
            for project_type in (ProjectType.values if types == "*" else types.split(",")):
                template_model.objects.get_or_create(project_type=project_type, procedure_type=kind,
                                                     defaults={"sort": sort * 10})


class ProcedureTemplate(models.Model):
    """The procedures a project of one type goes through (模板): listed on the project when it is entered."""

    project_type = models.CharField(_("项目类型"), max_length=20, choices=ProjectType.choices)
    procedure_type = models.ForeignKey(ProcedureType, verbose_name=_("手续"), on_delete=models.CASCADE, related_name="templates")
    workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"), null=True, blank=True, help_text=_("留空则用手续类型的时限。"))
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    seeded_by_migration = True

    class Meta:
        verbose_name = _("手续模板")
        ordering = ["project_type", "sort", "id"]
        constraints = [models.UniqueConstraint(fields=["project_type", "procedure_type"], name="procedure_template_unique")]

    def __str__(self):
        return f"{self.get_project_type_display()}：{self.procedure_type}"


def _office_sees_all(user) -> bool:
    from duban.projects import policies

    return policies.is_project_office(user)


class ProjectQuerySet(MatterQuerySet, ScopedQuerySet):
    def visible_to(self, user):
        """Principal leaders, the supervision office and the project office see every project; a leader in
        charge the projects they follow (包抓) and those of the units in their charge; a unit its own projects
        and those whose procedures it handles. Admins see none."""
        scope = unit_scope(user)
        if scope.everything or (user is not None and user.is_authenticated and _office_sees_all(user)):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(leader_in_charge_id=user.pk)
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            # IN (the handled projects' ids), read once, not EXISTS per project: the list's light counts read every
            # project in scope (a unit at 20k projects: 300 ms correlated, a few ms as a set).
            handled = Procedure.objects.filter(lead_unit_id__in=ids).values("project_id")
            condition |= Q(lead_unit_id__in=ids) | Q(pk__in=handled)
        return self.filter(condition)


class Project(Matter):
    """One project. The Matter's lead unit is its 责任单位, its leader in charge the 包抓领导; its state is the stage."""

    state = models.CharField(_("项目阶段"), max_length=16, choices=Stage.choices, default=Stage.LEAD)
    code = models.CharField(_("项目编号"), max_length=24, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资主体"), max_length=200, blank=True)
    investor_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("企业联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    industry = models.CharField(_("产业类别"), max_length=20, choices=Industry.choices, default=Industry.OTHER)
    project_type = models.CharField(_("项目类型"), max_length=20, choices=ProjectType.choices, default=ProjectType.INDUSTRIAL)
    level = models.CharField(_("项目级别"), max_length=10, choices=Level.choices, default=Level.COUNTY)
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    township = models.ForeignKey(Unit, verbose_name=_("所在乡镇"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("建设内容和规模"), blank=True)
    total_investment = models.DecimalField(_("总投资（万元）"), **AMOUNT, default=0)
    plan_year = models.PositiveSmallIntegerField(_("计划年度"), default=2026)
    annual_plan = models.DecimalField(_("年度计划投资（万元）"), **AMOUNT, default=0)
    # 累计完成投资 before the first month reported here (a sheet's figure at import), and the totals kept by
    # every report written: the list and the metrics read them without summing 240k report rows.
    cumulative_before = models.DecimalField(_("以前年度累计完成投资（万元）"), **AMOUNT, default=0)
    year_completed = models.DecimalField(_("本年累计完成投资（万元）"), **AMOUNT, default=0)
    cumulative = models.DecimalField(_("累计完成投资（万元）"), **AMOUNT, default=0)
    progress_note = models.TextField(_("项目进展情况"), blank=True)
    issues_note = models.TextField(_("存在问题"), blank=True)
    # The date of each move along the pipeline (三个一批 counts read them).
    lead_on = models.DateField(_("线索日期"), null=True, blank=True)
    negotiating_on = models.DateField(_("在谈日期"), null=True, blank=True)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    preparing_on = models.DateField(_("前期手续日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_stage_on = models.DateField(_("竣工日期"), null=True, blank=True)
    producing_on = models.DateField(_("投产日期"), null=True, blank=True)
    stopped_on = models.DateField(_("终止日期"), null=True, blank=True)
    stop_reason = models.CharField(_("终止原因"), max_length=300, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点项目")
        ordering = ["-total_investment", "id"]
        indexes = [
            models.Index(fields=["state", "id"], name="project_state_idx"),
            models.Index(fields=["lead_unit", "state"], name="project_unit_state_idx"),
            models.Index(fields=["leader_in_charge", "state"], name="project_leader_state_idx"),
            models.Index(fields=["light", "state"], name="project_light_state_idx"),
            models.Index(fields=["-total_investment", "id"], name="project_invest_idx"),
            # The pipeline's count and total investment per stage read this index alone (a covering scan).
            models.Index(fields=["state", "total_investment"], name="project_state_invest_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_reporting(self) -> bool:
        from duban.projects.choices import REPORTING_STAGES

        return self.state in REPORTING_STAGES

    @property
    def completion_rate(self):
        """本年完成率, from the unrounded figures (None without a plan)."""
        from duban.projects.metrics import rate

        return rate(self.year_completed, self.annual_plan)


class ProcedureQuerySet(MatterQuerySet, ScopedQuerySet):
    def visible_to(self, user):
        """A procedure is seen by whoever sees its project, and by the unit that handles it."""
        scope = unit_scope(user)
        if scope.everything or (user is not None and user.is_authenticated and _office_sees_all(user)):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(project__leader_in_charge_id=user.pk)
        if scope.unit_ids:
            ids = sorted(scope.unit_ids)
            condition |= Q(lead_unit_id__in=ids) | Q(project__lead_unit_id__in=ids)
        return self.filter(condition)


class Procedure(Matter):
    """One procedure of one project (a milestone): its lead unit is the unit handling it (自然资源局 for the land),
    its due date the limit counted in working days from when it started."""

    state = models.CharField(_("办理状态"), max_length=16, choices=ProcedureState.choices, default=ProcedureState.PENDING)
    code = models.CharField(_("手续编号"), max_length=30, unique=True)
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="procedures")
    procedure_type = models.ForeignKey(ProcedureType, verbose_name=_("手续类型"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("手续名称"), max_length=40)
    title = models.CharField(_("事项名称"), max_length=260)  # "项目名 施工许可": what a notice names (kept with the project's name)
    required_before = models.CharField(_("须在此阶段前办结"), max_length=16, choices=Stage.choices, blank=True)
    workdays = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=20)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    approval_no = models.CharField(_("批复文号"), max_length=80, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目手续")
        ordering = ["project", "sort", "id"]
        indexes = [
            models.Index(fields=["project", "state"], name="procedure_project_state_idx"),
            models.Index(fields=["lead_unit", "state", "due_sort"], name="procedure_unit_state_idx"),
            models.Index(fields=["state", "due_sort", "id"], name="procedure_state_due_idx"),
            # The projects a unit handles procedures of (Project.visible_to): read from the index alone.
            models.Index(fields=["lead_unit", "project"], name="procedure_unit_project_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["project", "procedure_type"], name="procedure_once_per_project")]

    def __str__(self):
        return f"{self.project.name}：{self.name}"



class ReportQuerySet(MatterQuerySet, ScopedQuerySet):
    def visible_to(self, user):
        """A monthly report is seen by whoever sees its project's unit or follows the project."""
        scope = unit_scope(user)
        if scope.everything or (user is not None and user.is_authenticated and _office_sees_all(user)):
            return self.all()
        if not user.is_authenticated:
            return self.none()
        condition = Q(project__leader_in_charge_id=user.pk)
        if scope.unit_ids:
            condition |= Q(lead_unit_id__in=sorted(scope.unit_ids))
        return self.filter(condition)


class InvestmentReport(Matter):
    """One month of one project (投资月报): the month's plan, then what the unit reports by the report day — the
    month's completed investment, the totals and the image progress (形象进度). A matter of its own while due:
    its lead unit is the project's unit at the time, its due date the report day, chased on the shared ladder."""

    state = models.CharField(_("报送状态"), max_length=16, choices=ReportState.choices, default=ReportState.UPCOMING)
    code = models.CharField(_("月报编号"), max_length=32, unique=True)
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    title = models.CharField(_("事项名称"), max_length=260)  # "项目名 2026年3月投资月报"
    planned = models.DecimalField(_("月计划投资（万元）"), **AMOUNT, null=True, blank=True)
    completed = models.DecimalField(_("本月完成投资（万元）"), **AMOUNT, null=True, blank=True)
    year_to_date = models.DecimalField(_("本年累计完成投资（万元）"), **AMOUNT, null=True, blank=True)
    cumulative = models.DecimalField(_("累计完成投资（万元）"), **AMOUNT, null=True, blank=True)
    image_progress = models.TextField(_("形象进度"), blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(User, verbose_name=_("报送人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("投资月报")
        ordering = ["project", "year", "month"]
        indexes = [
            models.Index(fields=["state", "due_sort", "id"], name="report_state_due_idx"),
            models.Index(fields=["year", "month", "state"], name="report_month_state_idx"),
            models.Index(fields=["lead_unit", "state"], name="report_unit_state_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["project", "year", "month"], name="report_once_per_month")]

    def __str__(self):
        return f"{self.project.name} {self.year}年{self.month}月投资月报"



class ReportPhoto(models.Model):
    """A photo of the image progress (形象进度照片), checked by content and stored without EXIF."""

    report = models.ForeignKey(InvestmentReport, on_delete=models.CASCADE, related_name="photos")
    attachment = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, related_name="+")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]


class ProblemQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))


class ProjectProblem(models.Model):
    """A problem raised on a project (问题清单): it becomes an enterprise appeal or a key-work task and stays
    linked; the project page shows it with that matter's light."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="problems")
    title = models.CharField(_("问题"), max_length=200)
    detail = models.TextField(_("问题描述"), blank=True)
    route = models.CharField(_("转办方式"), max_length=10)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("企业诉求"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.ForeignKey("ledger.Task", verbose_name=_("重点工作任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_by = models.ForeignKey(User, verbose_name=_("提出人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目问题")
        ordering = ["-raised_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def matter(self):
        return self.appeal or self.task


__all__ = ["Industry", "Level", "ProcedureState", "ReportState", "Stage"]
