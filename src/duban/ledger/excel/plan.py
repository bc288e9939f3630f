"""Checking a decomposition sheet before anything is written: every row read, every name matched, every
deadline parsed, every change to an existing task worked out — the `ImportPlan` that the preview shows and
`duban.ledger.importing.apply_plan` writes.

A row whose 任务编号 names an existing task changes that task only in the columns whose cell differs from what
the export writes for it now (see `columns.cell_values`); a row without a number is a new draft (建账).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl.utils import get_column_letter

from duban.core.errors import ServiceError
from duban.ledger import policies
from duban.ledger.choices import TaskSource, TaskState
from duban.ledger.deadlines import DeadlineError, parse_deadline
from duban.ledger.excel.columns import BY_KEY, REPORT_KEYS, cell_values, clean, display_labels, row_of, same
from duban.ledger.excel.export import export_queryset
from duban.ledger.excel.matching import Directory, Miss, normal
from duban.ledger.excel.reader import Row, Sheet, SheetError, duplicate_columns, is_note, open_sheet, strip_enumerator
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import Campaign, Front, Task

# Longest texts the task's columns hold (a longer cell is refused, never cut).
MAX_LENGTH = {"title": 300, "seq": 20, "deadline": 100, "responsible": 60}


@dataclass(frozen=True)
class Problem:
    """One reason the sheet cannot be imported, pointing at its row and column."""

    message: str
    row: int | None = None
    column: str = ""  # the header text as the sheet shows it
    letter: str = ""

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column:
            return f"第 {self.row} 行“{self.column}”列（{self.letter}）：{self.message}"
        return f"第 {self.row} 行：{self.message}"


@dataclass(frozen=True)
class Change:
    """One field of an existing task that the sheet changes: the column, and the cell before and after."""

    key: str
    label: str
    old: str
    new: str


@dataclass
class PlannedTask:
    """A row to write: a new draft (task is None) or changes to an existing task, and whether to register it."""

    row: int
    values: dict
    cooperating: list | None = None  # None: cooperating units untouched
    task: Task | None = None
    version: int | None = None
    changes: list[Change] = field(default_factory=list)
    register: bool = False
    missing: list[str] = field(default_factory=list)  # of the five clarities (when it stays a draft)
    report: dict | None = None  # a progress report a unit brings back: percent, text, problems, next_steps

    @property
    def title(self) -> str:
        return self.values.get("title") or (self.task.title if self.task else "")


@dataclass
class ImportPlan:
    """What a sheet would do: errors (then nothing is written), or the tasks it creates and changes."""

    file_name: str = ""
    sheet_name: str = ""
    campaign: Campaign | None = None
    register: bool = False
    errors: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    creates: list[PlannedTask] = field(default_factory=list)
    updates: list[PlannedTask] = field(default_factory=list)
    unchanged: int = 0
    unmatched: dict[str, list[int]] = field(default_factory=dict)  # "单位“县交通局”" → rows
    rows: int = 0
    unit_mode: bool = False  # a unit bringing its sheet back: progress reports only, no edits, no new tasks

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return sum(len(p.changes) for p in self.updates)

    @property
    def reports(self) -> list[PlannedTask]:
        return [p for p in self.updates if p.report]

    @property
    def registering(self) -> list[PlannedTask]:
        return [p for p in self.creates + self.updates if p.register]

    @property
    def staying_drafts(self) -> list[PlannedTask]:
        """With --register: the new or draft tasks that cannot be registered yet, and why."""
        return [p for p in self.creates + self.updates if p.missing]

    @property
    def nothing_to_do(self) -> bool:
        """No task to create, change or register (drafts that stay drafts are only reported)."""
        return not self.creates and not any(p.changes or p.register or p.report for p in self.updates)

    def fingerprint(self) -> str:
        """A digest of exactly what would be written, to check that a confirmed preview is still what happens."""
        body = {
            "campaign": self.campaign.pk if self.campaign else None,
            "creates": [[p.row, _jsonable(p.values), sorted(u.pk for u in p.cooperating or []), p.register] for p in self.creates],
            "updates": [[p.task.code, p.version, [[c.key, c.old, c.new] for c in p.changes], p.register, p.report]
                        for p in self.updates],
        }
        return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def _jsonable(values: dict) -> dict:
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in sorted(values.items())}


# --- planning ------------------------------------------------------------------------------------------


def build_plan(source, *, campaign: Campaign | None = None, register: bool = False, user=None,
               file_name: str = "", progress=None) -> ImportPlan:
    """Read and check the whole sheet; write nothing. `user` limits the tasks a 任务编号 may name to their scope.

    `source` is a file (path or binary file object) or a `Sheet` already read (the web import reads the file
    once, at upload, and checks the sheet again at confirm). A user who is not of the office or a principal
    leader brings a unit's sheet back (`unit_mode`): the rows must name tasks, the five clarities must be left
    as they are, and a changed 进度 / 最新进展 is a progress report of their unit.
    """
    if isinstance(source, Sheet):
        sheet = source
    else:
        try:
            sheet = open_sheet(source, progress=progress)
        except SheetError as exc:
            return unreadable_plan(str(exc), register=register, user=user, file_name=file_name)
    unit_mode = user is not None and not (policies.is_office(user) or policies.is_principal(user))
    plan = ImportPlan(file_name=file_name, register=register and not unit_mode, unit_mode=unit_mode)
    plan.sheet_name = sheet.name
    plan.errors.extend(Problem(m) for m in duplicate_columns(sheet.header))
    if sheet.header.ignored:
        plan.notes.append("以下列不导入：" + "、".join(f"“{t}”" for t in sheet.header.ignored) + "。")
    readonly = [sheet.header.labels[c] for k in ("light", "state") for c in sheet.header.columns.get(k, [])]
    if readonly:
        plan.notes.append("“" + "”“".join(readonly) + "”列只供查看，导入时不读取。")
    reported = [sheet.header.labels[c] for k in REPORT_KEYS for c in sheet.header.columns.get(k, [])]
    if reported and not unit_mode:
        plan.notes.append("“" + "”“".join(reported) + "”列是责任单位报送的进展，督查室导入时不读取；进展由责任单位报送。")
    if unit_mode and "code" not in sheet.header.columns:
        plan.errors.append(Problem("表中没有“任务编号”列。单位回填进展，请先在系统台账中“导出Excel”，在导出的表上填写后再导入。"))
        return plan
    tasks = _existing_tasks(sheet, user)
    plan.campaign, problem = _campaign(campaign, "".join(sheet.above), tasks)
    if problem:
        plan.errors.append(problem)
        return plan
    planner = _Planner(plan, sheet, tasks, user)
    planner.run(progress)
    return plan


def unreadable_plan(message: str, *, register: bool = False, user=None, file_name: str = "") -> ImportPlan:
    """The plan of a file that could not be read: its one error says why."""
    unit_mode = user is not None and not (policies.is_office(user) or policies.is_principal(user))
    plan = ImportPlan(file_name=file_name, register=register and not unit_mode, unit_mode=unit_mode)
    plan.errors.append(Problem(message))
    return plan


def _existing_tasks(sheet, user) -> dict[str, Task]:
    """The tasks the sheet's 任务编号 column names (as far as the user may see), loaded for comparison."""
    if "code" not in sheet.header.columns:
        return {}
    column = sheet.header.columns["code"][0]
    codes = sorted({normal(r.text(column)) for r in sheet.rows if not r.group and r.text(column)})
    base = Task.objects.visible_to(user) if user is not None else Task.objects.all()
    found = {}
    for start in range(0, len(codes), 2000):
        for task in export_queryset(base.filter(code__in=codes[start:start + 2000])):
            found[task.code] = task
    return found


def campaign_named(value: str | None) -> Campaign | None:
    """A campaign by id or exact name (None for no value); LookupError with the choices when it names none."""
    if not value or not value.strip():
        return None
    value = value.strip()
    campaign = Campaign.objects.filter(pk=int(value)).first() if value.isdigit() else None
    campaign = campaign or Campaign.objects.filter(name=value).first()
    if campaign is None:
        names = "、".join(f"{c.pk}（{c.name}）" for c in Campaign.objects.all()) or "（尚无专项行动）"
        raise LookupError(f"找不到专项行动“{value}”。可用的编号或名称：{names}")
    return campaign


def _campaign(given, title: str, tasks: dict[str, Task]) -> tuple[Campaign | None, Problem | None]:
    """The campaign given, else the one the title names, else the one the numbered tasks are in, else the only active one."""
    if given is not None:
        return given, None
    campaigns = list(Campaign.objects.all())
    named = sorted((c for c in campaigns if c.name and c.name in normal(title)), key=lambda c: -len(c.name))
    if named:
        return named[0], None
    of_tasks = {t.campaign_id for t in tasks.values()}
    if len(of_tasks) == 1:
        return next(c for c in campaigns if c.pk in of_tasks), None
    active = [c for c in campaigns if c.is_active]
    if len(active) == 1:
        return active[0], None
    if not campaigns:
        return None, Problem("系统中还没有专项行动，请先建立专项行动（如“2026年执行力亮剑行动”）再导入。")
    names = "、".join(f"“{c.name}”（编号 {c.pk}）" for c in campaigns)
    return None, Problem(f"无法判断导入到哪个专项行动，请指定。现有：{names}。")


class _Planner:
    """Walks the rows once, checking each against the directory, the campaign and the task it names."""

    def __init__(self, plan: ImportPlan, sheet, tasks: dict[str, Task], user=None):
        self.plan, self.sheet, self.header, self.tasks, self.user = plan, sheet, sheet.header, tasks, user
        self.campaign = plan.campaign
        self.directory = Directory()
        self.fronts = list(Front.objects.filter(campaign=self.campaign))
        self.today = timezone.localdate()
        self.seen_codes: dict[str, int] = {}
        self.front: Front | None = None
        self.past_due = 0
        self.labels = display_labels()
        self.deadlines: dict[str, object] = {}  # wording → Deadline, or the refusal's message

    # --- walking ---

    def run(self, progress) -> None:
        total = len(self.sheet.rows)
        for done, row in enumerate(self.sheet.rows, start=1):
            if row.group:
                self._group(row)
            else:
                self.plan.rows += 1
                self._row(row)
            if progress and done % 500 == 0:
                progress("核对", done, total)
        if progress:
            progress("核对", total, total)
        if self.past_due:
            self.plan.notes.append(f"有 {self.past_due} 项新任务的完成时限已过，导入后即亮红灯（逾期）。")
        if not self.plan.rows and not self.plan.errors:
            self.plan.errors.append(Problem(f"表头（第 {self.header.last_row} 行）以下没有任务。"))

    def _group(self, row: Row) -> None:
        text = row.group
        if is_note(text):
            return
        front = self._front_named(strip_enumerator(text), text)
        self.front = front
        if front is None:
            self.plan.notes.append(f"第 {row.number} 行“{text[:30]}”看作分组标题，未导入；本专项行动没有同名战线，其下新任务不归入战线。")

    def _front_named(self, name: str, raw: str) -> Front | None:
        number = re.match(r"第([一二三四五六七八九十0-9]+)条?战线", normal(raw))
        if number:
            digits = number.group(1)
            n = int(digits) if digits.isdigit() else "一二三四五六七八九十".index(digits) + 1 if len(digits) == 1 else None
            hits = [f for f in self.fronts if f.number == n]
            if len(hits) == 1:
                return hits[0]
        key = normal(name).removesuffix("战线")
        if not key:
            return None
        hits = [f for f in self.fronts if normal(f.name) == normal(name) or normal(f.name).removesuffix("战线") == key]
        if not hits:
            hits = [f for f in self.fronts if len(key) >= 2 and (key in normal(f.name) or normal(f.name).removesuffix("战线") in key)]
        return hits[0] if len(hits) == 1 else None

    def _error(self, row: Row, key: str | None, message: str, column: int | None = None) -> None:
        if key is None:
            self.plan.errors.append(Problem(message, row.number))
            return
        column = column or self.header.columns[key][0]
        self.plan.errors.append(Problem(message, row.number, self.header.label(column), get_column_letter(column)))

    def _miss(self, row: Row, key: str, miss: Miss, kind: str) -> None:
        self._error(row, key, miss.message)
        self.plan.unmatched.setdefault(f"{kind}“{miss.name}”", []).append(row.number)

    def cell(self, row: Row, key: str) -> str:
        """The text of a column (REPEATABLE columns joined by line breaks); "" when the sheet has no such column."""
        return "\n".join(t for t in (row.text(c) for c in self.header.columns.get(key, [])) if t)

    def raw(self, row: Row, key: str):
        columns = self.header.columns.get(key)
        return row.cells.get(columns[0]) if columns else None

    def _row(self, row: Row) -> None:
        code = normal(self.cell(row, "code")) if "code" in self.header.columns else ""
        if not code and self.plan.unit_mode:
            self._error(row, "code", "没有任务编号。单位回填只能报送已有任务的进展，不能新建任务：新任务请报县委督查室建账，本行请删除。")
            return
        if not code:
            self._new(row)
            return
        if code in self.seen_codes:
            self._error(row, "code", f"任务编号 {code} 与第 {self.seen_codes[code]} 行重复。一项任务只能出现一次。")
            return
        self.seen_codes[code] = row.number
        task = self.tasks.get(code)
        if task is None:
            self._error(row, "code", f"找不到任务编号 {code}。新任务请把任务编号留空；已有任务请从系统导出的台账中复制编号。")
            return
        if task.campaign_id != self.campaign.pk:
            self._error(row, "code", f"任务 {code} 属于“{task.campaign}”，不属于本次导入的“{self.campaign}”。请分开导入。")
            return
        self._update(row, task)

    # --- a new task ---

    def _new(self, row: Row) -> None:
        errors_before = len(self.plan.errors)
        values: dict = {"source": TaskSource.DOCUMENT, "source_ref": (self.sheet.title or self.plan.file_name)[:200]}
        cooperating: list = []
        present = [k for k in ("seq", "title", "standard", "leaders", "lead_unit", "cooperating", "deadline", "reward", "front")
                   if k in self.header.columns]
        for key in present:
            text = self.cell(row, key)
            if not text:
                continue
            result = self._read(row, key, text)
            if result is not None:
                cooperating.extend(result.pop("_cooperating", []))
                cooperating.extend(result.pop("_units", []))
                values.update(result)
        if not values.get("title"):
            self._error(row, "title", "工作任务为空。每行须写明工作任务；整行不要的请删除。")
        if "front" not in values and self.front is not None and "front" not in self.header.columns:
            values["front"] = self.front
        if "responsible" in self.header.columns and self.cell(row, "responsible"):
            values.update(self._responsible(row, self.cell(row, "responsible"), values.get("lead_unit")))
        due = values.get("due_date")
        start = self.today
        if due is not None and due < self.today:
            start = min(dt.date(self.campaign.year, 1, 1), due)
            self.past_due += 1
        values["start_date"] = start
        lead = values.get("lead_unit")
        units = [u for u in dict.fromkeys(cooperating) if lead is None or u.pk != lead.pk]
        if len(self.plan.errors) > errors_before:
            return
        planned = PlannedTask(row=row.number, values=values, cooperating=units)
        if self.plan.register:
            self._registration(planned, Task(campaign=self.campaign, **values))
        self.plan.creates.append(planned)

    # --- an existing task ---

    def _update(self, row: Row, task: Task) -> None:
        errors_before = len(self.plan.errors)
        exported = cell_values(row_of(task), self.today, self.labels)
        values: dict = {}
        changes: list[Change] = []
        cooperating = None
        extra_units: list = []
        for key in ("seq", "title", "standard", "leaders", "lead_unit", "cooperating", "deadline", "reward", "front"):
            if key not in self.header.columns:
                continue
            text = self.cell(row, key)
            if same(text, exported[key]):
                continue
            if self.plan.unit_mode:
                self._error(row, key, f"五明确各列由县委督查室维护，单位回填时不能修改（系统中为“{clean(exported[key]) or '空'}”）。"
                            "请恢复原值；确需调整的，请在系统中申请延期、申请调整承办单位或联系督查室。")
                continue
            result = self._read(row, key, text, clearing=True)
            if result is None:
                continue
            extra_units.extend(result.pop("_cooperating", []))
            if key == "cooperating":
                units = result.pop("_units")
                if {u.pk for u in units} != {u.pk for u in task.cooperating_units.all()}:
                    cooperating = units
                    changes.append(self._change(key, exported[key], "、".join(u.name for u in units)))
                continue
            differing = {k: v for k, v in result.items() if _differs(getattr(task, k), v)}
            if differing:
                values.update(differing)
                changes.append(self._change(key, exported[key], _shown(key, result, text)))
        if "responsible" in self.header.columns and not self.plan.unit_mode:
            text = self.cell(row, "responsible")
            if not same(text, exported["responsible"]):
                result = self._responsible(row, text, values.get("lead_unit", task.lead_unit))
                differing = {k: v for k, v in result.items() if _differs(getattr(task, k), v)}
                if differing:
                    values.update(result)
                    changes.append(self._change("responsible", exported["responsible"], text))
        if extra_units:
            base = cooperating if cooperating is not None else list(task.cooperating_units.all())
            merged = list({u.pk: u for u in [*base, *extra_units]}.values())
            lead = values["lead_unit"] if "lead_unit" in values else task.lead_unit
            merged = [u for u in merged if lead is None or u.pk != lead.pk]
            if {u.pk for u in merged} != {u.pk for u in task.cooperating_units.all()}:
                cooperating = merged
                if not any(c.key == "cooperating" for c in changes):
                    changes.append(self._change("cooperating", exported["cooperating"], "、".join(u.name for u in merged)))
        if len(self.plan.errors) > errors_before:
            return
        if changes:
            try:
                TASK_MACHINE.check(task, "edit", noun=f"任务 {task.code} ")
            except ServiceError as exc:
                self._error(row, "code", exc.message + "表中对它的修改无法导入，请恢复原值或删去该行。")
                return
            due = values.get("due_date", task.due_date)
            if due is not None and due < task.start_date:
                self._error(row, "deadline", f"完成时限 {due:%Y年%m月%d日} 早于该任务的开始日期 {task.start_date:%Y年%m月%d日}，"
                            "请检查日期；确需提前的，请在系统中修改开始日期后再导入。")
                return
        report = self._report(row, task, exported) if self.plan.unit_mode else None
        if len(self.plan.errors) > errors_before:
            return
        planned = PlannedTask(row=row.number, values=values, cooperating=cooperating, task=task, version=task.version,
                              changes=changes, report=report)
        if self.plan.register and task.state == TaskState.DRAFT:
            probe = copy.copy(task)
            for key, value in values.items():
                setattr(probe, key, value)
            self._registration(planned, probe)
        if not changes and not report:
            self.plan.unchanged += 1
        if changes or planned.register or planned.missing or report:
            self.plan.updates.append(planned)

    def _report(self, row: Row, task: Task, exported: dict) -> dict | None:
        """A unit's changed 进度 / 最新进展 as the progress report it makes, or None (unchanged)."""
        columns = self.header.columns
        percent_text = self.cell(row, "progress") if "progress" in columns else ""
        text = self.cell(row, "report") if "report" in columns else ""
        new_percent = "progress" in columns and not same(percent_text, exported["progress"])
        new_text = "report" in columns and not same(text, exported["report"])
        if not (new_percent or new_text):
            return None
        percent = task.progress
        if new_percent:
            raw = self.raw(row, "progress")
            digits = clean(percent_text).rstrip("%％ ").strip()
            try:
                # "60%" typed into Excel is stored as 0.6: a fraction below 1 is read as a share.
                percent = round(raw * 100) if isinstance(raw, float) and 0 < raw < 1 else round(float(digits))
            except ValueError:
                self._error(row, "progress", f"“{percent_text}”不是完成进度。请填 0 到 100 之间的整数（如 60 表示 60%）。")
                return None
            if not 0 <= percent <= 100:
                self._error(row, "progress", f"完成进度 {percent} 超出 0–100 的范围。")
                return None
        if "report" not in columns or not new_text or not text.strip():
            where = "report" if "report" in columns else "progress"
            self._error(row, where, f"进度改为 {percent}%，请在“{BY_KEY['report'].label}”列写明本期工作进展（替换上次报送的内容）。"
                        "进展一经导入即为本单位正式报送。")
            return None
        if len(text) > 4000:
            self._error(row, "report", f"进展有 {len(text)} 字，超过 4000 字的上限，请精简。")
            return None
        if not TASK_MACHINE.transitions["report"].permits(task, self.user):
            self._error(row, "code", f"本单位不是任务 {task.code} 的牵头或配合单位，不能报送它的进展。请删去该行或恢复原值。")
            return None
        try:
            TASK_MACHINE.check(task, "report", noun=f"任务 {task.code} ")
        except ServiceError:
            state = task.get_state_display()
            hint = "请先在系统中签收该任务，再导入进展。" if task.state == TaskState.ASSIGNED else "本行的进展无法导入，请恢复原值或删去该行。"
            self._error(row, "code", f"任务 {task.code} 当前为“{state}”，不能报送进展。{hint}")
            return None
        return {"percent": percent, "text": text.strip(), "problems": self.cell(row, "problems").strip(),
                "next_steps": self.cell(row, "next_steps").strip()}

    def _change(self, key: str, old, new: str) -> Change:
        column = self.header.columns.get(key, [None])[0]
        label = self.header.label(column) if column else BY_KEY[key].label
        return Change(key, label, clean(old), clean(new))

    def _registration(self, planned: PlannedTask, probe: Task) -> None:
        missing = probe.missing_clarities()
        if missing:
            planned.missing = missing
        else:
            planned.register = True

    # --- one cell ---

    def _read(self, row: Row, key: str, text: str, *, clearing: bool = False) -> dict | None:
        """The task values a cell stands for, or None after reporting why it cannot be read."""
        if key in MAX_LENGTH and len(text) > MAX_LENGTH[key]:
            self._error(row, key, f"内容有 {len(text)} 字，超过 {MAX_LENGTH[key]} 字的上限，请精简。")
            return None
        if key == "seq":
            return {"seq": text}
        if key == "title":
            if not text:
                self._error(row, key, "工作任务不能为空。")
                return None
            return {"title": text}
        if key == "standard":
            return {"standard": text}
        if key == "reward":
            return {"reward_penalty": text}
        if key == "leaders":
            if not text:
                return {"leader_in_charge": None, "assigning_leader": None}
            in_charge, assigning, misses = self.directory.leader_pair(text)
            for miss in misses:
                self._miss(row, key, miss, "县领导")
            return None if misses else {"leader_in_charge": in_charge, "assigning_leader": assigning}
        if key == "lead_unit":
            if not text:
                return {"lead_unit": None}
            units, misses = self.directory.unit_list(text)
            for miss in misses:
                self._miss(row, key, miss, "单位")
            if misses:
                return None
            if len(units) > 1:
                self.plan.notes.append(
                    f"第 {row.number} 行牵头单位写了 {len(units)} 个：以“{units[0].name}”为牵头单位，"
                    + "、".join(u.name for u in units[1:]) + " 列为配合单位。"
                )
            return {"lead_unit": units[0], "_cooperating": units[1:]}
        if key == "cooperating":
            units, misses = self.directory.unit_list(text)
            for miss in misses:
                self._miss(row, key, miss, "单位")
            return None if misses else {"_units": units}
        if key == "deadline":
            return self._deadline(row, text)
        if key == "front":
            if not text:
                return {"front": None}
            front = self._front_named(text, text)
            if front is None:
                names = "、".join(f.name for f in self.fronts) or "（尚未设置战线）"
                self._error(row, key, f"“{self.campaign}”中没有战线“{text}”。现有战线：{names}。")
                return None
            return {"front": front}
        raise AssertionError(key)

    def _deadline(self, row: Row, text: str) -> dict | None:
        if not text:
            return {"deadline_text": "", "due_date": None, "standing": False}
        raw = self.raw(row, "deadline")
        if isinstance(raw, (dt.date, dt.datetime)):
            day = raw.date() if isinstance(raw, dt.datetime) else raw
            return {"deadline_text": text, "due_date": day, "standing": False}
        deadline = self.deadlines.get(text)
        if deadline is None:  # a sheet repeats a few dozen wordings: read each once
            try:
                deadline = parse_deadline(text, self.campaign.year, today=self.today)
            except DeadlineError as exc:
                deadline = str(exc)
            self.deadlines[text] = deadline
        if isinstance(deadline, str):
            self._error(row, "deadline", deadline + "。")
            return None
        values = {"deadline_text": text, "due_date": deadline.due_date, "standing": deadline.standing}
        if deadline.report_cycle:
            values["report_cycle"] = deadline.report_cycle  # a wording without a cycle leaves the task's cycle alone
        return values

    def _responsible(self, row: Row, text: str, lead_unit) -> dict:
        """A person with an account in the lead unit is linked; any other name is kept as written."""
        if len(text) > MAX_LENGTH["responsible"]:
            self._error(row, "responsible", f"内容有 {len(text)} 字，超过 {MAX_LENGTH['responsible']} 字的上限，请精简。")
            return {}
        person = self.directory.person_in(text, lead_unit)
        if person is not None:
            return {"responsible_person": person, "responsible_name": ""}
        return {"responsible_person": None, "responsible_name": text}


def _differs(current, new) -> bool:
    if hasattr(current, "pk") or hasattr(new, "pk"):
        return getattr(current, "pk", None) != getattr(new, "pk", None)
    return current != new


def _shown(key: str, values: dict, text: str) -> str:
    """How a changed cell is shown in the preview: names as the system knows them."""
    if key == "lead_unit":
        return values["lead_unit"].name if values.get("lead_unit") else ""
    if key == "leaders":
        names = [u.full_name for u in (values.get("assigning_leader"), values.get("leader_in_charge")) if u]
        return "、".join(names)
    if key == "front":
        return values["front"].name if values.get("front") else ""
    return text
