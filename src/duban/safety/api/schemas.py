"""The shapes of /api/v1/hazards…."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field

from duban.api.schemas import MAX_ID, Input, Ref, Schema
from duban.matters.choices import Light
from duban.safety.choices import HazardLevel, HazardState

PAGE_MAX = 100
NOT_FOUND = "未找到隐患 {code}，或该隐患不在您的职责范围内。"
StateName = Literal[("open", *HazardState.values)]  # type: ignore[valid-type]
LightName = Literal[tuple(Light.values)]  # type: ignore[valid-type]
LevelName = Literal[tuple(HazardLevel.values)]  # type: ignore[valid-type]
Version = Field(..., ge=1, le=MAX_ID, description="读取隐患时得到的 version；他人已先修改时返回 409")


class HazardItem(Schema):
    code: str = Field(..., description="隐患编号")
    sector: Ref
    level: str
    level_label: str
    place: str = Field(..., description="隐患部位")
    place_unit: str
    title: str = Field(..., description="隐患内容")
    township: Ref | None = Field(None, description="属地乡镇")
    lead_unit: Ref | None = Field(None, description="整改责任单位")
    due_date: dt.date | None = Field(None, description="整改时限")
    found_on: dt.date
    state: str
    state_label: str
    light: str
    light_reason: str = Field(..., description="亮灯原因，按记下的写法，不含每天变化的天数（如“已逾期（完成时限 2026年7月28日）”）")
    return_count: int
    recurrence_of: str | None = Field(None, description="复发于（原隐患编号）")


class HazardDetail(HazardItem):
    version: int
    detail: str
    found_by: str
    measures: str
    funds: Decimal | None = Field(None, description="整改资金（万元）")
    plan_goal: str
    plan_person: str
    plan_contingency: str
    rectified_on_spot: bool
    result: str
    verified_at: dt.datetime | None
    closed_on: dt.date | None
    photos_before: list[int] = Field(..., description="整改前照片的附件 id（/attachments/{id}/ 下载）")
    photos_after: list[int] = Field(..., description="整改后照片的附件 id")
    actions: list[str] = Field(..., description="调用者现在可以办理的操作")


class HazardPage(Schema):
    items: list[HazardItem]
    next: str | None
    prev: str | None


class HazardQuery(Schema):
    """The ledger filters (the same HazardFilter as the list page), and paging."""

    sector: int | None = Field(None, ge=1, le=MAX_ID, description="行业领域 id")
    level: LevelName | None = None
    township: int | None = Field(None, ge=1, le=MAX_ID, description="属地乡镇 id")
    lead_unit: int | None = Field(None, ge=1, le=MAX_ID, description="整改责任单位 id")
    state: list[StateName] | None = Field(None, description="状态，可多选；open 表示全部未销号")
    light: list[LightName] | None = Field(None, description="亮灯，可多选")
    q: str | None = Field(None, max_length=50, description="关键词：编号、部位、内容、所在单位")
    cursor: str | None = Field(None, max_length=400, description="翻页游标（上一页返回的 next 或 prev）")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")


class AssignIn(Input):
    version: int = Version
    lead_unit: int = Field(..., ge=1, le=MAX_ID, description="整改责任单位 id")
    responsible_name: str = Field("", max_length=60)
    measures: str = Field(..., max_length=4000, description="整改措施")
    due_date: dt.date = Field(..., description="整改时限")
    funds: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2, description="整改资金（万元）")
    plan_goal: str = Field("", max_length=2000, description="重大隐患：整改目标")
    plan_person: str = Field("", max_length=60, description="重大隐患：整改负责人")
    plan_contingency: str = Field("", max_length=4000, description="重大隐患：应急预案")


class VerifyIn(Input):
    version: int = Version
    note: str = Field("", max_length=2000, description="验收意见")


class HazardReturnIn(Input):
    version: int = Version
    reason: str = Field(..., max_length=2000, description="退回理由")


# --- 排查 -----------------------------------------------------------------------------------------------


class InspectionItem(Schema):
    id: int
    sector: Ref
    place: str = Field(..., description="检查部位")
    place_unit: str
    township: Ref | None = Field(None, description="属地乡镇")
    inspected_on: dt.date
    inspector: str = Field(..., description="检查人")
    failed: int = Field(..., description="不合格项数")


class InspectionResultOut(Schema):
    item: str = Field(..., description="检查内容（检查当日的表述）")
    outcome: Literal["pass", "fail", "na"]
    note: str
    hazard: str | None = Field(None, description="登记的隐患编号")


class InspectionDetail(InspectionItem):
    note: str
    results: list[InspectionResultOut]


class InspectionPage(Schema):
    items: list[InspectionItem]
    next: str | None
    prev: str | None


class InspectionQuery(Schema):
    """The same InspectionFilter as the list page, and paging."""

    sector: int | None = Field(None, ge=1, le=MAX_ID, description="行业领域 id")
    township: int | None = Field(None, ge=1, le=MAX_ID, description="属地乡镇 id")
    q: str | None = Field(None, max_length=50, description="检查部位或被检查单位")
    inspected_from: dt.date | None = None
    inspected_to: dt.date | None = None
    cursor: str | None = Field(None, max_length=400, description="翻页游标")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="每页条数，最多 100")
