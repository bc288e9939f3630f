"""The words of the project ledger (SPEC §6): stages, levels, industries, procedure and report states, events."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("在谈")
    SIGNED = "signed", _("签约")
    PREPARING = "preparing", _("前期手续")
    STARTED = "started", _("开工")
    COMPLETED = "completed", _("竣工")
    PRODUCING = "producing", _("投产")
    STOPPED = "stopped", _("终止")


# The pipeline in order (终止 is beside it, not on it).
PIPELINE = (Stage.LEAD, Stage.NEGOTIATING, Stage.SIGNED, Stage.PREPARING, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING)
STAGE_ORDER = {stage: n for n, stage in enumerate(PIPELINE)}
# The date field of the move into each stage (Project.signed_on …).
STAGE_DATE_FIELD = {
    Stage.LEAD: "lead_on", Stage.NEGOTIATING: "negotiating_on", Stage.SIGNED: "signed_on", Stage.PREPARING: "preparing_on",
    Stage.STARTED: "started_on", Stage.COMPLETED: "completed_stage_on", Stage.PRODUCING: "producing_on", Stage.STOPPED: "stopped_on",
}
OPEN_STAGES = frozenset(PIPELINE) - {Stage.PRODUCING}
FINISHED_STAGES = frozenset({Stage.PRODUCING, Stage.STOPPED})
# Stages in which the project invests and reports its investment every month (前期手续 buys the land).
REPORTING_STAGES = frozenset({Stage.PREPARING, Stage.STARTED, Stage.COMPLETED})


class Level(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    COUNTY = "county", _("县重点")
    NONE = "none", _("一般项目")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("先进制造业")
    NEW_ENERGY = "new_energy", _("新能源")
    MATERIALS = "materials", _("新材料")
    AGRI_FOOD = "agri_food", _("农副产品加工")
    TOURISM = "tourism", _("文化旅游")
    SERVICES = "services", _("现代服务业")
    INFRASTRUCTURE = "infrastructure", _("基础设施")
    SOCIAL = "social", _("社会民生")
    AGRICULTURE = "agriculture", _("现代农业")
    OTHER = "other", _("其他")


class ProjectType(models.TextChoices):
    """What a procedure template is kept for: the procedures a project of this type goes through."""

    INDUSTRIAL = "industrial", _("产业项目")
    INFRASTRUCTURE = "infrastructure", _("基础设施项目")
    SOCIAL = "social", _("社会事业项目")
    REAL_ESTATE = "real_estate", _("房地产项目")
    AGRICULTURAL = "agricultural", _("农业项目")


class ProcedureState(models.TextChoices):
    PENDING = "pending", _("未启动")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")
    WAIVED = "waived", _("无需办理")


PROCEDURE_OPEN = frozenset({ProcedureState.PENDING, ProcedureState.IN_PROGRESS})
PROCEDURE_FINISHED = frozenset({ProcedureState.DONE, ProcedureState.WAIVED})


class ReportState(models.TextChoices):
    UPCOMING = "upcoming", _("未到报送期")
    DUE = "due", _("待报送")
    SUBMITTED = "submitted", _("已报送")
    EXEMPT = "exempt", _("免报")  # the project stopped: nothing more to report


# (code, name, stage it must be done before, working days, project types that need it) — the county's defaults,
# written by migration; the office edits the list and the templates.
DEFAULT_PROCEDURES = (
    ("approval", "立项/备案", Stage.STARTED, 5, "*"),
    ("land_expropriation", "土地征收", Stage.STARTED, 60, "industrial,infrastructure,social,real_estate"),
    ("land_transfer", "土地出让", Stage.STARTED, 30, "industrial,real_estate"),
    ("land_supply", "供地", Stage.STARTED, 10, "industrial,infrastructure,social,real_estate"),
    ("planning", "规划许可", Stage.STARTED, 10, "*"),
    ("eia", "环评", Stage.STARTED, 30, "industrial,infrastructure,agricultural"),
    ("energy", "能评", Stage.STARTED, 20, "industrial"),
    ("construction_permit", "施工许可", Stage.STARTED, 7, "*"),
)


class ProjectEvent(models.TextChoices):
    """A project's timeline (MatterEvent.event)."""

    CREATED = "created", _("录入项目")
    EDITED = "edited", _("修改项目")
    IMPORTED = "imported", _("按项目表导入")
    MOVED = "moved", _("推进阶段")
    STOPPED = "stopped", _("终止项目")
    PROBLEM = "problem", _("提出问题")


class ProcedureEvent(models.TextChoices):
    CREATED = "created", _("列入手续")
    STARTED = "started", _("启动办理")
    DONE = "done", _("办结")
    WAIVED = "waived", _("确认无需办理")
    EXTENDED = "extended", _("调整时限")
    EDITED = "edited", _("修改手续")


class ReportEvent(models.TextChoices):
    CREATED = "created", _("列入月报")
    OPENED = "opened", _("进入报送期")
    SUBMITTED = "submitted", _("报送月报")
    CORRECTED = "corrected", _("更正月报")
    IMPORTED = "imported", _("按项目表导入")
    EXEMPTED = "exempted", _("免报")


class ProblemRoute(models.TextChoices):
    APPEAL = "appeal", _("转企业诉求")
    TASK = "task", _("转重点工作任务")
