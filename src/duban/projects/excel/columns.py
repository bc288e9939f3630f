"""The columns of the county's project sheet (重点项目推进表): the ten the county files, in its order, what a sheet
needs to come back (项目编号) and the optional ones (项目阶段, 项目级别, 产业类别, 建设地点), then the month pairs
"1月计划投资"/"1月完成投资" … "12月…"; the names counties give each; a project's values in them — the one
definition export, import and re-import share.

Amounts are 万元 as stored (Decimal, never float): a cell may say "1.2亿元" or "3500万元", and a bare number is in
the unit its header ("总投资（亿元）") or the title rows ("单位：亿元") give, 万元 otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from duban.core.excel.cells import CellError, clean, header_key
from duban.projects.choices import Industry, Level, Stage

WAN, YI = Decimal(1), Decimal(10000)  # 万元 per unit
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    """One column: its key, the header the export writes, the headers counties use, its width and kind."""

    key: str
    label: str
    variants: tuple[str, ...]
    width: float
    kind: str = "text"  # text, amount, leader, unit, stage, level, industry


COLUMNS = (
    Column("seq", "序号", ("排序", "编号序号"), 6),
    Column("code", "项目编号", ("系统编号",), 14),
    Column("name", "项目名称", ("项目", "名称"), 28),
    Column("content", "建设内容和规模", ("建设内容及规模", "建设规模及内容", "建设内容", "建设规模和内容", "主要建设内容"), 40),
    Column("total_investment", "总投资（万元）", ("总投资", "计划总投资", "项目总投资", "总投资额"), 12, "amount"),
    Column("annual_plan", "年度计划投资（万元）", ("年度计划投资", "年度计划", "本年计划投资", "年计划投资", "年度投资计划"), 12, "amount"),
    Column("cumulative", "累计完成投资（万元）", ("累计完成投资", "累计完成", "累计完成投资额", "开工以来累计完成投资"), 12, "amount"),
    Column("leader", "包抓领导", ("包抓县级领导", "包抓县领导", "县级包抓领导", "包联领导", "包联县级领导", "责任领导"), 10, "leader"),
    Column("lead_unit", "责任单位", ("牵头单位", "责任部门", "项目责任单位", "牵头责任单位"), 18, "unit"),
    Column("progress_note", "项目进展情况", ("进展情况", "项目进展", "推进情况", "目前进展情况"), 36),
    Column("issues_note", "存在问题", ("存在的问题", "存在困难和问题", "存在问题及困难", "困难和问题"), 30),
    Column("stage", "项目阶段", ("阶段", "项目状态", "推进阶段"), 10, "stage"),
    Column("level", "项目级别", ("级别", "重点级别", "项目层级"), 10, "level"),
    Column("industry", "产业类别", ("产业类型", "行业类别", "所属产业", "产业"), 12, "industry"),
    Column("location", "建设地点", ("建设地址", "项目地点", "项目地址"), 16),
)
BY_KEY = {c.key: c for c in COLUMNS}
_VARIANTS = {header_key(v): c.key for c in COLUMNS for v in (*c.variants, c.label)}
_ANNUAL = re.compile(r"^\d{4}年度?(计划投资|投资计划|计划完成投资)$")  # "2026年计划投资"
MONTHS = range(1, 13)
# "3月计划投资" / "3月份完成投资" / "3月计划"; in the two-row form "3月" over "计划投资" and "完成投资".
_MONTH_PAIR = re.compile(r"^(\d{1,2})月份?(计划|完成)(投资)?额?$")
MONTH_ONLY = re.compile(r"^(\d{1,2})月份?$")
_HALF = re.compile(r"^(计划|完成)(投资)?额?$")
MONTH_WORD = {"计划": "plan", "完成": "done"}
REQUIRED_HEADER = "name"
MIN_HEADER_COLUMNS = 4


def month_key(month: int, half: str) -> str:
    return f"{half}_{month}"


def month_label(month: int, half: str) -> str:
    return f"{month}月{'计划' if half == 'plan' else '完成'}投资"


MONTH_KEYS = tuple(month_key(m, h) for m in MONTHS for h in ("plan", "done"))
ALL_KEYS = tuple(c.key for c in COLUMNS) + MONTH_KEYS
WIDTHS = [c.width for c in COLUMNS] + [9] * len(MONTH_KEYS)


def label_of(key: str) -> str:
    if key in BY_KEY:
        return BY_KEY[key].label
    half, month = key.split("_")
    return month_label(int(month), half)


def column_for(header) -> str | None:
    """The column key a one-row header cell names ("总投资（亿元）", "3月完成投资"), or None."""
    key = header_key(header)
    if key in _VARIANTS:
        return _VARIANTS[key]
    if _ANNUAL.match(key):
        return "annual_plan"
    pair = _MONTH_PAIR.match(key)
    if pair and 1 <= int(pair.group(1)) <= 12:
        return month_key(int(pair.group(1)), MONTH_WORD[pair.group(2)])
    return None


def half_for(header) -> str | None:
    """"plan" or "done" for the lower cell of a two-row month header ("计划投资", "完成投资")."""
    match = _HALF.match(header_key(header))
    return MONTH_WORD[match.group(1)] if match else None


def unit_of(text: str) -> Decimal | None:
    """The unit a header or title text names (亿元 or 万元), None if it names none."""
    text = clean(text)
    if "亿元" in text:
        return YI
    if "万元" in text:
        return WAN
    return None


_MONEY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(亿元|亿|万元|万|元)?$")
_FACTOR = {"亿元": YI, "亿": YI, "万元": WAN, "万": WAN, "元": Decimal("0.0001")}


def parse_money(value, unit: Decimal = WAN) -> Decimal | None:
    """An amount in 万元 from a cell: "1.2亿元"/"1.2亿" → 12000, "3500万元"/"3500万" → 3500, a bare number in
    `unit` (亿元: ×10000); None if empty. Decimal throughout (a float cell read by its shortest repr)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(f"“{clean(value)}”不是金额")
    if isinstance(value, (int, float, Decimal)):
        number, factor = Decimal(str(value)), unit
    else:
        text = clean(value).replace(",", "").replace("，", "").replace(" ", "")
        if not text or text in ("-", "—", "/"):
            return None
        match = _MONEY.match(text)
        if not match:
            raise CellError(f"“{clean(value)}”不是金额，请写成数字，如 3500、3500万元或1.2亿元")
        try:
            number = Decimal(match.group(1))
        except InvalidOperation:
            raise CellError(f"“{clean(value)}”不是金额") from None
        factor = _FACTOR[match.group(2)] if match.group(2) else unit
    if number < 0:
        raise CellError(f"“{clean(value)}”是负数，金额不能为负")
    amount = number * factor
    if amount >= Decimal("1e12"):
        raise CellError(f"“{clean(value)}”过大，请确认单位（万元或亿元）")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)  # to the hundred yuan, as stored


STAGE_WORDS = {
    **{str(label): value for value, label in Stage.choices}, **{value: value for value in Stage.values},
    "谋划": Stage.LEAD, "洽谈": Stage.NEGOTIATING, "已签约": Stage.SIGNED, "前期": Stage.PREPARING, "前期工作": Stage.PREPARING,
    "新开工": Stage.STARTED, "续建": Stage.STARTED, "在建": Stage.STARTED, "已开工": Stage.STARTED, "已竣工": Stage.COMPLETED,
    "已投产": Stage.PRODUCING, "已终止": Stage.STOPPED,
}
LEVEL_WORDS = {
    **{str(label): value for value, label in Level.choices}, **{value: value for value in Level.values},
    "省级": Level.PROVINCE, "省级重点": Level.PROVINCE, "省重点项目": Level.PROVINCE, "市级": Level.CITY, "市级重点": Level.CITY,
    "市重点项目": Level.CITY, "县级": Level.COUNTY, "县级重点": Level.COUNTY, "县重点项目": Level.COUNTY, "一般": Level.NONE,
}
INDUSTRY_WORDS = {**{str(label): value for value, label in Industry.choices}, **{value: value for value in Industry.values}}


def words_of(kind: str) -> tuple[dict[str, str], type]:
    return {"stage": (STAGE_WORDS, Stage), "level": (LEVEL_WORDS, Level), "industry": (INDUSTRY_WORDS, Industry)}[kind]


# The values of a project the export writes, one query for any number of rows.
VALUES = ("id", "code", "version", "name", "content", "total_investment", "annual_plan", "cumulative", "cumulative_before",
          "leader_in_charge__full_name", "lead_unit__name", "progress_note", "issues_note", "state", "level", "industry",
          "location", "plan_year")


def values_of(row: tuple) -> dict[str, object]:
    """A project's values by column key (from a VALUES tuple): what the export writes and re-import compares."""
    v = dict(zip(VALUES, row, strict=True))
    return {**v, "leader": v["leader_in_charge__full_name"] or "", "lead_unit": v["lead_unit__name"] or "", "stage": v["state"]}


def cell_of(key: str, value) -> object:
    """A value as its cell shows it: choices by their labels, amounts as numbers (万元)."""
    if value is None or value == "":
        return None
    if key in ("stage", "level", "industry"):
        return str(words_of(key)[1](value).label)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def text_of(key: str, value) -> str:
    """A value as the preview shows it."""
    shown = cell_of(key, value)
    if shown is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(shown)
