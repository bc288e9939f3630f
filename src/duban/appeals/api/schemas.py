"""The shapes of /api/v1/appeals…."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field

from duban.api.schemas import MAX_ID, Input, Ref, Schema
from duban.appeals.choices import AppealState, Category, Channel, Outcome, Rating, Urgency
from duban.appeals.filters import SORTS
from duban.matters.choices import Light

PAGE_MAX = 100
NOT_FOUND = "未找到诉求 {code}，或该诉求不在您的职责范围内。"
StateName = Literal[("open", *AppealState.values)]  # type: ignore[valid-type]
CategoryName = Literal[tuple(Category.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
UrgencyName = Literal[tuple(Urgency.values)]  # type: ignore[valid-type]
OutcomeName = Literal[tuple(Outcome.values)]  # type: ignore[valid-type]
RatingName = Literal[tuple(Rating.values)]  # type: ignore[valid-type]
LightName = Literal[tuple(Light.values)]  # type: ignore[valid-type]
SortName = Literal[tuple(SORTS)]  # type: ignore[valid-type]
WITHHELD = "企业要求对承办单位保密时为 null（identity_withheld 为 true）"


class AppealItem(Schema):
    code: str = Field(..., description="受理编号")
    channel: str = Field(..., description="来源渠道")
    channel_label: str
    category: str = Field(..., description="诉求类别")
    category_label: str
    urgency: str
    urgency_label: str
    title: str = Field(..., description="诉求摘要")
    identity_withheld: bool = Field(..., description="企业要求对承办单位保密：企业名称、信用代码、联系人、电话和热线工单号均不提供")
    enterprise_name: str | None = Field(None, description=f"企业名称；{WITHHELD}")
    credit_code: str | None = Field(None, description=f"统一社会信用代码；{WITHHELD}")
    contact_name: str | None = Field(None, description=f"联系人（领导、督查室等只读到姓氏）；{WITHHELD}")
    phone: str | None = Field(None, description=f"联系电话（不需联系企业的角色读到 138****1234）；{WITHHELD}")
    hotline_ref: str | None = Field(None, description=f"12345 热线工单号；{WITHHELD}")
    lead_unit: Ref | None = Field(None, description="承办单位")
    holder_unit: Ref | None = Field(None, description="当前办理单位（在县营商办或承办单位手中）")
    state: str
    state_label: str
    light: str
    light_reason: str
    due_date: dt.date | None = Field(None, description="当前环节的时限")
    submitted_on: dt.date = Field(..., description="提交日期")
    accepted_at: dt.datetime | None = Field(None, description="受理时间")
    replied_at: dt.datetime | None = Field(None, description="答复时间（最近一轮）")
    outcome: str = Field(..., description="办理结果，未答复为空")
    rating: str = Field(..., description="满意度，未评价为空")
    sendback_count: int = Field(..., description="退单次数")
    reopen_count: int = Field(..., description="重办次数")
    repeat: bool = Field(..., description="90 天内的重复诉求")
    excluded: bool = Field(..., description="不纳入考核")
    escalated: bool = Field(..., description="已提交分管县领导")


class ReplyOut(Schema):
    round: int = Field(..., description="轮次（重办后为第 2 轮…）")
    unit: Ref | None
    person: str = Field(..., description="答复人")
    public_text: str = Field(..., description="答复企业的内容")
    internal_note: str
    outcome: str
    outcome_label: str
    legal_basis: str = Field(..., description="无法解决的法律政策依据")
    replied_at: dt.datetime
    due_date: dt.date | None = Field(None, description="答复时限")
    on_time: bool
    rating: str
    rating_label: str
    rating_comment: str
    rated_via: str
    rated_at: dt.datetime | None


class AppealEventOut(Schema):
    at: dt.datetime
    event: str
    label: str
    person: str
    unit: Ref | None
    text: str


class AppealDetail(AppealItem):
    version: int
    description: str = Field(..., description="诉求内容")
    identity_hidden: bool = Field(..., description="企业要求对承办单位保密（县营商办看得到企业，承办单位看不到）")
    cooperating_units: list[Ref]
    leader_in_charge: Ref | None = Field(None, description="提交的分管县领导")
    accepted_on: dt.date | None
    decline_reason: str
    dispatched_at: dt.datetime | None
    signed_at: dt.datetime | None
    is_complex: bool = Field(..., description="复杂诉求（已批准延期）")
    extension_requested: bool
    extension_reason: str
    excluded_reason: str
    repeat_of: str | None = Field(None, description=f"重复于（原诉求受理编号）；{WITHHELD}")
    merged_into: str | None = Field(None, description=f"合并至（受理编号）；{WITHHELD}")
    promoted_task: str | None = Field(None, description="转为的重点工作任务编号")
    closed_on: dt.date | None
    replies: list[ReplyOut] = Field(..., description="逐轮答复与评价")
    timeline: list[AppealEventOut] = Field(..., description="办理记录，最新在前")
    actions: list[str] = Field(..., description="调用者现在可以办理的操作")


class AppealPage(Schema):
    items: list[AppealItem]
    next: str | None
    prev: str | None


class AppealQuery(Schema):
    """The appeal list's filters (the same AppealFilter as the list page and the export), and paging."""

    q: str | None = Field(None, max_length=50, description="关键词：受理编号、摘要、内容、企业名称（保密的企业不按名称查）")
    state: list[StateName] | None = Field(None, description="状态，可多选；open 表示全部未办结")
    category: list[CategoryName] | None = Field(None, description="诉求类别，可多选")
    channel: list[ChannelName] | None = Field(None, description="来源渠道，可多选")
    urgency: UrgencyName | None = None
    light: list[LightName] | None = Field(None, description="亮灯，可多选")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="承办单位 id（牵头或配合）")
    holder: int | None = Field(None, ge=1, le=MAX_ID, description="当前办理单位 id")
    outcome: OutcomeName | None = None
    rating: RatingName | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    accepted_from: dt.date | None = None
    accepted_to: dt.date | None = None
    sent_back: int | None = Field(None, ge=1, le=1000, description="退单次数不少于")
    reopened: int | None = Field(None, ge=1, le=1000, description="重办次数不少于")
    excluded: bool | None = Field(None, description="不纳入考核")
    repeat: bool | None = Field(None, description="true：只看重复诉求")
    escalated: bool | None = Field(None, description="true：只看已提交分管县领导的")
    sort: SortName = Field("due", description="due：时限最近的在前；new：最新提交的在前")
    cursor: str | None = Field(None, max_length=400, description="翻页游标（上一页返回的 next 或 prev）")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


SINGLE = ("q", "urgency", "unit", "holder", "outcome", "rating", "submitted_from", "submitted_to", "accepted_from",
          "accepted_to", "sent_back", "reopened", "excluded", "repeat", "escalated")
MULTIPLE = ("state", "category", "channel", "light")


class HotlineIn(Input):
    """A 12345 ticket as the hotline system pushes it."""

    hotline_ref: str = Field(..., min_length=1, max_length=40, description="12345 热线工单号；同一工单重复推送只登记一次")
    enterprise_name: str = Field(..., max_length=100)
    credit_code: str = Field("", max_length=30, description="统一社会信用代码，来电未提供可不填；填了须正确")
    contact_name: str = Field(..., max_length=40)
    phone: str = Field(..., max_length=30)
    category: CategoryName
    description: str = Field(..., max_length=4000, description="诉求内容（最多 2000 字）")
    urgency: UrgencyName = "normal"
    identity_hidden: bool = Field(False, description="企业要求对承办单位保密")


class HotlineOut(Schema):
    code: str = Field(..., description="受理编号（企业查询进度用）")
    query_code: str | None = Field(None, description="查询码：只在首次登记时返回一次，请热线话务员当场告知企业；系统不保存明文")
    existing: bool = Field(..., description="true：该工单此前已推送登记，返回的是原诉求（不再返回查询码）")
    state: str
    state_label: str
    track_url: str = Field(..., description="企业查询进度的页面")


class ActionIn(Input):
    version: int = Field(..., ge=1, le=MAX_ID, description="读取诉求时得到的 version；他人已先修改时返回 409")


class AppealReplyIn(ActionIn):
    public_text: str = Field(..., max_length=4000, description="答复企业的内容")
    outcome: OutcomeName
    internal_note: str = Field("", max_length=4000, description="内部说明（企业看不到）")
    legal_basis: str = Field("", max_length=4000, description="无法解决的，写明法律法规或政策依据")


class SendBackIn(ActionIn):
    reason: str = Field(..., max_length=2000, description="退单理由")
