"""Excel import and export at the sizes of SPEC §9: a 10k-row decomposition sheet in, 100k tasks out.

    .venv/bin/python bench/excel_bench.py                     # both, on SQLite in a temporary data dir
    .venv/bin/python bench/excel_bench.py import --rows 10000
    .venv/bin/python bench/excel_bench.py export --rows 100000

Each measured step runs in a child process of its own, so its peak memory (ru_maxrss) is its own and not the
generator's. The import is measured three times: a sheet with one unknown unit in its last row (all or
nothing: every row checked, nothing written), the same sheet fixed (every task created as a draft through
services.create_tasks, in one transaction), and that sheet once more with --register (10k more tasks, each
registered too: twice the timeline events and audit entries). After each, the audit chain is verified.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEADLINES = ["2026年12月底前", "6月底前", "第三季度", "年底前", "长期坚持", "每月25日前报送进展", "9月中旬", "10月31日前",
             "上半年", "2026年11月30日前", "每季度末", "下半年"]


def _setup(data_dir: str) -> None:
    os.environ["DUBAN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child(step: str, data_dir: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, f"_{step}", data_dir, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"{step} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- data ----------------------------------------------------------------------------------------------


UNIT_NAMES = ["县发展和改革局", "县财政局", "县自然资源局", "县税务局", "县统计局", "县行政审批局", "县工业和信息化局", "县商务局",
              "县市场监督管理局", "县住房和城乡建设局", "县交通运输局", "县城市管理局", "县农业农村局", "县水利局", "县林业局",
              "县公安局", "县应急管理局", "县教育局", "县卫生健康局", "县文化和旅游局", "县优化营商环境办公室", "城关镇", "东关镇",
              "西河镇", "南岭镇", "北坡乡", "石桥镇", "柳林镇", "青山乡", "白水镇"]
LEADERS = [("郭瑞博", "县委书记", "principal"), ("邓光勇", "县委副书记、县长", "principal"), ("闫建东", "县委常委、常务副县长", "leader"),
           ("胡红磊", "县委常委、副县长", "leader"), ("李兴辉", "副县长", "leader"), ("韩明芳", "副县长", "leader")]


def prepare(data_dir: str) -> None:
    """A county of its own (30 units, 6 leaders; not `duban demo`, so the figures do not move with the demo)
    and the 2026 campaign."""
    from django.core.management import call_command

    from duban.core.choices import UnitKind
    from duban.core.models import RoleGrant, Unit, User
    from duban.core.services import place_in_tree
    from duban.ledger.models import Campaign

    call_command("migrate", interactive=False, verbosity=0)
    top = Unit.objects.create(name="县委县政府", kind=UnitKind.LEADERSHIP)
    place_in_tree(top)
    for name in UNIT_NAMES:
        unit = Unit.objects.create(name=name, kind=UnitKind.TOWNSHIP if name[-1] in "镇乡" else UnitKind.DEPARTMENT)
        place_in_tree(unit)
    for i, (name, title, role) in enumerate(LEADERS):
        user = User.objects.create_user(username=f"leader{i}", full_name=name, title=title, unit=top)
        RoleGrant.objects.create(user=user, role=role)
    Campaign.objects.create(name="2026年执行力亮剑行动", year=2026)


def write_sheet(path: Path, rows: int, *, bad_last_row: bool) -> None:
    """A county-style sheet: title, two-row header with merged "责任分工", group rows, leaders by title or name."""
    from openpyxl import Workbook

    from duban.core.choices import Role, UnitKind
    from duban.core.models import Unit, User

    rng = random.Random(2026)
    units = list(Unit.objects.filter(is_active=True).exclude(kind=UnitKind.LEADERSHIP).values_list("name", flat=True))
    units += ["交通运输局", "城关镇人民政府"]  # as sheets often write them
    leaders = list(User.objects.filter(role_grants__role=Role.LEADER).values_list("full_name", flat=True)) + ["常务副县长", "郭书记"]
    # A normal (not write-only) workbook, so that strings are shared as Excel and WPS store them.
    wb = Workbook()
    ws = wb.active
    ws.title = "任务分解"
    ws.append(["2026年执行力亮剑行动重点工作任务分解表"])
    ws.append(["序号", "工作任务", "具体措施及目标", "责任分工", None, None, None, "完成时限", "奖惩"])
    ws.append([None, None, None, "牵头县领导", "牵头单位", "配合单位", "责任人", None, None])
    for rng_ref in ("A1:I1", "A2:A3", "B2:B3", "C2:C3", "D2:G2", "H2:H3", "I2:I3"):
        ws.merge_cells(rng_ref)
    for n in range(1, rows + 1):
        if n % 500 == 1:
            ws.append([f"{'一二三四五六七八'[(n // 500) % 8]}、第{n // 500 + 1}组重点工作"])
            ws.merge_cells(f"A{ws.max_row}:I{ws.max_row}")
        lead = rng.choice(units)
        coop = "、".join(rng.sample(units, 2))
        if bad_last_row and n == rows:
            lead = "县不存在局"
        ws.append([str(n), f"重点工作任务第{n}项：推进项目建设和营商环境优化", "完成方案制定\n完成主体工程\n通过验收",
                   rng.choice(leaders), lead, coop, f"责任人{n % 97}", rng.choice(DEADLINES), "按期完成加1分，逾期扣2分"])
    wb.save(path)


def make_tasks(count: int) -> None:
    """`count` registered tasks written in bulk (the generator, not the thing measured), 2 cooperating units each."""
    import datetime as dt

    from duban.core.choices import Role
    from duban.core.models import Unit, User
    from duban.ledger.models import Campaign, Task

    rng = random.Random(7)
    campaign = Campaign.objects.get(name="2026年执行力亮剑行动")
    units = list(Unit.objects.filter(is_active=True))
    leaders = list(User.objects.filter(role_grants__role=Role.LEADER))
    start = Task.objects.count()
    through = Task.cooperating_units.through
    batch = 5000
    for offset in range(0, count, batch):
        tasks = []
        for i in range(offset, min(count, offset + batch)):
            due = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
            tasks.append(Task(
                campaign=campaign, code=f"B{start + i + 1:07d}", state=rng.choice(["assigned", "in_progress", "closed"]),
                title=f"重点工作任务第{i + 1}项：推进项目建设和营商环境优化，确保按期完成", standard="完成方案制定\n完成主体工程\n通过验收",
                leader_in_charge=rng.choice(leaders), lead_unit=rng.choice(units), responsible_name=f"责任人{i % 97}",
                deadline_text=f"{due.month}月{due.day}日前", due_date=due, due_sort=due, start_date=dt.date(2026, 1, 1),
                reward_penalty="按期完成加1分，逾期扣2分", progress=rng.randrange(101), seq=str(i + 1),
                light=rng.choice(["green", "yellow", "red", "grey"]),
            ))
        created = Task.objects.bulk_create(tasks)
        through.objects.bulk_create([through(task_id=t.pk, unit_id=u.pk) for t in created for u in rng.sample(units, 2)])


# --- measured steps (child processes) --------------------------------------------------------------------


def step_import(path: str, register: bool = False) -> dict:
    from duban.core import audit
    from duban.core.actor import Actor
    from duban.core.models import AuditEntry
    from duban.ledger import importing
    from duban.ledger.models import Task
    from duban.matters.models import MatterEvent

    before = Task.objects.count(), MatterEvent.objects.count(), AuditEntry.objects.count()
    started = time.perf_counter()
    plan = importing.build_plan(path, file_name=Path(path).name, register=register)
    planned = time.perf_counter() - started
    result = None
    if plan.ok:
        result = importing.apply_plan(plan, Actor.system("bench"))
    total = time.perf_counter() - started
    peak = _peak_mb()  # before the chain is verified (which reads it back in batches)
    verified = audit.verify()
    return {
        "rows": plan.rows, "errors": len(plan.errors), "first_error": str(plan.errors[0]) if plan.errors else "",
        "created": len(result.created) if result else 0, "registered": len(result.registered) if result else 0,
        "codes": f"{result.created[0]}…{result.created[-1]}" if result and result.created else "",
        "tasks_written": Task.objects.count() - before[0], "events_written": MatterEvent.objects.count() - before[1],
        "audit_written": AuditEntry.objects.count() - before[2], "audit_ok": verified.ok,
        "check_s": round(planned, 2), "total_s": round(total, 2), "peak_mb": round(peak, 1),
    }


def step_export(out: str) -> dict:
    from django.http import QueryDict

    from duban.core.actor import Actor
    from duban.ledger.excel.export import export_filtered

    baseline = _peak_mb()
    started = time.perf_counter()
    output, rows, _name = export_filtered(Actor.system("bench"), QueryDict())
    with output, open(out, "wb") as target:
        while chunk := output.read(1 << 20):
            target.write(chunk)
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 2), "peak_mb": round(_peak_mb(), 1),
            "peak_before_mb": round(baseline, 1), "file_mb": round(Path(out).stat().st_size / 1048576, 1)}


# --- driver --------------------------------------------------------------------------------------------


def main(argv: list[str]) -> None:
    if argv and argv[0].startswith("_"):  # a child: _<step> DATA_DIR ARGS…
        _setup(argv[1])
        step = {"_prepare": lambda: (prepare(argv[1]), {})[1],
                "_sheet": lambda: (write_sheet(Path(argv[2]), int(argv[3]), bad_last_row=argv[4] == "bad"), {})[1],
                "_tasks": lambda: (make_tasks(int(argv[2])), {})[1],
                "_import": lambda: step_import(argv[2], register=argv[3:] == ["register"]),
                "_export": lambda: step_export(argv[2])}[argv[0]]
        print(json.dumps(step(), ensure_ascii=False))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=["import", "export", "both"], default="both")
    parser.add_argument("--rows", type=int, help="rows to import (default 10000) or tasks to export (default 100000)")
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="duban-excel-bench-") as data_dir:
        _child("prepare", data_dir)
        if opts.what in {"import", "both"}:
            rows = opts.rows if opts.what == "import" and opts.rows else 10_000
            for kind in ("bad", "good", "register"):
                sheet = Path(data_dir) / f"{'bad' if kind == 'bad' else 'good'}.xlsx"
                if kind != "register":
                    _child("sheet", data_dir, str(sheet), str(rows), kind)
                f = _child("import", data_dir, str(sheet), *(["register"] if kind == "register" else []))
                chain = "audit chain verified" if f["audit_ok"] else "AUDIT CHAIN BROKEN"
                if kind == "bad":
                    print(f"import {rows} rows, one unknown unit in the last row: checked in {f['check_s']} s, "
                          f"{f['errors']} error, {f['tasks_written']} tasks written, peak {f['peak_mb']} MB  (bar: ≤ 15 s, nothing written)")
                    print(f"  {f['first_error']}")
                    continue
                what = "fixed" if kind == "good" else "the fixed sheet again with --register"
                print(f"import {rows} rows, {what}: checked in {f['check_s']} s, written in {f['total_s'] - f['check_s']:.1f} s, "
                      f"total {f['total_s']} s, peak {f['peak_mb']} MB  (bar: ≤ 15 s)")
                print(f"  {f['tasks_written']} tasks {f['codes']} ({f['registered']} registered), {f['events_written']} timeline events, "
                      f"{f['audit_written']} audit entries; {chain}")
        if opts.what in {"export", "both"}:
            rows = opts.rows if opts.what == "export" and opts.rows else 100_000
            started = time.perf_counter()
            _child("tasks", data_dir, str(rows))
            print(f"(generated {rows} tasks in {time.perf_counter() - started:.0f} s)")
            f = _child("export", data_dir, str(Path(data_dir) / "export.xlsx"))
            print(f"export {f['rows']} tasks: {f['seconds']} s, peak RSS {f['peak_mb']} MB (of which {f['peak_before_mb']} MB "
                  f"before the export began), file {f['file_mb']} MB  (bar: ≤ 15 s, ≤ 300 MB)")


if __name__ == "__main__":
    main(sys.argv[1:])
