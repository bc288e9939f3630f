"""The shapes of /api/v1/tasks…: what the ledger's API reads and answers (pydantic schemas through ninja)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext_lazy
from ninja import Field
from pydantic import StrictBool, StrictInt

from duban.api.schemas import MAX_ID, Input, Ref, Schema
from duban.ledger.choices import QualityGrade, TaskState
from duban.ledger.filters import DEFAULT_SORT, SORTS
from duban.matters.choices import Light

PAGE_MAX = 100
NOT_FOUND = gettext_lazy("未找到任务 {code}，或该任务不在您的职责范围内。")
LONG_TEXT = 5000  # a progress report or a reason; longer text belongs in an attachment
SHORT_TEXT = 300  # reasons stored in 300-character columns (pause_reason)

SortName = Literal[tuple(SORTS)]  # type: ignore[valid-type]
StateName = Literal[("open", *TaskState.values)]  # type: ignore[valid-type]
LightName = Literal[tuple(Light.values)]  # type: ignore[valid-type]
GradeName = Literal[tuple(QualityGrade.values)]  # type: ignore[valid-type]
Version = Field(..., ge=1, le=MAX_ID, description="读取任务时得到的 version；他人已先修改时返回 409")
OptionalVersion = Field(None, ge=1, le=MAX_ID, description="可选：读取任务时得到的 version；与当前不符时返回 409")


# --- shapes ----------------------------------------------------------------------------------------


class FrontRef(Schema):
    id: int
    number: int
    name: str


class TaskItem(Schema):
    """One row of the ledger."""

    code: str = Field(..., description="任务编号")
    title: str = Field(..., description="工作任务（干什么）")
    state: str
    state_label: str
    light: str
    light_label: str
    light_reason: str = Field(..., description="亮灯原因，按记下的写法，不含每天变化的天数（如“已逾期（完成时限 2026年7月28日）”）")
    schedule: str
    schedule_label: str
    progress: int = Field(..., description="完成进度 %")
    due_date: dt.date | None = Field(None, description="完成时限（长期坚持的任务为空）")
    deadline_text: str
    standing: bool = Field(..., description="长期坚持")
    paused_since: dt.date | None
    next_report_due: dt.date | None
    campaign: Ref
    front: FrontRef | None
    parent: str | None = Field(None, description="上级任务编号")
    lead_unit: Ref | None = Field(None, description="牵头单位")
    cooperating_units: list[Ref] = Field(..., description="配合单位")
    leader_in_charge: Ref | None = Field(None, description="牵头县领导")
    responsible: str = Field(..., description="责任人")
    version: int
    updated_at: dt.datetime


class Action(Schema):
    name: str
    label: str


class CompletionRequestOut(Schema):
    id: int
    requested_at: dt.datetime
    summary: str


class ExtensionRequestOut(Schema):
    id: int
    requested_at: dt.datetime
    old_due: dt.date | None
    new_due: dt.date
    reason: str
    can_decide: bool = Field(..., description="调用者能否审批（POST /extension-requests/{id}/decision）")


class ReassignmentRequestOut(Schema):
    id: int
    requested_at: dt.datetime
    unit: Ref
    reason: str
    suggested_unit: Ref | None
    can_decide: bool = Field(..., description="调用者能否处理（POST /reassignment-requests/{id}/decision）")


class TaskDetail(TaskItem):
    """A task with its five clarities (五明确), sub-tasks, pending requests and what the caller may do now."""

    seq: str
    standard: str = Field(..., description="标准（怎么干）：每行一项，销账时逐项核验")
    standard_items: list[str]
    assigning_leader: Ref | None = Field(None, description="交办领导")
    responsible_person: Ref | None
    start_date: dt.date
    report_cycle: str = Field(..., description="报送周期")
    reward_penalty: str = Field(..., description="奖惩")
    source: str
    source_label: str
    source_ref: str
    grade: str
    grade_label: str
    signed_at: dt.datetime | None
    last_report_on: dt.date | None
    completed_on: dt.date | None
    closed_on: dt.date | None
    pause_reason: str
    under_notice: bool
    return_count: int
    reassign_count: int
    created_at: dt.datetime
    subtasks: list[str] = Field(..., description="子任务编号（调用者能看到的）")
    actions: list[Action] = Field(..., description="调用者现在可以办理的操作")
    completion_request: CompletionRequestOut | None = Field(None, description="待审核的销账申请")
    extension_request: ExtensionRequestOut | None = Field(None, description="待审批的延期申请")
    reassignment_request: ReassignmentRequestOut | None = Field(None, description="待处理的调整申请")


class TaskPage(Schema):
    items: list[TaskItem]
    next: str | None = Field(None, description="下一页游标（作为 cursor 传回）")
    prev: str | None = Field(None, description="上一页游标")


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class ReportOut(Schema):
    id: int
    reported_on: dt.date
    created_at: dt.datetime
    unit: Ref
    author: Ref | None
    percent: int
    text: str
    problems: str
    next_steps: str
    attachments: list[AttachmentOut]


class ReportPage(Schema):
    items: list[ReportOut]
    next: str | None = None
    prev: str | None = None


class TaskEventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    actor: str
    text: str
    data: dict


class EventPage(Schema):
    items: list[TaskEventOut]
    next: str | None = None
    prev: str | None = None


class TaskQuery(Schema):
    """The ledger filters (the same TaskFilter as the list page and the Excel export), sort and paging."""

    campaign: int | None = Field(None, ge=1, le=MAX_ID, description="专项行动 id")
    front: int | None = Field(None, ge=1, le=MAX_ID, description="战线 id")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="单位 id（牵头或配合）")
    leader: int | None = Field(None, ge=1, le=MAX_ID, description="牵头县领导的人员 id")
    light: list[LightName] | None = Field(None, description="亮灯，可多选")
    state: list[StateName] | None = Field(None, description="状态，可多选；open 表示全部在办")
    due_after: dt.date | None = Field(None, description="完成时限不早于")
    due_before: dt.date | None = Field(None, description="完成时限不晚于")
    q: str | None = Field(None, max_length=100, description="关键词：任务名称、编号开头或责任人")
    sort: SortName = Field(DEFAULT_SORT, description="排序：due 时限从近到远，-due 从远到近，code 编号，-updated 最近更新")
    cursor: str | None = Field(None, max_length=400, description="翻页游标（上一页返回的 next 或 prev）")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=400, description="翻页游标")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


class ReportIn(Input):
    percent: StrictInt = Field(..., ge=0, le=100, description="完成进度 %（牵头单位报送时更新任务进度）")
    text: str = Field(..., max_length=LONG_TEXT, description="工作进展")
    problems: str = Field("", max_length=LONG_TEXT, description="存在问题")
    next_steps: str = Field("", max_length=LONG_TEXT, description="下步打算")
    version: int | None = OptionalVersion


class VersionIn(Input):
    version: int = Version


class OptionalVersionIn(Input):
    version: int | None = OptionalVersion


class CompletionIn(Input):
    version: int = Version
    summary: str = Field(..., max_length=LONG_TEXT, description="完成情况")
    no_evidence_reason: str = Field("", max_length=1000, description="没有佐证材料的原因（接口不上传文件，故必填；有材料请在网页上申请销账）")


class CloseIn(Input):
    version: int = Version
    checklist: list[StrictBool] = Field(..., max_length=200, description="标准逐项核验结果，与 standard_items 一一对应")
    grade: GradeName = Field(..., description="销账评定：excellent 优秀、good 良好、pass 合格")
    note: str = Field("", max_length=LONG_TEXT, description="审核意见")


class TaskReturnIn(Input):
    version: int = Version
    reason: str = Field(..., max_length=LONG_TEXT, description="退回理由")
    checklist: list[StrictBool] | None = Field(None, max_length=200, description="可选：逐项核验结果")


class ExtensionIn(Input):
    version: int | None = OptionalVersion
    new_due: dt.date = Field(..., description="申请延至")
    reason: str = Field(..., max_length=LONG_TEXT, description="延期理由")


class ReassignmentIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field(..., max_length=LONG_TEXT, description="调整理由")
    suggested_unit: int | None = Field(None, ge=1, le=MAX_ID, description="建议承办单位 id")


class ReasonIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field(..., max_length=SHORT_TEXT, description="原因")


class LongReasonIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field(..., max_length=LONG_TEXT, description="原因")


class ReopenIn(Input):
    version: int | None = OptionalVersion
    reason: str = Field("", max_length=LONG_TEXT, description="说明（可空）")


class ExtensionDecisionIn(Input):
    version: int | None = OptionalVersion
    approve: StrictBool = Field(..., description="true 同意，false 不同意")
    note: str = Field("", max_length=LONG_TEXT, description="审批意见")


class ReassignmentDecisionIn(Input):
    version: int | None = OptionalVersion
    approve: StrictBool = Field(..., description="true 调整，false 不同意调整")
    new_unit: int | None = Field(None, ge=1, le=MAX_ID, description="调整后的承办单位 id（空则用申请中建议的单位）")
    note: str = Field("", max_length=LONG_TEXT, description="处理意见")
