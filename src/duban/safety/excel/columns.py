"""The columns of the county's hazard ledger sheet (隐患排查整改台账): the thirteen the county files, in its order,
then what a sheet needs to come back (编号, 领域, 属地, 责任单位, 状态); the names counties give each; and a
hazard's values in them — the one definition export, import and re-import share.

Re-import compares each cell, read as what its column holds (a date, an amount, a unit), with the hazard's value
in that column now (`values_of`), so a sheet exported and brought back unchanged changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from duban.core.excel.cells import header_key
from duban.safety.choices import HazardLevel, HazardState


@dataclass(frozen=True)
class Column:
    """One column: its key (the hazard's field it reads), the header the export writes, the headers counties use."""

    key: str
    label: str
    variants: tuple[str, ...]
    width: float
    kind: str = "text"  # text, date, amount, level, state, sector, township, unit
    editable: bool = True  # False: written by the transitions only; a re-import must leave it as exported


COLUMNS = (
    Column("seq", "序号", ("排序",), 6, editable=False),
    Column("found_on", "排查时间", ("排查日期", "检查时间", "检查日期", "发现时间", "发现日期"), 12, "date"),
    Column("found_by_name", "排查人", ("排查人员", "检查人", "检查人员", "发现人"), 10),
    Column("place", "隐患部位", ("隐患地点", "隐患位置", "部位", "地点", "检查部位"), 28),
    Column("title", "隐患内容", ("隐患描述", "存在隐患", "存在问题", "隐患问题", "隐患情况"), 40),
    Column("level", "隐患等级", ("隐患级别", "等级", "级别"), 10, "level"),
    Column("measures", "整改措施", ("整改方案", "整改要求"), 36),
    Column("responsible_name", "整改责任人", ("责任人", "整改负责人"), 10),
    Column("due_date", "整改时限", ("整改期限", "完成时限", "整改时间"), 12, "date"),
    Column("funds", "整改资金（万元）", ("整改资金", "资金", "整改经费", "投入资金"), 10, "amount"),
    Column("result", "整改完成情况", ("整改情况", "完成情况", "整改结果"), 24),
    Column("verified_by_name", "验收人", ("验收人员", "复查人", "销号人"), 10, editable=False),
    Column("verified_on", "验收时间", ("验收日期", "复查时间", "销号时间", "销号日期"), 12, "date", editable=False),
    Column("code", "隐患编号", ("编号",), 14, editable=False),
    Column("sector", "行业领域", ("行业", "领域", "所属行业"), 10, "sector"),
    Column("township", "属地乡镇", ("乡镇", "属地", "所属乡镇"), 10, "township"),
    Column("lead_unit", "整改责任单位", ("责任单位", "整改单位"), 18, "unit"),
    Column("state", "状态", ("整改状态", "办理状态"), 10, "state", editable=False),
)
BY_KEY = {c.key: c for c in COLUMNS}
_VARIANTS = {header_key(v): c.key for c in COLUMNS for v in (*c.variants, c.label)}
REQUIRED = ("place", "title")  # without them a row is not a hazard; with 排查时间 they make a header
MIN_HEADER_COLUMNS = 4

LEVEL_WORDS = {"一般": HazardLevel.GENERAL, "一般隐患": HazardLevel.GENERAL, "重大": HazardLevel.MAJOR, "重大隐患": HazardLevel.MAJOR,
               "general": HazardLevel.GENERAL, "major": HazardLevel.MAJOR}
STATE_WORDS = {
    **{str(label): value for value, label in HazardState.choices}, **{value: value for value in HazardState.values},
    "待整改": HazardState.FOUND, "未整改": HazardState.FOUND, "已交办": HazardState.RECTIFYING, "正在整改": HazardState.RECTIFYING,
    "已整改": HazardState.AWAITING, "已整改待验收": HazardState.AWAITING, "已完成": HazardState.CLOSED, "已验收": HazardState.CLOSED,
    "销号": HazardState.CLOSED, "已销号": HazardState.CLOSED,
}


def column_for(header) -> str | None:
    """The column key a header cell names, or None."""
    return _VARIANTS.get(header_key(header))


# The values of a hazard the export writes, one query (`values_list`) for any number of rows.
VALUES = ("id", "code", "found_on", "found_by_name", "place", "title", "level", "measures", "responsible_name",
          "responsible_person__full_name", "due_date", "funds", "result", "verified_by_name", "verified_by__full_name",
          "verified_at", "sector__name", "township__name", "lead_unit__name", "state", "version")


def values_of(row: tuple) -> dict[str, object]:
    """A hazard's values by column key (from a VALUES tuple): what the export writes and re-import compares."""
    v = dict(zip(VALUES, row, strict=True))
    verified_at = v["verified_at"]
    return {
        "id": v["id"], "version": v["version"], "code": v["code"], "found_on": v["found_on"], "found_by_name": v["found_by_name"],
        "place": v["place"], "title": v["title"], "level": v["level"], "measures": v["measures"],
        "responsible_name": v["responsible_name"] or v["responsible_person__full_name"] or "", "due_date": v["due_date"],
        "funds": v["funds"], "result": v["result"],
        "verified_by_name": v["verified_by_name"] or v["verified_by__full_name"] or "",
        "verified_on": timezone.localtime(verified_at).date() if verified_at else None,
        "sector": v["sector__name"], "township": v["township__name"] or "", "lead_unit": v["lead_unit__name"] or "", "state": v["state"],
    }


def cell_of(key: str, value) -> object:
    """A value as its cell shows it: dates as 2026-03-05, levels and states by their labels, funds as a number."""
    if value is None or value == "":
        return None
    if key == "level":
        return str(HazardLevel(value).label)
    if key == "state":
        return str(HazardState(value).label)
    if key == "funds":
        return float(value)
    return value
