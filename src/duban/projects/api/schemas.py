"""The shapes of /api/v1/projects…, /api/v1/procedures… and /api/v1/project-reports…."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext_lazy
from ninja import Field

from duban.api.schemas import MAX_ID, Input, Ref, Schema
from duban.matters.choices import Light
from duban.projects.choices import PIPELINE, Industry, Level, ProcedureState, ProjectType, ReportState, Stage

PAGE_MAX = 100
# What a code outside the caller's scope answers (404): as if it did not exist.
NOT_FOUND = {
    "project": gettext_lazy("未找到项目 %(code)s，或该项目不在您的职责范围内。"),
    "procedure": gettext_lazy("未找到手续 %(code)s，或该手续不在您的职责范围内。"),
    "report": gettext_lazy("未找到投资月报 %(code)s，或该月报不在您的职责范围内。"),
}
StageName = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
StageQueryName = Literal[("open", *Stage.values)]  # type: ignore[valid-type]
PipelineName = Literal[tuple(str(s) for s in PIPELINE)]  # type: ignore[valid-type]
IndustryName = Literal[tuple(Industry.values)]  # type: ignore[valid-type]
ProjectTypeName = Literal[tuple(ProjectType.values)]  # type: ignore[valid-type]
LevelName = Literal[tuple(Level.values)]  # type: ignore[valid-type]
ProcedureStateName = Literal[("open", *ProcedureState.values)]  # type: ignore[valid-type]
ReportStateName = Literal[tuple(ReportState.values)]  # type: ignore[valid-type]
LightName = Literal[tuple(Light.values)]  # type: ignore[valid-type]
CURSOR = Field(None, max_length=400, description="翻页游标（上一页返回的 next 或 prev）")
LIMIT = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


def version_of(what: str):
    return Field(..., ge=1, le=MAX_ID, description=f"读取{what}时得到的 version；他人已先修改时返回 409")


class ProjectRef(Schema):
    code: str = Field(..., description="项目编号")
    name: str = Field(..., description="项目名称")


# --- projects ----------------------------------------------------------------------------------------------


class ProjectItem(Schema):
    code: str = Field(..., description="项目编号")
    name: str = Field(..., description="项目名称")
    investor: str = Field(..., description="投资主体")
    industry: str = Field(..., description="产业类别")
    industry_label: str
    project_type: str = Field(..., description="项目类型（决定手续模板）")
    project_type_label: str
    level: str = Field(..., description="项目级别：省重点、市重点、县重点、一般项目")
    level_label: str
    stage: str = Field(..., description="项目阶段")
    stage_label: str
    lead_unit: Ref | None = Field(None, description="责任单位")
    leader_in_charge: Ref | None = Field(None, description="包抓领导")
    township: Ref | None = Field(None, description="所在乡镇")
    total_investment: Decimal = Field(..., description="总投资（万元）")
    plan_year: int = Field(..., description="计划年度")
    annual_plan: Decimal = Field(..., description="年度计划投资（万元）")
    year_completed: Decimal = Field(..., description="本年累计完成投资（万元）")
    cumulative: Decimal = Field(..., description="累计完成投资（万元）")
    completion_rate: float | None = Field(None, description="本年完成率（%），按未舍入的数计算，保留一位小数；无年度计划时为 null")
    light: str = Field(..., description="亮灯：项目本身与其未办结手续、待报月报中最差的一个")
    light_reason: str = Field(..., description="亮灯原因，点名卡住项目的手续和办理单位")


class ProcedureItem(Schema):
    code: str = Field(..., description="手续编号")
    name: str = Field(..., description="手续名称")
    project: ProjectRef
    lead_unit: Ref | None = Field(None, description="办理单位")
    state: str = Field(..., description="办理状态")
    state_label: str
    required_before: str = Field(..., description="须在此阶段前办结；为空则不卡阶段")
    required_before_label: str
    workdays: int = Field(..., description="办理时限（工作日）")
    start_date: dt.date = Field(..., description="受理日期")
    due_date: dt.date | None = Field(None, description="办结时限")
    completed_on: dt.date | None = Field(None, description="办结日期")
    approval_no: str = Field(..., description="批复文号")
    note: str = Field(..., description="说明（无需办理的理由、调整时限的理由）")
    light: str
    light_reason: str


class ProjectMonthOut(Schema):
    code: str = Field(..., description="月报编号")
    month: int
    state: str
    state_label: str
    planned: Decimal | None = Field(None, description="月计划投资（万元）")
    completed: Decimal | None = Field(None, description="本月完成投资（万元）")
    year_to_date: Decimal | None = Field(None, description="本年累计完成投资（万元）")
    due_date: dt.date | None = Field(None, description="报送期限")
    light: str


class ProjectProblemOut(Schema):
    title: str = Field(..., description="问题")
    route: str = Field(..., description="转办方式：appeal 企业诉求，task 重点工作任务")
    matter: str | None = Field(None, description="转成的企业诉求受理编号或重点工作任务编号")
    light: str | None = Field(None, description="该诉求或任务的亮灯")
    raised_at: dt.datetime


class ProjectDetail(ProjectItem):
    version: int
    investor_credit_code: str
    contact_name: str = Field(..., description="企业联系人")
    contact_phone: str
    location: str = Field(..., description="建设地点")
    content: str = Field(..., description="建设内容和规模")
    cumulative_before: Decimal = Field(..., description="以前年度累计完成投资（万元）")
    progress_note: str = Field(..., description="项目进展情况")
    issues_note: str = Field(..., description="存在问题")
    stage_dates: dict[str, dt.date | None] = Field(..., description="进入各阶段的日期（lead、negotiating … producing、stopped）")
    stop_reason: str
    procedures: list[ProcedureItem] = Field(..., description="项目手续（调用者可见的），按办理顺序")
    months: list[ProjectMonthOut] = Field(..., description="今年各月的计划与完成投资（调用者可见的月报）")
    problems: list[ProjectProblemOut] = Field(..., description="问题清单，最新在前")
    actions: list[str] = Field(..., description="调用者现在可以办理的操作")


class ProjectPage(Schema):
    items: list[ProjectItem]
    next: str | None
    prev: str | None


class ProjectQuery(Schema):
    """The project list's filters (the same ProjectFilter as the list page and the export), and paging."""

    q: str | None = Field(None, max_length=50, description="关键词：项目编号、名称、投资主体")
    stage: list[StageQueryName] | None = Field(None, description="项目阶段，可多选；open 表示全部未投产")
    industry: IndustryName | None = None
    project_type: ProjectTypeName | None = None
    level: list[LevelName] | None = Field(None, description="项目级别，可多选")
    leader: int | None = Field(None, ge=1, le=MAX_ID, description="包抓领导 id")
    lead_unit: int | None = Field(None, ge=1, le=MAX_ID, description="责任单位 id")
    township: int | None = Field(None, ge=1, le=MAX_ID, description="所在乡镇 id")
    light: list[LightName] | None = Field(None, description="亮灯，可多选")
    holding_unit: int | None = Field(None, ge=1, le=MAX_ID, description="有未办结手续在该单位办理的项目（单位 id）")
    signed_from: dt.date | None = Field(None, description="签约日期自")
    signed_to: dt.date | None = None
    started_from: dt.date | None = Field(None, description="开工日期自")
    started_to: dt.date | None = None
    producing_from: dt.date | None = Field(None, description="投产日期自")
    producing_to: dt.date | None = None
    plan_year: int | None = Field(None, ge=2000, le=2100, description="计划年度")
    cursor: str | None = CURSOR
    limit: int = LIMIT


PROJECT_SINGLE = ("q", "industry", "project_type", "leader", "lead_unit", "township", "holding_unit", "signed_from", "signed_to",
                  "started_from", "started_to", "producing_from", "producing_to", "plan_year")
PROJECT_MULTIPLE = ("stage", "level", "light")


class ProjectIn(Input):
    """录入项目: what the county's project sheet says of it; its procedures come from its type's template."""

    name: str = Field(..., max_length=200, description="项目名称")
    lead_unit: int = Field(..., ge=1, le=MAX_ID, description="责任单位 id")
    leader_in_charge: int | None = Field(None, ge=1, le=MAX_ID, description="包抓领导 id（县级领导）")
    township: int | None = Field(None, ge=1, le=MAX_ID, description="所在乡镇 id")
    investor: str = Field("", max_length=200, description="投资主体")
    investor_credit_code: str = Field("", max_length=18, description="统一社会信用代码")
    contact_name: str = Field("", max_length=40, description="企业联系人")
    contact_phone: str = Field("", max_length=20)
    industry: IndustryName = "other"
    project_type: ProjectTypeName = "industrial"
    level: LevelName = "county"
    location: str = Field("", max_length=200, description="建设地点")
    content: str = Field("", max_length=4000, description="建设内容和规模")
    total_investment: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="总投资（万元）")
    plan_year: int | None = Field(None, ge=2000, le=2100, description="计划年度，默认今年")
    annual_plan: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="年度计划投资（万元）")
    cumulative_before: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description="以前年度累计完成投资（万元）")
    progress_note: str = Field("", max_length=4000, description="项目进展情况")
    issues_note: str = Field("", max_length=4000, description="存在问题")
    responsible_name: str = Field("", max_length=60, description="责任人")
    stage: PipelineName = Field("lead", description="录入时已到的阶段")
    stage_on: dt.date | None = Field(None, description="进入该阶段的日期，默认今天")
    with_procedures: bool = Field(True, description="按项目类型的模板列入手续")


class ProjectMoveIn(Input):
    version: int = version_of("项目")
    stage: PipelineName = Field(..., description="推进到的阶段（只能向后，可跨阶段）")
    on: dt.date | None = Field(None, description="进入该阶段的日期，默认今天")
    note: str = Field("", max_length=300, description="说明")


class ProjectStopIn(Input):
    version: int = version_of("项目")
    reason: str = Field(..., max_length=300, description="终止原因")


# --- procedures --------------------------------------------------------------------------------------------


class ProcedureDetail(ProcedureItem):
    version: int
    title: str = Field(..., description="事项名称（项目名 手续名）")
    deadline_cycle: int = Field(..., description="时限周期：调整一次时限加 1")
    actions: list[str] = Field(..., description="调用者现在可以办理的操作")


class ProcedurePage(Schema):
    items: list[ProcedureItem]
    next: str | None
    prev: str | None


class ProcedureQuery(Schema):
    """The procedure list's filters (the same ProcedureFilter as the page), and paging."""

    q: str | None = Field(None, max_length=50, description="关键词：手续编号、事项名称")
    procedure_type: int | None = Field(None, ge=1, le=MAX_ID, description="手续类型 id")
    state: list[ProcedureStateName] | None = Field(None, description="办理状态，可多选；open 表示未办结")
    lead_unit: int | None = Field(None, ge=1, le=MAX_ID, description="办理单位 id")
    light: list[LightName] | None = Field(None, description="亮灯，可多选")
    project: str | None = Field(None, max_length=24, description="项目编号")
    cursor: str | None = CURSOR
    limit: int = LIMIT


PROCEDURE_SINGLE = ("q", "procedure_type", "lead_unit", "project")
PROCEDURE_MULTIPLE = ("state", "light")


class ProcedureStartIn(Input):
    version: int = version_of("手续")
    lead_unit: int | None = Field(None, ge=1, le=MAX_ID, description="办理单位 id，默认手续已列的办理单位")
    on: dt.date | None = Field(None, description="受理日期，默认今天")
    workdays: int | None = Field(None, ge=1, le=720, description="办理时限（工作日），默认手续的时限")


class ProcedureFinishIn(Input):
    version: int = version_of("手续")
    approval_no: str = Field("", max_length=80, description="批复文号、许可证号")
    on: dt.date | None = Field(None, description="办结日期，默认今天")


class ProcedureWaiveIn(Input):
    version: int = version_of("手续")
    reason: str = Field(..., max_length=300, description="无需办理的理由")


class ProcedureExtendIn(Input):
    version: int = version_of("手续")
    due_date: dt.date = Field(..., description="新的办结时限（晚于今天）")
    reason: str = Field(..., max_length=300, description="调整理由")


# --- monthly reports ---------------------------------------------------------------------------------------


class ProjectReportItem(Schema):
    code: str = Field(..., description="月报编号")
    project: ProjectRef
    year: int
    month: int
    state: str = Field(..., description="报送状态")
    state_label: str
    lead_unit: Ref | None = Field(None, description="报送单位（项目责任单位）")
    planned: Decimal | None = Field(None, description="月计划投资（万元）")
    completed: Decimal | None = Field(None, description="本月完成投资（万元）")
    year_to_date: Decimal | None = Field(None, description="本年累计完成投资（万元）")
    cumulative: Decimal | None = Field(None, description="累计完成投资（万元）")
    due_date: dt.date | None = Field(None, description="报送期限")
    submitted_at: dt.datetime | None = None
    light: str
    light_reason: str


class ProjectReportDetail(ProjectReportItem):
    version: int
    title: str
    image_progress: str = Field(..., description="形象进度")
    submitted_by: Ref | None = Field(None, description="报送人")
    photos: list[int] = Field(..., description="形象进度照片的附件 id（/attachments/{id}/ 下载；照片请在网页上传）")
    actions: list[str] = Field(..., description="调用者现在可以办理的操作")


class ProjectReportPage(Schema):
    items: list[ProjectReportItem]
    next: str | None
    prev: str | None


class ProjectReportQuery(Schema):
    """The report list's filters (the same ReportFilter as the page), and paging."""

    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    month: int | None = Field(None, ge=1, le=12, description="月份")
    state: list[ReportStateName] | None = Field(None, description="报送状态，可多选")
    lead_unit: int | None = Field(None, ge=1, le=MAX_ID, description="责任单位 id")
    light: list[LightName] | None = Field(None, description="亮灯，可多选")
    project: str | None = Field(None, max_length=24, description="项目编号")
    cursor: str | None = CURSOR
    limit: int = LIMIT


REPORT_SINGLE = ("year", "month", "lead_unit", "project")
REPORT_MULTIPLE = ("state", "light")


class ProjectReportSubmitIn(Input):
    version: int = version_of("月报")
    completed: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description="本月完成投资（万元）")
    image_progress: str = Field("", max_length=2000, description="形象进度")


class ProjectReportCorrectIn(Input):
    version: int = version_of("月报")
    completed: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description="更正后的本月完成投资（万元）")
    image_progress: str | None = Field(None, max_length=2000, description="形象进度；不填则不改")
    reason: str = Field(..., max_length=300, description="更正原因")
