"""Importing a hazard ledger sheet, all or nothing: `build_plan` reads every cell as what its column holds and
lists each problem by row, column and reason (in Chinese); `apply_plan` writes the plan through the services
(`import_hazard` for a new row, `edit_hazard` for a changed one) in one transaction, and writes nothing if any
row is refused.

A row with a 隐患编号 is that hazard (a sheet exported from here and brought back): only the cells that differ
from what the export writes for it now are changed; 序号, 验收人, 验收时间 and 状态 are the transitions' to write,
so a changed one is refused with what to do instead. A row without one is a new hazard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import UnitKind
from duban.core.excel.cells import CellError, clean, parse_amount, parse_date
from duban.core.excel.plan import ImportFailed, ImportResult, Problem, RowChecker, SheetPlan, attempt, read_sheet, writing
from duban.core.excel.plan import describe as describe_plan
from duban.core.models import Unit
from duban.safety.choices import HazardLevel, HazardState
from duban.safety.excel import sheet as reading
from duban.safety.excel.columns import BY_KEY, LEVEL_WORDS, STATE_WORDS, VALUES, values_of
from duban.safety.models import Hazard, Sector
from duban.safety.services.importing import missing_for_state

MAX_LENGTH = {"place": 200, "title": 300, "found_by_name": 60, "responsible_name": 60, "verified_by_name": 60}
# A service's refusal names a field; the column it came from.
FIELD_COLUMN = {"verified_on": "verified_on", "lead_unit": "lead_unit", "due_date": "due_date", "measures": "measures",
                "place": "place", "title": "title", "level": "level", "found_on": "found_on", "sector": "sector",
                "township": "township", "funds": "funds", "state": "state"}
FOREIGN = ("sector", "township", "lead_unit")
LOOKUP_BATCH = 2000


@dataclass
class NewHazard:
    row: int
    values: dict  # import_hazard's keywords; sector, township and lead_unit as ids


@dataclass
class Change:
    row: int
    code: str
    hazard_id: int
    version: int
    values: dict  # edit_hazard's keywords; foreign keys as ids
    shown: list[tuple[str, str, str]]  # (header, before, after) for the preview


@dataclass
class HazardPlan(SheetPlan):
    """The hazard sheet's plan: `created` NewHazard rows, `updated` Change rows."""


def build_plan(source, user=None, *, file_name: str = "") -> HazardPlan:
    """Read the sheet and check every row against the database; the plan says what would change, or why not."""
    plan = HazardPlan(file_name=file_name)
    sheet = read_sheet(plan, reading.read, source)
    if sheet is not None:
        _Checker(sheet, plan, user).run()
    return plan


class _Checker(RowChecker):
    def __init__(self, sheet: reading.Sheet, plan: HazardPlan, user):
        super().__init__(sheet, plan)
        self.user = user
        self.today = timezone.localdate()
        self.sectors = {s.name: s for s in Sector.objects.all()}

    def run(self) -> None:
        sheet = self.sheet
        if "place" not in sheet.columns:  # the header needs 隐患内容; a hazard needs its place too
            self.plan.errors.append(Problem(f"第 {sheet.header_row} 行表头中没有“隐患部位”列（也可叫“隐患地点”“部位”），请加上这一列。"))
            return
        codes = [c for _n, cells in sheet.rows if (c := clean(cells.get(sheet.columns["code"])))] if "code" in sheet.columns else []
        scope = Hazard.objects.visible_to(self.user) if self.user is not None else Hazard.objects.all()
        current = {}
        for start in range(0, len(codes), LOOKUP_BATCH):  # a query's parameters are capped (SQLite: 32,766)
            batch = scope.filter(code__in=codes[start:start + LOOKUP_BATCH]).values_list(*VALUES)
            current.update((v["code"], v) for v in map(values_of, batch))
        seen: dict[str, int] = {}
        for number, cells in sheet.rows:
            values = self.read_row(number, cells)
            if values is None:
                continue
            code = values.pop("code", "")
            if code:
                if code in seen:
                    self.problem(number, "code", f"隐患编号 {code} 与第 {seen[code]} 行重复")
                    continue
                seen[code] = number
                if code not in current:
                    self.problem(number, "code", f"系统中没有隐患 {code}，或您无权修改它（新隐患请将此列留空）")
                    continue
                self.compare(number, current[code], values)
            else:
                self.new(number, values)

    def read_row(self, number: int, cells: dict[int, object]) -> dict | None:
        """The row's cells read by column kind; None for a note at the foot or a row with a bad cell (recorded)."""
        raw = {key: cells.get(index) for key, index in self.sheet.columns.items()}
        texts = {key: clean(value) for key, value in raw.items()}
        if not texts.get("place") and not texts.get("title"):
            if sum(1 for t in texts.values() if t) <= 1:
                return None  # 填表人：… 审核人：…, a total, a stray mark
        before = len(self.plan.errors)
        values: dict[str, object] = {}
        for key, text in texts.items():
            column = BY_KEY[key]
            if column.key == "seq":
                continue
            try:
                values[key] = self.read_cell(column.kind, key, raw[key], text)
            except CellError as exc:
                self.problem(number, key, str(exc))
        for key in ("place", "title"):
            if not values.get(key):
                self.problem(number, key, "不能为空")
        for key, limit in MAX_LENGTH.items():
            if len(values.get(key) or "") > limit:
                self.problem(number, key, f"超过 {limit} 个字")
        for key in ("found_on", "verified_on"):
            if values.get(key) and values[key] > self.today:
                self.problem(number, key, f"{values[key]:%Y-%m-%d} 晚于今天")
        return values if len(self.plan.errors) == before else None

    def read_cell(self, kind: str, key: str, value, text: str):
        if kind == "date":
            return parse_date(value)
        if kind == "amount":
            return parse_amount(value)
        if kind == "level":
            if not text:
                return HazardLevel.GENERAL
            if text not in LEVEL_WORDS:
                raise CellError(f"“{text}”不对，只能填“一般隐患”或“重大隐患”（也可简写为“一般”“重大”）")
            return LEVEL_WORDS[text]
        if kind == "state":
            if text and text not in STATE_WORDS:
                raise CellError(f"“{text}”不对，只能填：" + "、".join(str(label) for label in HazardState.labels))
            return STATE_WORDS.get(text, "")
        if kind == "sector":
            name = text or "其他"
            if name not in self.sectors:
                raise CellError(f"“{name}”不是本县的行业领域，可填：" + "、".join(self.sectors))
            return self.sectors[name].pk
        if kind in ("township", "unit"):
            return self.unit(text, township=kind == "township") if text else None
        return text

    def unit(self, name: str, *, township: bool) -> int:
        found = self.units.get(name, [])
        exact = [u for u in found if u.name == name]
        found = exact or found
        if township:
            found = [u for u in found if u.kind == UnitKind.TOWNSHIP]
        if len(found) != 1:
            what = "乡镇" if township else "单位"
            raise CellError(f"系统中没有名为“{name}”的{what}" if not found else f"有 {len(found)} 个名为“{name}”的{what}，请写全称")
        return found[0].pk

    def new(self, number: int, values: dict) -> None:
        if not values.get("found_on"):
            self.problem(number, "found_on", "新隐患须填写排查时间")
            return
        state = values.pop("state", "") or _state_of(values)
        refusal = missing_for_state(state, lead_unit=values.get("lead_unit"), due_date=values.get("due_date"),
                                    measures=values.get("measures") or "", verified_on=values.get("verified_on"))
        if refusal is not None:
            self.problem(number, FIELD_COLUMN[refusal.field], refusal.message)
            return
        values = {k: v for k, v in values.items() if v not in (None, "")}
        values.update({f"{k}_id": values.pop(k) for k in FOREIGN if k in values})
        self.plan.created.append(NewHazard(number, {**values, "state": state}))

    def compare(self, number: int, current: dict, values: dict) -> None:
        changes, shown = {}, []
        for key, value in values.items():
            before = current[key]
            if key in FOREIGN:
                name = self._name(key, value)
                if name != (before or ""):
                    shown.append((self.sheet.where(key)[0], before or "", name))
                    changes[f"{key}_id"] = value
                continue
            if key == "found_on" and value is None:
                self.problem(number, key, "不能为空")
                return
            if key == "state" and not value:
                continue
            if (before if before is not None else "") == (value if value is not None else ""):
                continue
            if not BY_KEY[key].editable:
                what = "在隐患页面办理" if key == "state" else "由验收销号写入"
                self.problem(number, key, f"不能通过导入修改（系统中为“{_text(key, before)}”，表格中为“{_text(key, value)}”），请{what}")
                return
            changes[key] = value
            shown.append((self.sheet.where(key)[0], _text(key, before), _text(key, value)))
        if not changes:
            self.plan.unchanged += 1
            return
        if current["state"] == HazardState.CLOSED:
            label, before, after = shown[0]
            self.problem(number, next(k for k in values if self.sheet.where(k)[0] == label),
                         f"隐患 {current['code']} 已销号，不能通过导入修改（系统中为“{before}”，表格中为“{after}”）")
            return
        self.plan.updated.append(Change(number, current["code"], current["id"], current["version"], changes, shown))

    def _name(self, key: str, pk) -> str:
        if pk is None:
            return ""
        if key == "sector":
            return next(name for name, s in self.sectors.items() if s.pk == pk)
        return self.unit_names[pk]


def _state_of(values: dict) -> str:
    """A sheet without a 状态 column: struck off once verified, rectifying once assigned, found otherwise."""
    if values.get("verified_on"):
        return HazardState.CLOSED
    if values.get("lead_unit") and values.get("due_date"):
        return HazardState.RECTIFYING
    return HazardState.FOUND


def _text(key: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if key == "level":
        return str(HazardLevel(value).label)
    if key == "state":
        return str(HazardState(value).label)
    return str(value)


# --- writing -------------------------------------------------------------------------------------------


def apply_plan(plan: HazardPlan, actor: Actor, *, dry_run: bool = False) -> ImportResult:
    """Write a checked plan through the services (a new row: `import_hazard`; a changed one: `edit_hazard`) in one
    transaction (`core.excel.plan.writing`); ImportFailed (nothing written) if any row is refused — every refusal
    listed, each by its row. `dry_run`: the same, rolled back at the end."""
    from duban.safety.services import edit_hazard
    from duban.safety.services.importing import import_hazard

    problems: list[Problem] = []
    result = ImportResult([], [])
    with writing(plan, dry_run=dry_run):
        units = {u.pk: u for u in Unit.objects.filter(pk__in=_unit_ids(plan))}
        sectors = {s.pk: s for s in Sector.objects.all()}
        resolve = {"sector_id": ("sector", sectors), "township_id": ("township", units), "lead_unit_id": ("lead_unit", units)}
        for row in plan.created:
            values = {resolve[k][0] if k in resolve else k: resolve[k][1].get(v) if k in resolve else v for k, v in row.values.items()}
            values.setdefault("sector", sectors.get(next((s.pk for s in sectors.values() if s.code == "other"), None)))
            _attempt(problems, row.row, lambda v=values: result.created.append(import_hazard(actor, **v).code))
        hazards = Hazard.objects.in_bulk([c.hazard_id for c in plan.updated])
        for change in plan.updated:
            values = {resolve[k][0] if k in resolve else k: resolve[k][1].get(v) if k in resolve else v for k, v in change.values.items()}
            text = "按导入的台账修改：" + "；".join(f"{label} {before or '（空）'} → {after or '（空）'}" for label, before, after in change.shown)
            _attempt(problems, change.row, lambda c=change, v=values, t=text: (
                edit_hazard(actor, hazards[c.hazard_id], expected_version=c.version, text=t[:300], **v), result.updated.append(c.code)))
        if problems:
            raise ImportFailed(problems)
        audit.record(actor, "hazard.import_sheet", None, object_type="safety.Hazard",
                     after={"file": plan.file_name, "created": len(result.created), "updated": len(result.updated)},
                     message=f"导入隐患台账：新建 {len(result.created)} 条，修改 {len(result.updated)} 条")
    return result


def _attempt(problems: list[Problem], row: int, write) -> None:
    attempt(problems, row, write, _column)


def _column(field_name: str) -> str:
    """The header of the column a service's refusal of `field_name` came from."""
    key = FIELD_COLUMN.get(field_name)
    return BY_KEY[key].label if key else ""


def _unit_ids(plan: HazardPlan) -> set[int]:
    rows = [r.values for r in plan.created] + [c.values for c in plan.updated]
    return {v for values in rows for k, v in values.items() if k in ("township_id", "lead_unit_id") and v}


def describe(plan: HazardPlan, *, limit: int | None = None) -> list[str]:
    """The plan for a terminal: the problems, else what will be created and changed."""
    return describe_plan(plan, f"新建 {len(plan.created)} 条，修改 {len(plan.updated)} 条，{plan.unchanged} 条不变。", limit=limit)
