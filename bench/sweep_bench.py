"""The supervision sweep at the size of SPEC §9: 100,000 open matters (≤ 5 s; a second run at the same time
writes nothing).

    .venv/bin/python bench/sweep_bench.py                      # SQLite, in a temporary data dir
    .venv/bin/python bench/sweep_bench.py --postgres postgres://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/sweep_bench.py --tasks 10000        # a quick look; writes no document

The data: the demo county and 100,000 tasks, all signed for or being worked on (the states the ladder
chases), due dates spread over 2026–2027 by the list benchmark's generator. Three sweeps are timed:

1. **first**: Friday 12 June 2026, the first sweep this data ever sees — it catches up every ladder step
   that fell due before (every overdue task gets its reminder, urge, notices and proposals at once, each
   with its inbox messages). A one-off: it happens when an installation first starts sweeping;
2. **daily**: Monday 15 June 2026 09:00, the next working day (after a VACUUM ANALYZE — ANALYZE on SQLite —
   standing for what autovacuum does in the day between) — every open task relit for the new day and the
   steps falling due that day fired. This is what the worker does each morning: the figure the bar is for;
3. **again**: the same moment once more — must write nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_TASKS = 100_000
BAR_SECONDS = 5.0
OPEN = {"assigned": 0.1, "in_progress": 0.9}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/sweep_bench.py", description="督办巡检在 10 万在办事项下的耗时（SPEC §9）")
    parser.add_argument("--tasks", type=int, default=FULL_TASKS, help="在办任务数（默认 100000）")
    parser.add_argument("--hazards", type=int, default=FULL_TASKS, help="整改中的安全隐患数（默认 100000）")
    parser.add_argument("--appeals", type=int, default=FULL_TASKS, help="在办企业诉求数（默认 100000）")
    parser.add_argument("--postgres", metavar="URL", help="在该 PostgreSQL 服务器上新建一个临时数据库来测（结束后删除）")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="duban-sweep-bench-")
    os.environ["DUBAN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    drop = None
    if args.postgres:
        import psycopg

        name = f"duban_sweep_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        base = args.postgres.rsplit("/", 1)[0]
        os.environ["DUBAN_DATABASE_URL"] = f"{base}/{name}"

        def drop():
            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        return _run(args)
    finally:
        if drop:
            drop()


def _run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from bench import generate, generate_matters
    from duban.core import demo
    from duban.ledger.models import Task
    from duban.notify.models import Notification
    from duban.supervision.models import SupervisionAction
    from duban.supervision.sweep import sweep

    HUEY.immediate = False  # pushes are queued for the worker, as in production; nothing sends them here
    call_command("migrate", verbosity=0)
    demo.load(stories=False)
    print(f"数据库：{connection.vendor}；生成 {args.tasks:,} 项在办任务 …")
    made = generate.generate(args.tasks, 0, shares=OPEN, log=lambda *_: None)
    # The generator dates its lights today; make them yesterday's, as a day of an installation leaves them.
    Task.objects.update(light_checked_on=dt.date(2026, 6, 11))
    print(f"生成 {args.hazards:,} 项整改中的安全隐患、{args.appeals:,} 件在办企业诉求 …")
    others = {"hazards": generate_matters.hazards(args.hazards), "appeals": generate_matters.appeals(args.appeals)}
    generate.analyze()
    tz = dt.timezone(dt.timedelta(hours=8))
    runs = []
    cpus: dict[str, float] = {}  # this process's CPU seconds per sweep: on SQLite the database works inside it
    for label, moment in (("first", dt.datetime(2026, 6, 12, 9, tzinfo=tz)), ("daily", dt.datetime(2026, 6, 15, 9, tzinfo=tz)),
                          ("again", dt.datetime(2026, 6, 15, 9, tzinfo=tz))):
        started, cpu = time.perf_counter(), time.process_time()
        result = sweep(moment)
        seconds = time.perf_counter() - started
        runs.append((label, moment, result, seconds))
        cpus[label] = time.process_time() - cpu
        if label == "first":
            # A day passes before the next sweep: autovacuum and autoanalyze would have tidied after the
            # catch-up's 100k updates and 400k inserts (on SQLite: fresh statistics).
            generate.analyze()
        print(f"  {label:6} {moment:%Y-%m-%d %H:%M}  {seconds:6.2f} 秒（CPU {cpus[label]:.2f} 秒）  查看 {result.checked:,} 项  督办 {result.actions:,} 项"
              f"（通知单 {result.notices:,}）  亮灯改写 {result.lights:,} 项  消息 {result.messages:,} 条")
    totals = (SupervisionAction.objects.count(), Notification.objects.count())
    daily, again = runs[1], runs[2]
    per = per_100k(daily[3], made.tasks + sum(others.values()))
    per_cpu = per_100k(cpus["daily"], made.tasks + sum(others.values()))
    ok = per <= BAR_SECONDS and again[2].writes == 0
    print(f"每日巡检 {daily[3]:.2f} 秒（CPU {cpus['daily']:.2f} 秒），折合每 10 万项在办事项 {per:.2f} 秒（CPU {per_cpu:.2f} 秒；要求 ≤ {BAR_SECONDS:.0f} 秒），重复巡检写入 {again[2].writes} 行："
          + ("达标。" if ok else "未达标。"))
    if args.tasks == FULL_TASKS and args.hazards == FULL_TASKS and args.appeals == FULL_TASKS:
        write(Path(args.output), connection, made, runs, totals, others, cpus)
        print(f"结果已写入 {args.output}")
    else:
        print("（规模小于规格，未写入文档）")
    return 0 if ok else 1


def per_100k(seconds: float, matters: int) -> float:
    """The sweep's time per 100,000 open matters (the bar of SPEC §9 is per 100k)."""
    return seconds / max(matters, 1) * 100_000


def write(path: Path, connection, made, runs, totals, others, cpus) -> None:
    from bench.__main__ import _load, machine

    info = machine()
    vendor = connection.vendor
    title = "SQLite" if vendor == "sqlite" else "PostgreSQL"
    command = "make bench" if vendor == "sqlite" else ".venv/bin/python bench/sweep_bench.py --postgres URL"
    lines = [
        f"## Supervision sweep at 100k open matters of each kind — {title}",
        "",
        f"- **Date:** {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- **Command:** `{command}` (bench/sweep_bench.py)",
        f"- **Machine:** {info['cpu']}, {info['memory']} RAM, {info['os']}",
        f"- **Data:** the demo county and {made.tasks:,} tasks, all chased (assigned or in progress), due dates over "
        f"2026–2027 (5% standing, never chased); {others['hazards']:,} hazards being rectified (a tenth major) and "
        f"{others['appeals']:,} open appeals at every chased step (accept, dispatch, sign for, reply, call back; a tenth "
        "urgent), due dates from 40 days before to 60 days after the first sweep (bench/generate_matters.py); lights last "
        "judged the day before. Pushes are queued for the worker (not sent in the timed sweep); inbox rows are written in it.",
        "",
        "| sweep | at | seconds | CPU seconds | matters looked at | actions (notices) | lights rewritten | messages |",
        "|---|---|---|---|---|---|---|---|",
    ]
    names = {"first": "first ever (catch-up)", "daily": "**daily** (next working day)", "again": "again, same moment"}
    for label, moment, result, seconds in runs:
        lines.append(f"| {names[label]} | {moment:%Y-%m-%d %H:%M} | {seconds:.2f} | {cpus[label]:.2f} | {result.checked:,} | "
                     f"{result.actions:,} ({result.notices:,}) | {result.lights:,} | {result.messages:,} |")
    lines += [
        "",
        f"Bar (SPEC §9): the sweep ≤ 5 s per 100k open matters — the daily sweep over all {made.tasks + sum(others.values()):,}: "
        f"**{runs[1][3]:.2f} s** ({cpus['daily']:.2f} s of CPU), i.e. **{per_100k(runs[1][3], made.tasks + sum(others.values())):.2f} s per 100k** "
        f"({per_100k(cpus['daily'], made.tasks + sum(others.values())):.2f} s of CPU: on SQLite the database works in this process, so on "
        "a machine shared with other work the CPU figure is what the sweep costs); a second run at "
        f"the same moment writes nothing — **{runs[2][2].writes} rows** ({runs[2][3]:.2f} s). In all {totals[0]:,} actions "
        f"and {totals[1]:,} inbox messages. The first sweep is a one-off catch-up (every overdue task gets every missed step "
        "at once), reported for what it is.",
        "",
        f"Load on the machine at the end of the run (1/5/15-minute load average): {_load()}.",
    ]
    section = "\n".join(lines)
    text = path.read_text(encoding="utf-8")
    begin, end = f"<!-- sweep:{vendor} -->", f"<!-- /sweep:{vendor} -->"
    block = f"{begin}\n{section}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
