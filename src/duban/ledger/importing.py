"""Importing a decomposition sheet (任务分解表) into a campaign: every row is checked first, then everything is
written in one transaction through the ledger services, or nothing is.

    plan = build_plan(path, campaign=None, register=False, user=None)   # reads, matches, checks; writes nothing
    if plan.ok: apply_plan(plan, actor)                                 # create_tasks / update_task / register_task

The checking lives in `duban.ledger.excel.plan`; this module writes, and words the plan for the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from duban.core import audit
from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.ledger import services
from duban.ledger.choices import TaskState
from duban.ledger.excel.plan import Change, ImportPlan, PlannedTask, Problem, build_plan, campaign_named
from duban.ledger.models import Campaign

__all__ = [
    "Change", "ImportFailed", "ImportPlan", "ImportResult", "PlannedTask", "Problem", "apply_plan", "build_plan",
    "campaign_named", "describe", "import_ledger",
]


@dataclass
class ImportResult:
    created: list[str]  # task codes
    updated: list[str]
    registered: list[str]
    reported: list[str]  # task codes a unit's sheet reported progress on
    drafts: list[tuple[str, list[str]]]  # (code, missing clarities) of new tasks left as drafts


CREATE_BATCH = 1000  # new tasks written per services.create_tasks call (all in the one transaction)


class ImportFailed(Exception):
    """A write refused while applying a checked plan (e.g. a task changed meanwhile); nothing was written."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


# --- writing -------------------------------------------------------------------------------------------


def apply_plan(plan: ImportPlan, actor: Actor, *, progress=None) -> ImportResult:
    """Write a checked plan in one transaction through the ledger services; on any refusal write nothing."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    result = ImportResult(created=[], updated=[], registered=[], reported=[], drafts=[])
    total = len(plan.creates) + len(plan.updates)
    done = 0
    current: PlannedTask | None = None
    try:
        with transaction.atomic():
            # New rows in bulk (services.create_tasks: the same checks, rows, events and audit entries as
            # create_task + register_task one by one), a batch at a time so that progress can be shown.
            for start in range(0, len(plan.creates), CREATE_BATCH):
                batch = plan.creates[start:start + CREATE_BATCH]
                current = None
                try:
                    tasks = services.create_tasks(
                        actor, plan.campaign,
                        [{**p.values, "cooperating_units": p.cooperating or ()} for p in batch], register=plan.register,
                    )
                except ServiceError as exc:
                    current = batch[getattr(exc, "index", 0)]
                    raise
                for planned, task in zip(batch, tasks, strict=True):
                    result.created.append(task.code)
                    if task.state == TaskState.ASSIGNED:  # registered: its five clarities are complete
                        result.registered.append(task.code)
                    elif planned.missing:
                        result.drafts.append((task.code, planned.missing))
                done += len(batch)
                if progress:
                    progress("写入", done, total)
            for current in plan.updates:
                task = current.task
                if current.changes:
                    task = services.update_task(actor, task, expected_version=current.version,
                                                cooperating_units=current.cooperating, **current.values)
                    result.updated.append(task.code)
                if current.report:
                    services.report_progress(actor, task, expected_version=None if current.changes else current.version,
                                             **current.report)
                    result.reported.append(task.code)
                if current.register:
                    services.register_task(actor, task)
                    result.registered.append(task.code)
                elif current.missing:
                    result.drafts.append((task.code, current.missing))
                done += 1
                if progress and done % 200 == 0:
                    progress("写入", done, total)
            audit.record(
                actor, "ledger.import", plan.campaign,
                after={"file": plan.file_name, "sheet": plan.sheet_name, "created": len(result.created),
                       "updated": len(result.updated), "registered": len(result.registered), "reported": len(result.reported)},
                message=(f"导入单位回填的台账“{plan.file_name or plan.sheet_name}”：报送进展 {len(result.reported)} 项"
                         if plan.unit_mode else
                         f"导入任务分解表“{plan.file_name or plan.sheet_name}”：新建 {len(result.created)} 项，"
                         f"修改 {len(result.updated)} 项，立账 {len(result.registered)} 项"),
            )
    except ServiceError as exc:
        where = current.task.code if current is not None and current.task is not None else ""
        message = f"任务 {where}：{exc.message}" if where else exc.message
        raise ImportFailed(Problem(message + " 本次导入未写入任何数据。", current.row if current else None)) from None
    if progress:
        progress("写入", total, total)
    return result


def import_ledger(source, actor: Actor, *, campaign: Campaign | None = None, register: bool = False,
                  dry_run: bool = False, file_name: str = "", progress=None) -> tuple[ImportPlan, ImportResult | None]:
    """Plan, and unless it is a dry run or has errors, apply: what `duban import ledger` does."""
    plan = build_plan(source, campaign=campaign, register=register, user=actor.user, file_name=file_name, progress=progress)
    if not plan.ok or dry_run:
        return plan, None
    return plan, apply_plan(plan, actor, progress=progress)


# --- words ---------------------------------------------------------------------------------------------


def describe(plan: ImportPlan, *, limit: int | None = None) -> list[str]:
    """The plan as the lines `duban import ledger` prints (errors, or what would be created and changed)."""
    lines = [f"文件：{plan.file_name or '—'}  工作表：{plan.sheet_name or '—'}  专项行动：{plan.campaign or '—'}"]
    if plan.errors:
        lines.append(f"发现 {len(plan.errors)} 处问题，未导入任何数据。请修改表格后重新导入：")
        lines.extend(f"  {p}" for p in plan.errors[:limit])
        if limit and len(plan.errors) > limit:
            lines.append(f"  ……另有 {len(plan.errors) - limit} 处问题")
        if plan.unmatched:
            lines.append("未能匹配的名称：" + "；".join(f"{name}（第 {'、'.join(map(str, rows[:10]))} 行）" for name, rows in plan.unmatched.items()))
        lines.extend(f"说明：{n}" for n in plan.notes)
        return lines
    if plan.unit_mode:
        lines.append(f"共 {plan.rows} 行任务：报送进展 {len(plan.reports)} 项，无变化 {plan.unchanged} 项。")
    else:
        lines.append(f"共 {plan.rows} 行任务：新建 {len(plan.creates)} 项，修改 {sum(1 for p in plan.updates if p.changes)} 项"
                     f"（{plan.changes} 处），无变化 {plan.unchanged} 项。")
    for p in plan.reports[:limit]:
        lines.append(f"  进展 {p.task.code}（第 {p.row} 行）{p.report['percent']}%：{p.report['text'][:40]}")
    if limit and len(plan.reports) > limit:
        lines.append(f"  ……另有 {len(plan.reports) - limit} 项进展")
    for p in plan.creates[:limit]:
        lead = p.values.get("lead_unit")
        lines.append(f"  新建 第 {p.row} 行：{p.title[:40]}（{lead.name if lead else '未定牵头单位'}；{p.values.get('deadline_text') or '未定时限'}）")
    if limit and len(plan.creates) > limit:
        lines.append(f"  ……另有 {len(plan.creates) - limit} 项新任务")
    shown = 0
    for p in plan.updates:
        for c in p.changes:
            if limit and shown >= limit:
                break
            lines.append(f"  修改 {p.task.code}（第 {p.row} 行）“{c.label}”：{c.old or '（空）'} → {c.new or '（空）'}")
            shown += 1
    if limit and plan.changes > limit:
        lines.append(f"  ……另有 {plan.changes - limit} 处修改")
    if plan.register:
        lines.append(f"立账交办 {len(plan.registering)} 项；{len(plan.staying_drafts)} 项五明确不全，保持建账（草稿）：")
        for p in plan.staying_drafts[:limit]:
            name = p.task.code if p.task else f"第 {p.row} 行"
            lines.append(f"  {name} {p.title[:30]}：缺少{'；'.join(p.missing)}")
    lines.extend(f"说明：{n}" for n in plan.notes)
    return lines
