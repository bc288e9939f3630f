"""The columns of the county's task decomposition sheet (任务分解表): what each means, the names counties give
it, and what the export writes for a task — the one definition import, export and re-import share.

Re-import compares each cell with what the export writes for the task now (`cell_values`), so a sheet that
was exported and brought back unchanged changes nothing, whatever the database holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from duban.core.excel.cells import clean, header_key, writable
from duban.ledger.deadlines import DeadlineError, parse_deadline


@dataclass(frozen=True)
class Column:
    """One column of the layout: its key, the header the export writes, the headers counties use, its width."""

    key: str
    label: str
    variants: tuple[str, ...]
    width: float
    imported: bool = True  # False: never changes the task's own fields (progress, reports, light, state)
    exported: bool = True  # False: read when a sheet has it, never written (存在问题, 下步打算)


COLUMNS = (
    Column("seq", "序号", ("序号", "编号", "排序", "序"), 6),
    Column("code", "任务编号", ("任务编号", "系统编号", "台账编号", "督办编号"), 13),
    Column("title", "工作任务", ("工作任务", "重点任务", "任务", "工作内容", "任务名称", "重点工作", "工作事项",
                               "任务内容", "主要任务", "重点工作任务", "任务事项"), 36),
    Column("standard", "具体措施及标准", ("具体措施及标准", "具体措施", "目标", "工作措施", "具体措施及目标", "完成标准",
                                   "工作标准", "工作目标", "目标任务", "具体目标", "主要措施", "推进措施",
                                   "工作措施及目标", "目标要求", "具体措施和目标", "完成标准及要求"), 48),
    Column("leaders", "牵头县领导", ("牵头县领导", "县级领导", "分管县领导", "包抓领导", "责任领导", "牵头领导",
                                "包抓县领导", "责任县领导", "分管领导", "县级包抓领导", "牵头县级领导"), 12),
    Column("lead_unit", "牵头单位", ("牵头单位", "责任单位", "主责单位", "牵头部门", "责任部门", "主办单位",
                               "牵头责任单位"), 18),
    Column("cooperating", "配合单位", ("配合单位", "协办单位", "参与单位", "配合部门", "协同单位", "协助单位",
                                 "配合责任单位"), 24),
    Column("deadline", "完成时限", ("完成时限", "时间节点", "完成时间", "时限要求", "办结时限", "时间要求",
                                "完成时限要求", "完成期限", "时限"), 16),
    Column("responsible", "责任人", ("责任人", "具体责任人", "直接责任人", "责任人员"), 10),
    Column("reward", "奖惩", ("奖惩", "考核", "奖惩措施", "考核奖惩", "奖惩办法", "考核办法", "考核要求"), 20),
    Column("front", "战线", ("战线", "所属战线"), 14),
    # A unit brings its progress back in these (a progress report, `plan._Planner._report`); the office's
    # import never reads them.
    Column("progress", "进度（%）", ("进度", "完成进度", "工作进度", "完成比例"), 8, imported=False),
    Column("report", "最新进展", ("最新进展", "工作进展", "进展情况", "推进情况", "进展", "目前进展", "本期进展",
                               "工作推进情况", "完成情况"), 40, imported=False),
    Column("problems", "存在问题", ("存在问题", "存在的问题", "困难问题", "问题"), 24, imported=False, exported=False),
    Column("next_steps", "下步打算", ("下步打算", "下一步打算", "下步措施", "下一步工作"), 24, imported=False, exported=False),
    Column("light", "亮灯", ("亮灯", "灯色"), 7, imported=False),
    Column("state", "状态", ("状态", "任务状态", "办理状态"), 12, imported=False),
)
BY_KEY = {c.key: c for c in COLUMNS}
EXPORTED = tuple(c for c in COLUMNS if c.exported)
# The columns of a progress report read back from a unit's sheet.
REPORT_KEYS = ("progress", "report", "problems", "next_steps")
# Several sheets split the standard into two columns ("工作目标" and "具体措施"): both are read, in order.
REPEATABLE = frozenset({"standard"})
# Below this many known columns (工作任务 among them) a row is not taken for the header.
MIN_HEADER_COLUMNS = 3

_VARIANTS = {header_key(v): c.key for c in COLUMNS for v in (*c.variants, c.label)}


def column_for(header) -> str | None:
    """The column key a header cell names, or None."""
    return _VARIANTS.get(header_key(header))


# --- what the export writes ------------------------------------------------------------------------------


@dataclass(slots=True)
class LedgerRow:
    """What one row of the sheet shows of a task: read from `values()` for an export (100k model instances
    would cost ~20 s), or from a Task for re-import's comparison (`row_of`). Both must agree, field for field."""

    seq: str
    code: str
    title: str
    standard: str
    assigning_leader_id: int | None
    assigning_leader_name: str
    leader_id: int | None
    leader_name: str
    lead_unit_name: str
    cooperating: list[str]  # names in the unit tree's order
    deadline_text: str
    due_date: dt.date | None
    standing: bool
    year: int
    responsible: str
    reward_penalty: str
    front_name: str
    progress: int
    light: str
    state: str
    report: str  # the text of the lead unit's latest progress report


# The columns `export.ledger_rows` reads, in LedgerRow's order up to `cooperating` (filled separately);
# "latest_report" is the annotation `latest_report()` adds.
VALUES = (
    "id", "seq", "code", "title", "standard", "assigning_leader_id", "assigning_leader__full_name", "leader_in_charge_id",
    "leader_in_charge__full_name", "lead_unit__name", "deadline_text", "due_date", "standing", "campaign__year",
    "responsible_person_id", "responsible_person__full_name", "responsible_name", "reward_penalty", "front__name",
    "progress", "light", "state", "latest_report",
)


def latest_report():
    """The text of the lead unit's latest progress report, as an annotation (one index probe per task)."""
    from django.db.models import OuterRef, Subquery

    from duban.ledger.models import ProgressReport

    reports = ProgressReport.objects.filter(task=OuterRef("pk"), unit=OuterRef("lead_unit")).order_by("-created_at", "-id")
    return Subquery(reports.values("text")[:1])


def row_of_values(values: tuple, cooperating: list[str]) -> LedgerRow:
    (_pk, seq, code, title, standard, assigning_id, assigning_name, leader_id, leader_name, lead_unit, deadline_text,
     due_date, standing, year, person_id, person_name, responsible_name, reward, front, progress, light, state,
     report) = values
    return LedgerRow(
        seq, code, title, standard, assigning_id, assigning_name or "", leader_id, leader_name or "", lead_unit or "",
        cooperating, deadline_text, due_date, standing, year, (person_name or "") if person_id else responsible_name,
        reward, front or "", progress, light, state, report or "",
    )


def row_of(task) -> LedgerRow:
    """The row of a Task instance (related objects and cooperating units in sort order loaded)."""
    return LedgerRow(
        task.seq, task.code, task.title, task.standard,
        task.assigning_leader_id, task.assigning_leader.full_name if task.assigning_leader_id else "",
        task.leader_in_charge_id, task.leader_in_charge.full_name if task.leader_in_charge_id else "",
        task.lead_unit.name if task.lead_unit_id else "", [u.name for u in task.cooperating_units.all()],
        task.deadline_text, task.due_date, task.standing, task.campaign.year, task.responsible_display,
        task.reward_penalty, task.front.name if task.front_id else "", task.progress, task.light, task.state,
        getattr(task, "latest_report", None) or "",
    )


@lru_cache(maxsize=4096)
def _reads_as(text: str, year: int, today: dt.date | None) -> tuple[dt.date | None, bool] | None:
    """(due date, standing) a wording reads as, or None; cached since a ledger repeats a few dozen wordings."""
    try:
        parsed = parse_deadline(text, year, today=today)
    except DeadlineError:
        return None
    return parsed.due_date, parsed.standing


def deadline_cell(row: LedgerRow, today: dt.date | None = None) -> str:
    """The 完成时限 as it round-trips: the task's own wording if that still reads as the same date, else the date."""
    text = (row.deadline_text or "").strip()
    if text and _reads_as(text, row.year, today) == (row.due_date, row.standing):
        return text
    if row.standing:
        return "长期坚持"
    if row.due_date:
        return f"{row.due_date.year}年{row.due_date.month}月{row.due_date.day}日前"
    return ""


def leaders_cell(row: LedgerRow) -> str:
    """The assigning leader (交办领导, when set apart) and the leader in charge, as the sheet names them."""
    names = []
    if row.assigning_leader_id and row.assigning_leader_id != row.leader_id:
        names.append(row.assigning_leader_name)
    if row.leader_id:
        names.append(row.leader_name)
    return "、".join(names)


def cell_values(row: LedgerRow, today: dt.date | None = None, labels: dict[str, str] | None = None) -> dict[str, object]:
    """What the export writes in each column for a task's row."""
    labels = labels or display_labels()
    return {
        "seq": row.seq,
        "code": row.code,
        "title": row.title,
        "standard": row.standard,
        "leaders": leaders_cell(row),
        "lead_unit": row.lead_unit_name,
        "cooperating": "、".join(row.cooperating),
        "deadline": deadline_cell(row, today),
        "responsible": row.responsible,
        "reward": row.reward_penalty,
        "front": row.front_name,
        "progress": row.progress,
        "report": row.report,
        "light": labels.get(f"light:{row.light}", row.light),
        "state": labels.get(f"state:{row.state}", row.state),
    }


def display_labels() -> dict[str, str]:
    """Light and state labels in the current language, looked up once per export (not per row)."""
    from duban.ledger.choices import TaskState
    from duban.matters.choices import Light

    labels = {f"light:{value}": str(label) for value, label in Light.choices}
    labels.update({f"state:{value}": str(label) for value, label in TaskState.choices})
    return labels


def same(cell_text: str, exported) -> bool:
    """Whether a cell read back says what the export wrote (both cleaned the same way)."""
    return clean(cell_text) == clean(writable(str(exported)) if isinstance(exported, str) else exported)
