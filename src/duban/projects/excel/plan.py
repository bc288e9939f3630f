"""Importing a project sheet, all or nothing: `build_plan` reads every cell as what its column holds and lists each
problem by row, column and reason (in Chinese); `apply_plan` writes the plan through the services (a new row:
`services.importing.import_project`; a changed one: `edit_project`, `move_stage`, the month plans and
`import_month`) in one transaction, and writes nothing if any row is refused.

A row is an existing project by its 项目编号, or else by its exact name when one project has it (the county's own
sheet brought back next month); only the cells that differ from what the export writes for it now are changed.
Otherwise the row is a new project.

累计完成投资 is the project's cumulative total = 以前年度累计 (`cumulative_before`) + every month reported. A new row
keeps 累计 − the sheet's completed months as its `cumulative_before`; an existing one whose 累计 cell is changed
has it set so that the total is what the sheet says (the months not on the sheet kept as they are).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.excel.cells import CellError, clean
from duban.core.excel.plan import ImportFailed, ImportResult, Problem, RowChecker, SheetPlan, attempt, read_sheet, writing
from duban.core.excel.plan import describe as describe_plan
from duban.core.models import Unit, User
from duban.projects.choices import PIPELINE, STAGE_ORDER, ReportState, Stage
from duban.projects.excel import sheet as reading
from duban.projects.excel.columns import (
    BY_KEY,
    MONTHS,
    VALUES,
    label_of,
    month_key,
    parse_money,
    text_of,
    values_of,
    words_of,
)
from duban.projects.models import InvestmentReport, Project

LOOKUP_BATCH = 2000
MAX_LENGTH = {"name": 200, "location": 200}
TEXTS = ("name", "content", "progress_note", "issues_note", "location")
CHOICES = ("level", "industry")
AMOUNTS = ("total_investment", "annual_plan")
ZERO = Decimal(0)
# A service's refusal names a field; the column it came from.
FIELD_COLUMN = {"name": "name", "lead_unit": "lead_unit", "leader_in_charge": "leader", "total_investment": "total_investment",
                "annual_plan": "annual_plan", "cumulative_before": "cumulative", "stage": "stage", "level": "level",
                "industry": "industry", **{f"plan_{m}": month_key(m, "plan") for m in MONTHS}}


@dataclass
class NewProject:
    row: int
    stage: str
    values: dict  # create_project's keywords; lead_unit and leader_in_charge as ids
    plans: dict[int, Decimal | None]
    done: dict[int, Decimal]

    @property
    def name(self) -> str:
        return self.values["name"]


@dataclass
class Change:
    row: int
    code: str
    project_id: int
    version: int
    values: dict  # edit_project's keywords; foreign keys as ids
    stage: str | None
    plans: dict[int, Decimal | None]
    done: dict[int, Decimal]
    shown: list[tuple[str, str, str]]  # (header, before, after) for the preview


@dataclass
class ProjectPlan(SheetPlan):
    """The project sheet's plan: `created` NewProject rows, `updated` Change rows."""

    year: int = 0  # the year of the sheet's month columns and annual plan
    names: dict[int, str] = field(default_factory=dict)  # unit and leader ids → names, for the preview


def build_plan(source, user=None, *, file_name: str = "") -> ProjectPlan:
    """Read the sheet and check every row against the database; the plan says what would change, or why not."""
    plan = ProjectPlan(file_name=file_name)
    sheet = read_sheet(plan, reading.read, source)
    if sheet is None:
        return plan
    plan.year = sheet.year or timezone.localdate().year
    _Checker(sheet, plan, user).run()
    return plan


def _leaders() -> dict[str, list[int]]:
    """Active county leaders (principal and in charge) by full name: who a 包抓领导 cell may name."""
    found: dict[str, list[int]] = {}
    users = User.objects.filter(is_active=True, role_grants__role__in=[Role.LEADER, Role.PRINCIPAL]).distinct()
    for pk, name in users.values_list("id", "full_name"):
        found.setdefault(name, []).append(pk)
    return found


class _Checker(RowChecker):
    def __init__(self, sheet: reading.Sheet, plan: ProjectPlan, user):
        super().__init__(sheet, plan)
        plan.names.update(self.unit_names)
        self.user = user
        self.today = timezone.localdate()
        self.year = plan.year
        self.leaders = _leaders()
        self.leader_names = {ids[0]: name for name, ids in self.leaders.items() if len(ids) == 1}
        self.months = [m for m in MONTHS if month_key(m, "plan") in sheet.columns or month_key(m, "done") in sheet.columns]

    def run(self) -> None:
        sheet = self.sheet
        rows = [(n, v) for n, cells in sheet.rows if (v := self.read_row(n, cells)) is not None]
        current = self.current(rows)
        reports = self.reports([c["id"] for c in current.values()])
        by_name: dict[str, list[dict]] = {}
        for values in current.values():
            by_name.setdefault(values["name"], []).append(values)
        seen_codes: dict[str, int] = {}
        seen_names: dict[str, int] = {}
        for number, values in rows:
            code = values.pop("code", "")
            if code:
                if code in seen_codes:
                    self.problem(number, "code", f"项目编号 {code} 与第 {seen_codes[code]} 行重复")
                    continue
                seen_codes[code] = number
                if code not in current:
                    self.problem(number, "code", f"系统中没有项目 {code}，或您无权修改它（新项目请将此列留空）")
                    continue
                self.compare(number, current[code], reports.get(current[code]["id"], {}), values)
                continue
            name = values["name"]
            if name in seen_names:
                self.problem(number, "name", f"与第 {seen_names[name]} 行的项目名称相同；同名的两个项目请填写“项目编号”区分")
                continue
            seen_names[name] = number
            same = by_name.get(name, [])
            if len(same) > 1:
                self.problem(number, "name", f"系统中有 {len(same)} 个名为“{name}”的项目，请在“项目编号”列写明是哪一个")
            elif same:
                self.compare(number, same[0], reports.get(same[0]["id"], {}), values)
            else:
                self.new(number, values)

    def current(self, rows) -> dict[str, dict]:
        """The projects the rows name (by code, or by name when they have none), by code."""
        codes = [v["code"] for _n, v in rows if v.get("code")]
        names = [v["name"] for _n, v in rows if not v.get("code")]
        scope = Project.objects.visible_to(self.user) if self.user is not None else Project.objects.all()
        found: dict[str, dict] = {}
        for field_name, wanted in (("code", codes), ("name", names)):
            for start in range(0, len(wanted), LOOKUP_BATCH):  # a query's parameters are capped (SQLite: 32,766)
                batch = scope.filter(**{f"{field_name}__in": wanted[start:start + LOOKUP_BATCH]}).values_list(*VALUES)
                found.update((v["code"], v) for v in map(values_of, batch))
        return found

    def reports(self, ids: list[int]) -> dict[int, dict]:
        """Per project: its months of the sheet's year {month: (planned, completed if reported)} and the sum of
        every reported month ("all")."""
        found: dict[int, dict] = {}
        for start in range(0, len(ids), LOOKUP_BATCH):
            rows = InvestmentReport.objects.filter(project_id__in=ids[start:start + LOOKUP_BATCH]).values_list(
                "project_id", "year", "month", "planned", "completed", "state")
            for project_id, year, month, planned, completed, state in rows:
                months = found.setdefault(project_id, {"all": ZERO})
                reported = completed if state == ReportState.SUBMITTED else None
                if reported is not None:
                    months["all"] += reported
                if year == self.year:
                    months[month] = (planned, reported)
        return found

    # --- one row ---------------------------------------------------------------------------------------

    def read_row(self, number: int, cells: dict[int, object]) -> dict | None:
        """The row's cells read by column kind; None for a note or heading, or a row with a bad cell (recorded)."""
        raw = {key: cells.get(index) for key, index in self.sheet.columns.items()}
        texts = {key: clean(value) for key, value in raw.items()}
        if sum(1 for t in texts.values() if t) <= 1:
            return None  # 填表人：…, a section heading in one cell, a stray mark
        before = len(self.plan.errors)
        values: dict[str, object] = {}
        for key, text in texts.items():
            if key == "seq":
                continue
            try:
                values[key] = self.read_cell(key, raw[key], text)
            except CellError as exc:
                self.problem(number, key, str(exc))
        if not values.get("name"):
            self.problem(number, "name", "不能为空")
        for key, limit in MAX_LENGTH.items():
            if len(values.get(key) or "") > limit:
                self.problem(number, key, f"超过 {limit} 个字")
        for month in self.months:
            if values.get(month_key(month, "done")) is not None and (self.year, month) > (self.today.year, self.today.month):
                self.problem(number, month_key(month, "done"), f"{self.year}年{month}月还没到，不能填写完成投资")
        return values if len(self.plan.errors) == before else None

    def read_cell(self, key: str, value, text: str):
        kind = BY_KEY[key].kind if key in BY_KEY else "amount"
        if kind == "amount":
            return parse_money(value, self.sheet.unit(key))
        if kind in ("stage", "level", "industry"):
            if not text:
                return None
            words, choices = words_of(kind)
            if text not in words:
                raise CellError(f"“{text}”不对，只能填：" + "、".join(str(label) for label in choices.labels))
            return words[text]
        if kind == "leader":
            return self.leader(text) if text else None
        if kind == "unit":
            return self.unit(text) if text else None
        return text

    def leader(self, name: str) -> int:
        found = self.leaders.get(name, [])
        if len(found) != 1:
            raise CellError(f"系统中没有名为“{name}”的县级领导账号（包抓领导须是在用的县级领导，写全名）" if not found else
                            f"有 {len(found)} 位名为“{name}”的县级领导，请联系系统管理员区分后再导入")
        return found[0]

    def unit(self, name: str) -> int:
        found = self.units.get(name, [])
        exact = [u for u in found if u.name == name]
        found = exact or found
        if len(found) != 1:
            raise CellError(f"系统中没有名为“{name}”的单位（写单位全称或简称）" if not found else f"有 {len(found)} 个名为“{name}”的单位，请写全称")
        return found[0].pk

    def months_of(self, values: dict) -> tuple[dict[int, Decimal | None], dict[int, Decimal]]:
        plans = {m: values.get(month_key(m, "plan")) for m in self.months if month_key(m, "plan") in self.sheet.columns}
        done = {m: amount for m in self.months if (amount := values.get(month_key(m, "done"))) is not None}
        return plans, done

    def new(self, number: int, values: dict) -> None:
        if values.get("lead_unit") is None:
            self.problem(number, "lead_unit", "新项目须填写责任单位")
            return
        plans, done = self.months_of(values)
        cumulative = values.get("cumulative")
        stage = values.get("stage") or (Stage.STARTED if cumulative or any(done.values()) else Stage.PREPARING)
        if stage not in PIPELINE:
            self.problem(number, "stage", f"不能导入{Stage(stage).label}的项目；新项目的阶段可填：" + "、".join(str(Stage(s).label) for s in PIPELINE))
            return
        months_total = sum(done.values(), ZERO)
        before = ZERO if cumulative is None else cumulative - months_total  # 累计 left blank: nothing before these months
        if before < 0:
            self.problem(number, "cumulative", f"累计完成投资 {text_of('cumulative', cumulative)} 万元小于表中各月完成投资之和 "
                                               f"{text_of('cumulative', months_total)} 万元，请核对")
            return
        kept = {k: values[k] for k in (*TEXTS, *CHOICES, *AMOUNTS) if values.get(k) not in (None, "")}
        kept.update(cumulative_before=before, lead_unit_id=values["lead_unit"])
        if values.get("leader") is not None:
            kept["leader_in_charge_id"] = values["leader"]
        self.plan.created.append(NewProject(number, stage, kept, {m: v for m, v in plans.items() if v is not None}, done))

    def compare(self, number: int, current: dict, months: dict, values: dict) -> None:
        """What the row changes of an existing project: only the cells that differ from what the export writes now."""
        changes, shown = {}, []

        def differs(key, before, after):
            shown.append((self.sheet.where(key)[0], text_of(key, before), text_of(key, after)))
            changes[key] = after

        for key in TEXTS:
            if key in values and values[key] != (current[key] or ""):
                differs(key, current[key], values[key])
        for key in (*CHOICES, *AMOUNTS):
            if values.get(key) is not None and values[key] != current[key]:
                differs(key, current[key], values[key])
        if "leader" in values:
            name = self.leader_names.get(values["leader"], "")
            if name != current["leader"]:
                shown.append((self.sheet.where("leader")[0], current["leader"], name))
                changes["leader_in_charge_id"] = values["leader"]
        if "lead_unit" in values:
            if values["lead_unit"] is None:
                self.problem(number, "lead_unit", "不能为空")
                return
            if self.plan.names[values["lead_unit"]] != current["lead_unit"]:
                shown.append((self.sheet.where("lead_unit")[0], current["lead_unit"], self.plan.names[values["lead_unit"]]))
                changes["lead_unit_id"] = values["lead_unit"]
        stage = values.get("stage")
        if stage is not None and stage != current["stage"]:
            if stage not in PIPELINE or current["stage"] not in PIPELINE or STAGE_ORDER[stage] < STAGE_ORDER[current["stage"]]:
                self.problem(number, "stage", f"项目 {current['code']} 当前为“{text_of('stage', current['stage'])}”，导入只能向后推进"
                                              "阶段；退回或终止请在项目页面办理")
                return
            shown.append((self.sheet.where("stage")[0], text_of("stage", current["stage"]), text_of("stage", stage)))
        else:
            stage = None
        sheet_plans, sheet_done = self.months_of(values)
        plans = {m: v for m, v in sheet_plans.items() if v != months.get(m, (None, None))[0]}
        done = {m: v for m, v in sheet_done.items() if v != months.get(m, (None, None))[1]}
        for m, v in plans.items():
            shown.append((self.sheet.where(month_key(m, "plan"))[0], text_of("plan", months.get(m, (None, None))[0]), text_of("plan", v)))
        for m, v in done.items():
            shown.append((self.sheet.where(month_key(m, "done"))[0], text_of("done", months.get(m, (None, None))[1]), text_of("done", v)))
        cumulative = values.get("cumulative")
        if cumulative is not None and cumulative != current["cumulative"]:
            # The months not on the sheet stay as reported; 以前年度累计 takes the rest of the sheet's total.
            others = months.get("all", ZERO) - sum((months.get(m, (None, None))[1] or ZERO for m in sheet_done), ZERO)
            before = cumulative - others - sum(sheet_done.values(), ZERO)
            if before < 0:
                self.problem(number, "cumulative", f"累计完成投资 {text_of('cumulative', cumulative)} 万元小于已报送和表中各月完成投资之和 "
                                                   f"{text_of('cumulative', others + sum(sheet_done.values(), ZERO))} 万元，请核对")
                return
            shown.append((self.sheet.where("cumulative")[0], text_of("cumulative", current["cumulative"]), text_of("cumulative", cumulative)))
            if before != current["cumulative_before"]:
                changes["cumulative_before"] = before
        if not shown:
            self.plan.unchanged += 1
            return
        self.plan.updated.append(Change(number, current["code"], current["id"], current["version"], changes, stage, plans, done, shown))


# --- writing -------------------------------------------------------------------------------------------


def apply_plan(plan: ProjectPlan, actor: Actor, *, dry_run: bool = False) -> ImportResult:
    """Write a checked plan through the services (a new row: `import_project`; a changed one: `edit_project`,
    `move_stage`, the months) in one transaction (`core.excel.plan.writing`); ImportFailed (nothing written) if any
    row is refused — every refusal listed, each by its row. `dry_run`: the same, rolled back at the end."""
    from duban.projects import services
    from duban.projects.services.importing import apply_months, import_project

    problems: list[Problem] = []
    result = ImportResult([], [])
    with writing(plan, dry_run=dry_run):
        units = Unit.objects.in_bulk({v for r in _rows(plan) for k, v in r.items() if k == "lead_unit_id" and v})
        users = User.objects.in_bulk({v for r in _rows(plan) for k, v in r.items() if k == "leader_in_charge_id" and v})

        def resolved(values: dict) -> dict:
            out = {k: v for k, v in values.items() if k not in ("lead_unit_id", "leader_in_charge_id")}
            if "lead_unit_id" in values:
                out["lead_unit"] = units.get(values["lead_unit_id"])
            if "leader_in_charge_id" in values:
                out["leader_in_charge"] = users.get(values["leader_in_charge_id"]) if values["leader_in_charge_id"] else None
            return out

        for row in plan.created:
            _attempt(problems, row.row, lambda r=row: result.created.append(import_project(
                actor, stage=r.stage, year=plan.year, plans=r.plans, done=r.done, **resolved(r.values)).code))
        projects = Project.objects.in_bulk([c.project_id for c in plan.updated])
        for change in plan.updated:
            def write(c=change):
                project = projects[c.project_id]
                if c.values:
                    services.edit_project(actor, project, expected_version=c.version, **resolved(c.values))
                elif project.version != c.version:
                    raise ServiceError(f"项目 {c.code} 在预览之后已被修改，请重新上传表格核对")
                if c.stage is not None:
                    services.move_stage(actor, project, c.stage, note="按项目表导入")
                if c.plans or c.done:
                    apply_months(actor, project, plan.year, c.plans, c.done)
                result.updated.append(c.code)
            _attempt(problems, change.row, write)
        if problems:
            raise ImportFailed(problems)
        audit.record(actor, "project.import_sheet", None, object_type="projects.Project",
                     after={"file": plan.file_name, "created": len(result.created), "updated": len(result.updated)},
                     message=f"导入重点项目表：新建 {len(result.created)} 个，修改 {len(result.updated)} 个")
    return result


def _rows(plan: ProjectPlan) -> list[dict]:
    return [r.values for r in plan.created] + [c.values for c in plan.updated]


def _attempt(problems: list[Problem], row: int, write) -> None:
    attempt(problems, row, write, _column)


def _column(field_name: str) -> str:
    """The header of the column a service's refusal of `field_name` came from."""
    key = FIELD_COLUMN.get(field_name)
    return label_of(key) if key else ""


def describe(plan: ProjectPlan, *, limit: int | None = None) -> list[str]:
    """The plan for a terminal: the problems, else what will be created and changed."""
    headline = f"{plan.year}年：新建 {len(plan.created)} 个项目，修改 {len(plan.updated)} 个，{plan.unchanged} 个不变。"
    return describe_plan(plan, headline, limit=limit, created=lambda row: (
        f"第 {row.row} 行 新建：{row.name}（{Stage(row.stage).label}，{plan.names.get(row.values['lead_unit_id'], '')}）"))
